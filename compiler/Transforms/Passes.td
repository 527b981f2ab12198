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

#endif // CNNC_TRANSFORMS_PASSES
