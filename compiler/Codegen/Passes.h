//===- Passes.h - Code generation passes of cnnc ----------------*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_PASSES_H
#define CNNC_COMPILER_CODEGEN_PASSES_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

/// On a function that cnnc-outline-layers made: the name of the layer it
/// computes.
inline constexpr llvm::StringLiteral kLayerAttrName = "cnnc.layer";
/// ... and how many results it has: after bufferization, its last arguments.
inline constexpr llvm::StringLiteral kNumOutputsAttrName = "cnnc.num_outputs";

#define GEN_PASS_DECL
#include "compiler/Codegen/Passes.h.inc"

/// Copies between buffers as linalg.copy (a bufferization MemCpyFn).
mlir::LogicalResult createLinalgCopy(mlir::OpBuilder &builder,
                                     mlir::Location loc, mlir::Value from,
                                     mlir::Value to);

/// A padding folded into the strided tensor.insert_slice that spreads it
/// into a fill of the padding value (cnnc-fold-pad-into-strided-insert).
void populateFoldPadIntoStridedInsertPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "compiler/Codegen/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_PASSES_H
