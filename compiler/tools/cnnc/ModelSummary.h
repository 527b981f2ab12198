//===- ModelSummary.h - Per-layer table of a cnn-dialect model --*- C++ -*-===//

#ifndef CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H
#define CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace cnnc {

/// 61706 -> "61,706".
std::string withThousands(int64_t value);
/// A shaped type's dimensions: "1x64x56x56".
std::string shapeOf(mlir::Type type);
/// The name of the layer an op computes (its NameLoc), or "?".
std::string layerName(mlir::Operation *op);
/// The learned parameters `op` reads: elements of the arguments of
/// `forward` named cnn.param.
int64_t learnedParameters(mlir::func::FuncOp forward, mlir::Operation *op);

/// Prints one row per layer of `@forward` (name, op, output shape, learned
/// parameters, multiply-accumulates) and the totals. Everything is read from
/// the IR: shapes from the result types, parameters from the arguments named
/// `cnn.param`, multiply-accumulates from MacCountOpInterface.
mlir::LogicalResult printModelSummary(mlir::ModuleOp module,
                                      llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H
