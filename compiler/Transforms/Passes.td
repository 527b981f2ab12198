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

def CnnDifferentiate : Pass<"cnn-differentiate", "::mlir::ModuleOp"> {
  let summary = "Build a training step and an evaluation step from @forward";
  let description = [{
    From a model's `@forward` (one output: the logits, or the prediction
    for a squared-error loss) this pass adds

    - `@train_step(params, buffers, input, labels, optimizer state) ->
      (params', state', loss, correct)`: the forward pass, the loss, the
      backward pass (each op's GradientOpInterface rule, gradients of values
      read twice summed) and one optimizer step per parameter;
    - `@evaluate(params, buffers, input, labels) -> (loss, correct)`.

    Arguments named `cnn.param` are learned; buffers and constants are not.
    Every result of `@train_step` that replaces an argument names it with
    `cnn.updates`; optimizer state arguments carry `cnn.state`
    (PyTorch's names: `W.momentum_buffer`, `W.exp_avg`, `W.exp_avg_sq`,
    `step`) and start at zero. Labels are class indices held as floats;
    `correct` counts the rows whose first largest logit is at the label.
    Everything is cnn ops, so `--emit=cnn` shows the backward graph and the
    lowering treats it like the forward one.

    ```mlir
    // cnn-differentiate{optimizer=sgd learning-rate=0.1}
    %y = cnn.dense %x, %w, %b : ...
    return %y
    // @train_step gains
    %dy = cnn.softmax_cross_entropy_grad %y, %labels, %one : ...
    %dw = cnn.dense %dyT, %xT : ...
    %w2 = cnn.sgd_update %w, %dw {learning_rate = 1.0e-01 : f64} : ...
    ```
  }];
  let options = [
    Option<"loss", "loss", "std::string", [{"cross-entropy"}],
           "The loss: cross-entropy (softmax over class logits) or mse">,
    Option<"optimizer", "optimizer", "std::string", [{"sgd"}],
           "The optimizer: sgd, adam or adamw">,
    Option<"learningRate", "learning-rate", "double", "0.01",
           "The optimizer's learning rate">,
    Option<"momentum", "momentum", "double", "0.0", "SGD's momentum">,
    Option<"nesterov", "nesterov", "bool", "false", "SGD with Nesterov momentum">,
    Option<"weightDecay", "weight-decay", "double", "0.0",
           "L2 penalty (sgd, adam) or decoupled weight decay (adamw)">,
    Option<"beta1", "beta1", "double", "0.9", "Adam's first-moment decay">,
    Option<"beta2", "beta2", "double", "0.999", "Adam's second-moment decay">,
    Option<"epsilon", "epsilon", "double", "1e-8", "Adam's epsilon">,
    Option<"labelSmoothing", "label-smoothing", "double", "0.0",
           "Cross-entropy's label smoothing, as in PyTorch">
  ];
  let dependentDialects = ["::cnnc::cnn::CnnDialect", "::mlir::arith::ArithDialect"];
}

#endif // CNNC_TRANSFORMS_PASSES
