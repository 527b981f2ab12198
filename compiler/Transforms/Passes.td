//===- Passes.td - Passes on the cnn dialect ---------------*- tablegen -*-===//

#ifndef CNNC_TRANSFORMS_PASSES
#define CNNC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def CnnStripDropout : Pass<"cnn-strip-dropout"> {
  let summary = "Remove dropout layers for inference";
  let description = [{
    Dropout is the identity at inference: this pass replaces each
    `cnn.dropout` by its input. Training keeps them, so the pass belongs to
    inference pipelines only.

    ```mlir
    %1 = cnn.dropout %0 {rate = 5.000000e-01 : f64} : tensor<1x4096xf32>
    %2 = cnn.relu %1 : tensor<1x4096xf32>
    // becomes
    %2 = cnn.relu %0 : tensor<1x4096xf32>
    ```
  }];
  let dependentDialects = ["::cnnc::cnn::CnnDialect"];
}

def CnnFoldBatchNorm : Pass<"cnn-fold-batch-norm"> {
  let summary = "Fold inference batch norms into the layer before them";
  let description = [{
    A `cnn.batch_norm` whose input is a convolution (1-D or 2-D, without a
    connection table) or a dense layer that nothing else reads becomes part
    of that layer: a `cnn.fold_batch_norm` computes the layer's weight
    scaled per output channel and its bias shifted (a zero bias where it had
    none), and the layer uses those. The batch norm's per-element
    multiply-add disappears, and since the folded weight and bias depend on
    weights alone, a compiled model computes them once when its weights are
    bound (`cnnc-hoist-weight-transforms` moves them into `@prepare`).
    Inference only: training needs the batch norm as it is.

    ```mlir
    %y = cnn.conv2d %x, %w : ... -> tensor<1x8x16x16xf32>
    %z = cnn.batch_norm %y, %scale, %shift, %mean, %var : ...
    // becomes
    %w2, %b2 = cnn.fold_batch_norm %w, %zeros, %scale, %shift, %mean, %var : ...
    %z = cnn.conv2d %x, %w2, %b2 : ... -> tensor<1x8x16x16xf32>
    ```
  }];
  let dependentDialects = ["::cnnc::cnn::CnnDialect", "::mlir::arith::ArithDialect"];
}

#endif // CNNC_TRANSFORMS_PASSES
