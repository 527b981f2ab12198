//===- Suggestions.h - Hints for unknown keys and op names ------*- C++ -*-===//
//
// A user who writes `kernel_size`, `in_channels` or `"op": "linear"` is
// most often writing PyTorch: the hint names cnnc's spelling or says why the
// key has none. Otherwise a valid name a few edits away is suggested.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_SUGGESTIONS_H
#define CNNC_FRONTENDS_JSON_SUGGESTIONS_H

#include <string>
#include <vector>

namespace cnnc::json {

/// A hint for the unknown key `given` among `valid` keys, to follow the
/// message's "unknown key for OP": " (did you mean 'kernel'?)", " (PyTorch's
/// 'kernel_size' is the key 'kernel' here)", or "" to go on with the list of
/// valid keys; or ": cnnc infers ...; leave it out", which ends the message.
std::string suggestKey(const std::string &given, const std::vector<std::string> &valid);

/// The same for an unknown op name among the `valid` ops.
std::string suggestOp(const std::string &given, const std::vector<std::string> &valid);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_SUGGESTIONS_H
