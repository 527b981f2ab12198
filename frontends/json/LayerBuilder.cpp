//===- LayerBuilder.cpp - One JSON layer to one cnn op --------------------===//
//
// The keys a layer may have, their defaults and the parameters it owns are
// decided here; the shape rules are the dialect's (each op's
// inferReturnTypes and verifier), so the frontend never re-derives them.
//
//===----------------------------------------------------------------------===//

#include "frontends/json/LayerBuilder.h"

#include "frontends/json/Suggestions.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "frontends/json/ImportError.h"
#include "frontends/json/KeyReader.h"
#include "frontends/json/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace mlir;

namespace cnnc::json {

namespace {

// Convolutions feed rectifiers (He); dense layers are initialised as Glorot.
constexpr TensorKind kConvWeight{TensorRole::Parameter, "he_uniform"};
constexpr TensorKind kDenseWeight{TensorRole::Parameter, "glorot_uniform"};
constexpr TensorKind kZeros{TensorRole::Parameter, "zeros"};
constexpr TensorKind kOnes{TensorRole::Parameter, "ones"};
constexpr TensorKind kZeroBuffer{TensorRole::Buffer, "zeros"};
constexpr TensorKind kOneBuffer{TensorRole::Buffer, "ones"};

/// What the op of one layer needs while it is built.
struct LayerContext {
  OpBuilder &builder;
  const LayerInstance &layer;
  ArrayRef<Value> inputs;
  const TensorFactory &makeTensor;
  KeyReader &keys;

  MLIRContext *ctx() { return builder.getContext(); }
  Value input() { return inputs.front(); }
  ArrayRef<int64_t> inputShape() {
    return cast<RankedTensorType>(input().getType()).getShape();
  }
  /// Size of dimension 1 (channels or features), or 1 when the input has no
  /// such dimension; the op's verifier then reports the rank.
  int64_t channels() {
    return inputShape().size() >= 2 ? inputShape()[1] : 1;
  }
  /// The layer's "weights" key: its tensors written in the model file.
  const Json *fixedWeights = nullptr;
  std::set<std::string> fixedUsed;

  /// A weight tensor of the layer: a function argument, or a constant when
  /// the model file writes its values.
  Value tensor(const std::string &suffix, ArrayRef<int64_t> shape,
               TensorKind kind) {
    if (!fixedWeights)
      return makeTensor(layer.name + "." + suffix, shape, kind);
    auto it = fixedWeights->find(suffix);
    if (it == fixedWeights->end())
      keys.fail("weights", "has no '" + suffix + "' of shape " + formatShape(shape) +
                               "; a layer with written weights writes all of them");
    fixedUsed.insert(suffix);
    std::vector<float> values;
    readValues(*it, shape, 0, "'" + suffix + "'", values);
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    return arith::ConstantOp::create(
        builder, builder.getUnknownLoc(),
        DenseElementsAttr::get(type, ArrayRef<float>(values)));
  }

  /// Appends the numbers of `value`, nested lists of `shape[dim:]`.
  void readValues(const Json &value, ArrayRef<int64_t> shape, size_t dim,
                  const std::string &what, std::vector<float> &values) {
    if (dim == shape.size()) {
      // Converting a double beyond float's range is undefined behaviour.
      if (!value.is_number() ||
          std::abs(value.get<double>()) > std::numeric_limits<float>::max())
        keys.fail("weights", what + ": expected a number within float32's range, got " +
                                 describeValue(value));
      values.push_back(value.get<float>());
      return;
    }
    if (!value.is_array() || int64_t(value.size()) != shape[dim])
      keys.fail("weights", what + ": expected nested lists of shape " +
                               formatShape(shape) + "; found " + describeValue(value) +
                               " where a list of " + std::to_string(shape[dim]) +
                               " belongs");
    for (const Json &element : value)
      readValues(element, shape, dim + 1, what, values);
  }

  static std::string formatShape(ArrayRef<int64_t> shape) {
    std::string text = "[";
    for (int64_t dim : shape)
      text += (text.size() > 1 ? ", " : "") + std::to_string(dim);
    return text + "]";
  }
  NamedAttribute attr(StringRef name, Attribute value) {
    return builder.getNamedAttr(name, value);
  }
  NamedAttribute pair(StringRef name, std::array<int64_t, 2> value) {
    return attr(name, builder.getDenseI64ArrayAttr(value));
  }
  NamedAttribute quad(StringRef name, std::array<int64_t, 4> value) {
    return attr(name, builder.getDenseI64ArrayAttr(value));
  }
  NamedAttribute f64(StringRef name, double value) {
    return attr(name, builder.getF64FloatAttr(value));
  }
};

/// The ops of a layer: its cnn op name, the operands (inputs and weights) and
/// the attributes it built from its keys.
struct OpRecipe {
  StringRef opName;
  SmallVector<Value> operands;
  SmallVector<NamedAttribute> attributes;
};

using RecipeFn = OpRecipe (*)(LayerContext &);

/// Padding [before, after] of one dimension of `in` that keeps the output at
/// ceil(in / stride) ("same"), the odd one after (as TensorFlow does).
std::array<int64_t, 2> samePadding(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t dilation) {
  int64_t out = (in + stride - 1) / stride;
  int64_t extent = dilation * (kernel - 1) + 1;
  int64_t total = std::max<int64_t>((out - 1) * stride + extent - in, 0);
  return {total / 2, total - total / 2};
}

/// "same" padding [top, left, bottom, right] of an NCHW input.
std::array<int64_t, 4> samePadding(ArrayRef<int64_t> shape,
                                   std::array<int64_t, 2> kernel,
                                   std::array<int64_t, 2> stride,
                                   std::array<int64_t, 2> dilation) {
  std::array<int64_t, 4> padding{0, 0, 0, 0};
  if (shape.size() != 4)
    return padding;
  for (int d = 0; d < 2; ++d) {
    auto [before, after] = samePadding(shape[2 + d], kernel[d], stride[d], dilation[d]);
    padding[d] = before;
    padding[d + 2] = after;
  }
  return padding;
}

/// The "connections" key of a sparse convolution: for each of the
/// `filters` output channels, the increasing list of the input channels it
/// reads. Returns the [filters, channels] table, row-major.
SmallVector<bool> connectionTable(LayerContext &c, const Json &value,
                                  int64_t filters, int64_t channels) {
  if (!value.is_array() || !std::all_of(value.begin(), value.end(),
                                        [](const Json &row) { return row.is_array(); }))
    c.keys.fail("connections", "expected one list of input channels per output "
                               "channel, got " + describeValue(value));
  if (int64_t(value.size()) != filters)
    c.keys.fail("connections", "has " + std::to_string(value.size()) +
                                   " lists, but out_channels is " + std::to_string(filters) +
                                   ": one list per output channel");
  if (filters * channels > kMaxConnectionTable)
    c.keys.fail("connections", "a table of " + std::to_string(filters) + " x " +
                                   std::to_string(channels) + " entries is more than " +
                                   std::to_string(kMaxConnectionTable));
  SmallVector<bool> table(filters * channels, false);
  for (int64_t f = 0; f < filters; ++f) {
    const Json &row = value[f];
    std::string where = "output channel " + std::to_string(f);
    if (row.empty())
      c.keys.fail("connections", where + " reads no input channel");
    int64_t previous = -1;
    for (const Json &entry : row) {
      if (!entry.is_number_integer() || entry.get<int64_t>() < 0 ||
          entry.get<int64_t>() >= channels)
        c.keys.fail("connections", where + ": expected input channels from 0 to " +
                                       std::to_string(channels - 1) + ", got " +
                                       describeValue(entry));
      int64_t channel = entry.get<int64_t>();
      if (channel <= previous)
        c.keys.fail("connections", where + ": list the input channels in increasing "
                                           "order, each once; got " + describeValue(row));
      table[f * channels + channel] = true;
      previous = channel;
    }
  }
  return table;
}

OpRecipe conv2d(LayerContext &c) {
  int64_t filters = c.keys.positiveInt("out_channels");
  std::array<int64_t, 2> kernel = c.keys.positivePair("kernel");
  std::array<int64_t, 2> stride = c.keys.positivePair("stride", {{1, 1}});
  std::array<int64_t, 2> dilation = c.keys.positivePair("dilation", {{1, 1}});
  int64_t groups = c.keys.positiveInt("groups", 1);
  bool bias = c.keys.boolean("bias", true);
  std::string mode = c.keys.choice(
      "padding_mode",
      {{"zeros", "zeros"}, {"replicate", "replicate"}, {"extended", "replicate"},
       {"reflect", "reflect"}, {"circular", "circular"}, {"cyclic", "circular"},
       {"valid", "valid"}, {"undefined", "valid"}},
      "zeros");
  // "same" as TensorFlow pads; "valid" is no padding, as conv1d's.
  const Json *paddingValue = c.keys.find("padding");
  std::array<int64_t, 4> padding =
      paddingValue && *paddingValue == "same"
          ? samePadding(c.inputShape(), kernel, stride, dilation)
      : paddingValue && *paddingValue == "valid" ? std::array<int64_t, 4>{0, 0, 0, 0}
                                                 : c.keys.padding("padding");

  OpRecipe recipe{cnn::Conv2dOp::getOperationName(), {c.input()}, {}};
  recipe.attributes = {
      c.pair("strides", stride), c.quad("padding", padding),
      c.pair("dilations", dilation),
      c.attr("groups", c.builder.getI64IntegerAttr(groups)),
      c.attr("padding_mode",
             cnn::PaddingModeAttr::get(c.ctx(), *cnn::symbolizePaddingMode(mode)))};
  if (const Json *connections = c.keys.find("connections")) {
    // One single-channel filter per connection.
    SmallVector<bool> table = connectionTable(c, *connections, filters, c.channels());
    int64_t count = llvm::count(table, true);
    recipe.operands.push_back(c.tensor("weight", {count, 1, kernel[0], kernel[1]}, kConvWeight));
    auto tableType = RankedTensorType::get({filters, c.channels()}, c.builder.getI1Type());
    recipe.attributes.push_back(
        c.attr("connections", DenseIntElementsAttr::get(tableType, ArrayRef<bool>(table))));
  } else {
    recipe.operands.push_back(c.tensor(
        "weight", {filters, c.channels() / groups, kernel[0], kernel[1]},
        kConvWeight));
  }
  if (bias)
    recipe.operands.push_back(c.tensor("bias", {filters}, kZeros));
  return recipe;
}

/// conv1d: "padding" is p, [left, right], "valid", "same" or "full" (K - 1
/// on each side: every overlap of signal and kernel, as the signal
/// processing convolution has it).
OpRecipe conv1d(LayerContext &c) {
  int64_t filters = c.keys.positiveInt("out_channels");
  int64_t kernel = c.keys.positiveInt("kernel");
  int64_t stride = c.keys.positiveInt("stride", 1);
  int64_t dilation = c.keys.positiveInt("dilation", 1);
  int64_t groups = c.keys.positiveInt("groups", 1);
  bool bias = c.keys.boolean("bias", true);
  bool trueConvolution = c.keys.boolean("true_convolution", false);
  std::array<int64_t, 2> padding{0, 0};
  int64_t extent = dilation * (kernel - 1) + 1;
  if (const Json *value = c.keys.find("padding")) {
    auto isPad = [](const Json &v) {
      return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxSize;
    };
    if (*value == "full") {
      padding = {extent - 1, extent - 1};
    } else if (*value == "same") {
      int64_t length = c.inputShape().size() == 3 ? c.inputShape()[2] : 1;
      padding = samePadding(length, kernel, stride, dilation);
    } else if (*value == "valid") {
    } else if (isPad(*value)) {
      padding = {value->get<int64_t>(), value->get<int64_t>()};
    } else if (value->is_array() && value->size() == 2 &&
               std::all_of(value->begin(), value->end(), isPad)) {
      padding = {(*value)[0].get<int64_t>(), (*value)[1].get<int64_t>()};
    } else {
      c.keys.fail("padding", "expected a non-negative integer, [left, right], "
                             "\"valid\", \"same\" or \"full\", got " + describeValue(*value));
    }
  }

  OpRecipe recipe{cnn::Conv1dOp::getOperationName(), {c.input()}, {}};
  recipe.operands.push_back(
      c.tensor("weight", {filters, c.channels() / groups, kernel}, kConvWeight));
  if (bias)
    recipe.operands.push_back(c.tensor("bias", {filters}, kZeros));
  recipe.attributes = {
      c.attr("strides", c.builder.getDenseI64ArrayAttr({stride})),
      c.attr("padding", c.builder.getDenseI64ArrayAttr(padding)),
      c.attr("dilations", c.builder.getDenseI64ArrayAttr({dilation})),
      c.attr("groups", c.builder.getI64IntegerAttr(groups)),
      c.attr("true_convolution", c.builder.getBoolAttr(trueConvolution))};
  return recipe;
}

OpRecipe dense(LayerContext &c) {
  int64_t features = c.keys.positiveInt("out_features");
  bool bias = c.keys.boolean("bias", true);
  OpRecipe recipe{cnn::DenseOp::getOperationName(), {c.input()}, {}};
  recipe.operands.push_back(
      c.tensor("weight", {features, c.channels()}, kDenseWeight));
  if (bias)
    recipe.operands.push_back(c.tensor("bias", {features}, kZeros));
  return recipe;
}

/// PyTorch's PReLU: one slope, or one per channel (num_parameters), shaped
/// [P, 1, ...] to broadcast over the dimensions after the channels.
OpRecipe prelu(LayerContext &c) {
  int64_t count = c.keys.positiveInt("num_parameters", 1);
  if (count != 1 && count != c.channels())
    c.keys.fail("num_parameters", "expected 1 or the input's " + std::to_string(c.channels()) +
                                      " channels, got " + std::to_string(count));
  SmallVector<int64_t> shape = {count};
  shape.append(std::max<size_t>(c.inputShape().size(), 2) - 2, 1);
  return {cnn::PReluOp::getOperationName(), {c.input(), c.tensor("weight", shape, kZeros)}, {}};
}

OpRecipe batchNorm(LayerContext &c) {
  double epsilon = c.keys.number("epsilon", 1e-5);
  int64_t channels = c.channels();
  return {cnn::BatchNormOp::getOperationName(),
          {c.input(), c.tensor("weight", {channels}, kOnes),
           c.tensor("bias", {channels}, kZeros),
           c.tensor("running_mean", {channels}, kZeroBuffer),
           c.tensor("running_var", {channels}, kOneBuffer)},
          {c.f64("epsilon", epsilon)}};
}

template <typename OpTy>
OpRecipe unary(LayerContext &c) {
  return {OpTy::getOperationName(), {c.input()}, {}};
}

OpRecipe leakyRelu(LayerContext &c) {
  return {cnn::LeakyReluOp::getOperationName(),
          {c.input()},
          {c.f64("negative_slope", c.keys.number("negative_slope", 0.01))}};
}

OpRecipe elu(LayerContext &c) {
  return {cnn::EluOp::getOperationName(),
          {c.input()},
          {c.f64("alpha", c.keys.number("alpha", 1.0)),
           c.f64("scale", c.keys.number("scale", 1.0))}};
}

/// PyTorch's Hardsigmoid by default: max(0, min(1, x / 6 + 1 / 2)).
OpRecipe hardSigmoid(LayerContext &c) {
  return {cnn::HardSigmoidOp::getOperationName(),
          {c.input()},
          {c.f64("alpha", c.keys.number("alpha", 1.0 / 6.0)),
           c.f64("beta", c.keys.number("beta", 0.5))}};
}

/// Either bound may be left out: that side is not clipped.
OpRecipe clip(LayerContext &c) {
  double low = c.keys.number("min", -std::numeric_limits<double>::infinity());
  double high = c.keys.number("max", std::numeric_limits<double>::infinity());
  if (low > high)
    c.keys.fail("max", "is below min");
  return {cnn::ClipOp::getOperationName(), {c.input()}, {c.f64("min", low), c.f64("max", high)}};
}

/// An axis as the user wrote it; negative counts from the last dimension.
int64_t readAxis(LayerContext &c, int64_t fallback) {
  int64_t axis = c.keys.integer("axis", fallback);
  int64_t rank = c.inputShape().size();
  if (axis < -rank || axis >= rank)
    c.keys.fail("axis", "axis " + std::to_string(axis) +
                            " is out of range for a " + std::to_string(rank) +
                            "-D input");
  return axis < 0 ? axis + rank : axis;
}

/// softmax and log_softmax along an axis.
template <typename OpTy>
OpRecipe softmax(LayerContext &c) {
  return {OpTy::getOperationName(),
          {c.input()},
          {c.attr("axis", c.builder.getI64IntegerAttr(readAxis(c, 1)))}};
}

OpRecipe dropout(LayerContext &c) {
  return {cnn::DropoutOp::getOperationName(),
          {c.input()},
          {c.f64("rate", c.keys.number("rate", 0.5))}};
}

template <typename OpTy>
OpRecipe pool2d(LayerContext &c) {
  std::array<int64_t, 2> kernel = c.keys.positivePair("kernel");
  OpRecipe recipe{OpTy::getOperationName(), {c.input()}, {}};
  recipe.attributes = {
      c.pair("kernel_size", kernel),
      c.pair("strides", c.keys.positivePair("stride", kernel)),
      c.quad("padding", c.keys.padding("padding")),
      c.attr("ceil_mode", c.builder.getBoolAttr(c.keys.boolean("ceil_mode", false)))};
  if constexpr (std::is_same_v<OpTy, cnn::AvgPool2dOp>)
    recipe.attributes.push_back(c.attr(
        "count_include_pad",
        c.builder.getBoolAttr(c.keys.boolean("count_include_pad", true))));
  return recipe;
}

/// add, sub, mul, div: two inputs, broadcast as NumPy's; or one input and a
/// number, "scalar", on the right (x - 1) or with "scalar_on_left" on the
/// left (1 - x).
template <typename OpTy>
OpRecipe binary(LayerContext &c) {
  if (!c.keys.has("scalar")) {
    if (c.inputs.size() != 2)
      c.keys.fail("inputs", "expects 2 inputs, or 1 and a 'scalar', got " +
                                std::to_string(c.inputs.size()));
    if (c.keys.has("scalar_on_left"))
      c.keys.fail("scalar_on_left", "goes with 'scalar'");
    return {OpTy::getOperationName(), {c.inputs[0], c.inputs[1]}, {}};
  }
  if (c.inputs.size() != 1)
    c.keys.fail("scalar", "takes the place of the second input; the layer has " +
                              std::to_string(c.inputs.size()));
  double scalar = c.keys.number("scalar", 0);
  if (std::abs(scalar) > std::numeric_limits<float>::max())
    c.keys.fail("scalar", "is beyond float32's range");
  auto type = RankedTensorType::get({1}, c.builder.getF32Type());
  Value constant = arith::ConstantOp::create(
      c.builder, c.builder.getUnknownLoc(),
      DenseElementsAttr::get(type, static_cast<float>(scalar)));
  if (c.keys.boolean("scalar_on_left", false))
    return {OpTy::getOperationName(), {constant, c.input()}, {}};
  return {OpTy::getOperationName(), {c.input(), constant}, {}};
}

OpRecipe concat(LayerContext &c) {
  return {cnn::ConcatOp::getOperationName(),
          SmallVector<Value>(c.inputs),
          {c.attr("axis", c.builder.getI64IntegerAttr(readAxis(c, 1)))}};
}

OpRecipe convTranspose2d(LayerContext &c) {
  int64_t filters = c.keys.positiveInt("out_channels");
  std::array<int64_t, 2> kernel = c.keys.positivePair("kernel");
  int64_t groups = c.keys.positiveInt("groups", 1);
  // The weight [C, F / groups, ...] cannot say F when groups does not
  // divide it: the layer would silently have fewer output channels.
  if (filters % groups != 0)
    c.keys.fail("groups", "out_channels (" + std::to_string(filters) +
                              ") must be divisible by groups (" +
                              std::to_string(groups) + ")");
  bool bias = c.keys.boolean("bias", true);
  OpRecipe recipe{cnn::ConvTranspose2dOp::getOperationName(), {c.input()}, {}};
  // PyTorch's layout: [C, F / groups, KH, KW].
  recipe.operands.push_back(c.tensor(
      "weight", {c.channels(), filters / groups, kernel[0], kernel[1]}, kConvWeight));
  if (bias)
    recipe.operands.push_back(c.tensor("bias", {filters}, kZeros));
  std::array<int64_t, 4> extra = c.keys.padding("output_padding");
  if (extra[0] != extra[2] || extra[1] != extra[3])
    c.keys.fail("output_padding", "expected a non-negative integer or [h, w]");
  recipe.attributes = {
      c.pair("strides", c.keys.positivePair("stride", {{1, 1}})),
      c.quad("padding", c.keys.padding("padding")),
      c.pair("output_padding", {extra[0], extra[1]}),
      c.pair("dilations", c.keys.positivePair("dilation", {{1, 1}})),
      c.attr("groups", c.builder.getI64IntegerAttr(groups))};
  return recipe;
}

OpRecipe localResponseNorm(LayerContext &c) {
  return {cnn::LocalResponseNormOp::getOperationName(),
          {c.input()},
          {c.attr("size", c.builder.getI64IntegerAttr(c.keys.positiveInt("size"))),
           c.f64("alpha", c.keys.number("alpha", 1e-4)),
           c.f64("beta", c.keys.number("beta", 0.75)),
           c.f64("k", c.keys.number("k", 1.0))}};
}

OpRecipe adaptiveAvgPool2d(LayerContext &c) {
  return {cnn::AdaptiveAvgPool2dOp::getOperationName(),
          {c.input()},
          {c.pair("output_size", c.keys.positivePair("output_size"))}};
}

OpRecipe upsample(LayerContext &c) {
  std::string mode = c.keys.choice(
      "mode", {{"nearest", "nearest"}, {"bilinear", "bilinear"}}, "nearest");
  return {cnn::UpsampleOp::getOperationName(),
          {c.input()},
          {c.pair("scale_factors", c.keys.positivePair("scale_factor")),
           c.attr("mode", cnn::UpsampleModeAttr::get(
                              c.ctx(), *cnn::symbolizeUpsampleMode(mode)))}};
}

/// Crops the first input to `size` or to the spatial size of the second
/// input, centred (the odd row or column goes to the bottom and right).
OpRecipe centerCrop(LayerContext &c) {
  std::array<int64_t, 2> size;
  if (c.inputs.size() == 2) {
    if (c.keys.has("size"))
      c.keys.fail("size", "give either 'size' or a second input to crop to, not both");
    ArrayRef<int64_t> like = cast<RankedTensorType>(c.inputs[1].getType()).getShape();
    if (like.size() != 4)
      c.keys.fail("inputs", "the second input must be a feature map [N, C, H, W]");
    size = {like[2], like[3]};
  } else {
    size = c.keys.positivePair("size");
  }
  ArrayRef<int64_t> shape = c.inputShape();
  std::array<int64_t, 2> offsets = {0, 0};
  if (shape.size() == 4)
    for (int d = 0; d < 2; ++d)
      offsets[d] = std::max<int64_t>(0, (shape[2 + d] - size[d]) / 2);
  return {cnn::CropOp::getOperationName(),
          {c.input()},
          {c.pair("offsets", offsets), c.pair("sizes", size)}};
}

OpRecipe pad(LayerContext &c) {
  std::string mode = c.keys.choice(
      "mode",
      {{"zeros", "zeros"}, {"replicate", "replicate"}, {"extended", "replicate"},
       {"reflect", "reflect"}, {"circular", "circular"}, {"cyclic", "circular"}},
      "zeros");
  return {cnn::PadOp::getOperationName(),
          {c.input()},
          {c.quad("padding", c.keys.padding("padding")),
           c.attr("mode", cnn::PaddingModeAttr::get(c.ctx(), *cnn::symbolizePaddingMode(mode))),
           c.f64("value", c.keys.number("value", 0.0))}};
}

/// The shape of one sample; the batch dimension is kept.
OpRecipe reshape(LayerContext &c) {
  SmallVector<int64_t> shape = {c.inputShape().front()};
  for (int64_t dim : c.keys.positiveInts("shape"))
    shape.push_back(dim);
  return {cnn::ReshapeOp::getOperationName(),
          {c.input()},
          {c.attr("shape", c.builder.getDenseI64ArrayAttr(shape))}};
}

struct OpKind {
  RecipeFn recipe;
  /// The keys the recipe reads, checked before it runs so that a misspelt
  /// key is reported as such rather than as a missing one.
  std::vector<std::string> keys;
  /// How many inputs the layer reads.
  size_t minInputs, maxInputs;
};

const std::map<std::string, OpKind> &opKinds() {
  static const std::vector<std::string> pool = {"kernel", "stride", "padding",
                                                "ceil_mode"};
  static const std::map<std::string, OpKind> kinds = {
      {"conv2d",
       {conv2d,
        {"out_channels", "kernel", "stride", "padding", "dilation", "groups",
         "bias", "padding_mode", "connections"},
        1, 1}},
      {"conv1d",
       {conv1d,
        {"out_channels", "kernel", "stride", "padding", "dilation", "groups",
         "bias", "true_convolution"},
        1, 1}},
      {"conv_transpose2d",
       {convTranspose2d,
        {"out_channels", "kernel", "stride", "padding", "output_padding",
         "dilation", "groups", "bias"},
        1, 1}},
      {"dense", {dense, {"out_features", "bias"}, 1, 1}},
      {"batch_norm", {batchNorm, {"epsilon"}, 1, 1}},
      {"local_response_norm",
       {localResponseNorm, {"size", "alpha", "beta", "k"}, 1, 1}},
      {"relu", {unary<cnn::ReluOp>, {}, 1, 1}},
      {"leaky_relu", {leakyRelu, {"negative_slope"}, 1, 1}},
      {"prelu", {prelu, {"num_parameters"}, 1, 1}},
      {"tanh", {unary<cnn::TanhOp>, {}, 1, 1}},
      {"sigmoid", {unary<cnn::SigmoidOp>, {}, 1, 1}},
      {"silu", {unary<cnn::SiluOp>, {}, 1, 1}},
      {"elu", {elu, {"alpha", "scale"}, 1, 1}},
      {"hard_sigmoid", {hardSigmoid, {"alpha", "beta"}, 1, 1}},
      {"hard_swish", {unary<cnn::HardSwishOp>, {}, 1, 1}},
      {"clip", {clip, {"min", "max"}, 1, 1}},
      {"log_softmax", {softmax<cnn::LogSoftmaxOp>, {"axis"}, 1, 1}},
      {"softmax", {softmax<cnn::SoftmaxOp>, {"axis"}, 1, 1}},
      {"dropout", {dropout, {"rate"}, 1, 1}},
      {"max_pool2d", {pool2d<cnn::MaxPool2dOp>, pool, 1, 1}},
      {"avg_pool2d",
       {pool2d<cnn::AvgPool2dOp>,
        {"kernel", "stride", "padding", "ceil_mode", "count_include_pad"},
        1, 1}},
      {"adaptive_avg_pool2d", {adaptiveAvgPool2d, {"output_size"}, 1, 1}},
      {"global_avg_pool", {unary<cnn::GlobalAvgPoolOp>, {}, 1, 1}},
      {"upsample", {upsample, {"scale_factor", "mode"}, 1, 1}},
      {"center_crop", {centerCrop, {"size"}, 1, 2}},
      {"pad", {pad, {"padding", "mode", "value"}, 1, 1}},
      {"flatten", {unary<cnn::FlattenOp>, {}, 1, 1}},
      {"reshape", {reshape, {"shape"}, 1, 1}},
      {"add", {binary<cnn::AddOp>, {"scalar", "scalar_on_left"}, 1, 2}},
      {"sub", {binary<cnn::SubOp>, {"scalar", "scalar_on_left"}, 1, 2}},
      {"mul", {binary<cnn::MulOp>, {"scalar", "scalar_on_left"}, 1, 2}},
      {"div", {binary<cnn::DivOp>, {"scalar", "scalar_on_left"}, 1, 2}},
      {"concat", {concat, {"axis"}, 2, SIZE_MAX}},
  };
  return kinds;
}

} // namespace

void inferAndVerify(Operation *op, const std::string &where) {
  std::string message;
  ScopedDiagnosticHandler handler(op->getContext(), [&](Diagnostic &diag) {
    if (message.empty() && diag.getSeverity() == DiagnosticSeverity::Error)
      message = diag.str();
    return success();
  });
  SmallVector<Type> types;
  auto inference = cast<InferTypeOpInterface>(op);
  if (succeeded(inference.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types))) {
    op->getResult(0).setType(types.front());
    if (succeeded(verify(op))) {
      auto type = cast<ShapedType>(types.front());
      try {
        checkedElementCount(type.getShape(), where, "its output");
      } catch (...) {
        op->erase();
        throw;
      }
      return;
    }
  }
  // The layer already names the op; drop the IR-level "'cnn.conv2d' op ".
  std::string prefix = "'" + op->getName().getStringRef().str() + "' op ";
  if (message.rfind(prefix, 0) == 0)
    message.erase(0, prefix.size());
  op->erase();
  throw ImportError{where, message.empty() ? "invalid layer" : message};
}

Value buildLayer(OpBuilder &builder, const LayerInstance &layer,
                 ArrayRef<Value> inputs, const TensorFactory &makeTensor,
                 Location source) {
  auto kind = opKinds().find(layer.op);
  if (kind == opKinds().end()) {
    std::string names;
    std::vector<std::string> valid;
    for (const auto &[name, unused] : opKinds()) {
      names += (names.empty() ? "" : ", ") + name;
      valid.push_back(name);
    }
    std::string hint = suggestOp(layer.op, valid);
    if (hint.rfind(": ", 0) == 0)
      throw ImportError{layer.where + ", key 'op'", "unknown op '" + layer.op + "'" + hint};
    throw ImportError{layer.where + ", key 'op'",
                      "unknown op '" + layer.op + "'" + hint + "; expected one of: " + names};
  }
  const OpKind &spec = kind->second;
  if (inputs.size() < spec.minInputs || inputs.size() > spec.maxInputs) {
    std::string expected =
        spec.maxInputs == SIZE_MAX ? "at least " + std::to_string(spec.minInputs)
        : spec.minInputs == spec.maxInputs
            ? std::to_string(spec.minInputs)
            : std::to_string(spec.minInputs) + " or " + std::to_string(spec.maxInputs);
    throw ImportError{layer.where + ", key 'inputs'",
                      "expects " + expected + " input" +
                          (spec.maxInputs == 1 ? "" : "s") + ", got " +
                          std::to_string(inputs.size())};
  }

  KeyReader keys(layer.attributes, layer.where);
  for (const std::string &key : spec.keys)
    (void)keys.find(key);
  const Json *fixedWeights = keys.find("weights");
  keys.rejectUnknownKeys(layer.op);
  if (fixedWeights && !fixedWeights->is_object())
    keys.fail("weights", "expected an object mapping each weight of the layer "
                         "('weight', 'bias', ...) to its values, got " +
                             describeValue(*fixedWeights));
  LayerContext context{builder, layer, inputs, makeTensor, keys, fixedWeights, {}};
  OpRecipe recipe = spec.recipe(context);
  if (fixedWeights)
    for (const auto &item : fixedWeights->items())
      if (!context.fixedUsed.count(item.key()))
        keys.fail("weights", context.fixedUsed.empty()
                                 ? layer.op + " has no weights"
                                 : "'" + item.key() + "' is not a weight of this " +
                                       layer.op + " layer");

  Location loc = NameLoc::get(builder.getStringAttr(layer.name), source);
  OperationState state(loc, recipe.opName);
  state.addOperands(recipe.operands);
  state.addAttributes(recipe.attributes);
  // A placeholder until inference gives the real result type.
  state.addTypes(inputs.front().getType());
  Operation *op = builder.create(state);
  // Every attribute of a recipe is one the op defines (stored in its
  // properties): a misspelt name would otherwise become a discardable
  // attribute, ignored while the op's default applies.
  if (!op->getDiscardableAttrDictionary().empty()) {
    std::string names;
    for (NamedAttribute attr : op->getDiscardableAttrs())
      names += (names.empty() ? "'" : ", '") + attr.getName().str() + "'";
    op->erase();
    throw ImportError{layer.where, "internal error: cnnc gave " + recipe.opName.str() +
                                       " attributes it does not define (" + names +
                                       "); please report this"};
  }
  inferAndVerify(op, layer.where);
  return op->getResult(0);
}

} // namespace cnnc::json
