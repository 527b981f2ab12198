//===- ImportError.h - The one error a model import reports -----*- C++ -*-===//
//
// The frontend stops at the first problem of a model file. Internally it
// throws an ImportError that says where (the layer path and key) and what;
// importModel catches it and reports it once, so no exception ever leaves
// the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_IMPORTERROR_H
#define CNNC_FRONTENDS_JSON_IMPORTERROR_H

#include <string>

namespace cnnc::json {

struct ImportError {
  /// Where in the model: "layer 2 'c3' (conv2d), key 'kernel'"; empty for
  /// problems of the file as a whole.
  std::string where;
  std::string message;
  /// 1-based position in the file for problems of the JSON text itself.
  size_t line = 0, column = 0;
};

/// Shows a JSON value in a message, shortened when long.
template <typename Json>
std::string describeValue(const Json &value) {
  std::string text = value.dump();
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

/// `text` with its control characters escaped as in JSON ("\n", "\t",
/// "\u001b"): names from a model file may hold any character, and a message
/// stays one line.
std::string escapeControlCharacters(const std::string &text);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_IMPORTERROR_H
