//===- KeyReader.h - Typed access to the keys of a JSON object --*- C++ -*-===//
//
// Reads the keys of one layer (or section) of a model file with the type and
// range each must have, and rejects the keys nobody asked for, so that a typo
// such as "kernal" is an error rather than a silent default.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_KEYREADER_H
#define CNNC_FRONTENDS_JSON_KEYREADER_H

#include "frontends/json/Expression.h"

#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cnnc::json {

class KeyReader {
public:
  /// `where` names the object in messages ("layer 2 'c3' (conv2d)");
  /// `keyPrefix` qualifies key names of a nested object ("input.").
  KeyReader(const Json &object, std::string where, std::string keyPrefix = "");

  const std::string &where() const { return location; }
  bool has(const std::string &key);
  /// The raw value of `key` or nullptr; marks the key as known.
  const Json *find(const std::string &key);

  [[noreturn]] void fail(const std::string &key, const std::string &message) const;

  int64_t positiveInt(const std::string &key, std::optional<int64_t> fallback = {});
  int64_t integer(const std::string &key, int64_t fallback);
  double number(const std::string &key, double fallback);
  bool boolean(const std::string &key, bool fallback);
  std::string string(const std::string &key, std::optional<std::string> fallback = {});
  /// A positive integer for both dimensions, or [height, width].
  std::array<int64_t, 2> positivePair(const std::string &key,
                                      std::optional<std::array<int64_t, 2>> fallback = {});
  /// Non-negative padding: p, [vertical, horizontal] or [top, left, bottom,
  /// right]; returned as [top, left, bottom, right].
  std::array<int64_t, 4> padding(const std::string &key);
  /// One of `choices` (or an alias mapped to one); returns the canonical name.
  std::string choice(const std::string &key,
                     const std::vector<std::pair<std::string, std::string>> &choices,
                     const std::string &fallback);
  std::vector<int64_t> positiveInts(const std::string &key);

  /// Fails on the first key of the object that no reader asked for.
  void rejectUnknownKeys(const std::string &what) const;

private:
  const Json &object;
  std::string location;
  std::string keyPrefix;
  std::set<std::string> known;
};

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_KEYREADER_H
