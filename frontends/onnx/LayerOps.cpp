//===- LayerOps.cpp - One ONNX node to one cnn op -------------------------===//
//
// The operators of a convolutional network, each to the cnn op that
// computes it (conv, pooling, normalisation, activations, dense layers,
// broadcast arithmetic, resizing, padding, reshapes), with the dialect's
// inference and verifier checking what the node asks.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Cnn/IR/CnnOps.h"
#include "frontends/json/LayerBuilder.h"
#include "frontends/json/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;
using cnnc::json::ImportError;
using cnnc::json::checkedElementCount;
using cnnc::json::kMaxSize;

namespace cnnc::onnx_import {

/// The padding of a convolution or pooling window: the node's `pads`
/// ([top, left, bottom, right] for 2-D, as cnn's own), or what `auto_pad`
/// computes.
SmallVector<int64_t> Importer::windowPadding(NodeContext &n, ArrayRef<int64_t> inputSpatial,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations) {
  size_t rank = inputSpatial.size();
  std::string autoPad = n.attributes.text("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> pads = n.attributes.integers("pads");
  if (autoPad == "NOTSET") {
    if (!pads)
      return SmallVector<int64_t>(2 * rank, 0);
    if (pads->size() != 2 * rank)
      throw ImportError{n.where, "'pads' has " + std::to_string(pads->size()) +
                                     " values, expected " + std::to_string(2 * rank)};
    return *pads;
  }
  SmallVector<int64_t> result(2 * rank, 0);
  if (autoPad == "VALID")
    return result;
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    throw ImportError{n.where, "unknown auto_pad '" + autoPad + "'"};
  // The output keeps ceil(input / stride) positions; the extra padding
  // goes at the end (SAME_UPPER) or the beginning (SAME_LOWER).
  for (size_t d = 0; d < rank; ++d)
    for (int64_t size : {kernel[d], strides[d], dilations[d]})
      if (size < 1 || size > kMaxSize)
        throw ImportError{n.where, "kernel sizes, strides and dilations must be in [1, " +
                                       std::to_string(kMaxSize) + "], got " +
                                       std::to_string(size)};
  for (size_t d = 0; d < rank; ++d) {
    int64_t out = (inputSpatial[d] + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - inputSpatial[d], 0);
    int64_t small = total / 2, large = total - small;
    result[d] = autoPad == "SAME_UPPER" ? small : large;
    result[d + rank] = autoPad == "SAME_UPPER" ? large : small;
  }
  return result;
}

Value Importer::convolution(NodeContext &n) {
  Value x = input(n, 0), w = input(n, 1);
  ArrayRef<int64_t> in = shapeOf(x), weightShape = shapeOf(w);
  if (in.size() != 3 && in.size() != 4)
    throw ImportError{n.where, "cnnc imports 1-D and 2-D convolutions; the input is " +
                                   shapeText(in)};
  size_t rank = in.size() - 2;
  if (weightShape.size() != in.size())
    throw ImportError{n.where, "the weight " + shapeText(weightShape) +
                                   " does not match the input " + shapeText(in)};
  SmallVector<int64_t> kernel(weightShape.drop_front(2));
  if (auto given = n.attributes.integers("kernel_shape"); given && *given != kernel)
    throw ImportError{n.where, "kernel_shape " + shapeText(*given) +
                                   " differs from the weight's " + shapeText(kernel)};
  SmallVector<int64_t> strides =
      n.attributes.integers("strides").value_or(SmallVector<int64_t>(rank, 1));
  SmallVector<int64_t> dilations =
      n.attributes.integers("dilations").value_or(SmallVector<int64_t>(rank, 1));
  if (strides.size() != rank || dilations.size() != rank)
    throw ImportError{n.where, "'strides' and 'dilations' need " + std::to_string(rank) +
                                   " values each"};
  SmallVector<int64_t> padding =
      windowPadding(n, in.drop_front(2), kernel, strides, dilations);
  int64_t groups = n.attributes.integer("group", 1);
  SmallVector<Value> operands = {x, w};
  if (hasInput(n, 2))
    operands.push_back(input(n, 2));
  SmallVector<NamedAttribute> attributes = {
      i64Array("strides", strides), i64Array("padding", padding),
      i64Array("dilations", dilations),
      builder.getNamedAttr("groups", builder.getI64IntegerAttr(groups))};
  if (rank == 1)
    return build(cnn::Conv1dOp::getOperationName(), operands, attributes, n);
  attributes.push_back(builder.getNamedAttr(
      "padding_mode", cnn::PaddingModeAttr::get(&context, cnn::PaddingMode::Zeros)));
  return build(cnn::Conv2dOp::getOperationName(), operands, attributes, n);
}

Value Importer::transposedConvolution(NodeContext &n) {
  Value x = input(n, 0), w = input(n, 1);
  ArrayRef<int64_t> in = shapeOf(x), weightShape = shapeOf(w);
  if (in.size() != 4 || weightShape.size() != 4)
    throw ImportError{n.where, "cnnc imports 2-D transposed convolutions; the input is " +
                                   shapeText(in)};
  SmallVector<int64_t> strides =
      n.attributes.integers("strides").value_or(SmallVector<int64_t>{1, 1});
  SmallVector<int64_t> dilations =
      n.attributes.integers("dilations").value_or(SmallVector<int64_t>{1, 1});
  SmallVector<int64_t> outputPadding =
      n.attributes.integers("output_padding").value_or(SmallVector<int64_t>{0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || outputPadding.size() != 2)
    throw ImportError{n.where, "'strides', 'dilations' and 'output_padding' need 2 values each"};
  (void)n.attributes.integers("kernel_shape");
  std::string autoPad = n.attributes.text("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outputShape = n.attributes.integers("output_shape");
  SmallVector<int64_t> padding(4, 0);
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // ONNX's rule: the padding that gives the output size asked for (the
    // input's times the strides for SAME_*), split as auto_pad says; what
    // the end lacks is output padding.
    if (outputShape && outputShape->size() == 4)
      outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
    if (outputShape && outputShape->size() != 2)
      throw ImportError{n.where, "'output_shape' needs 2 values (or 4, batch and channels first)"};
    for (int d = 0; d < 2; ++d) {
      int64_t target = outputShape ? (*outputShape)[d] : in[2 + d] * strides[d];
      int64_t total = strides[d] * (in[2 + d] - 1) + outputPadding[d] +
                      (weightShape[2 + d] - 1) * dilations[d] + 1 - target;
      int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2); // floor(total / 2)
      int64_t start = autoPad == "SAME_UPPER" ? half : total - half;
      int64_t end = total - start;
      if (end < 0) {
        outputPadding[d] -= end;
        end = 0;
      }
      if (start < 0)
        throw ImportError{n.where, "an output of " + std::to_string(target) +
                                       " along spatial dimension " + std::to_string(d) +
                                       " is larger than the transposed convolution makes"};
      padding[d] = start;
      padding[d + 2] = end;
    }
  } else if (autoPad == "NOTSET") {
    padding = n.attributes.integers("pads").value_or(SmallVector<int64_t>(4, 0));
  } else if (autoPad != "VALID") {
    throw ImportError{n.where, "unknown auto_pad '" + autoPad + "'"};
  }
  SmallVector<Value> operands = {x, w};
  if (hasInput(n, 2))
    operands.push_back(input(n, 2));
  return build(
      cnn::ConvTranspose2dOp::getOperationName(), operands,
      {i64Array("strides", strides), i64Array("padding", padding),
       i64Array("output_padding", outputPadding), i64Array("dilations", dilations),
       builder.getNamedAttr("groups", builder.getI64IntegerAttr(n.attributes.integer("group", 1)))},
      n);
}

Value Importer::pooling(NodeContext &n, bool max) {
  Value x = input(n, 0);
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() != 3 && in.size() != 4)
    throw ImportError{n.where, "cnnc imports 1-D and 2-D pooling; the input is " +
                                   shapeText(in)};
  size_t rank = in.size() - 2;
  std::optional<SmallVector<int64_t>> kernel = n.attributes.integers("kernel_shape");
  if (!kernel || kernel->size() != rank)
    throw ImportError{n.where, "'kernel_shape' needs " + std::to_string(rank) + " values"};
  SmallVector<int64_t> strides =
      n.attributes.integers("strides").value_or(SmallVector<int64_t>(rank, 1));
  if (strides.size() != rank)
    throw ImportError{n.where, "'strides' needs " + std::to_string(rank) + " values"};
  if (auto dilations = n.attributes.integers("dilations");
      dilations && llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
    throw ImportError{n.where, "cnnc implements pooling without dilations"};
  SmallVector<int64_t> padding =
      windowPadding(n, in.drop_front(2), *kernel, strides, SmallVector<int64_t>(rank, 1));
  // 1-D pooling as 2-D pooling of a height-1 map.
  if (rank == 1) {
    x = reshapeTo(x, {in[0], in[1], 1, in[2]}, n);
    kernel->insert(kernel->begin(), 1);
    strides.insert(strides.begin(), 1);
    padding = {0, padding[0], 0, padding[1]};
  }
  SmallVector<NamedAttribute> attributes = {
      i64Array("kernel_size", *kernel), i64Array("strides", strides),
      i64Array("padding", padding),
      builder.getNamedAttr("ceil_mode",
                           builder.getBoolAttr(n.attributes.integer("ceil_mode", 0)))};
  Value result;
  if (max) {
    n.attributes.ignore("storage_order"); // of the indices output, refused below
    expectOutputs(n, 1);
    result = build(cnn::MaxPool2dOp::getOperationName(), x, attributes, n);
  } else {
    // ONNX counts only the input positions by default, as PyTorch does not.
    attributes.push_back(builder.getNamedAttr(
        "count_include_pad",
        builder.getBoolAttr(n.attributes.integer("count_include_pad", 0))));
    result = build(cnn::AvgPool2dOp::getOperationName(), x, attributes, n);
  }
  if (rank == 1) {
    ArrayRef<int64_t> out = shapeOf(result);
    result = reshapeTo(result, {out[0], out[1], out[3]}, n);
  }
  return result;
}

Value Importer::globalPooling(NodeContext &n, bool max) {
  Value x = input(n, 0);
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() != 4)
    throw ImportError{n.where, "cnnc imports 2-D pooling; the input is " + shapeText(in)};
  if (!max)
    return build(cnn::GlobalAvgPoolOp::getOperationName(), x, {}, n);
  return build(cnn::MaxPool2dOp::getOperationName(), x,
               {i64Array("kernel_size", in.drop_front(2)), i64Array("strides", {1, 1}),
                i64Array("padding", {0, 0, 0, 0}),
                builder.getNamedAttr("ceil_mode", builder.getBoolAttr(false))},
               n);
}

Value Importer::gemm(NodeContext &n) {
  float alpha = n.attributes.number("alpha", 1.0f), beta = n.attributes.number("beta", 1.0f);
  Value a = input(n, 0), b = input(n, 1);
  if (shapeOf(a).size() != 2 || shapeOf(b).size() != 2)
    throw ImportError{n.where, "Gemm multiplies 2-D tensors, got " + shapeText(shapeOf(a)) +
                                   " and " + shapeText(shapeOf(b))};
  auto transposed = [&](Value value) {
    return build(cnn::TransposeOp::getOperationName(), value, {i64Array("permutation", {1, 0})},
                 n);
  };
  if (n.attributes.integer("transA", 0))
    a = transposed(a);
  // cnn.dense reads its weight as [M, K], Gemm's B with transB = 1.
  if (!n.attributes.integer("transB", 0))
    b = transposed(b);
  SmallVector<Value> operands = {a, b};
  std::optional<Value> c;
  if (hasInput(n, 2))
    c = input(n, 2);
  // A C of M values with alpha and beta 1 is the dense layer's bias;
  // otherwise Y = alpha A B + beta C with the scalings and sum as ops.
  int64_t m = shapeOf(b)[0];
  bool cIsBias = c && alpha == 1.0f && beta == 1.0f &&
                 ShapedType::getNumElements(shapeOf(*c)) == m &&
                 (shapeOf(*c).size() == 1 || shapeOf(*c) == ArrayRef<int64_t>{1, m});
  if (cIsBias)
    operands.push_back(shapeOf(*c).size() == 1 ? *c : reshapeTo(*c, {m}, n));
  Value y = build(cnn::DenseOp::getOperationName(), operands, {}, n);
  if (alpha != 1.0f)
    y = build(cnn::MulOp::getOperationName(), {y, constant({1}, {alpha})}, {}, n);
  if (c && !cIsBias) {
    Value term = beta == 1.0f ? *c
                              : build(cnn::MulOp::getOperationName(),
                                      {*c, constant({1}, {beta})}, {}, n);
    y = build(cnn::AddOp::getOperationName(), {y, term}, {}, n);
  }
  return y;
}

SmallVector<int64_t> Importer::permutation(NodeContext &n, int64_t rank) {
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  SmallVector<int64_t> perm = n.attributes.integers("perm").value_or(reversed);
  if (int64_t(perm.size()) != rank)
    throw ImportError{n.where, "'perm' needs " + std::to_string(rank) + " values"};
  for (int64_t &axis : perm)
    axis = normalizeAxis(axis, rank, n.where);
  return perm;
}

Value Importer::matmul(NodeContext &n) {
  Value a = input(n, 0), b = input(n, 1);
  if (shapeOf(a).size() != 2 || shapeOf(b).size() != 2)
    throw ImportError{n.where, "cnnc implements MatMul of 2-D tensors, got " +
                                   shapeText(shapeOf(a)) + " and " + shapeText(shapeOf(b))};
  b = build(cnn::TransposeOp::getOperationName(), b, {i64Array("permutation", {1, 0})}, n);
  return build(cnn::DenseOp::getOperationName(), {a, b}, {}, n);
}

Value Importer::reshapeTo(Value input, ArrayRef<int64_t> shape, NodeContext &n) {
  return build(cnn::ReshapeOp::getOperationName(), input, {i64Array("shape", shape)}, n);
}

Value Importer::pad(NodeContext &n) {
  Value x = input(n, 0);
  ArrayRef<int64_t> in = shapeOf(x);
  std::vector<int64_t> pads;
  float constant = 0.0f;
  if (opset < 11) {
    SmallVector<int64_t> given = n.attributes.integers("pads").value_or(SmallVector<int64_t>{});
    pads.assign(given.begin(), given.end());
    constant = n.attributes.number("value", 0.0f);
  } else {
    pads = requireKnown(n.node.input(1), n.where, "'pads' input").asInts();
    if (hasInput(n, 2)) {
      std::vector<float> value = requireKnown(n.node.input(2), n.where,
                                              "constant value").asFloats();
      if (value.size() != 1)
        throw ImportError{n.where, "the constant value needs one value"};
      constant = value[0];
    }
    if (hasInput(n, 3))
      throw ImportError{n.where, "cnnc implements Pad over all axes (no 'axes' input)"};
  }
  if (in.size() != 4 || pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
    throw ImportError{n.where, "cnnc implements Pad of the two spatial dimensions of a 4-D "
                               "tensor, got pads " + shapeText(pads) + " of " + shapeText(in)};
  std::string mode = n.attributes.text("mode", "constant");
  static const std::map<std::string, cnn::PaddingMode> modes = {
      {"constant", cnn::PaddingMode::Zeros},
      {"reflect", cnn::PaddingMode::Reflect},
      {"edge", cnn::PaddingMode::Replicate}};
  auto found = modes.find(mode);
  if (found == modes.end())
    throw ImportError{n.where, "cnnc implements Pad modes constant, reflect and edge, not '" +
                                   mode + "'"};
  return build(cnn::PadOp::getOperationName(), x,
               {i64Array("padding", {pads[2], pads[3], pads[6], pads[7]}),
                builder.getNamedAttr("mode", cnn::PaddingModeAttr::get(&context, found->second)),
                builder.getNamedAttr("value", builder.getF64FloatAttr(constant))},
               n);
}

Value Importer::resize(NodeContext &n) {
  Value x = input(n, 0);
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() != 4)
    throw ImportError{n.where, "cnnc implements resizing of 4-D tensors, got " + shapeText(in)};
  // Upsample (opset 9) and Resize 10 take scales as input 1; Resize 11+
  // takes them as input 2, or the output sizes as input 3.
  std::vector<float> scales;
  bool isResize = n.node.op_type() == "Resize";
  int scalesInput = isResize && opset >= 11 ? 2 : 1;
  if (isResize && opset >= 11 && hasInput(n, 3)) {
    std::vector<int64_t> sizes = requireKnown(n.node.input(3), n.where, "'sizes' input").asInts();
    if (sizes.size() != 4)
      throw ImportError{n.where, "'sizes' needs 4 values"};
    for (int d = 0; d < 4; ++d)
      scales.push_back(float(sizes[d]) / float(in[d]));
  } else if (hasInput(n, scalesInput)) {
    scales = requireKnown(n.node.input(scalesInput), n.where, "'scales' input").asFloats();
  } else if (auto given = n.attributes.integers("scales")) {
    scales.assign(given->begin(), given->end());
  }
  if (scales.size() != 4 || scales[0] != 1.0f || scales[1] != 1.0f)
    throw ImportError{n.where, "cnnc implements resizing of the two spatial dimensions, with "
                               "4 scales or sizes"};
  SmallVector<int64_t> factors;
  for (int d = 2; d < 4; ++d) {
    if (!(scales[d] >= 1.0f && scales[d] <= float(kMaxSize)) ||
        scales[d] != std::floor(scales[d]))
      throw ImportError{n.where, "cnnc implements resizing by integer factors, got the scale " +
                                     std::to_string(scales[d])};
    factors.push_back(int64_t(scales[d]));
  }
  std::string mode = n.attributes.text("mode", "nearest");
  std::string transform = n.attributes.text("coordinate_transformation_mode", "half_pixel");
  (void)n.attributes.text("nearest_mode", "round_prefer_floor");
  (void)n.attributes.number("cubic_coeff_a", -0.75f);
  (void)n.attributes.integer("exclude_outside", 0);
  (void)n.attributes.number("extrapolation_value", 0.0f);
  cnn::UpsampleMode upsampleMode;
  // By an integer factor s, output o of nearest resizing reads input
  // floor(o / s) under every transformation but align_corners; linear
  // resizing is cnn's bilinear under the half-pixel ones.
  if (mode == "nearest" && transform != "align_corners" &&
      transform != "tf_crop_and_resize") {
    upsampleMode = cnn::UpsampleMode::Nearest;
  } else if ((mode == "linear" || mode == "bilinear") &&
             (transform == "half_pixel" || transform == "pytorch_half_pixel")) {
    upsampleMode = cnn::UpsampleMode::Bilinear;
  } else {
    throw ImportError{n.where, "cnnc implements nearest resizing and linear resizing with "
                               "half-pixel coordinates, not mode '" + mode +
                               "' with coordinate_transformation_mode '" + transform + "'"};
  }
  return build(cnn::UpsampleOp::getOperationName(), x,
               {i64Array("scale_factors", factors),
                builder.getNamedAttr("mode", cnn::UpsampleModeAttr::get(&context, upsampleMode))},
               n);
}

void Importer::importOp(NodeContext &n) {
  const std::string &op = n.node.op_type();
  auto unary = [&](StringRef name, ArrayRef<NamedAttribute> attributes = {}) {
    return build(name, input(n, 0), attributes, n);
  };
  Value result;
  if (op == "Conv") {
    result = convolution(n);
  } else if (op == "ConvTranspose") {
    result = transposedConvolution(n);
  } else if (op == "MaxPool" || op == "AveragePool") {
    result = pooling(n, op == "MaxPool");
  } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    result = globalPooling(n, op == "GlobalMaxPool");
  } else if (op == "BatchNormalization") {
    if (n.attributes.integer("training_mode", 0))
      throw ImportError{n.where, "cnnc imports batch normalization in inference mode "
                                 "(training_mode 0)"};
    (void)n.attributes.number("momentum", 0.9f);
    (void)n.attributes.integer("spatial", 1);
    expectOutputs(n, 1);
    SmallVector<Value> operands = {input(n, 0)};
    // The running statistics are buffers: training updates, not learns, them.
    for (int i = 1; i <= 4; ++i)
      operands.push_back(input(n, i, /*buffer=*/i >= 3));
    result = build(cnn::BatchNormOp::getOperationName(), operands,
                   {builder.getNamedAttr("epsilon", builder.getF64FloatAttr(
                                                        n.attributes.number("epsilon", 1e-5f)))},
                   n);
  } else if (op == "Relu") {
    result = unary(cnn::ReluOp::getOperationName());
  } else if (op == "Sigmoid") {
    result = unary(cnn::SigmoidOp::getOperationName());
  } else if (op == "Tanh") {
    result = unary(cnn::TanhOp::getOperationName());
  } else if (op == "LeakyRelu") {
    result = unary(cnn::LeakyReluOp::getOperationName(),
                   {builder.getNamedAttr("negative_slope", builder.getF64FloatAttr(
                                                               n.attributes.number("alpha", 0.01f)))});
  } else if (op == "Elu") {
    result = unary(cnn::EluOp::getOperationName(),
                   {builder.getNamedAttr("alpha", builder.getF64FloatAttr(
                                                      n.attributes.number("alpha", 1.0f)))});
  } else if (op == "Selu") {
    result = unary(cnn::EluOp::getOperationName(),
                   {builder.getNamedAttr("alpha", builder.getF64FloatAttr(n.attributes.number(
                                                      "alpha", 1.67326319217681884765625f))),
                    builder.getNamedAttr("scale", builder.getF64FloatAttr(n.attributes.number(
                                                      "gamma", 1.05070102214813232421875f)))});
  } else if (op == "HardSigmoid") {
    result = unary(cnn::HardSigmoidOp::getOperationName(),
                   {builder.getNamedAttr("alpha", builder.getF64FloatAttr(
                                                      n.attributes.number("alpha", 0.2f))),
                    builder.getNamedAttr("beta", builder.getF64FloatAttr(
                                                     n.attributes.number("beta", 0.5f)))});
  } else if (op == "HardSwish") {
    result = unary(cnn::HardSwishOp::getOperationName());
  } else if (op == "Clip") {
    double low = -INFINITY, high = INFINITY;
    if (opset < 11) {
      low = n.attributes.number("min", -INFINITY);
      high = n.attributes.number("max", INFINITY);
    } else {
      for (int i : {1, 2}) {
        if (!hasInput(n, i))
          continue;
        std::vector<float> bound =
            requireKnown(n.node.input(i), n.where, i == 1 ? "'min' input" : "'max' input")
                .asFloats();
        if (bound.size() != 1)
          throw ImportError{n.where, "its bounds need one value each"};
        (i == 1 ? low : high) = bound[0];
      }
    }
    result = unary(cnn::ClipOp::getOperationName(),
                   {builder.getNamedAttr("min", builder.getF64FloatAttr(low)),
                    builder.getNamedAttr("max", builder.getF64FloatAttr(high))});
  } else if (op == "PRelu") {
    result = build(cnn::PReluOp::getOperationName(), {input(n, 0), input(n, 1)}, {}, n);
  } else if (op == "Sub" || op == "Mul" || op == "Div") {
    StringRef name = op == "Sub"   ? cnn::SubOp::getOperationName()
                     : op == "Mul" ? cnn::MulOp::getOperationName()
                                   : cnn::DivOp::getOperationName();
    result = build(name, {input(n, 0), input(n, 1)}, {}, n);
  } else if (op == "Transpose") {
    Value x = input(n, 0);
    result = build(cnn::TransposeOp::getOperationName(), x,
                   {i64Array("permutation", permutation(n, shapeOf(x).size()))}, n);
  } else if (op == "Softmax" || op == "LogSoftmax") {
    Value x = input(n, 0);
    int64_t rank = shapeOf(x).size();
    int64_t axis = normalizeAxis(n.attributes.integer("axis", opset >= 13 ? -1 : 1), rank,
                                 n.where);
    // Before opset 13 Softmax normalises over all dimensions from the axis
    // on, which is one axis only when it is the last.
    if (opset < 13 && axis != rank - 1)
      throw ImportError{n.where, op + " before opset 13 over the dimensions from axis " +
                                     std::to_string(axis) + " of " + std::to_string(rank) +
                                     ": cnnc implements it over the last"};
    result = build(op == "Softmax" ? cnn::SoftmaxOp::getOperationName()
                                   : cnn::LogSoftmaxOp::getOperationName(),
                   x,
                   {builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))}, n);
  } else if (op == "LRN") {
    result = unary(cnn::LocalResponseNormOp::getOperationName(),
                   {builder.getNamedAttr("size", builder.getI64IntegerAttr(
                                                     n.attributes.integer("size", 1))),
                    builder.getNamedAttr("alpha", builder.getF64FloatAttr(
                                                      n.attributes.number("alpha", 1e-4f))),
                    builder.getNamedAttr("beta", builder.getF64FloatAttr(
                                                     n.attributes.number("beta", 0.75f))),
                    builder.getNamedAttr("k", builder.getF64FloatAttr(
                                                  n.attributes.number("bias", 1.0f)))});
  } else if (op == "Gemm") {
    result = gemm(n);
  } else if (op == "MatMul") {
    result = matmul(n);
  } else if (op == "Add") {
    result = build(cnn::AddOp::getOperationName(), {input(n, 0), input(n, 1)}, {}, n);
  } else if (op == "Concat") {
    SmallVector<Value> inputs;
    for (int i = 0; i < n.node.input_size(); ++i)
      inputs.push_back(input(n, i));
    int64_t axis = normalizeAxis(n.attributes.integer("axis", 1),
                                 shapeOf(inputs.front()).size(), n.where);
    result = inputs.size() == 1
                 ? inputs.front()
                 : build(cnn::ConcatOp::getOperationName(), inputs,
                         {builder.getNamedAttr("axis", builder.getI64IntegerAttr(axis))}, n);
  } else if (op == "Flatten") {
    Value x = input(n, 0);
    ArrayRef<int64_t> shape = shapeOf(x);
    // An axis of [-rank, rank]: the dimensions before it make the rows.
    int64_t rank = shape.size(), axis = n.attributes.integer("axis", 1);
    if (axis < -rank || axis > rank)
      throw ImportError{n.where, "axis " + std::to_string(axis) + " is outside [-" +
                                     std::to_string(rank) + ", " + std::to_string(rank) + "]"};
    if (axis < 0)
      axis += rank;
    int64_t outer = 1, inner = 1;
    for (auto [d, dim] : llvm::enumerate(shape))
      (int64_t(d) < axis ? outer : inner) *= dim;
    result = axis == 1 ? build(cnn::FlattenOp::getOperationName(), x, {}, n)
                       : reshapeTo(x, {outer, inner}, n);
  } else if (op == "Reshape") {
    Value x = input(n, 0);
    std::vector<int64_t> target = reshapeTarget(n, shapeOf(x));
    result = reshapeTo(x, target, n);
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    Value x = input(n, 0);
    result = reshapeTo(x, squeezedShape(n, shapeOf(x)), n);
  } else if (op == "Dropout") {
    // Inference: the identity; a training-mode input is refused.
    if (hasInput(n, 2))
      throw ImportError{n.where, "cnnc imports Dropout in inference mode (no training_mode input)"};
    (void)n.attributes.number("ratio", 0.5f);
    (void)n.attributes.integer("seed", 0);
    (void)n.attributes.integer("is_test", 1);
    expectOutputs(n, 1);
    result = input(n, 0);
  } else if (op == "Identity") {
    result = input(n, 0);
  } else if (op == "Pad") {
    result = pad(n);
  } else if (op == "Resize" || op == "Upsample") {
    result = resize(n);
  } else {
    throw ImportError{n.where, "cnnc does not import the op type " + op};
  }
  define(n, result);
}

} // namespace cnnc::onnx_import
