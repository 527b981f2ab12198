//===- ModelSummary.h - Per-layer table of a cnn-dialect model --*- C++ -*-===//

#ifndef CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H
#define CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Prints one row per layer of `@forward` (name, op, output shape, learned
/// parameters, multiply-accumulates) and the totals. Everything is read from
/// the IR: shapes from the result types, parameters from the arguments named
/// `cnn.param`, multiply-accumulates from MacCountOpInterface.
mlir::LogicalResult printModelSummary(mlir::ModuleOp module,
                                      llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_COMPILER_TOOLS_CNNC_MODELSUMMARY_H
