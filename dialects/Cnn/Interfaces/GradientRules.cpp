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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

#include <algorithm>
#include <cmath>

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

Value reshape(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape) {
  return createInferred<ReshapeOp>(b, loc, value, {i64Array(b, "shape", shape)});
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
  return reshape(b, loc, sum, operand);
}

/// A dense layer by a constant [M, K] matrix (row-major in `matrix`):
/// out[n, m] = sum_k value[n, k] * matrix[m, k].
Value denseByConstant(OpBuilder &b, Location loc, Value value, int64_t rows,
                      ArrayRef<float> matrix) {
  int64_t columns = shapeOf(value).back();
  auto type = RankedTensorType::get({rows, columns}, b.getF32Type());
  Value weight = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, matrix));
  return createInferred<DenseOp>(b, loc, {value, weight}, {});
}

/// The matrix of a map along one spatial dimension: out[o] = sum_i
/// matrix[o * inSize + i] * in[i].
struct AxisMap {
  int64_t outSize, inSize;
  SmallVector<float> matrix;
  AxisMap(int64_t outSize, int64_t inSize)
      : outSize(outSize), inSize(inSize), matrix(outSize * inSize, 0.0f) {}
  float &at(int64_t out, int64_t in) { return matrix[out * inSize + in]; }
  bool isIdentity() const {
    if (outSize != inSize)
      return false;
    for (int64_t o = 0; o < outSize; ++o)
      for (int64_t i = 0; i < inSize; ++i)
        if (matrix[o * inSize + i] != (o == i ? 1.0f : 0.0f))
          return false;
    return true;
  }
  /// The transpose, as the [in, out] weight of a dense layer that applies
  /// the adjoint along a last dimension.
  SmallVector<float> adjointWeight() const {
    SmallVector<float> weight(inSize * outSize);
    for (int64_t o = 0; o < outSize; ++o)
      for (int64_t i = 0; i < inSize; ++i)
        weight[i * outSize + o] = matrix[o * inSize + i];
    return weight;
  }
};

/// The gradient of a linear map that acts on rows and columns separately,
/// Y = R X C^T for every [H, W] plane of X [N, C, H, W] (an interpolation,
/// a padding by copies, an adaptive average): dX = R^T dY C, as dense
/// layers by the constant transposed matrices along the columns and then,
/// transposed, along the rows. An identity axis is left alone.
Value separableAdjoint(OpBuilder &b, Location loc, Value outputGrad,
                       ArrayRef<int64_t> inputShape, const AxisMap &rows,
                       const AxisMap &columns) {
  int64_t planes = inputShape[0] * inputShape[1];
  Value grad = outputGrad;
  if (!columns.isIdentity())
    grad = denseByConstant(b, loc,
                           reshape(b, loc, grad, {planes * rows.outSize, columns.outSize}),
                           columns.inSize, columns.adjointWeight());
  if (!rows.isIdentity()) {
    Value byColumn = transpose(
        b, loc, reshape(b, loc, grad, {planes, rows.outSize, columns.inSize}), {0, 2, 1});
    grad = denseByConstant(
        b, loc, reshape(b, loc, byColumn, {planes * columns.inSize, rows.outSize}),
        rows.inSize, rows.adjointWeight());
    grad = transpose(b, loc, reshape(b, loc, grad, {planes, columns.inSize, rows.inSize}),
                     {0, 2, 1});
  }
  return reshape(b, loc, grad, inputShape);
}

/// Where a padding of `before` and `after` in `mode` reads each output
/// position of one dimension of `size` from (none for zeros outside).
AxisMap paddingMap(PaddingMode mode, int64_t before, int64_t after, int64_t size) {
  AxisMap map(before + size + after, size);
  for (int64_t o = 0; o < map.outSize; ++o) {
    int64_t i = o - before;
    switch (mode) {
    case PaddingMode::Zeros:
    case PaddingMode::Valid:
      if (i < 0 || i >= size)
        continue;
      break;
    case PaddingMode::Replicate:
      i = std::clamp<int64_t>(i, 0, size - 1);
      break;
    case PaddingMode::Circular:
      i = ((i % size) + size) % size;
      break;
    case PaddingMode::Reflect:
      i = size - 1 - std::abs(size - 1 - std::abs(i));
      break;
    }
    map.at(o, i) += 1.0f;
  }
  return map;
}

/// The gradient of a padding [top, left, bottom, right] of `inputShape` in
/// `mode`: the inner window for zeros, the copies summed back otherwise.
Value paddingGradient(OpBuilder &b, Location loc, Value outputGrad,
                      ArrayRef<int64_t> inputShape, ArrayRef<int64_t> padding,
                      PaddingMode mode) {
  if (mode == PaddingMode::Zeros || mode == PaddingMode::Valid)
    return createInferred<CropOp>(b, loc, outputGrad,
                                  {i64Array(b, "offsets", {padding[0], padding[1]}),
                                   i64Array(b, "sizes", inputShape.drop_front(2))});
  return separableAdjoint(b, loc, outputGrad, inputShape,
                          paddingMap(mode, padding[0], padding[2], inputShape[2]),
                          paddingMap(mode, padding[1], padding[3], inputShape[3]));
}

/// Reverses the last dimension (a true convolution's kernel): a dense layer
/// by the exchange matrix.
Value mirrorLastDimension(OpBuilder &b, Location loc, Value value) {
  ArrayRef<int64_t> shape = shapeOf(value);
  int64_t length = shape.back();
  AxisMap exchange(length, length);
  for (int64_t k = 0; k < length; ++k)
    exchange.at(k, length - 1 - k) = 1.0f;
  Value rows = reshape(b, loc, value, {ShapedType::getNumElements(shape) / length, length});
  return reshape(b, loc, denseByConstant(b, loc, rows, length, exchange.matrix), shape);
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

/// The filter gradient of a grouped convolution: each group's filters see
/// their group's input channels only, so each group's gradient is its own,
/// from its slices of the input and the output gradient; the groups'
/// gradients stack along the filters.
Value groupedFilterGradient(OpBuilder &b, Location loc, Value input, Value outputGrad,
                            int64_t groups, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
                            ArrayRef<int64_t> kernel) {
  if (groups == 1)
    return filterGradient(b, loc, input, outputGrad, strides, padding, dilations, kernel);
  auto channelSlice = [&](Value value, int64_t group) {
    SmallVector<int64_t> sizes(shapeOf(value));
    sizes[1] /= groups;
    SmallVector<int64_t> offsets = {0, group * sizes[1], 0, 0};
    return createInferred<SliceOp>(
        b, loc, value, {i64Array(b, "offsets", offsets), i64Array(b, "sizes", sizes)});
  };
  SmallVector<Value> perGroup;
  for (int64_t g = 0; g < groups; ++g)
    perGroup.push_back(filterGradient(b, loc, channelSlice(input, g),
                                      channelSlice(outputGrad, g), strides, padding,
                                      dilations, kernel));
  return createInferred<ConcatOp>(b, loc, perGroup,
                                  {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
}

LogicalResult gradientOf(Conv2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  PaddingMode mode = op.getPaddingMode();
  if (mode != PaddingMode::Zeros && mode != PaddingMode::Valid) {
    // Copies of the border (replicate, circular, reflect): the rules of the
    // same convolution without padding over the padded input, the copies'
    // gradients then summed back.
    ArrayRef<int64_t> padding = op.getPadding();
    Value padded = createInferred<PadOp>(
        b, loc, op.getInput(),
        {i64Array(b, "padding", padding),
         b.getNamedAttr("mode", PaddingModeAttr::get(b.getContext(), mode)),
         b.getNamedAttr("value", b.getF64FloatAttr(0.0))});
    auto unpadded = cast<Conv2dOp>(b.clone(*op));
    unpadded.getInputMutable().assign(padded);
    unpadded.setPadding(ArrayRef<int64_t>{0, 0, 0, 0});
    unpadded.setPaddingMode(PaddingMode::Zeros);
    size_t first = grads.size();
    LogicalResult built = gradientOf(unpadded, b, outputGrad, grads);
    unpadded.erase();
    if (failed(built))
      return failure();
    grads[first] = paddingGradient(b, loc, grads[first], shapeOf(op.getInput()), padding, mode);
    return success();
  }
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

  // Filter: per group; with a table, the table's entries of the dense one.
  Value filterGrad = groupedFilterGradient(b, loc, op.getInput(), outputGrad, groups, strides,
                                           padding, dilations, w.drop_front(2));
  if (table)
    filterGrad = GatherConnectionsOp::create(b, loc, op.getWeight().getType(), filterGrad,
                                             table);
  grads.push_back(filterGrad);
  if (op.getBias())
    grads.push_back(createInferred<ReduceSumOp>(b, loc, outputGrad,
                                                {i64Array(b, "axes", {0, 2, 3})}));
  return success();
}

/// A 1-D convolution is the 2-D one over a single row (its kernel mirrored
/// first for a true convolution): that convolution's rules, read back as
/// rows.
LogicalResult gradientOf(Conv1dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  auto asRow = [&](Value value) {
    ArrayRef<int64_t> shape = shapeOf(value);
    return reshape(b, loc, value, {shape[0], shape[1], 1, shape[2]});
  };
  Value weight = op.getWeight();
  if (op.getTrueConvolution())
    weight = mirrorLastDimension(b, loc, weight);
  SmallVector<Value> operands = {asRow(op.getInput()), asRow(weight)};
  if (op.getBias())
    operands.push_back(op.getBias());
  ArrayRef<int64_t> padding = op.getPadding();
  auto row = cast<Conv2dOp>(createInferred<Conv2dOp>(
      b, loc, operands,
      {i64Array(b, "strides", {1, op.getStrides()[0]}),
       i64Array(b, "padding", {0, padding[0], 0, padding[1]}),
       i64Array(b, "dilations", {1, op.getDilations()[0]}),
       b.getNamedAttr("groups", op.getGroupsAttr()),
       b.getNamedAttr("padding_mode", PaddingModeAttr::get(b.getContext(), PaddingMode::Zeros))})
                            .getDefiningOp());
  SmallVector<Value> rowGrads;
  LogicalResult built = gradientOf(row, b, asRow(outputGrad), rowGrads);
  row.erase();
  if (failed(built))
    return failure();
  grads.push_back(reshape(b, loc, rowGrads[0], shapeOf(op.getInput())));
  Value weightGrad = reshape(b, loc, rowGrads[1], shapeOf(op.getWeight()));
  grads.push_back(op.getTrueConvolution() ? mirrorLastDimension(b, loc, weightGrad)
                                          : weightGrad);
  if (op.getBias())
    grads.push_back(rowGrads[2]);
  return success();
}

/// A transposed convolution is the adjoint of the convolution with its
/// attributes and filters [C_in, C_out, KH, KW] read as [F, C]: the input's
/// gradient is that convolution of the output's gradient, and the filter's
/// gradient the convolution's filter gradient with the roles of input and
/// output exchanged.
LogicalResult gradientOf(ConvTranspose2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding(),
                    dilations = op.getDilations();
  grads.push_back(createInferred<Conv2dOp>(
      b, loc, {outputGrad, op.getWeight()},
      {i64Array(b, "strides", strides), i64Array(b, "padding", padding),
       i64Array(b, "dilations", dilations), b.getNamedAttr("groups", op.getGroupsAttr()),
       b.getNamedAttr("padding_mode", PaddingModeAttr::get(b.getContext(), PaddingMode::Zeros))}));
  grads.push_back(groupedFilterGradient(b, loc, outputGrad, op.getInput(), op.getGroups(),
                                        strides, padding, dilations,
                                        shapeOf(op.getWeight()).drop_front(2)));
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

/// Adaptive average pooling's windows along one dimension (PyTorch's rule):
/// output o averages inputs floor(o * in / out) to ceil((o + 1) * in / out) - 1.
AxisMap adaptiveAverageMap(int64_t out, int64_t in) {
  AxisMap map(out, in);
  for (int64_t o = 0; o < out; ++o) {
    int64_t begin = o * in / out, end = ((o + 1) * in + out - 1) / out;
    for (int64_t i = begin; i < end; ++i)
      map.at(o, i) = 1.0f / float(end - begin);
  }
  return map;
}

LogicalResult gradientOf(AdaptiveAvgPool2dOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), size = op.getOutputSize();
  if (in[2] % size[0] != 0 || in[3] % size[1] != 0) {
    // Windows of different sizes that may overlap: each a row and a column
    // average, so the map is separable.
    grads.push_back(separableAdjoint(b, op.getLoc(), outputGrad, in,
                                     adaptiveAverageMap(size[0], in[2]),
                                     adaptiveAverageMap(size[1], in[3])));
    return success();
  }
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
  grads.push_back(reshape(b, op.getLoc(), outputGrad, shapeOf(op.getInput())));
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

/// Bilinear interpolation along one dimension by `scale` (pixel centres at
/// half-integers, as the forward lowering): output o reads the two inputs
/// around max((o + 0.5) / scale - 0.5, 0), clamped to the last.
AxisMap bilinearMap(int64_t in, int64_t scale) {
  AxisMap map(in * scale, in);
  for (int64_t o = 0; o < map.outSize; ++o) {
    float source = std::max((float(o) + 0.5f) / float(scale) - 0.5f, 0.0f);
    float floor = std::floor(source), weight = source - floor;
    int64_t low = std::min<int64_t>(int64_t(floor), in - 1);
    int64_t high = std::min<int64_t>(int64_t(floor) + 1, in - 1);
    map.at(o, low) += 1.0f - weight;
    map.at(o, high) += weight;
  }
  return map;
}

LogicalResult gradientOf(UpsampleOp op, OpBuilder &b, Value outputGrad,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> in = shapeOf(op.getInput()), scale = op.getScaleFactors();
  if (op.getMode() == UpsampleMode::Bilinear) {
    grads.push_back(separableAdjoint(b, loc, outputGrad, in, bilinearMap(in[2], scale[0]),
                                     bilinearMap(in[3], scale[1])));
    return success();
  }
  // Each input element was copied to a scale_h x scale_w block: its
  // gradient is the block's sum, over the block's own dimensions of
  // [N * C, H, scale_h, W, scale_w].
  Value blocks =
      reshape(b, loc, outputGrad, {in[0] * in[1], in[2], scale[0], in[3], scale[1]});
  Value sums = createInferred<ReduceSumOp>(b, loc, blocks, {i64Array(b, "axes", {2, 4})});
  grads.push_back(reshape(b, loc, sums, in));
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
  grads.push_back(paddingGradient(b, op.getLoc(), outputGrad, shapeOf(op.getInput()),
                                  op.getPadding(), op.getMode()));
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
    attachGradientRules<Conv2dOp, Conv1dOp, ConvTranspose2dOp, DenseOp, BatchNormTrainOp,
                        LocalResponseNormOp, ReluOp, LeakyReluOp, TanhOp, SigmoidOp,
                        SiluOp, SoftmaxOp, DropoutOp, DropoutTrainOp, AvgPool2dOp, GlobalAvgPoolOp,
                        AdaptiveAvgPool2dOp, MaxPool2dOp, FlattenOp, ReshapeOp, UpsampleOp, AddOp,
                        ConcatOp, CropOp, PadOp>(context);
  });
}
