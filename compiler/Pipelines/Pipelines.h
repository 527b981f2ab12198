//===- Pipelines.h - The named lowering pipelines of cnnc -------*- C++ -*-===//
//
// The stages a model goes through, each a pipeline that cnnc-opt can run by
// name:
//   cnnc-graph-to-linalg   cnn dialect -> linalg on tensors, fused and clean
//   cnnc-linalg-to-llvm-cpu  linalg on tensors -> LLVM dialect for the host
//   cnnc-cpu               both
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_PIPELINES_PIPELINES_H
#define CNNC_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// cnn -> linalg on tensors, with element-wise producers fused into their
/// consumers. Runs on a module.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm);

/// Linalg on tensors -> LLVM dialect: bufferization with the results turned
/// into out-parameters, deallocation, loops, and the LLVM dialect with bare
/// pointers for memrefs (every shape is static), so that `@forward` takes
/// one pointer per tensor: parameters, input, then outputs.
void buildLinalgToLLVMCpuPipeline(mlir::OpPassManager &pm);

void registerPipelines();

} // namespace cnnc

#endif // CNNC_COMPILER_PIPELINES_PIPELINES_H
