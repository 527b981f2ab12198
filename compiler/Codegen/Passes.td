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

def CnncOutlineLayers : Pass<"cnnc-outline-layers", "::mlir::ModuleOp"> {
  let summary = "Move each layer's structured op into a function of its own";
  let description = [{
    Each op of a public function (the model's `@forward`, on tensors) that
    computes a tensor (linalg ops, padding, concatenation) moves into a
    private function named after its layer, called where it was; values its
    regions read from above become arguments, constants are copied.
    Constants, empty tensors and reshapes stay. The functions are marked
    `noinline` for LLVM (`passthrough = ["noinline"]`), so that LLVM optimises and generates code one piece at a
    time: its cost grows faster than the size of a function (DenseNet-121 as
    one function took minutes), and a profile names the layers.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def CnncFoldPadIntoStridedInsert : Pass<"cnnc-fold-pad-into-strided-insert"> {
  let summary = "Fold a padding into the strided tensor.insert_slice that spreads it";
  let description = [{
    `tensor.insert_slice (tensor.pad %x low[l]) into (linalg.fill v) [o] [s]`,
    with the padding value v, becomes `tensor.insert_slice %x into (linalg.fill
    v) [o + l * s]`: the padded border only wrote v where v already was. The
    zero-insertion of a strided `cnn.conv_transpose2d` after a `cnn.pad` has
    this form. Upstream MLIR 22's canonicalization of `linalg.fill`
    (FoldInsertPadIntoFill) folds the same pair to offset `o + l`, ignoring
    the stride: a miscompile (docs/upstream-issues.md). cnnc runs this pass
    before the first canonicalization, so the wrong fold never sees the pair.
    Unit-stride inserts are left to the canonicalizer, which is right for them.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect"];
}

def CnncCheckLayerOutputs : Pass<"cnnc-check-layer-outputs", "::mlir::ModuleOp"> {
  let summary = "Let the runtime check each layer's outputs for NaN and infinity";
  let description = [{
    After each call of a public function to a layer function of
    cnnc-outline-layers (marked `cnnc.layer`), on bufferized code: calls
    `cnnrt_check_finite(address, count, layer name)` for each output buffer
    the layer wrote (its out-parameters, the last arguments of the call, one
    per result the layer had). The runtime checks only when the context asks
    for it (the executable's `--check-numerics`) and then names the first
    layer whose output is not finite; otherwise the call returns at once.
    The callee's `cnnc.num_outputs` says how many outputs it has. The pass
    removes both attributes.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // CNNC_CODEGEN_PASSES
