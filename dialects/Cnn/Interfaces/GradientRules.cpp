//===- GradientRules.cpp - Reverse-mode rules of the cnn ops --------------===//
//
// Each rule writes an op's backward pass in cnn ops. The convolution's are
// convolutions themselves: its input gradient is a transposed convolution
// with the forward weight, its filter gradient a convolution of the input
// (batch and channels swapped) with the output gradient as the filter, the
// forward stride becoming the dilation. So every later pass (fusion,
// tiling, the GPU mapping) applies to the backward graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "dialects/Cnn/Interfaces/GradientRules.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Cnn/IR/CnnOps.h"
#include "dialects/Cnn/Interfaces/GradientOpInterface.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// An op whose result type follows from its operands and attributes, which
/// must include the default-valued ones: inference reads them before the op
/// exists to fill them in.
template <typename OpTy>
Value createInferred(OpBuilder &b, Location loc, ValueRange operands,
                     ArrayRef<NamedAttribute> attributes) {
  return OpTy::create(b, loc, operands, attributes)->getResult(0);
}

NamedAttribute i64Array(OpBuilder &b, StringRef name, ArrayRef<int64_t> values) {
  return b.getNamedAttr(name, b.getDenseI64ArrayAttr(values));
}

Value transpose(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> permutation) {
  return createInferred<TransposeOp>(b, loc, value,
                                     {i64Array(b, "permutation", permutation)});
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Sums `gradient`, of a broadcast result, back to the shape of the operand
/// `type` that was broadcast (NumPy's rule, aligned at the last dimension).
Value unbroadcast(OpBuilder &b, Location loc, Value gradient, RankedTensorType type) {
  ArrayRef<int64_t> result = shapeOf(gradient), operand = type.getShape();
  size_t extra = result.size() - operand.size();
  SmallVector<int64_t> axes;
  for (size_t d = 0; d < result.size(); ++d)
    if (d < extra || (operand[d - extra] == 1 && result[d] != 1))
      axes.push_back(d);
  if (axes.empty())
    return gradient;
  Value sum = createInferred<ReduceSumOp>(b, loc, gradient, {i64Array(b, "axes", axes)});
  if (shapeOf(sum) == operand)
    return sum;
  return createInferred<ReshapeOp>(b, loc, sum, {i64Array(b, "shape", operand)});
}

//===----------------------------------------------------------------------===//
// The rules: gradientOf(op, builder, output gradient, operand gradients)
//===----------------------------------------------------------------------===//

/// The filter gradient of a convolution (groups 1, zero padding) of
/// `input` [N, C, H, W] whose output has the gradient `outputGrad` [N, F,
/// OH, OW]: dW[f, c, i, j] = sum over n, y, x of dY[n, f, y, x] *
/// X[n, c, y * stride + i * dilation, ...], a convolution over the batch of
/// X^T [C, N, H, W] with dY^T [F, N, OH, OW] as filters, dilated by the
/// stride and strided by the dilation. Where the stride left rows unread,
/// it is larger than the kernel; the crop keeps the kernel's window.
Value filterGradient(OpBuilder &b, Location loc, Value input, Value outputGrad,
                     ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                     ArrayRef<int64_t> dilations, ArrayRef<int64_t> kernel) {
  Value filterGrad = createInferred<Conv2dOp>(
      b, loc,
      {transpose(b, loc, input, {1, 0, 2, 3}), transpose(b, loc, outputGrad, {1, 0, 2, 3})},
      {i64Array(b, "strides", dilations), i64Array(b, "padding", padding),
       i64Array(b, "dilations", strides), b.getNamedAttr("groups", b.getI64IntegerAttr(1)),
       b.getNamedAttr("padding_mode", PaddingModeAttr::get(b.getContext(), PaddingMode::Zeros))});
  if (shapeOf(filterGrad).drop_front(2) != kernel)
    filterGrad = createInferred<CropOp>(
        b, loc, filterGrad, {i64Array(b, "offsets", {0, 0}), i64Array(b, "sizes", kernel)});
  return transpose(b, loc, filterGrad, {1, 0, 2, 3});
}

LogicalResult gradientOf(Conv2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  if (op.getPaddingMode() != PaddingMode::Zeros &&
      op.getPaddingMode() != PaddingMode::Valid)
    return op.emitOpError("has a gradient rule for zero padding only, got padding mode '")
           << stringifyPaddingMode(op.getPaddingMode()) << "'";
  int64_t groups = op.getGroups();
  // A connection table: the rules of the dense convolution with the
  // expanded filter bank, and the table's entries of its filter gradient.
  Value weight = op.getWeight();
  auto table = op.getConnectionsAttr();
  if (table) {
    ArrayRef<int64_t> tableShape = table.getShapedType().getShape(),
                      kernel = shapeOf(weight).drop_front(2);
    weight = ExpandConnectionsOp::create(
        b, loc,
        RankedTensorType::get({tableShape[0], tableShape[1], kernel[0], kernel[1]},
                              cast<RankedTensorType>(weight.getType()).getElementType()),
        weight, table);
  }
  ArrayRef<int64_t> in = shapeOf(op.getInput()), w = shapeOf(weight),
                    out = shapeOf(op.getOutput());
  ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding(),
                    dilations = op.getDilations();

  // Input: the transposed convolution, with the rows and columns the
  // forward stride skipped at the bottom and right as output padding.
  SmallVector<int64_t> outputPadding(2);
  for (int d = 0; d < 2; ++d)
    outputPadding[d] = in[2 + d] + padding[d] + padding[d + 2] -
                       ((out[2 + d] - 1) * strides[d] + dilations[d] * (w[2 + d] - 1) + 1);
  grads.push_back(createInferred<ConvTranspose2dOp>(
      b, loc, {outputGrad, weight},
      {i64Array(b, "strides", strides), i64Array(b, "padding", padding),
       i64Array(b, "output_padding", outputPadding),
       i64Array(b, "dilations", dilations),
       b.getNamedAttr("groups", b.getI64IntegerAttr(groups))}));

  // Filter: each group's filters see their group's input channels only, so
  // each group's gradient is its own, from its slices of the input and the
  // output gradient; the groups' gradients stack along the filters.
  if (table) {
    grads.push_back(GatherConnectionsOp::create(
        b, loc, op.getWeight().getType(),
        filterGradient(b, loc, op.getInput(), outputGrad, strides, padding, dilations,
                       w.drop_front(2)),
        table));
  } else if (groups == 1) {
    grads.push_back(filterGradient(b, loc, op.getInput(), outputGrad, strides, padding,
                                   dilations, w.drop_front(2)));
  } else {
    auto channelSlice = [&](Value value, int64_t group, int64_t perGroup) {
      SmallVector<int64_t> offsets = {0, group * perGroup, 0, 0};
      SmallVector<int64_t> sizes(shapeOf(value));
      sizes[1] = perGroup;
      return createInferred<SliceOp>(
          b, loc, value, {i64Array(b, "offsets", offsets), i64Array(b, "sizes", sizes)});
    };
    SmallVector<Value> perGroup;
    for (int64_t g = 0; g < groups; ++g)
      perGroup.push_back(filterGradient(
          b, loc, channelSlice(op.getInput(), g, in[1] / groups),
          channelSlice(outputGrad, g, w[0] / groups), strides, padding, dilations,
          w.drop_front(2)));
    grads.push_back(createInferred<ConcatOp>(b, loc, perGroup,
                                             {b.getNamedAttr("axis", b.getI64IntegerAttr(0))}));
  }
  if (op.getBias())
    grads.push_back(createInferred<ReduceSumOp>(b, loc, outputGrad,
                                                {i64Array(b, "axes", {0, 2, 3})}));
  return success();
}

/// A transposed convolution is the adjoint of the convolution with its
/// attributes and filters [C_in, C_out, KH, KW] read as [F, C]: the input's
/// gradient is that convolution of the output's gradient, and the filter's
/// gradient the convolution's filter gradient with the roles of input and
/// output exchanged.
LogicalResult gradientOf(ConvTranspose2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  if (op.getGroups() != 1)
    return op.emitOpError("with groups has no gradient rule yet");
  Location loc = op.getLoc();
  ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding(),
                    dilations = op.getDilations();
  grads.push_back(createInferred<Conv2dOp>(
      b, loc, {outputGrad, op.getWeight()},
      {i64Array(b, "strides", strides), i64Array(b, "padding", padding),
       i64Array(b, "dilations", dilations), b.getNamedAttr("groups", b.getI64IntegerAttr(1)),
       b.getNamedAttr("padding_mode", PaddingModeAttr::get(b.getContext(), PaddingMode::Zeros))}));
  grads.push_back(filterGradient(b, loc, outputGrad, op.getInput(), strides, padding,
                                 dilations, shapeOf(op.getWeight()).drop_front(2)));
  if (op.getBias())
    grads.push_back(createInferred<ReduceSumOp>(b, loc, outputGrad,
                                                {i64Array(b, "axes", {0, 2, 3})}));
  return success();
}

LogicalResult gradientOf(DenseOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  // dX = dY W: a dense layer with W^T as its weight.
  grads.push_back(createInferred<DenseOp>(
      b, loc, {outputGrad, transpose(b, loc, op.getWeight(), {1, 0})}, {}));
  // dW = dY^T X: a dense layer over the batch.
  grads.push_back(createInferred<DenseOp>(
      b, loc,
      {transpose(b, loc, outputGrad, {1, 0}), transpose(b, loc, op.getInput(), {1, 0})},
      {}));
  if (op.getBias())
    grads.push_back(
        createInferred<ReduceSumOp>(b, loc, outputGrad, {i64Array(b, "axes", {0})}));
  return success();
}

LogicalResult gradientOf(BatchNormTrainOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  auto grad = BatchNormGradOp::create(b, op.getLoc(), outputGrad, op.getInput(),
                                      op.getScale(), op.getBatchMean(),
                                      op.getBatchInvStd());
  // The running statistics are updated, not learned: no gradient.
  grads.append({grad.getInputGrad(), grad.getScaleGrad(), grad.getShiftGrad(), Value(),
                Value()});
  return success();
}

LogicalResult gradientOf(LocalResponseNormOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  grads.push_back(LocalResponseNormGradOp::create(
      b, op.getLoc(), op.getType(), outputGrad, op.getInput(), op.getSizeAttr(),
      op.getAlphaAttr(), op.getBetaAttr(), op.getKAttr()));
  return success();
}

/// An activation's gradient op, from `value` (its input or its output).
template <typename GradOpTy, typename... Attributes>
LogicalResult activationGradient(Operation *op, OpBuilder &b, Value outputGrad,
                                 Value value, SmallVectorImpl<Value> &grads,
                                 Attributes... attributes) {
  grads.push_back(GradOpTy::create(b, op->getLoc(), value.getType(), outputGrad, value,
                                   attributes...));
  return success();
}

LogicalResult gradientOf(ReluOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<ReluGradOp>(op, b, outputGrad, op.getInput(), grads);
}

LogicalResult gradientOf(LeakyReluOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<LeakyReluGradOp>(op, b, outputGrad, op.getInput(), grads,
                                             op.getNegativeSlopeAttr());
}

LogicalResult gradientOf(TanhOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<TanhGradOp>(op, b, outputGrad, op.getOutput(), grads);
}

LogicalResult gradientOf(SigmoidOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<SigmoidGradOp>(op, b, outputGrad, op.getOutput(), grads);
}

LogicalResult gradientOf(SiluOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<SiluGradOp>(op, b, outputGrad, op.getInput(), grads);
}

LogicalResult gradientOf(SoftmaxOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return activationGradient<SoftmaxGradOp>(op, b, outputGrad, op.getOutput(), grads,
                                           op.getAxisAttr());
}

LogicalResult gradientOf(DropoutOp op, OpBuilder &, Value,
                         SmallVectorImpl<Value> &) {
  // cnn-differentiate puts dropout_train in its place; a rate of 0 folds
  // away before.
  return op.emitOpError("is the inference form; its gradient is dropout_train's");
}

LogicalResult gradientOf(DropoutTrainOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  // The same mask (the same seed, stream and step) scales the gradient.
  grads.append({DropoutTrainOp::create(b, op.getLoc(), outputGrad, op.getSeed(),
                                       op.getStep(), op.getRateAttr(), op.getStreamAttr()),
                Value(), Value()});
  return success();
}

/// The window attributes of a pooling, for its gradient op.
SmallVector<NamedAttribute> windowAttributes(OpBuilder &b, ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> padding, bool ceilMode) {
  return {i64Array(b, "kernel_size", kernel), i64Array(b, "strides", strides),
          i64Array(b, "padding", padding),
          b.getNamedAttr("ceil_mode", b.getBoolAttr(ceilMode))};
}

Value averagePoolGrad(OpBuilder &b, Location loc, Value outputGrad, Type inputType,
                      ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> padding, bool ceilMode, bool countIncludePad) {
  SmallVector<NamedAttribute> attributes =
      windowAttributes(b, kernel, strides, padding, ceilMode);
  attributes.push_back(b.getNamedAttr("count_include_pad", b.getBoolAttr(countIncludePad)));
  return AvgPool2dGradOp::create(b, loc, TypeRange{inputType}, ValueRange{outputGrad},
                                 attributes);
}

LogicalResult gradientOf(AvgPool2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  grads.push_back(averagePoolGrad(b, op.getLoc(), outputGrad, op.getInput().getType(),
                                  op.getKernelSize(), op.getStrides(), op.getPadding(),
                                  op.getCeilMode(), op.getCountIncludePad()));
  return success();
}

LogicalResult gradientOf(GlobalAvgPoolOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  grads.push_back(averagePoolGrad(b, op.getLoc(), outputGrad, op.getInput().getType(),
                                  in.drop_front(2), {1, 1}, {0, 0, 0, 0}, false, true));
  return success();
}

LogicalResult gradientOf(AdaptiveAvgPool2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), size = op.getOutputSize();
  if (in[2] % size[0] != 0 || in[3] % size[1] != 0)
    return op.emitOpError("has a gradient rule for output sizes that divide the "
                          "input only, got ")
           << size[0] << "x" << size[1] << " of " << in[2] << "x" << in[3];
  SmallVector<int64_t> window = {in[2] / size[0], in[3] / size[1]};
  grads.push_back(averagePoolGrad(b, op.getLoc(), outputGrad, op.getInput().getType(),
                                  window, window, {0, 0, 0, 0}, false, true));
  return success();
}

LogicalResult gradientOf(MaxPool2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  grads.push_back(MaxPool2dGradOp::create(
      b, op.getLoc(), TypeRange{op.getInput().getType()},
      ValueRange{outputGrad, op.getInput()},
      windowAttributes(b, op.getKernelSize(), op.getStrides(), op.getPadding(),
                       op.getCeilMode())));
  return success();
}

/// Flatten and reshape: the gradient takes the input's shape back.
template <typename OpTy>
LogicalResult reshapeGradient(OpTy op, OpBuilder &b, Value outputGrad,
                              SmallVectorImpl<Value> &grads) {
  grads.push_back(createInferred<ReshapeOp>(
      b, op.getLoc(), outputGrad, {i64Array(b, "shape", shapeOf(op.getInput()))}));
  return success();
}

LogicalResult gradientOf(FlattenOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return reshapeGradient(op, b, outputGrad, grads);
}

LogicalResult gradientOf(ReshapeOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  return reshapeGradient(op, b, outputGrad, grads);
}

LogicalResult gradientOf(AddOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  for (Value operand : op->getOperands())
    grads.push_back(unbroadcast(b, op.getLoc(), outputGrad,
                                cast<RankedTensorType>(operand.getType())));
  return success();
}

LogicalResult gradientOf(UpsampleOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  if (op.getMode() != UpsampleMode::Nearest)
    return op.emitOpError("has a gradient rule for nearest upsampling only, got mode '")
           << stringifyUpsampleMode(op.getMode()) << "'";
  // Each input element was copied to a scale_h x scale_w block: its
  // gradient is the block's sum, over the block's own dimensions of
  // [N * C, H, scale_h, W, scale_w].
  Location loc = op.getLoc();
  ArrayRef<int64_t> in = shapeOf(op.getInput()), scale = op.getScaleFactors();
  Value blocks = createInferred<ReshapeOp>(
      b, loc, outputGrad,
      {i64Array(b, "shape", {in[0] * in[1], in[2], scale[0], in[3], scale[1]})});
  Value sums = createInferred<ReduceSumOp>(b, loc, blocks, {i64Array(b, "axes", {2, 4})});
  grads.push_back(createInferred<ReshapeOp>(b, loc, sums, {i64Array(b, "shape", in)}));
  return success();
}

LogicalResult gradientOf(ConcatOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  int64_t axis = op.getAxis(), offset = 0;
  for (Value input : op.getInputs()) {
    ArrayRef<int64_t> shape = shapeOf(input);
    SmallVector<int64_t> offsets(shape.size(), 0);
    offsets[axis] = offset;
    offset += shape[axis];
    grads.push_back(createInferred<SliceOp>(
        b, op.getLoc(), outputGrad,
        {i64Array(b, "offsets", offsets), i64Array(b, "sizes", shape)}));
  }
  return success();
}

LogicalResult gradientOf(CropOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), offsets = op.getOffsets(),
                    sizes = op.getSizes();
  // The cropped-away border gets no gradient: zeros around the window.
  grads.push_back(createInferred<PadOp>(
      b, op.getLoc(), outputGrad,
      {i64Array(b, "padding", {offsets[0], offsets[1], in[2] - offsets[0] - sizes[0],
                               in[3] - offsets[1] - sizes[1]}),
       b.getNamedAttr("mode", PaddingModeAttr::get(b.getContext(), PaddingMode::Zeros)),
       b.getNamedAttr("value", b.getF64FloatAttr(0.0))}));
  return success();
}

LogicalResult gradientOf(PadOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  if (op.getMode() != PaddingMode::Zeros)
    return op.emitOpError("has a gradient rule for zero padding only, got mode '")
           << stringifyPaddingMode(op.getMode()) << "'";
  ArrayRef<int64_t> in = shapeOf(op.getInput()), padding = op.getPadding();
  grads.push_back(createInferred<CropOp>(
      b, op.getLoc(), outputGrad,
      {i64Array(b, "offsets", {padding[0], padding[1]}),
       i64Array(b, "sizes", in.drop_front(2))}));
  return success();
}

template <typename OpTy>
struct GradientModel
    : public GradientOpInterface::ExternalModel<GradientModel<OpTy>, OpTy> {
  LogicalResult buildGradients(Operation *op, OpBuilder &builder,
                               ValueRange resultGradients,
                               SmallVectorImpl<Value> &operandGradients) const {
    // The rules differentiate an op's first result; the others (a batch
    // norm's statistics) feed updates or other gradients, never the loss.
    for (auto [index, gradient] : llvm::enumerate(resultGradients.drop_front()))
      if (gradient)
        return op->emitOpError() << "has no gradient rule through its result "
                                 << index + 1;
    return gradientOf(cast<OpTy>(op), builder, resultGradients.front(),
                      operandGradients);
  }
};

template <typename... OpTys>
void attachGradientRules(MLIRContext *context) {
  (OpTys::template attachInterface<GradientModel<OpTys>>(*context), ...);
}

} // namespace

void cnnc::cnn::registerGradientRules(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, CnnDialect *) {
    attachGradientRules<Conv2dOp, ConvTranspose2dOp, DenseOp, BatchNormTrainOp,
                        LocalResponseNormOp, ReluOp, LeakyReluOp, TanhOp, SigmoidOp,
                        SiluOp, SoftmaxOp, DropoutOp, DropoutTrainOp, AvgPool2dOp, GlobalAvgPoolOp,
                        AdaptiveAvgPool2dOp, MaxPool2dOp, FlattenOp, ReshapeOp, UpsampleOp, AddOp,
                        ConcatOp, CropOp, PadOp>(context);
  });
}
