//===- CnnTrainingOps.td - Gradient, loss and optimizer ops -*- tablegen -*-===//
//
// The ops a training step needs beyond the layers: the backward forms of the
// layers that are not themselves layers (a transposed convolution is the
// gradient of a convolution, so it has no op here), the losses, and the
// optimizers' updates. cnn-differentiate builds them; each lowers to linalg
// like any other op, so the backward graph is fused, tiled and mapped to a
// GPU by the same passes as the forward one.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_TRAINING_OPS
#define CNN_TRAINING_OPS

// A loss or a count: one value.
def Cnn_Scalar : Type<
    And<[RankedTensorOf<[F32]>.predicate,
         CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getShape() == "
               "::llvm::ArrayRef<int64_t>{1}">]>,
    "tensor<1xf32>"> {
  let builderCall = "::mlir::RankedTensorType::get({1}, $_builder.getF32Type())";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Cnn_TransposeOp : Cnn_ShapeOp<"transpose"> {
  let summary = "permutes the dimensions of a tensor";
  let description = [{
    Dimension i of the output is dimension `permutation[i]` of the input:
    the transposed weight of a dense layer's input gradient, the batch and
    channel dimensions swapped in a convolution's filter gradient.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_SliceOp : Cnn_ShapeOp<"slice"> {
  let summary = "a box of a tensor: offsets and sizes in every dimension";
  let description = [{
    The gradient of a concatenation: each input gets its slice of the
    output's gradient.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_ReduceSumOp : Cnn_ShapeOp<"reduce_sum"> {
  let summary = "sums a tensor over some of its dimensions";
  let description = [{
    `axes`, strictly increasing, are removed from the shape: a bias's
    gradient is the output gradient summed over [0, 2, 3]. With every axis
    the result is the [1] total.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_ExpandConnectionsOp : Cnn_Op<"expand_connections"> {
  let summary = "the dense filter bank of a convolution with a connection table";
  let description = [{
    `weight` [count, 1, KH, KW] holds one filter per true entry of the
    [F, C] `connections` table, in row-major order (as conv2d takes it);
    `filters` [F, C, KH, KW] has filter k at the k-th true entry and zeros
    elsewhere: the table-connected convolution as a dense one, whose
    gradients the dense rules give.
  }];
  let arguments = (ins Cnn_Tensor4D:$weight, SignlessIntElementsAttr<1>:$connections);
  let results = (outs Cnn_Tensor4D:$filters);
  let hasVerifier = 1;
  let assemblyFormat = "$weight attr-dict `:` type($weight) `->` type($filters)";
}

def Cnn_GatherConnectionsOp : Cnn_Op<"gather_connections"> {
  let summary = "the filters of the true entries of a connection table";
  let description = [{
    The adjoint of expand_connections: from `filters` [F, C, KH, KW], the
    filter at each true entry of the [F, C] `connections` table, in
    row-major order, as `weight` [count, 1, KH, KW]. The gradient of a
    table-connected convolution's weight is this of the dense filter
    bank's gradient.
  }];
  let arguments = (ins Cnn_Tensor4D:$filters, SignlessIntElementsAttr<1>:$connections);
  let results = (outs Cnn_Tensor4D:$weight);
  let hasVerifier = 1;
  let assemblyFormat = "$filters attr-dict `:` type($filters) `->` type($weight)";
}

//===----------------------------------------------------------------------===//
// Backward forms of activations and pooling
//===----------------------------------------------------------------------===//

// input_grad = output_grad * f'(...), where f' is computed from `value`: the
// layer's input or its output, whichever the derivative is cheaper from.
class Cnn_ActivationGradOp<string mnemonic, string valueIs>
  : Cnn_Op<mnemonic, [AllTypesMatch<["output_grad", "value", "input_grad"]>]> {
  let summary = "gradient of " # valueIs;
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Tensor:$value);
  let results = (outs Cnn_Tensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $value attr-dict `:` type($value)";
}

def Cnn_ReluGradOp : Cnn_ActivationGradOp<"relu_grad",
    "relu; `value` is its input: output_grad where value > 0, else 0">;
def Cnn_TanhGradOp : Cnn_ActivationGradOp<"tanh_grad",
    "tanh; `value` is its output y: output_grad * (1 - y^2)">;
def Cnn_SigmoidGradOp : Cnn_ActivationGradOp<"sigmoid_grad",
    "sigmoid; `value` is its output y: output_grad * y * (1 - y)">;
def Cnn_SiluGradOp : Cnn_ActivationGradOp<"silu_grad",
    "silu; `value` is its input x: output_grad * s * (1 + x * (1 - s)), s = sigmoid(x)">;
def Cnn_LeakyReluGradOp : Cnn_ActivationGradOp<"leaky_relu_grad",
    "leaky_relu; `value` is its input: output_grad where value > 0, else "
    "negative_slope * output_grad"> {
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Tensor:$value,
                       DefaultValuedAttr<F64Attr, "0.01">:$negative_slope);
}

def Cnn_SoftmaxGradOp : Cnn_ActivationGradOp<"softmax_grad",
    "softmax along `axis`; `value` is its output y: "
    "y * (output_grad - sum(output_grad * y))"> {
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Tensor:$value,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let hasVerifier = 1;
}

// The window attributes of the forward pooling; the result has the forward
// input's type, which the verifier checks against them.
class Cnn_Pool2dGradOp<string mnemonic, dag operands, dag extraArguments = (ins),
                       list<Trait> traits = []>
  : Cnn_Op<mnemonic, traits> {
  let arguments = !con(operands, (ins
    DenseI64ArrayAttr:$kernel_size,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode), extraArguments);
  let results = (outs Cnn_Tensor4D:$input_grad);
  let hasVerifier = 1;
}

def Cnn_AvgPool2dGradOp : Cnn_Pool2dGradOp<"avg_pool2d_grad",
    (ins Cnn_Tensor4D:$output_grad),
    (ins DefaultValuedAttr<BoolAttr, "true">:$count_include_pad)> {
  let summary = "gradient of avg_pool2d: each window's gradient shared by its inputs";
  let assemblyFormat =
      "$output_grad attr-dict `:` type($output_grad) `->` type($input_grad)";
}

def Cnn_MaxPool2dGradOp : Cnn_Pool2dGradOp<"max_pool2d_grad",
    (ins Cnn_Tensor4D:$output_grad, Cnn_Tensor4D:$input), (ins),
    [AllTypesMatch<["input", "input_grad"]>]> {
  let summary = "gradient of max_pool2d: each window's gradient to its maximum";
  let description = [{
    The window's first maximum in row-major order (PyTorch's choice among
    equal values) receives the window's gradient; the maxima are found again
    from `input`, the forward input, rather than kept as indices.
  }];
  let assemblyFormat = [{
    $output_grad `,` $input attr-dict `:` type($output_grad) `,` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Batch normalisation in training
//===----------------------------------------------------------------------===//

def Cnn_BatchNormTrainOp : Cnn_Op<"batch_norm_train",
    [AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["scale", "shift", "running_mean", "running_variance",
                    "new_running_mean", "new_running_variance", "batch_mean",
                    "batch_inv_std"]>]> {
  let summary = "batch normalisation with the batch's statistics, as in training";
  let description = [{
    Per channel (dimension 1) of an [N, C, ...] input, over the M = N * H *
    W ... values of the channel: mean, biased variance var, inv_std =
    1 / sqrt(var + epsilon), and output = (input - mean) * inv_std * scale +
    shift, as PyTorch's BatchNorm in train mode. The running statistics
    move towards the batch's by `momentum`, with the unbiased variance:
    new_running_mean = (1 - momentum) running_mean + momentum mean, and
    new_running_variance = (1 - momentum) running_variance + momentum var
    * M / (M - 1). `batch_mean` and `batch_inv_std` are kept for the
    gradient (batch_norm_grad). cnn-differentiate puts this op in the
    training step where @forward has a batch_norm.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor1D:$scale, Cnn_Tensor1D:$shift,
                       Cnn_Tensor1D:$running_mean, Cnn_Tensor1D:$running_variance,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.1">:$momentum);
  let results = (outs Cnn_Tensor:$output, Cnn_Tensor1D:$new_running_mean,
                      Cnn_Tensor1D:$new_running_variance, Cnn_Tensor1D:$batch_mean,
                      Cnn_Tensor1D:$batch_inv_std);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $running_mean `,` $running_variance attr-dict
    `:` type($input) `,` type($scale)
  }];
}

def Cnn_BatchNormGradOp : Cnn_Op<"batch_norm_grad",
    [AllTypesMatch<["output_grad", "input", "input_grad"]>,
     AllTypesMatch<["scale", "batch_mean", "batch_inv_std", "scale_grad",
                    "shift_grad"]>]> {
  let summary = "gradient of batch_norm_train with respect to its input, scale and shift";
  let description = [{
    With x^ = (input - batch_mean) * batch_inv_std and sums over the M
    values of a channel: shift_grad = sum(output_grad), scale_grad =
    sum(output_grad * x^), input_grad = scale * batch_inv_std / M * (M *
    output_grad - shift_grad - x^ * scale_grad). The batch statistics
    depend on the input, which the last two terms account for.
  }];
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Tensor:$input,
                       Cnn_Tensor1D:$scale, Cnn_Tensor1D:$batch_mean,
                       Cnn_Tensor1D:$batch_inv_std);
  let results = (outs Cnn_Tensor:$input_grad, Cnn_Tensor1D:$scale_grad,
                      Cnn_Tensor1D:$shift_grad);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $output_grad `,` $input `,` $scale `,` $batch_mean `,` $batch_inv_std attr-dict
    `:` type($input) `,` type($scale)
  }];
}

def Cnn_LocalResponseNormGradOp : Cnn_Op<"local_response_norm_grad",
    [AllTypesMatch<["output_grad", "input", "input_grad"]>]> {
  let summary = "gradient of local_response_norm";
  let description = [{
    With d_c = k + alpha / size * (the window's sum of squares at channel c)
    as in the forward op: input_grad_i = output_grad_i * d_i^-beta -
    2 alpha beta / size * input_i * sum over the channels c whose window
    holds i of output_grad_c * input_c * d_c^(-beta - 1).
  }];
  let arguments = (ins Cnn_Tensor:$output_grad, Cnn_Tensor:$input, I64Attr:$size,
                       DefaultValuedAttr<F64Attr, "1e-4">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.75">:$beta,
                       DefaultValuedAttr<F64Attr, "1.0">:$k);
  let results = (outs Cnn_Tensor:$input_grad);
  let hasVerifier = 1;
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Dropout in training
//===----------------------------------------------------------------------===//

def Cnn_DropoutTrainOp : Cnn_Op<"dropout_train",
    [AllTypesMatch<["input", "output"]>]> {
  let summary = "dropout with a mask from a counter-based generator";
  let description = [{
    Zeroes each element with probability `rate` and scales the others by
    1 / (1 - rate), as PyTorch's Dropout in train mode. The mask is a pure
    function of `seed`, `stream`, `step` and the element's row-major index
    i, so the op has no hidden state: the same operands give the same mask,
    in the forward pass and in the gradient (which is this op applied to
    the output's gradient), on any target. With fmix32 MurmurHash3's 32-bit
    finaliser and wrapping 32-bit arithmetic:

      key = fmix32(fmix32(fmix32(seed) ^ stream) ^ step)
      keep(i) = fmix32(fmix32(i) ^ key) >= floor(rate * 2^32)

    `seed` and `step` are whole numbers held as floats (exact below 2^24):
    the training seed, and the count of steps taken, which the training
    step keeps as state; `stream` tells apart the dropout layers of a model.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Scalar:$seed, Cnn_Scalar:$step,
                       F64Attr:$rate, I64Attr:$stream);
  let results = (outs Cnn_Tensor:$output);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $seed `,` $step attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Losses and metrics
//===----------------------------------------------------------------------===//

// `labels` are class indices held as floats ([N]), as every tensor a model
// exchanges with its caller is float32.
def Cnn_SoftmaxCrossEntropyOp : Cnn_Op<"softmax_cross_entropy"> {
  let summary = "mean cross-entropy of the softmax of logits against class labels";
  let description = [{
    loss = mean over n of (logsumexp(logits[n]) - sum_k t[n, k] logits[n, k]),
    t the one-hot label smoothed as PyTorch's CrossEntropyLoss does:
    (1 - label_smoothing) at the label plus label_smoothing / K everywhere.
  }];
  let arguments = (ins Cnn_Tensor2D:$logits, Cnn_Tensor1D:$labels,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs Cnn_Scalar:$loss);
  let hasVerifier = 1;
  let assemblyFormat =
      "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels)";
}

def Cnn_SoftmaxCrossEntropyGradOp : Cnn_Op<"softmax_cross_entropy_grad",
    [AllTypesMatch<["logits", "logits_grad"]>]> {
  let summary = "gradient of softmax_cross_entropy: loss_grad * (softmax - t) / N";
  let arguments = (ins Cnn_Tensor2D:$logits, Cnn_Tensor1D:$labels,
                       Cnn_Scalar:$loss_grad,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs Cnn_Tensor2D:$logits_grad);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $logits `,` $labels `,` $loss_grad attr-dict `:` type($logits) `,`
    type($labels)
  }];
}

def Cnn_MseLossOp : Cnn_Op<"mse_loss",
    [AllTypesMatch<["prediction", "target"]>]> {
  let summary = "mean squared error over every element";
  let arguments = (ins Cnn_Tensor:$prediction, Cnn_Tensor:$target);
  let results = (outs Cnn_Scalar:$loss);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` type($prediction)";
}

def Cnn_MseLossGradOp : Cnn_Op<"mse_loss_grad",
    [AllTypesMatch<["prediction", "target", "prediction_grad"]>]> {
  let summary = "gradient of mse_loss: loss_grad * 2 (prediction - target) / count";
  let arguments = (ins Cnn_Tensor:$prediction, Cnn_Tensor:$target,
                       Cnn_Scalar:$loss_grad);
  let results = (outs Cnn_Tensor:$prediction_grad);
  let assemblyFormat =
      "$prediction `,` $target `,` $loss_grad attr-dict `:` type($prediction)";
}

def Cnn_CorrectCountOp : Cnn_Op<"correct_count"> {
  let summary = "how many rows' largest logit is at their label";
  let description = [{
    The first largest logit of a row is its prediction, as torch.argmax.
  }];
  let arguments = (ins Cnn_Tensor2D:$logits, Cnn_Tensor1D:$labels);
  let results = (outs Cnn_Scalar:$count);
  let hasVerifier = 1;
  let assemblyFormat =
      "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels)";
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

def Cnn_SgdUpdateOp : Cnn_Op<"sgd_update",
    [AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "one step of stochastic gradient descent, as torch.optim.SGD";
  let description = [{
    g = grad + weight_decay * param; with momentum, the velocity b becomes
    momentum * b + g and g becomes b, or g + momentum * b with `nesterov`;
    then the parameter becomes param - learning_rate * g. `velocity` is
    present exactly when momentum is not 0; it starts at zero, which gives
    PyTorch's first step (b = g) without a special case.
  }];
  let arguments = (ins Cnn_Tensor:$param, Cnn_Tensor:$grad,
                       Optional<Cnn_Tensor>:$velocity,
                       F64Attr:$learning_rate,
                       DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<BoolAttr, "false">:$nesterov);
  let results = (outs Cnn_Tensor:$new_param, Optional<Cnn_Tensor>:$new_velocity);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $param `,` $grad (`,` $velocity^)? attr-dict `:` type($param)
    (`,` type($velocity)^)? (`->` type($new_velocity)^)?
  }];
}

def Cnn_AdamUpdateOp : Cnn_Op<"adam_update",
    [AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param",
                    "new_exp_avg", "new_exp_avg_sq"]>]> {
  let summary = "one step of Adam, or AdamW with decoupled_weight_decay";
  let description = [{
    As torch.optim.Adam / AdamW: with t = step + 1 (`step` counts the steps
    taken before), m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
    param -= learning_rate * (m / (1 - beta1^t)) /
    (sqrt(v / (1 - beta2^t)) + epsilon). Weight decay adds weight_decay *
    param to g (Adam) or multiplies param by 1 - learning_rate *
    weight_decay first (AdamW).
  }];
  let arguments = (ins Cnn_Tensor:$param, Cnn_Tensor:$grad, Cnn_Tensor:$exp_avg,
                       Cnn_Tensor:$exp_avg_sq, Cnn_Scalar:$step,
                       F64Attr:$learning_rate,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F64Attr, "1e-8">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       DefaultValuedAttr<BoolAttr, "false">:$decoupled_weight_decay);
  let results = (outs Cnn_Tensor:$new_param, Cnn_Tensor:$new_exp_avg,
                      Cnn_Tensor:$new_exp_avg_sq);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $step attr-dict `:`
    type($param)
  }];
}

#endif // CNN_TRAINING_OPS
