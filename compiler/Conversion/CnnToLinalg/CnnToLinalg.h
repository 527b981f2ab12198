//===- CnnToLinalg.h - cnn to linalg on tensors -----------------*- C++ -*-===//

#ifndef CNNC_COMPILER_CONVERSION_CNNTOLINALG_CNNTOLINALG_H
#define CNNC_COMPILER_CONVERSION_CNNTOLINALG_CNNTOLINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace cnnc {

#define GEN_PASS_DECL_CONVERTCNNTOLINALG
#include "compiler/Conversion/Passes.h.inc"

/// Patterns that lower every cnn op to linalg, tensor, arith and math.
void populateCnnToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_COMPILER_CONVERSION_CNNTOLINALG_CNNTOLINALG_H
