//===- StandardBlocks.cpp - The standard block library --------------------===//

#include "frontends/json/StandardBlocks.h"

namespace cnnc::json {

const Json &standardBlocks() {
  // The file is part of the build and checked by the tests, so it parses.
  static const Json blocks = Json::parse(
#include "StandardBlocks.inc"
      )["blocks"];
  return blocks;
}

} // namespace cnnc::json
