//===- StandardBlocks.h - The standard block library -------------*- C++ -*-===//
//
// Blocks every model file can use as "block": "std.<name>" without defining
// them: the common blocks of CNN courses (convolution, activation, pooling),
// kept in standard-blocks.json and compiled into the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_STANDARDBLOCKS_H
#define CNNC_FRONTENDS_JSON_STANDARDBLOCKS_H

#include "frontends/json/Expression.h"

#include <string>

namespace cnnc::json {

/// How a model file names a standard block: "std.conv_relu_maxpool".
inline constexpr const char kStandardBlockPrefix[] = "std.";

/// Whether `name` names a standard block (whether or not one exists).
inline bool isStandardBlockName(const std::string &name) {
  return name.rfind(kStandardBlockPrefix, 0) == 0;
}

/// The standard blocks, by name without the prefix.
const Json &standardBlocks();

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_STANDARDBLOCKS_H
