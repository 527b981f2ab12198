//===- CnnOps.cpp - Ops of the cnn dialect --------------------------------===//
//
// Each op's shape rules live in its inferReturnTypes: the verifier checks a
// parsed op against them and the frontend calls them before it builds an op,
// so a rule is written once and a layer that breaks it gets a message naming
// the shapes involved.
//
//===----------------------------------------------------------------------===//

#include "dialects/Cnn/IR/CnnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// The largest stride, padding, dilation or window size an op accepts.
constexpr int64_t kMaxAttributeValue = int64_t(1) << 31;

/// Formats a shape the way messages show it: 1x3x32x32.
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, "x");
  return text;
}

/// Collects the shape errors of one op, prefixed like Operation::emitOpError,
/// at the location inference was given (none when a caller only probes).
class ShapeChecker {
public:
  ShapeChecker(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args>
  LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  /// Returns the type of `value` if it is a statically shaped float tensor of
  /// one of `ranks`; otherwise reports what `role` ("input", "weight") should
  /// look like (`layout`, e.g. "[N, C, H, W]").
  FailureOr<RankedTensorType> tensor(Value value, StringRef role,
                                     ArrayRef<int64_t> ranks,
                                     StringRef layout) const {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || !type.hasStaticShape() ||
        !isa<FloatType>(type.getElementType()))
      return fail(role, " must be a statically shaped tensor of floats, got ",
                  value.getType());
    if (!llvm::is_contained(ranks, type.getRank()))
      return fail(role, " must be ", layout, ", got a ", type.getRank(),
                  "-D tensor of shape ", formatShape(type.getShape()));
    return type;
  }

  /// tensor() for the ops that take any rank from 1 to 5.
  FailureOr<RankedTensorType> anyRank(Value value, StringRef role) const {
    return tensor(value, role, {1, 2, 3, 4, 5}, "a tensor of rank 1 to 5");
  }

  LogicalResult sameElementType(RankedTensorType reference, Value other,
                                StringRef role) const {
    Type element = cast<ShapedType>(other.getType()).getElementType();
    if (element != reference.getElementType())
      return fail(role, " has element type ", element, " but the input has ",
                  reference.getElementType());
    return success();
  }

  /// Checks that a per-channel vector (bias, batch norm statistics) is [C].
  LogicalResult channelVector(Value value, StringRef role, int64_t channels,
                              RankedTensorType input) const {
    FailureOr<RankedTensorType> type = tensor(value, role, {1}, "[C]");
    if (failed(type) || failed(sameElementType(input, value, role)))
      return failure();
    if (type->getDimSize(0) != channels)
      return fail(role, " must have ", channels,
                  " elements (one per channel), got ", type->getDimSize(0));
    return success();
  }

  /// A batch norm's epsilon: finite and not negative.
  LogicalResult epsilon(double value) const {
    if (!(value >= 0.0) || std::isinf(value))
      return fail("epsilon must be a finite non-negative number, got ", value);
    return success();
  }

  /// Checks that `values` has `size` entries, each at least `minimum` and
  /// at most 2^31, which keeps the shape arithmetic within 64 bits.
  LogicalResult sizes(ArrayRef<int64_t> values, StringRef name, size_t size,
                      int64_t minimum) const {
    if (values.size() != size)
      return fail(name, " must have ", size, " entries, got ", values.size());
    for (int64_t v : values) {
      if (v < minimum)
        return fail(name, " must be ",
                    minimum == 0 ? "non-negative" : "positive", ", got [",
                    llvm::make_range(values.begin(), values.end()), "]");
      if (v > kMaxAttributeValue)
        return fail(name, " must be at most ", kMaxAttributeValue, ", got [",
                    llvm::make_range(values.begin(), values.end()), "]");
    }
    return success();
  }

  /// The operands and attributes every convolution shares: a feature map
  /// with `spatialDims` spatial dimensions ([N, C, L] or [N, C, H, W]), a
  /// weight of the same rank (`weightLayout` in messages) and element type,
  /// strides, dilations, padding and groups in range. Returns the input and
  /// weight types.
  FailureOr<std::pair<RankedTensorType, RankedTensorType>>
  convolution(Value input, Value weight, StringRef weightLayout,
              ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
              ArrayRef<int64_t> padding, int64_t groups,
              int64_t spatialDims = 2) const {
    int64_t rank = 2 + spatialDims;
    FailureOr<RankedTensorType> inputType = tensor(
        input, "input", {rank}, spatialDims == 1 ? "[N, C, L]" : "[N, C, H, W]");
    if (failed(inputType))
      return failure();
    FailureOr<RankedTensorType> weightType =
        tensor(weight, "weight", {rank}, weightLayout);
    if (failed(weightType) ||
        failed(sameElementType(*inputType, weight, "weight")) ||
        failed(sizes(strides, "strides", spatialDims, 1)) ||
        failed(sizes(dilations, "dilations", spatialDims, 1)) ||
        failed(sizes(padding,
                     spatialDims == 1 ? "padding [left, right]"
                                      : "padding [top, left, bottom, right]",
                     2 * spatialDims, 0)))
      return failure();
    if (groups < 1 || groups > kMaxAttributeValue)
      return fail("groups must be from 1 to ", kMaxAttributeValue, ", got ",
                  groups);
    return std::make_pair(*inputType, *weightType);
  }

  /// Checks that circular `padding` [top, left, bottom, right] of the
  /// feature map `in` [N, C, H, W] wraps around at most once.
  LogicalResult circularPadding(ArrayRef<int64_t> padding,
                                ArrayRef<int64_t> in) const {
    if (padding[0] > in[2] || padding[2] > in[2] || padding[1] > in[3] ||
        padding[3] > in[3])
      return fail("circular padding [",
                  llvm::make_range(padding.begin(), padding.end()),
                  "] wraps around more than once on an input of ", in[2], "x",
                  in[3]);
    return success();
  }

  /// Checks that reflect `padding` [top, left, bottom, right] of the feature
  /// map `in` [N, C, H, W] stays inside it: less than its size on each side.
  LogicalResult reflectPadding(ArrayRef<int64_t> padding, ArrayRef<int64_t> in) const {
    if (padding[0] >= in[2] || padding[2] >= in[2] || padding[1] >= in[3] ||
        padding[3] >= in[3])
      return fail("reflect padding [", llvm::make_range(padding.begin(), padding.end()),
                  "] must be less than the input's size on each side, ", in[2], "x",
                  in[3]);
    return success();
  }

  /// Checks the padding `mode` asks of `padding` on the feature map `in`.
  LogicalResult paddingFits(PaddingMode mode, ArrayRef<int64_t> padding,
                            ArrayRef<int64_t> in) const {
    if (mode == PaddingMode::Circular)
      return circularPadding(padding, in);
    if (mode == PaddingMode::Reflect)
      return reflectPadding(padding, in);
    return success();
  }

  /// convolution() on the operands and attributes of a convolution op.
  template <typename ConvAdaptor>
  FailureOr<std::pair<RankedTensorType, RankedTensorType>>
  convolution(ConvAdaptor adaptor, StringRef weightLayout,
              int64_t spatialDims = 2) const {
    return convolution(adaptor.getInput(), adaptor.getWeight(), weightLayout,
                       adaptor.getStrides(), adaptor.getDilations(),
                       adaptor.getPadding(), adaptor.getGroups(), spatialDims);
  }

  /// Checks that `groups` divides the input channels of `in` and the filters
  /// of `w` ([F, C / groups, ...]), and that `w` reads C / groups channels.
  LogicalResult groupedChannels(ArrayRef<int64_t> in, ArrayRef<int64_t> w,
                                int64_t groups) const {
    if (in[1] % groups != 0)
      return fail("input channels (", in[1], ") must be divisible by groups (",
                  groups, ")");
    if (w[0] % groups != 0)
      return fail("output channels (", w[0], ") must be divisible by groups (",
                  groups, ")");
    if (w[1] != in[1] / groups)
      return fail("weight of shape ", formatShape(w), " expects ", w[1] * groups,
                  " input channels, but the input has ", in[1], " (shape ",
                  formatShape(in), ", groups ", groups, ")");
    return success();
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

/// The product of `factors`, saturated at INT64_MAX: cost counts of absurd
/// shapes stay defined.
int64_t saturatingProduct(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t factor : factors)
    if (__builtin_mul_overflow(product, factor, &product))
      return std::numeric_limits<int64_t>::max();
  return product;
}

/// Output extent of a sliding window along one dimension, or failure when the
/// window does not fit into the padded input.
FailureOr<int64_t> windowOutputSize(const ShapeChecker &check, StringRef what,
                                    int64_t input, int64_t padBefore,
                                    int64_t padAfter, int64_t kernel,
                                    int64_t stride, int64_t dilation,
                                    bool ceilMode) {
  int64_t padded = input + padBefore + padAfter;
  int64_t extent = dilation * (kernel - 1) + 1;
  // Ceil mode also takes a window larger than the padded input, as PyTorch
  // does, while one window starts inside it.
  int64_t span = padded - extent;
  int64_t out = (ceilMode ? llvm::divideCeilSigned(span, stride) : span / stride) + 1;
  // A last window that would start in the trailing padding does not count.
  if (ceilMode && (out - 1) * stride >= input + padBefore)
    --out;
  if (span < 0 && (!ceilMode || out < 1)) {
    (void)check.fail(what, " of extent ", extent, " is larger than the padded input extent ", padded,
                     " (", input, " + padding ", padBefore, " + ", padAfter, ")");
    return failure();
  }
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// Conv2dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  int64_t groups = adaptor.getGroups();
  auto types = check.convolution(adaptor, "[F, C / groups, KH, KW]");
  if (failed(types))
    return failure();
  auto [input, weight] = *types;

  PaddingMode mode = adaptor.getPaddingMode();
  if (mode == PaddingMode::Valid && llvm::any_of(padding, [](int64_t p) { return p != 0; }))
    return check.fail("padding mode 'valid' takes no padding, got [",
                      llvm::make_range(padding.begin(), padding.end()), "]");

  ArrayRef<int64_t> in = input.getShape(), w = weight.getShape();
  int64_t channels = in[1], filters = w[0];
  if (auto table = adaptor.getConnectionsAttr()) {
    ArrayRef<int64_t> tableShape = table.getShapedType().getShape();
    if (tableShape.size() != 2)
      return check.fail("connections must be an [F, C] table, got shape ",
                        formatShape(tableShape));
    if (groups != 1)
      return check.fail("a convolution with a connection table has no groups, "
                        "got groups ", groups);
    if (tableShape[1] != channels)
      return check.fail("connection table of shape ", formatShape(tableShape),
                        " is for ", tableShape[1], " input channels, but the input has ",
                        channels);
    filters = tableShape[0];
    SmallVector<int64_t> perFilter(filters, 0);
    int64_t index = 0;
    for (bool connected : table.getValues<bool>())
      perFilter[index++ / channels] += connected;
    for (int64_t f = 0; f < filters; ++f)
      if (perFilter[f] == 0)
        return check.fail("output channel ", f, " of the connection table reads no input channel");
    int64_t count = llvm::sum_of(perFilter);
    if (w[0] != count || w[1] != 1)
      return check.fail("weight of shape ", formatShape(w), " does not match the connection table: it needs [",
                        count, ", 1, KH, KW], one filter per connection");
  } else if (failed(check.groupedChannels(in, w, groups))) {
    return failure();
  }
  if (Value bias = adaptor.getBias())
    if (failed(check.channelVector(bias, "bias", filters, input)))
      return failure();
  if (failed(check.paddingFits(mode, padding, in)))
    return failure();

  FailureOr<int64_t> height =
      windowOutputSize(check, "kernel height", in[2], padding[0], padding[2],
                       w[2], strides[0], dilations[0], false);
  if (failed(height))
    return failure();
  FailureOr<int64_t> width =
      windowOutputSize(check, "kernel width", in[3], padding[1], padding[3],
                       w[3], strides[1], dilations[1], false);
  if (failed(width))
    return failure();
  results.push_back(RankedTensorType::get({in[0], filters, *height, *width},
                                          input.getElementType()));
  return success();
}

int64_t Conv2dOp::getMultiplyAccumulates() {
  ArrayRef<int64_t> out = getOutput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  // With a connection table each of the w[0] filters feeds one output map.
  if (getConnections())
    return saturatingProduct({out[0], out[2], out[3], w[0], w[2], w[3]});
  return saturatingProduct({out[0], out[1], out[2], out[3], w[1], w[2], w[3]});
}

//===----------------------------------------------------------------------===//
// Conv1dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv1dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  auto types = check.convolution(adaptor, "[F, C / groups, K]", /*spatialDims=*/1);
  if (failed(types))
    return failure();
  auto [input, weight] = *types;
  ArrayRef<int64_t> in = input.getShape(), w = weight.getShape();
  if (failed(check.groupedChannels(in, w, adaptor.getGroups())))
    return failure();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (Value bias = adaptor.getBias())
    if (failed(check.channelVector(bias, "bias", w[0], input)))
      return failure();
  FailureOr<int64_t> length =
      windowOutputSize(check, "kernel", in[2], padding[0], padding[1], w[2],
                       adaptor.getStrides()[0], adaptor.getDilations()[0], false);
  if (failed(length))
    return failure();
  results.push_back(RankedTensorType::get({in[0], w[0], *length},
                                          input.getElementType()));
  return success();
}

int64_t Conv1dOp::getMultiplyAccumulates() {
  ArrayRef<int64_t> out = getOutput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  return saturatingProduct({out[0], out[1], out[2], w[1], w[2]});
}

//===----------------------------------------------------------------------===//
// ConvTranspose2dOp
//===----------------------------------------------------------------------===//

LogicalResult ConvTranspose2dOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  ArrayRef<int64_t> outputPadding = adaptor.getOutputPadding();
  int64_t groups = adaptor.getGroups();
  auto types = check.convolution(adaptor, "[C, F / groups, KH, KW]");
  if (failed(types) || failed(check.sizes(outputPadding, "output_padding", 2, 0)))
    return failure();
  auto [input, weight] = *types;
  for (int d = 0; d < 2; ++d)
    if (outputPadding[d] >= std::max(strides[d], dilations[d]))
      return check.fail("output_padding must be smaller than the stride or the "
                        "dilation, got [",
                        llvm::make_range(outputPadding.begin(), outputPadding.end()),
                        "]");
  ArrayRef<int64_t> in = input.getShape(), w = weight.getShape();
  if (w[0] != in[1])
    return check.fail("weight of shape ", formatShape(w), " expects ", w[0],
                      " input channels, but the input has ", in[1]);
  if (in[1] % groups != 0)
    return check.fail("input channels (", in[1],
                      ") must be divisible by groups (", groups, ")");
  int64_t filters = w[1] * groups;
  if (Value bias = adaptor.getBias())
    if (failed(check.channelVector(bias, "bias", filters, input)))
      return failure();
  SmallVector<int64_t> out = {in[0], filters, 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t size = (in[2 + d] - 1) * strides[d] + dilations[d] * (w[2 + d] - 1) +
                   outputPadding[d] + 1 - padding[d] - padding[d + 2];
    if (size < 1)
      return check.fail("padding [",
                        llvm::make_range(padding.begin(), padding.end()),
                        "] leaves no output ", d == 0 ? "rows" : "columns");
    out[2 + d] = size;
  }
  results.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

int64_t ConvTranspose2dOp::getMultiplyAccumulates() {
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  // Every input value meets every weight of its group once.
  return saturatingProduct({in[0], in[1], in[2], in[3], w[1], w[2], w[3]});
}

//===----------------------------------------------------------------------===//
// DenseOp
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.tensor(
      adaptor.getInput(), "input", {2}, "[N, K] (flatten a feature map first)");
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> weight =
      check.tensor(adaptor.getWeight(), "weight", {2}, "[M, K]");
  if (failed(weight) ||
      failed(check.sameElementType(*input, adaptor.getWeight(), "weight")))
    return failure();
  if (weight->getDimSize(1) != input->getDimSize(1))
    return check.fail("weight of shape ", formatShape(weight->getShape()),
                      " expects ", weight->getDimSize(1),
                      " input features, but the input has ",
                      input->getDimSize(1));
  int64_t features = weight->getDimSize(0);
  if (Value bias = adaptor.getBias())
    if (failed(check.channelVector(bias, "bias", features, *input)))
      return failure();
  results.push_back(RankedTensorType::get({input->getDimSize(0), features},
                                          input->getElementType()));
  return success();
}

int64_t DenseOp::getMultiplyAccumulates() {
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  return saturatingProduct({getInput().getType().getDimSize(0), w[0], w[1]});
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  ShapeChecker check(getLoc(), getOperationName());
  FailureOr<RankedTensorType> checked =
      check.tensor(getInput(), "input", {2, 3, 4, 5}, "[N, C] or [N, C, ...] (2-D to 5-D)");
  if (failed(checked))
    return failure();
  RankedTensorType input = *checked;
  int64_t channels = input.getDimSize(1);
  if (failed(check.channelVector(getScale(), "scale", channels, input)) ||
      failed(check.channelVector(getShift(), "shift", channels, input)) ||
      failed(check.channelVector(getMean(), "mean", channels, input)) ||
      failed(check.channelVector(getVariance(), "variance", channels, input)))
    return failure();
  return check.epsilon(getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// FoldBatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult FoldBatchNormOp::verify() {
  ShapeChecker check(getLoc(), getOperationName());
  FailureOr<RankedTensorType> checked =
      check.tensor(getWeight(), "weight", {2, 3, 4}, "[F, ...] (2-D to 4-D)");
  if (failed(checked))
    return failure();
  RankedTensorType weight = *checked;
  int64_t filters = weight.getDimSize(0);
  for (auto [value, role] :
       {std::pair{getBias(), "bias"}, {getScale(), "scale"}, {getShift(), "shift"},
        {getMean(), "mean"}, {getVariance(), "variance"}})
    if (failed(check.channelVector(value, role, filters, weight)))
      return failure();
  return check.epsilon(getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// LocalResponseNormOp
//===----------------------------------------------------------------------===//

/// The input and attributes of a local response normalisation or of its
/// gradient.
template <typename OpTy>
static LogicalResult verifyLocalResponseNorm(OpTy op, Value input) {
  ShapeChecker check(op.getLoc(), op.getOperationName());
  if (failed(check.tensor(input, "input", {3, 4}, "[N, C, L] or [N, C, H, W]")))
    return failure();
  int64_t size = op.getSize();
  if (size < 1)
    return op.emitOpError("size must be positive, got ") << size;
  for (auto [name, value] :
       {std::pair<StringRef, double>{"alpha", op.getAlpha().convertToDouble()},
        {"beta", op.getBeta().convertToDouble()},
        {"k", op.getK().convertToDouble()}})
    if (!std::isfinite(value))
      return op.emitOpError() << name << " must be finite, got " << value;
  if (op.getK().convertToDouble() <= 0.0)
    return op.emitOpError("k must be positive, got ") << op.getK().convertToDouble();
  return success();
}

LogicalResult LocalResponseNormOp::verify() {
  return verifyLocalResponseNorm(*this, getInput());
}

LogicalResult LocalResponseNormGradOp::verify() {
  return verifyLocalResponseNorm(*this, getInput());
}

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

LogicalResult LeakyReluOp::verify() {
  double slope = getNegativeSlope().convertToDouble();
  if (!std::isfinite(slope))
    return emitOpError("negative_slope must be finite, got ") << slope;
  return success();
}

/// An axis of a softmax or log-softmax input.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ") << axis << " is out of range for a " << rank
                                    << "-D input";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType().getRank());
}

/// Attributes that must be finite numbers.
static LogicalResult verifyFinite(Operation *op,
                                  ArrayRef<std::pair<StringRef, double>> attributes) {
  for (auto [name, value] : attributes)
    if (!std::isfinite(value))
      return op->emitOpError() << name << " must be finite, got " << value;
  return success();
}

LogicalResult EluOp::verify() {
  return verifyFinite(*this, {{"alpha", getAlpha().convertToDouble()},
                              {"scale", getScale().convertToDouble()}});
}

LogicalResult HardSigmoidOp::verify() {
  return verifyFinite(*this, {{"alpha", getAlpha().convertToDouble()},
                              {"beta", getBeta().convertToDouble()}});
}

LogicalResult ClipOp::verify() {
  double min = getMin().convertToDouble(), max = getMax().convertToDouble();
  if (std::isnan(min) || std::isnan(max) || min > max)
    return emitOpError("needs min <= max, got min ") << min << " and max " << max;
  return success();
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must be in [0, 1), got ") << rate;
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The output shape of a 2-D pooling of an `input` [N, C, H, W] with these
/// window attributes.
static FailureOr<SmallVector<int64_t>>
pool2dOutputShape(const ShapeChecker &check, RankedTensorType input,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> padding, bool ceilMode) {
  if (failed(check.sizes(kernel, "kernel_size", 2, 1)) ||
      failed(check.sizes(strides, "strides", 2, 1)) ||
      failed(check.sizes(padding, "padding [top, left, bottom, right]", 4, 0)))
    return failure();
  // As in PyTorch: more padding would allow windows made only of padding.
  for (int i = 0; i < 4; ++i)
    if (padding[i] > kernel[i % 2] / 2)
      return check.fail("padding [",
                        llvm::make_range(padding.begin(), padding.end()),
                        "] must be at most half the kernel size ",
                        kernel[0], "x", kernel[1]);
  ArrayRef<int64_t> in = input.getShape();
  FailureOr<int64_t> height =
      windowOutputSize(check, "window height", in[2], padding[0], padding[2],
                       kernel[0], strides[0], 1, ceilMode);
  if (failed(height))
    return failure();
  FailureOr<int64_t> width =
      windowOutputSize(check, "window width", in[3], padding[1], padding[3],
                       kernel[1], strides[1], 1, ceilMode);
  if (failed(width))
    return failure();
  return SmallVector<int64_t>{in[0], in[1], *height, *width};
}

template <typename PoolAdaptor>
static LogicalResult inferPool2d(std::optional<Location> loc, StringRef opName,
                                 PoolAdaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, opName);
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      pool2dOutputShape(check, *input, adaptor.getKernelSize(), adaptor.getStrides(),
                        adaptor.getPadding(), adaptor.getCeilMode());
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, input->getElementType()));
  return success();
}

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPool2d(loc, getOperationName(), adaptor, results);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPool2d(loc, getOperationName(), adaptor, results);
}

LogicalResult AdaptiveAvgPool2dOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> size = adaptor.getOutputSize();
  if (failed(check.sizes(size, "output_size", 2, 1)))
    return failure();
  results.push_back(RankedTensorType::get(
      {input->getDimSize(0), input->getDimSize(1), size[0], size[1]},
      input->getElementType()));
  return success();
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  results.push_back(RankedTensorType::get(
      {input->getDimSize(0), input->getDimSize(1), 1, 1},
      input->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape and graph ops
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.tensor(
      adaptor.getInput(), "input", {2, 3, 4, 5}, "[N, ...] of rank 2 to 5");
  if (failed(input))
    return failure();
  int64_t features = 1;
  for (int64_t dim : input->getShape().drop_front())
    features *= dim;
  results.push_back(RankedTensorType::get({input->getDimSize(0), features},
                                          input->getElementType()));
  return success();
}

LogicalResult UpsampleOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> scale = adaptor.getScaleFactors();
  if (failed(check.sizes(scale, "scale_factors", 2, 1)))
    return failure();
  ArrayRef<int64_t> in = input->getShape();
  results.push_back(RankedTensorType::get(
      {in[0], in[1], in[2] * scale[0], in[3] * scale[1]}, input->getElementType()));
  return success();
}

LogicalResult CropOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes();
  if (failed(check.sizes(offsets, "offsets", 2, 0)) ||
      failed(check.sizes(sizes, "sizes", 2, 1)))
    return failure();
  ArrayRef<int64_t> in = input->getShape();
  if (offsets[0] + sizes[0] > in[2] || offsets[1] + sizes[1] > in[3])
    return check.fail("a window of ", sizes[0], "x", sizes[1], " at [",
                      offsets[0], ", ", offsets[1], "] does not fit an input of ",
                      in[2], "x", in[3]);
  results.push_back(RankedTensorType::get({in[0], in[1], sizes[0], sizes[1]},
                                          input->getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      check.tensor(adaptor.getInput(), "input", {4}, "[N, C, H, W]");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (failed(check.sizes(padding, "padding [top, left, bottom, right]", 4, 0)))
    return failure();
  ArrayRef<int64_t> in = input->getShape();
  PaddingMode mode = adaptor.getMode();
  if (mode == PaddingMode::Valid)
    return check.fail("mode 'valid' does not pad; use zeros, replicate, reflect or circular");
  if (failed(check.paddingFits(mode, padding, in)))
    return failure();
  results.push_back(RankedTensorType::get(
      {in[0], in[1], in[2] + padding[0] + padding[2], in[3] + padding[1] + padding[3]},
      input->getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.anyRank(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (shape.empty() || shape.size() > 5)
    return check.fail("shape must have 1 to 5 entries, got ", shape.size());
  if (failed(check.sizes(shape, "shape", shape.size(), 1)))
    return failure();
  int64_t count = saturatingProduct({});
  for (int64_t dim : shape)
    count = saturatingProduct({count, dim});
  if (count != input->getNumElements())
    return check.fail("shape [", llvm::make_range(shape.begin(), shape.end()),
                      "] holds ", count, " elements, the input ",
                      input->getNumElements());
  results.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

/// The result type of an element-wise op of two operands broadcast by
/// NumPy's rule (add, sub, mul, div, prelu).
static LogicalResult inferBroadcastType(std::optional<Location> loc, StringRef opName,
                                        Value lhsValue, Value rhsValue,
                                        SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, opName);
  FailureOr<RankedTensorType> lhs = check.anyRank(lhsValue, "first operand");
  if (failed(lhs))
    return failure();
  FailureOr<RankedTensorType> rhs = check.anyRank(rhsValue, "second operand");
  if (failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return check.fail("operands must have one element type, got ", *lhs, " and ", *rhs);
  // NumPy's rule, from the last dimension.
  ArrayRef<int64_t> a = lhs->getShape(), b = rhs->getShape();
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (x != y && x != 1 && y != 1)
      return check.fail("the first operand of shape ", formatShape(a),
                        " and the second of shape ", formatShape(b),
                        " do not broadcast: dimension ", rank - 1 - i, " is ", x,
                        " and ", y, " (sizes must be equal, or one of them 1)");
    shape[rank - 1 - i] = x == 1 ? y : x;
  }
  results.push_back(RankedTensorType::get(shape, lhs->getElementType()));
  return success();
}

#define CNN_BROADCAST_INFERENCE(OP)                                                \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,    \
                                     Adaptor adaptor, SmallVectorImpl<Type> &results) { \
    return inferBroadcastType(loc, getOperationName(), adaptor.getLhs(),            \
                              adaptor.getRhs(), results);                            \
  }
CNN_BROADCAST_INFERENCE(AddOp)
CNN_BROADCAST_INFERENCE(SubOp)
CNN_BROADCAST_INFERENCE(MulOp)
CNN_BROADCAST_INFERENCE(DivOp)
#undef CNN_BROADCAST_INFERENCE

LogicalResult PReluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (failed(inferBroadcastType(loc, getOperationName(), adaptor.getLhs(), adaptor.getRhs(),
                                results)))
    return failure();
  if (results.back() != adaptor.getLhs().getType())
    return ShapeChecker(loc, getOperationName())
        .fail("the slope of shape ",
              formatShape(cast<RankedTensorType>(adaptor.getRhs().getType()).getShape()),
              " must broadcast to the input's shape ",
              formatShape(cast<RankedTensorType>(adaptor.getLhs().getType()).getShape()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return check.fail("needs at least one input");
  FailureOr<RankedTensorType> first = check.anyRank(inputs.front(), "input 0");
  if (failed(first))
    return failure();
  int64_t rank = first->getRank();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return check.fail("axis ", axis, " is out of range for ", rank,
                      "-D inputs");
  SmallVector<int64_t> shape(first->getShape());
  for (auto [index, value] : llvm::enumerate(inputs.drop_front())) {
    std::string role = "input " + std::to_string(index + 1);
    FailureOr<RankedTensorType> type =
        check.tensor(value, role, {rank}, "of the rank of input 0");
    if (failed(type) || failed(check.sameElementType(*first, value, role)))
      return failure();
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      if (type->getDimSize(d) != shape[d])
        return check.fail("input ", index + 1, " of shape ",
                          formatShape(type->getShape()),
                          " does not match input 0 of shape ",
                          formatShape(first->getShape()),
                          " outside the concatenation axis ", axis);
    }
    shape[axis] += type->getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Gradient, loss and optimizer ops
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.anyRank(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  int64_t rank = input->getRank();
  SmallVector<bool> seen(rank, false);
  if (static_cast<int64_t>(permutation.size()) != rank)
    return check.fail("permutation must have ", rank, " entries, got ",
                      permutation.size());
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation) {
    if (dim < 0 || dim >= rank || seen[dim])
      return check.fail("permutation [",
                        llvm::make_range(permutation.begin(), permutation.end()),
                        "] is not a permutation of 0 to ", rank - 1);
    seen[dim] = true;
    shape.push_back(input->getDimSize(dim));
  }
  results.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.anyRank(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes();
  size_t rank = input->getRank();
  if (failed(check.sizes(offsets, "offsets", rank, 0)) ||
      failed(check.sizes(sizes, "sizes", rank, 1)))
    return failure();
  for (size_t d = 0; d < rank; ++d)
    if (offsets[d] + sizes[d] > input->getDimSize(d))
      return check.fail("the slice at offsets [",
                        llvm::make_range(offsets.begin(), offsets.end()),
                        "] of sizes [", llvm::make_range(sizes.begin(), sizes.end()),
                        "] leaves the input of shape ",
                        formatShape(input->getShape()));
  results.push_back(RankedTensorType::get(sizes, input->getElementType()));
  return success();
}

LogicalResult ReduceSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  ShapeChecker check(loc, getOperationName());
  FailureOr<RankedTensorType> input = check.anyRank(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> axes = adaptor.getAxes();
  int64_t rank = input->getRank();
  if (axes.empty() || !llvm::is_sorted(axes) ||
      std::adjacent_find(axes.begin(), axes.end()) != axes.end() ||
      axes.front() < 0 || axes.back() >= rank)
    return check.fail("axes [", llvm::make_range(axes.begin(), axes.end()),
                      "] must be strictly increasing dimensions of the ", rank,
                      "-D input");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(input->getDimSize(d));
  if (shape.empty())
    shape.push_back(1);
  results.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult SoftmaxGradOp::verify() {
  int64_t axis = getAxis(), rank = getValue().getType().getRank();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for a " << rank
                                << "-D input";
  return success();
}

/// Checks `weight` [count, 1, KH, KW] against `filters` [F, C, KH, KW] and
/// the [F, C] connection table with `count` true entries.
static LogicalResult verifyConnections(Operation *op, RankedTensorType weight,
                                       RankedTensorType filters, DenseIntElementsAttr table) {
  ArrayRef<int64_t> tableShape = table.getType().getShape();
  if (tableShape.size() != 2)
    return op->emitOpError("connections must be an [F, C] table, got shape ")
           << formatShape(tableShape);
  int64_t count = llvm::count(table.getValues<bool>(), true);
  ArrayRef<int64_t> w = weight.getShape(), f = filters.getShape();
  if (w[0] != count || w[1] != 1)
    return op->emitOpError("weight of shape ")
           << formatShape(w) << " does not match the connection table: it needs ["
           << count << ", 1, KH, KW]";
  if (f[0] != tableShape[0] || f[1] != tableShape[1] || f[2] != w[2] || f[3] != w[3])
    return op->emitOpError("filters of shape ")
           << formatShape(f) << " are not [" << tableShape[0] << ", " << tableShape[1]
           << ", " << w[2] << ", " << w[3] << "]";
  if (weight.getElementType() != filters.getElementType())
    return op->emitOpError("weight and filters must have one element type");
  return success();
}

LogicalResult ExpandConnectionsOp::verify() {
  return verifyConnections(*this, getWeight().getType(), getFilters().getType(),
                           cast<DenseIntElementsAttr>(getConnections()));
}

LogicalResult GatherConnectionsOp::verify() {
  return verifyConnections(*this, getWeight().getType(), getFilters().getType(),
                           cast<DenseIntElementsAttr>(getConnections()));
}

/// Checks that the gradient of a pooling's output has the shape the pooling
/// of an input like `inputGrad` gives.
template <typename PoolGradOp>
static LogicalResult verifyPool2dGrad(PoolGradOp op) {
  ShapeChecker check(op.getLoc(), op.getOperationName());
  auto inputType = op.getInputGrad().getType();
  FailureOr<SmallVector<int64_t>> shape =
      pool2dOutputShape(check, inputType, op.getKernelSize(), op.getStrides(),
                        op.getPadding(), op.getCeilMode());
  if (failed(shape))
    return failure();
  ArrayRef<int64_t> outputShape = op.getOutputGrad().getType().getShape();
  if (ArrayRef<int64_t>(*shape) != outputShape)
    return op.emitOpError("output_grad of shape ")
           << formatShape(outputShape) << " is not the "
           << formatShape(*shape) << " this window makes of an input of shape "
           << formatShape(inputType.getShape());
  if (op.getOutputGrad().getType().getElementType() != inputType.getElementType())
    return op.emitOpError("output_grad and input_grad must have one element type");
  return success();
}

LogicalResult AvgPool2dGradOp::verify() { return verifyPool2dGrad(*this); }

LogicalResult MaxPool2dGradOp::verify() { return verifyPool2dGrad(*this); }

/// Checks an [N, C, ...] input of a batch norm in training against its
/// per-channel vectors; `values`, the count each channel's statistics are
/// taken over, must be above 1 for the variance to mean something.
static LogicalResult verifyBatchNormTraining(Operation *op, Value input,
                                             Value channelVector) {
  ShapeChecker check(op->getLoc(), op->getName().getStringRef());
  FailureOr<RankedTensorType> checked =
      check.tensor(input, "input", {2, 3, 4, 5}, "[N, C] or [N, C, ...] (2-D to 5-D)");
  if (failed(checked) ||
      failed(check.channelVector(channelVector, "scale", checked->getDimSize(1), *checked)))
    return failure();
  int64_t values = checked->getNumElements() / checked->getDimSize(1);
  if (values < 2)
    return check.fail("needs more than one value per channel to take the batch's "
                      "statistics, got ", values, " (input of shape ",
                      formatShape(checked->getShape()), ")");
  return success();
}

LogicalResult BatchNormTrainOp::verify() {
  if (failed(verifyBatchNormTraining(*this, getInput(), getScale())))
    return failure();
  ShapeChecker check(getLoc(), getOperationName());
  if (failed(check.epsilon(getEpsilon().convertToDouble())))
    return failure();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError("momentum must be in [0, 1], got ") << momentum;
  return success();
}

LogicalResult BatchNormGradOp::verify() {
  return verifyBatchNormTraining(*this, getInput(), getScale());
}

LogicalResult DropoutTrainOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must be in [0, 1), got ") << rate;
  int64_t stream = getStream();
  if (stream < 0 || stream > std::numeric_limits<uint32_t>::max())
    return emitOpError("stream must be a 32-bit unsigned number, got ") << stream;
  int64_t count = getInput().getType().getNumElements();
  if (count > std::numeric_limits<uint32_t>::max())
    return emitOpError("numbers its elements with 32 bits; the input has ") << count;
  return success();
}

/// Checks logits [N, K] against labels [N] of their element type.
static LogicalResult verifyLabels(Operation *op, RankedTensorType logits,
                                  RankedTensorType labels) {
  if (labels.getDimSize(0) != logits.getDimSize(0))
    return op->emitOpError("labels must have one entry per row of the logits (")
           << logits.getDimSize(0) << "), got " << labels.getDimSize(0);
  if (labels.getElementType() != logits.getElementType())
    return op->emitOpError("labels must have the logits' element type");
  return success();
}

static LogicalResult verifyLabelSmoothing(Operation *op, double smoothing) {
  if (!(smoothing >= 0.0 && smoothing <= 1.0))
    return op->emitOpError("label_smoothing must be in [0, 1], got ") << smoothing;
  return success();
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (failed(verifyLabels(*this, getLogits().getType(), getLabels().getType())))
    return failure();
  return verifyLabelSmoothing(*this, getLabelSmoothing().convertToDouble());
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  if (failed(verifyLabels(*this, getLogits().getType(), getLabels().getType())))
    return failure();
  return verifyLabelSmoothing(*this, getLabelSmoothing().convertToDouble());
}

LogicalResult CorrectCountOp::verify() {
  return verifyLabels(*this, getLogits().getType(), getLabels().getType());
}

/// Learning rates and coefficients: finite, and not negative.
static LogicalResult verifyCoefficients(
    Operation *op, std::initializer_list<std::pair<StringRef, APFloat>> values) {
  for (auto [name, value] : values) {
    double v = value.convertToDouble();
    if (!std::isfinite(v) || v < 0.0)
      return op->emitOpError() << name << " must be a finite non-negative number, got "
                               << v;
  }
  return success();
}

LogicalResult SgdUpdateOp::verify() {
  if (failed(verifyCoefficients(*this, {{"learning_rate", getLearningRate()},
                                        {"momentum", getMomentum()},
                                        {"weight_decay", getWeightDecay()}})))
    return failure();
  bool momentum = !getMomentum().isZero();
  if (momentum != static_cast<bool>(getVelocity()))
    return emitOpError(momentum ? "with momentum takes a velocity"
                                : "without momentum takes no velocity");
  if (static_cast<bool>(getVelocity()) != static_cast<bool>(getNewVelocity()))
    return emitOpError("returns a new velocity exactly when it takes one");
  if (getVelocity() && (getVelocity().getType() != getParam().getType() ||
                        getNewVelocity().getType() != getParam().getType()))
    return emitOpError("velocity must have the parameter's type");
  if (getNesterov() && !momentum)
    return emitOpError("nesterov needs momentum");
  return success();
}

LogicalResult AdamUpdateOp::verify() {
  if (failed(verifyCoefficients(*this, {{"learning_rate", getLearningRate()},
                                        {"epsilon", getEpsilon()},
                                        {"weight_decay", getWeightDecay()}})))
    return failure();
  for (auto [name, beta] : {std::pair<StringRef, APFloat>{"beta1", getBeta1()},
                            {"beta2", getBeta2()}}) {
    double b = beta.convertToDouble();
    if (!(b >= 0.0 && b < 1.0))
      return emitOpError() << name << " must be in [0, 1), got " << b;
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Cnn/IR/CnnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  // Dropping nothing is the identity, in training as at inference.
  if (getRate().isZero())
    return getInput();
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Only the row-major order matters: a reshape of a reshape is one.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}
