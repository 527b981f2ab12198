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

namespace cnnc::json {

/// How a model file names a standard block: "std.conv_relu_maxpool".
inline constexpr const char kStandardBlockPrefix[] = "std.";

/// The standard blocks, by name without the prefix.
const Json &standardBlocks();

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_STANDARDBLOCKS_H
