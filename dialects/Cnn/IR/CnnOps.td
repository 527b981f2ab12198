//===- CnnOps.td - Ops of the cnn dialect ------------------*- tablegen -*-===//

#ifndef CNN_OPS
#define CNN_OPS

include "dialects/Cnn/IR/CnnDialect.td"
include "dialects/Cnn/Interfaces/MacCountOpInterface.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

class Cnn_StaticFloatTensor<list<int> ranks, string what>
  : RankedTensorOf<[AnyFloat], [HasStaticShapePred, HasAnyRankOfPred<ranks>],
                   "statically shaped " # what # " of floats">;

// A feature map or a convolution filter bank: NCHW / OIHW.
def Cnn_Tensor4D : Cnn_StaticFloatTensor<[4], "4-D tensor">;
// A 1-D signal batch [N, C, L], or a 1-D filter bank [F, C, K].
def Cnn_Tensor3D : Cnn_StaticFloatTensor<[3], "3-D tensor">;
// A per-channel vector: bias, batch norm scale, shift and statistics.
def Cnn_Tensor1D : Cnn_StaticFloatTensor<[1], "1-D tensor">;
// Features of a dense layer: [batch, features], or its weight [out, in].
def Cnn_Tensor2D : Cnn_StaticFloatTensor<[2], "2-D tensor">;
// A batch norm input: [N, C] or [N, C, H, W].
def Cnn_Tensor2DOr4D : Cnn_StaticFloatTensor<[2, 4], "2-D or 4-D tensor">;
def Cnn_Tensor : RankedTensorOf<[AnyFloat], [HasStaticShapePred],
                                "statically shaped tensor of floats">;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Cnn_Op<string mnemonic, list<Trait> traits = []>
  : Op<Cnn_Dialect, mnemonic, !listconcat([Pure], traits)>;

// An op whose result shape follows from its operands and attributes by the
// rules its inferReturnTypes implements; the assembly spells out the result
// type so that a reader of an IR dump sees every shape.
class Cnn_ShapeOp<string mnemonic, list<Trait> traits = []>
  : Cnn_Op<mnemonic, !listconcat([InferTypeOpAdaptor], traits)>;

// An op whose result has the type of its input (the element-wise ops, batch
// norm); a verifier checks the attributes and other operands it has.
class Cnn_SameTypeOp<string mnemonic, list<Trait> traits = []>
  : Cnn_Op<mnemonic, !listconcat([AllTypesMatch<["input", "output"]>], traits)>;

class Cnn_ElementwiseOp<string mnemonic, list<Trait> traits = []>
  : Cnn_SameTypeOp<mnemonic, traits> {
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Convolution and dense layers
//===----------------------------------------------------------------------===//

def Cnn_Conv2dOp : Cnn_ShapeOp<"conv2d",
    [DeclareOpInterfaceMethods<Cnn_MacCountOpInterface>]> {
  let summary = "2-D convolution (cross-correlation) over an NCHW input";
  let description = [{
    Convolves `input` [N, C, H, W] with `weight` [F, C / groups, KH, KW] and
    adds `bias` [F] when present. `padding` is [top, left, bottom, right];
    `padding_mode` says what the padded positions hold. `valid` takes no
    padding: the output shrinks to where the kernel fits. The output is
    [N, F, OH, OW] with OH = (H + top + bottom - dilation * (KH - 1) - 1) /
    stride + 1, and likewise OW.

    `connections`, an [F, C] table of booleans, makes the convolution sparse
    in channels, as LeNet-5's C3 (LeCun et al. 1998, Table I): output map f
    reads input map c only where the table is true. The weight then holds
    one [1, KH, KW] filter per true entry, [count, 1, KH, KW], in the
    table's row-major order, and only those count as parameters and
    multiply-accumulates. `groups` must be 1.

    ```mlir
    %y = cnn.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
                                padding = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>
        -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins
    Cnn_Tensor4D:$input,
    Cnn_Tensor4D:$weight,
    Optional<Cnn_Tensor1D>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<Cnn_PaddingModeAttr, "::cnnc::cnn::PaddingMode::Zeros">:$padding_mode,
    OptionalAttr<SignlessIntElementsAttr<1>>:$connections
  );
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
}

def Cnn_Conv1dOp : Cnn_ShapeOp<"conv1d",
    [DeclareOpInterfaceMethods<Cnn_MacCountOpInterface>]> {
  let summary = "1-D convolution or cross-correlation over an NCL input";
  let description = [{
    Slides `weight` [F, C / groups, K] along `input` [N, C, L], adding
    `bias` [F] when present. `padding` is [left, right] zeros. By default
    this is the cross-correlation of deep learning,
    y[n] = sum_k x[n * stride + k * dilation] h[k]; with `true_convolution`
    the kernel is mirrored, y[n] = sum_k x[n * stride + (K - 1 - k) *
    dilation] h[k], which with "full" padding (K - 1 each side) is the
    convolution of signal processing, (x * h)[n] = sum_k x[n - k] h[k].
    The output is [N, F, OL], OL = (L + left + right - dilation * (K - 1)
    - 1) / stride + 1.

    ```mlir
    %y = cnn.conv1d %x, %h {padding = array<i64: 2, 2>, true_convolution = true}
        : tensor<1x1x3xf32>, tensor<1x1x3xf32> -> tensor<1x1x5xf32>
    ```
  }];
  let arguments = (ins
    Cnn_Tensor3D:$input,
    Cnn_Tensor3D:$weight,
    Optional<Cnn_Tensor1D>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    DefaultValuedAttr<BoolAttr, "false">:$true_convolution
  );
  let results = (outs Cnn_Tensor3D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
}

def Cnn_ConvTranspose2dOp : Cnn_ShapeOp<"conv_transpose2d",
    [DeclareOpInterfaceMethods<Cnn_MacCountOpInterface>]> {
  let summary = "2-D transposed convolution (the gradient of conv2d)";
  let description = [{
    `weight` is [C, F / groups, KH, KW] (PyTorch's layout). Each input pixel
    scatters its kernel-weighted values into the output, `strides` apart;
    `padding` [top, left, bottom, right] trims the output and
    `output_padding` [h, w] extends it at the bottom and right:
    OH = (H - 1) * stride - top - bottom + dilation * (KH - 1) +
    output_padding + 1.
  }];
  let arguments = (ins
    Cnn_Tensor4D:$input,
    Cnn_Tensor4D:$weight,
    Optional<Cnn_Tensor1D>:$bias,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$output_padding,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<I64Attr, "1">:$groups
  );
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
}

def Cnn_DenseOp : Cnn_ShapeOp<"dense",
    [DeclareOpInterfaceMethods<Cnn_MacCountOpInterface>]> {
  let summary = "fully connected layer: output = input * weight^T + bias";
  let description = [{
    `input` is [N, K], `weight` is [M, K] (the layout of torch.nn.Linear),
    `bias` is [M] when present; the output is [N, M].
  }];
  let arguments = (ins Cnn_Tensor2D:$input, Cnn_Tensor2D:$weight,
                       Optional<Cnn_Tensor1D>:$bias);
  let results = (outs Cnn_Tensor2D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Normalisation and activations
//===----------------------------------------------------------------------===//

def Cnn_BatchNormOp : Cnn_SameTypeOp<"batch_norm"> {
  let summary = "batch normalisation, inference form";
  let description = [{
    output = (input - mean) / sqrt(variance + epsilon) * scale + shift, per
    channel (dimension 1) of an [N, C, ...] input of rank 2 to 5 (PyTorch's
    BatchNorm1d on [N, C] and [N, C, L], BatchNorm2d, BatchNorm3d). The
    statistics are the running ones collected in training.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor1D:$scale,
                       Cnn_Tensor1D:$shift, Cnn_Tensor1D:$mean,
                       Cnn_Tensor1D:$variance,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let hasVerifier = 1;
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale) `,` type($shift) `,` type($mean) `,` type($variance)
  }];
}

def Cnn_FoldBatchNormOp : Cnn_Op<"fold_batch_norm",
    [AllTypesMatch<["weight", "folded_weight"]>,
     AllTypesMatch<["bias", "folded_bias"]>]> {
  let summary = "the weight and bias of a layer with the batch norm after it folded in";
  let description = [{
    For a layer (a convolution, a dense layer) whose `weight` has its output
    channels first, [F, ...], and its `bias` [F], followed by a batch norm
    with these per-channel statistics: with a = scale / sqrt(variance +
    epsilon), `folded_weight` is weight * a along the output channels and
    `folded_bias` is (bias - mean) * a + shift, so that the layer with the
    folded weight and bias computes what the layer and the batch norm did
    (`cnn-fold-batch-norm` makes it). It reads weights only: a compiled model
    computes it once, when the weights are bound.

    ```mlir
    %w2, %b2 = cnn.fold_batch_norm %w, %b, %scale, %shift, %mean, %var
        {epsilon = 1.0e-05 : f64}
        : tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>,
          tensor<8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Cnn_Tensor:$weight, Cnn_Tensor1D:$bias, Cnn_Tensor1D:$scale,
                       Cnn_Tensor1D:$shift, Cnn_Tensor1D:$mean,
                       Cnn_Tensor1D:$variance,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Cnn_Tensor:$folded_weight, Cnn_Tensor1D:$folded_bias);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $weight `,` $bias `,` $scale `,` $shift `,` $mean `,` $variance attr-dict `:`
    type($weight) `,` type($bias) `,` type($scale) `,` type($shift) `,`
    type($mean) `,` type($variance)
  }];
}

def Cnn_ReluOp : Cnn_ElementwiseOp<"relu"> {
  let summary = "rectified linear unit: max(x, 0)";
  let arguments = (ins Cnn_Tensor:$input);
}

def Cnn_LeakyReluOp : Cnn_ElementwiseOp<"leaky_relu"> {
  let summary = "leaky ReLU: x if x > 0, else negative_slope * x";
  let arguments = (ins Cnn_Tensor:$input,
                       DefaultValuedAttr<F64Attr, "0.01">:$negative_slope);
  let hasVerifier = 1;
}

def Cnn_TanhOp : Cnn_ElementwiseOp<"tanh"> {
  let summary = "hyperbolic tangent";
  let arguments = (ins Cnn_Tensor:$input);
}

def Cnn_SigmoidOp : Cnn_ElementwiseOp<"sigmoid"> {
  let summary = "logistic sigmoid: 1 / (1 + exp(-x))";
  let arguments = (ins Cnn_Tensor:$input);
}

def Cnn_SiluOp : Cnn_ElementwiseOp<"silu"> {
  let summary = "SiLU (swish): x * sigmoid(x)";
  let arguments = (ins Cnn_Tensor:$input);
}

def Cnn_EluOp : Cnn_ElementwiseOp<"elu"> {
  let summary = "ELU and SELU: scale * (x if x > 0, else alpha * (exp(x) - 1))";
  let description = [{
    ELU with `scale` 1 (Clevert et al. 2015); SELU with alpha 1.6733 and
    scale 1.0507 (Klambauer et al. 2017), as ONNX's Elu and Selu.
  }];
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let hasVerifier = 1;
}

def Cnn_HardSigmoidOp : Cnn_ElementwiseOp<"hard_sigmoid"> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.5">:$beta);
  let hasVerifier = 1;
}

def Cnn_HardSwishOp : Cnn_ElementwiseOp<"hard_swish"> {
  let summary = "x * max(0, min(1, x / 6 + 1 / 2)) (MobileNetV3)";
  let arguments = (ins Cnn_Tensor:$input);
}

def Cnn_ClipOp : Cnn_ElementwiseOp<"clip"> {
  let summary = "min(max(x, min), max): ReLU6 with min 0 and max 6";
  let arguments = (ins Cnn_Tensor:$input,
                       DefaultValuedAttr<F64Attr, "-INFINITY">:$min,
                       DefaultValuedAttr<F64Attr, "INFINITY">:$max);
  let hasVerifier = 1;
}

def Cnn_LocalResponseNormOp : Cnn_SameTypeOp<"local_response_norm"> {
  let summary = "local response normalisation across channels";
  let description = [{
    As PyTorch's LocalResponseNorm: each value is divided by
    (k + alpha / size * sum of the squares over `size` neighbouring
    channels) ^ beta, the window centred on its channel; channels beyond
    the first and last count as zeros, so `size` may exceed the channels.
    The input is [N, C, L] or [N, C, H, W].
  }];
  let arguments = (ins Cnn_Tensor:$input, I64Attr:$size,
                       DefaultValuedAttr<F64Attr, "1e-4">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.75">:$beta,
                       DefaultValuedAttr<F64Attr, "1.0">:$k);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cnn_SoftmaxOp : Cnn_ElementwiseOp<"softmax"> {
  let summary = "softmax along one axis";
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let hasVerifier = 1;
}

def Cnn_LogSoftmaxOp : Cnn_ElementwiseOp<"log_softmax"> {
  let summary = "the logarithm of softmax along one axis, computed stably";
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let hasVerifier = 1;
}

def Cnn_DropoutOp : Cnn_ElementwiseOp<"dropout"> {
  let summary = "dropout: the identity at inference";
  let description = [{
    At inference the op passes its input through. `rate`, the probability of
    zeroing an element, is kept for the training step.
  }];
  let arguments = (ins Cnn_Tensor:$input, DefaultValuedAttr<F64Attr, "0.5">:$rate);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Cnn_Pool2dOp<string mnemonic, dag extraArguments = (ins)>
  : Cnn_ShapeOp<mnemonic> {
  let description = [{
    Slides a `kernel_size` window over each channel of an NCHW input with the
    given `strides` and `padding` ([top, left, bottom, right], at most half
    the kernel). With `ceil_mode` the output size rounds up, so a last
    partial window counts, as long as it starts inside the input or its
    leading padding.
  }];
  let arguments = !con((ins
    Cnn_Tensor4D:$input,
    DenseI64ArrayAttr:$kernel_size,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
    DefaultValuedAttr<BoolAttr, "false">:$ceil_mode), extraArguments);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_MaxPool2dOp : Cnn_Pool2dOp<"max_pool2d"> {
  let summary = "2-D max pooling; padded positions never win";
}

def Cnn_AvgPool2dOp : Cnn_Pool2dOp<"avg_pool2d",
    (ins DefaultValuedAttr<BoolAttr, "true">:$count_include_pad)> {
  let summary = "2-D average pooling";
  let description = [{
    As max_pool2d, averaging the window. With `count_include_pad` the
    divisor counts the zero padding inside the window; without it, only the
    input positions.
  }];
}

def Cnn_AdaptiveAvgPool2dOp : Cnn_ShapeOp<"adaptive_avg_pool2d"> {
  let summary = "average pooling to a given output size";
  let description = [{
    Output row i averages input rows floor(i * H / OH) to
    ceil((i + 1) * H / OH) - 1, and likewise for columns (PyTorch's rule), so
    windows may differ in size and overlap.
  }];
  let arguments = (ins Cnn_Tensor4D:$input, DenseI64ArrayAttr:$output_size);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_GlobalAvgPoolOp : Cnn_ShapeOp<"global_avg_pool"> {
  let summary = "average of each channel: [N, C, H, W] -> [N, C, 1, 1]";
  let arguments = (ins Cnn_Tensor4D:$input);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Shape and graph ops
//===----------------------------------------------------------------------===//

def Cnn_FlattenOp : Cnn_ShapeOp<"flatten"> {
  let summary = "collapses all dimensions after the batch: [N, ...] -> [N, K]";
  let arguments = (ins Cnn_Tensor:$input);
  let results = (outs Cnn_Tensor2D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

// The result type is inferred (no attributes, so also while parsing); the
// inference reports operands of different shapes before the trait does.
def Cnn_UpsampleOp : Cnn_ShapeOp<"upsample"> {
  let summary = "upsampling by integer factors";
  let arguments = (ins Cnn_Tensor4D:$input, DenseI64ArrayAttr:$scale_factors,
                       DefaultValuedAttr<Cnn_UpsampleModeAttr,
                                         "::cnnc::cnn::UpsampleMode::Nearest">:$mode);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_CropOp : Cnn_ShapeOp<"crop"> {
  let summary = "a window of the spatial dimensions";
  let description = [{
    Keeps rows offsets[0] .. offsets[0] + sizes[0] - 1 and likewise the
    columns: the crop of U-Net's crop-and-concatenate.
  }];
  let arguments = (ins Cnn_Tensor4D:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_PadOp : Cnn_ShapeOp<"pad"> {
  let summary = "pads the spatial dimensions";
  let description = [{
    Adds `padding` [top, left, bottom, right] rows and columns, holding
    `value` (mode zeros), the nearest border value (replicate) or the
    wrapped-around input (circular).
  }];
  let arguments = (ins Cnn_Tensor4D:$input, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<Cnn_PaddingModeAttr,
                                         "::cnnc::cnn::PaddingMode::Zeros">:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Cnn_Tensor4D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Cnn_ReshapeOp : Cnn_ShapeOp<"reshape"> {
  let summary = "the same elements in another shape";
  let description = [{
    Reads the elements in row-major order into `shape` (which includes the
    batch dimension): YOLOv1's 1470 features as 7x7x30.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Cnn_AddOp : Cnn_ShapeOp<"add", [Commutative]> {
  let summary = "element-wise sum of two tensors, broadcast as NumPy does";
  let description = [{
    The shapes are aligned at their last dimension; each pair of
    dimensions is equal or one of them is 1 (which repeats along the other),
    and the shorter shape is extended with 1s at the front. A residual
    connection adds tensors of one shape; two inputs of a model may differ
    (a [N, C, H, W] feature map plus a [N, C, 1, 1] per-channel term).
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)";
}

class Cnn_BroadcastOp<string mnemonic, string what, list<Trait> traits = []>
    : Cnn_ShapeOp<mnemonic, traits> {
  let summary = "element-wise " # what # " of two tensors, broadcast as add";
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)";
}

def Cnn_SubOp : Cnn_BroadcastOp<"sub", "difference lhs - rhs">;
def Cnn_MulOp : Cnn_BroadcastOp<"mul", "product", [Commutative]>;
def Cnn_DivOp : Cnn_BroadcastOp<"div", "quotient lhs / rhs">;
// The slope broadcasts to the input (a [C, 1, 1] slope per channel of
// [N, C, H, W], as ONNX's PRelu); the result has the input's shape.
def Cnn_PReluOp : Cnn_BroadcastOp<"prelu", "parametric ReLU (x if x > 0, else slope * x)">;

def Cnn_ConcatOp : Cnn_ShapeOp<"concat"> {
  let summary = "joins tensors along one axis";
  let description = [{
    All inputs have the same rank and agree on every dimension but `axis`
    (the channel dimension, 1, by default).
  }];
  let arguments = (ins Variadic<Cnn_Tensor>:$inputs,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($output)";
  let hasFolder = 1;
}

include "dialects/Cnn/IR/CnnTrainingOps.td"

#endif // CNN_OPS
