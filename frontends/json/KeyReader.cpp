//===- KeyReader.cpp - Typed access to the keys of a JSON object ----------===//

#include "frontends/json/KeyReader.h"

#include "frontends/json/ImportError.h"
#include "frontends/json/Limits.h"
#include "frontends/json/Suggestions.h"

#include <cmath>

namespace cnnc::json {

KeyReader::KeyReader(const Json &object, std::string where,
                     std::string keyPrefix)
    : object(object), location(std::move(where)),
      keyPrefix(std::move(keyPrefix)) {}

bool KeyReader::has(const std::string &key) { return find(key) != nullptr; }

const Json *KeyReader::find(const std::string &key) {
  known.insert(key);
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void KeyReader::fail(const std::string &key, const std::string &message) const {
  std::string where = location;
  if (!key.empty())
    where += (where.empty() ? "key '" : ", key '") + keyPrefix + key + "'";
  throw ImportError{where, message};
}

static bool isSize(const Json &value) {
  return value.is_number_integer() && value.get<int64_t>() > 0 &&
         value.get<int64_t>() <= kMaxSize;
}

static std::string sizeError(const std::string &expected, const Json &value) {
  std::string message = "expected " + expected + ", got " + describeValue(value);
  auto tooLarge = [](const Json &v) {
    return v.is_number_integer() && v.get<int64_t>() > kMaxSize;
  };
  if (tooLarge(value) ||
      (value.is_array() && std::any_of(value.begin(), value.end(), tooLarge)))
    message += " (sizes are limited to " + std::to_string(kMaxSize) + ")";
  return message;
}

int64_t KeyReader::positiveInt(const std::string &key,
                               std::optional<int64_t> fallback) {
  const Json *value = find(key);
  if (!value) {
    if (!fallback)
      fail(key, "missing; expected a positive integer");
    return *fallback;
  }
  if (!isSize(*value))
    fail(key, sizeError("a positive integer", *value));
  return value->get<int64_t>();
}

int64_t KeyReader::integer(const std::string &key, int64_t fallback) {
  const Json *value = find(key);
  if (!value)
    return fallback;
  if (!value->is_number_integer())
    fail(key, "expected an integer, got " + describeValue(*value));
  return value->get<int64_t>();
}

double KeyReader::number(const std::string &key, double fallback) {
  const Json *value = find(key);
  if (!value)
    return fallback;
  if (!value->is_number())
    fail(key, "expected a number, got " + describeValue(*value));
  return value->get<double>();
}

bool KeyReader::boolean(const std::string &key, bool fallback) {
  const Json *value = find(key);
  if (!value)
    return fallback;
  if (!value->is_boolean())
    fail(key, "expected true or false, got " + describeValue(*value));
  return value->get<bool>();
}

std::string KeyReader::string(const std::string &key,
                              std::optional<std::string> fallback) {
  const Json *value = find(key);
  if (!value) {
    if (!fallback)
      fail(key, "missing; expected a string");
    return *fallback;
  }
  if (!value->is_string())
    fail(key, "expected a string, got " + describeValue(*value));
  return value->get<std::string>();
}

std::array<int64_t, 2>
KeyReader::positivePair(const std::string &key,
                        std::optional<std::array<int64_t, 2>> fallback) {
  const Json *value = find(key);
  const char *expected = "a positive integer or [height, width] of them";
  if (!value) {
    if (!fallback)
      fail(key, std::string("missing; expected ") + expected);
    return *fallback;
  }
  if (isSize(*value))
    return {value->get<int64_t>(), value->get<int64_t>()};
  if (value->is_array() && value->size() == 2 && isSize((*value)[0]) &&
      isSize((*value)[1]))
    return {(*value)[0].get<int64_t>(), (*value)[1].get<int64_t>()};
  fail(key, sizeError(expected, *value));
}

std::array<int64_t, 4> KeyReader::padding(const std::string &key) {
  const Json *value = find(key);
  if (!value)
    return {0, 0, 0, 0};
  auto isPad = [](const Json &v) {
    return v.is_number_integer() && v.get<int64_t>() >= 0 &&
           v.get<int64_t>() <= kMaxSize;
  };
  if (isPad(*value)) {
    int64_t p = value->get<int64_t>();
    return {p, p, p, p};
  }
  if (value->is_array() && (value->size() == 2 || value->size() == 4) &&
      std::all_of(value->begin(), value->end(), isPad)) {
    const Json &v = *value;
    if (v.size() == 2)
      return {v[0].get<int64_t>(), v[1].get<int64_t>(), v[0].get<int64_t>(),
              v[1].get<int64_t>()};
    return {v[0].get<int64_t>(), v[1].get<int64_t>(), v[2].get<int64_t>(),
            v[3].get<int64_t>()};
  }
  fail(key, "expected a non-negative integer, [vertical, horizontal] or "
            "[top, left, bottom, right], got " +
                describeValue(*value));
}

std::string KeyReader::choice(
    const std::string &key,
    const std::vector<std::pair<std::string, std::string>> &choices,
    const std::string &fallback) {
  const Json *value = find(key);
  if (!value)
    return fallback;
  if (value->is_string())
    for (const auto &[name, canonical] : choices)
      if (value->get_ref<const std::string &>() == name)
        return canonical;
  std::string names;
  for (const auto &[name, canonical] : choices)
    names += (names.empty() ? "'" : ", '") + name + "'";
  fail(key, "expected one of " + names + ", got " + describeValue(*value));
}

std::vector<int64_t> KeyReader::positiveInts(const std::string &key) {
  const Json *value = find(key);
  if (!value)
    fail(key, "missing; expected a list of positive integers");
  if (!value->is_array() || value->empty() ||
      !std::all_of(value->begin(), value->end(), isSize))
    fail(key, sizeError("a non-empty list of positive integers", *value));
  return value->get<std::vector<int64_t>>();
}

void KeyReader::rejectUnknownKeys(const std::string &what) const {
  for (const auto &item : object.items()) {
    if (known.count(item.key()))
      continue;
    std::string names;
    for (const std::string &name : known)
      names += (names.empty() ? "" : ", ") + name;
    std::string hint = suggestKey(item.key(), {known.begin(), known.end()});
    // An explanation that says what to do ends the message.
    if (hint.rfind(": ", 0) == 0)
      fail(item.key(), "unknown key for " + what + hint);
    fail(item.key(), "unknown key for " + what + hint + "; expected one of: " + names);
  }
}

} // namespace cnnc::json
