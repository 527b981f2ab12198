//===- Passes.td - Code generation passes of cnnc ----------*- tablegen -*-===//

#ifndef CNNC_CODEGEN_PASSES
#define CNNC_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def CnncBufferize : Pass<"cnnc-bufferize", "::mlir::ModuleOp"> {
  let summary = "Bufferize a lowered model; its results become out-parameters";
  let description = [{
    Bufferizes the module with function boundaries and identity layouts, as
    upstream `one-shot-bufferize` does, then turns each memref result into an
    argument the caller provides (a result computed into a fresh buffer is
    computed straight into the caller's), as `buffer-results-to-out-params`
    with hoisted allocations does. Every buffer copy either step needs is a
    `linalg.copy`, not a `memref.copy`: a strided `memref.copy` becomes a call
    to a runtime helper (`memrefCopy`) that compiled models do not link, while
    `linalg.copy` becomes loops like every other structured op.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // CNNC_CODEGEN_PASSES
