//===- Passes.h - Conversions out of the cnn dialect ------------*- C++ -*-===//

#ifndef CNNC_COMPILER_CONVERSION_PASSES_H
#define CNNC_COMPILER_CONVERSION_PASSES_H

#include "compiler/Conversion/CnnToLinalg/CnnToLinalg.h"

namespace cnnc {

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_COMPILER_CONVERSION_PASSES_H
