//===- Passes.h - Code generation passes of cnnc ----------------*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_PASSES_H
#define CNNC_COMPILER_CODEGEN_PASSES_H

#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "compiler/Codegen/Passes.h.inc"

/// The name of the layer an op comes from, as its location says (also when
/// fusion has merged locations); empty when it says none.
std::string layerNameOf(mlir::Location loc);

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
