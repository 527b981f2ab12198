//===- Passes.h - Passes on the cnn dialect ---------------------*- C++ -*-===//

#ifndef CNNC_COMPILER_TRANSFORMS_PASSES_H
#define CNNC_COMPILER_TRANSFORMS_PASSES_H

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "compiler/Transforms/Passes.h.inc"

/// Patterns that replace each cnn.dropout by its input (inference only).
void populateStripDropoutPatterns(mlir::RewritePatternSet &patterns);

/// Patterns that fold each inference batch norm into the convolution or
/// dense layer before it (cnn-fold-batch-norm).
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_COMPILER_TRANSFORMS_PASSES_H
