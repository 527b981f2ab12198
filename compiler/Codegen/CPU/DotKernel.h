//===- DotKernel.h - Dense layers as vector dot products --------*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_CPU_DOTKERNEL_H
#define CNNC_COMPILER_CODEGEN_CPU_DOTKERNEL_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc {

/// Rewrites a register tile of a dense layer (out[n, m] += in[n, k] *
/// w[m, k], cnnc::codegen::isDenseLayer) whose lowering config says `dot`
/// into dot products in the vector dialect.
void populateDotKernelPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_CPU_DOTKERNEL_H
