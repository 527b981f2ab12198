//===- ModelGraph.h - A cnn-dialect model as a Graphviz graph ---*- C++ -*-===//

#ifndef CNNC_COMPILER_TOOLS_CNNC_MODELGRAPH_H
#define CNNC_COMPILER_TOOLS_CNNC_MODELGRAPH_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Prints `@forward` as a Graphviz DOT graph: a node per layer (name, op,
/// output shape, learned parameters), per input and per output, an edge per
/// tensor read, and a cluster per block (a prefix that layer names share).
mlir::LogicalResult printModelGraph(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_COMPILER_TOOLS_CNNC_MODELGRAPH_H
