//===- SourcePositions.h - A model file's text and where its objects are -*- C++ -*-===//
//
// nlohmann's parser keeps no positions, yet every op of the cnn dialect
// should carry its layer's line and column: IR dumps, verifier errors and
// profiles then point into the model file. The parse here watches the
// parser's progress through the text and records where each object starts,
// by its JSON pointer ("/layers/3", "/blocks/basic/layers/0").
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_SOURCEPOSITIONS_H
#define CNNC_FRONTENDS_JSON_SOURCEPOSITIONS_H

#include "frontends/json/Expression.h"

#include "llvm/ADT/StringRef.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cnnc::json {

/// `key` escaped as one component of a JSON pointer (RFC 6901).
std::string jsonPointerComponent(const std::string &key);

class SourcePositions {
public:
  /// The 1-based line and column where the object at `pointer` starts.
  std::optional<std::pair<unsigned, unsigned>> find(const std::string &pointer) const;

private:
  friend Json parseModelJson(llvm::StringRef text, SourcePositions &positions);
  std::map<std::string, size_t> offsets;
  std::vector<size_t> lineStarts;
};

/// Parses a model file, filling `positions`; nesting beyond the frontend's
/// limit and invalid JSON throw an ImportError (with the line and column).
Json parseModelJson(llvm::StringRef text, SourcePositions &positions);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_SOURCEPOSITIONS_H
