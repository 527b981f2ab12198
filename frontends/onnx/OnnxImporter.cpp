//===- OnnxImporter.cpp - ONNX model to the cnn dialect -------------------===//
//
// Reads an ONNX ModelProto with Debian's ONNX library (the protobuf
// classes and the checker), then walks the graph's nodes, which the format
// keeps in topological order, building one cnn op per node. Initializers
// that a layer reads as a tensor become the function's weight arguments,
// by their ONNX names, so a safetensors file of the same names binds to
// the compiled model; the integer side computations that exporters emit
// for shapes (Shape, Gather, Unsqueeze, Concat, ...) are folded here, since
// every shape is static once the batch is fixed. Result types come from the
// dialect's own inference and verifiers, as for JSON models.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxImporter.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Cnn/IR/CnnOps.h"
#include "frontends/json/ImportError.h"
#include "frontends/json/LayerBuilder.h"
#include "frontends/json/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"

#include <cmath>
#include <cstring>
#include <climits>
#include <map>

using namespace mlir;
using cnnc::json::ImportError;
using cnnc::json::checkedElementCount;
using cnnc::json::kMaxSize;

namespace cnnc::onnx_import {
namespace {

/// A tensor whose values are known at import time: an initializer, a
/// Constant node, or a folded shape computation.
struct Known {
  SmallVector<int64_t> shape;
  bool isFloat = true;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  /// An initializer is a weight of the model: a layer that reads it as a
  /// tensor gets a function argument, which a weight file can replace.
  bool isInitializer = false;

  int64_t count() const { return isFloat ? floats.size() : ints.size(); }
  /// The values as integers (shapes, axes, pads), whatever their type.
  std::vector<int64_t> asInts() const {
    if (!isFloat)
      return ints;
    // Beyond any size cnnc accepts, a value is clamped (NaN to 0), and the
    // checks of sizes refuse it later; the conversion itself stays defined.
    std::vector<int64_t> result;
    for (float value : floats)
      result.push_back(std::isnan(value) ? 0
                                         : int64_t(std::clamp(value, -0x1p62f, 0x1p62f)));
    return result;
  }
  std::vector<float> asFloats() const {
    if (isFloat)
      return floats;
    return std::vector<float>(ints.begin(), ints.end());
  }
};

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

/// Normalises a possibly negative axis of a tensor of `rank` dimensions.
int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &where) {
  if (axis < -rank || axis >= rank)
    throw ImportError{where, "axis " + std::to_string(axis) + " is outside a tensor of " +
                                 std::to_string(rank) + " dimensions"};
  return axis < 0 ? axis + rank : axis;
}

/// The values of a TensorProto, from its typed fields or its little-endian
/// raw bytes.
Known readTensor(const onnx::TensorProto &tensor, const std::string &where) {
  std::string what = "tensor '" + tensor.name() + "'";
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    throw ImportError{where, what + " keeps its values in an external file, which cnnc "
                                    "does not read; save the model with its data inside"};
  Known known;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || dim > kMaxSize)
      throw ImportError{where, what + " has the dimension " + std::to_string(dim)};
    known.shape.push_back(dim);
  }
  int64_t count = checkedElementCount(known.shape, where, what);
  const std::string &raw = tensor.raw_data();
  auto fromRaw = [&](auto &values, size_t width) {
    if (raw.size() != size_t(count) * width)
      throw ImportError{where, what + " of shape " + shapeText(known.shape) + " holds " +
                                   std::to_string(raw.size()) + " bytes, not " +
                                   std::to_string(count * width)};
    values.resize(count);
    for (int64_t i = 0; i < count; ++i) {
      if (width == 4) {
        std::conditional_t<std::is_same_v<std::decay_t<decltype(values[0])>, float>, float,
                           int32_t>
            value;
        std::memcpy(&value, raw.data() + i * width, width);
        values[i] = value;
      } else {
        int64_t value;
        std::memcpy(&value, raw.data() + i * width, width);
        values[i] = value;
      }
    }
  };
  auto fromField = [&](auto &values, const auto &field) {
    if (field.size() != count)
      throw ImportError{where, what + " of shape " + shapeText(known.shape) + " holds " +
                                   std::to_string(field.size()) + " values"};
    values.assign(field.begin(), field.end());
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    known.isFloat = true;
    if (!raw.empty() || tensor.float_data_size() == 0)
      fromRaw(known.floats, 4);
    else
      fromField(known.floats, tensor.float_data());
    break;
  case onnx::TensorProto::INT64:
    known.isFloat = false;
    if (!raw.empty() || tensor.int64_data_size() == 0)
      fromRaw(known.ints, 8);
    else
      fromField(known.ints, tensor.int64_data());
    break;
  case onnx::TensorProto::INT32:
    known.isFloat = false;
    if (!raw.empty() || tensor.int32_data_size() == 0)
      fromRaw(known.ints, 4);
    else
      fromField(known.ints, tensor.int32_data());
    break;
  default:
    throw ImportError{where, what + " has the element type " +
                                 onnx::TensorProto::DataType_Name(
                                     onnx::TensorProto::DataType(tensor.data_type())) +
                                 "; cnnc reads float32, int64 and int32 tensors"};
  }
  return known;
}

/// A node's attributes by name, read with defaults; reading marks an
/// attribute as understood, and the rest are refused.
class Attributes {
public:
  Attributes(const onnx::NodeProto &node, std::string where) : where(std::move(where)) {
    for (const onnx::AttributeProto &attribute : node.attribute())
      byName[attribute.name()] = &attribute;
  }
  bool has(StringRef name) const { return byName.count(name.str()); }
  int64_t integer(StringRef name, int64_t fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::INT);
    return attribute ? attribute->i() : fallback;
  }
  float number(StringRef name, float fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::FLOAT);
    return attribute ? attribute->f() : fallback;
  }
  std::string text(StringRef name, StringRef fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::STRING);
    return attribute ? attribute->s() : fallback.str();
  }
  std::optional<SmallVector<int64_t>> integers(StringRef name) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::INTS);
    if (!attribute)
      return std::nullopt;
    return SmallVector<int64_t>(attribute->ints().begin(), attribute->ints().end());
  }
  std::optional<Known> tensor(StringRef name) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::TENSOR);
    if (!attribute)
      return std::nullopt;
    return readTensor(attribute->t(), where);
  }
  /// Refuses what is left: an attribute cnnc would otherwise ignore.
  void rejectUnread() const {
    for (const auto &[name, attribute] : byName)
      if (!read.contains(name))
        throw ImportError{where, "cnnc does not implement the attribute '" + name + "'"};
  }
  /// Marks attributes that do not change the result (as storage_order).
  void ignore(StringRef name) { read.insert(name); }

private:
  const onnx::AttributeProto *get(StringRef name, onnx::AttributeProto::AttributeType type) {
    auto found = byName.find(name.str());
    if (found == byName.end())
      return nullptr;
    read.insert(name);
    if (found->second->type() != type)
      throw ImportError{where, "attribute '" + name.str() + "' is a " +
                                   onnx::AttributeProto::AttributeType_Name(
                                       found->second->type()) +
                                   ", expected " +
                                   onnx::AttributeProto::AttributeType_Name(type)};
    return found->second;
  }
  std::string where;
  std::map<std::string, const onnx::AttributeProto *> byName;
  llvm::StringSet<> read;
};

class Importer {
public:
  Importer(MLIRContext &context, StringRef path, const ImportOptions &options,
           std::vector<Weight> &weights)
      : context(context), builder(&context), path(path.str()), options(options),
        weights(weights) {}

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model);

private:
  // The node being imported, for messages and locations.
  struct NodeContext {
    const onnx::NodeProto &node;
    std::string where;
    Location loc;
    Attributes attributes;
  };

  void importNode(const onnx::NodeProto &node);
  void importOp(NodeContext &n);
  bool fold(NodeContext &n);

  /// The value named `name` as a tensor of the graph: a layer's result, an
  /// input, a weight argument for an initializer, or a constant.
  Value value(const std::string &name, const std::string &where);
  /// The known values of `name`, or null when it is computed at run time.
  const Known *known(const std::string &name) const;
  const Known &requireKnown(const std::string &name, const std::string &where,
                            StringRef role) const;
  Value weightArgument(const std::string &name, const Known &tensor, bool buffer);
  Value build(StringRef opName, ValueRange operands, ArrayRef<NamedAttribute> attributes,
              NodeContext &n);
  Value input(NodeContext &n, int index);
  bool hasInput(NodeContext &n, int index) const {
    return index < n.node.input_size() && !n.node.input(index).empty();
  }
  ArrayRef<int64_t> shapeOf(Value value) const {
    return cast<RankedTensorType>(value.getType()).getShape();
  }
  void define(NodeContext &n, Value result, int index = 0);
  void defineKnown(NodeContext &n, Known known, int index = 0);
  void expectOutputs(NodeContext &n, int count);

  NamedAttribute i64Array(StringRef name, ArrayRef<int64_t> values) {
    return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(values));
  }

  // The ops, by family.
  Value convolution(NodeContext &n);
  Value transposedConvolution(NodeContext &n);
  Value pooling(NodeContext &n, bool max);
  Value globalPooling(NodeContext &n, bool max);
  Value gemm(NodeContext &n);
  Value matmul(NodeContext &n);
  Value pad(NodeContext &n);
  Value resize(NodeContext &n);
  Value reshapeTo(Value input, ArrayRef<int64_t> shape, NodeContext &n);
  /// A one-element f32 constant, which broadcasts against any tensor.
  Value scalar(float number);
  SmallVector<int64_t> squeezedShape(NodeContext &n, ArrayRef<int64_t> shape);
  std::vector<int64_t> reshapeTarget(NodeContext &n, ArrayRef<int64_t> in);
  SmallVector<int64_t> windowPadding(NodeContext &n, ArrayRef<int64_t> inputSpatial,
                                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> dilations);

  MLIRContext &context;
  OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  std::vector<Weight> &weights;
  int64_t opset = 0;
  Block *body = nullptr;
  std::map<std::string, Value> values;
  std::map<std::string, Known> constants;
  std::map<std::string, Value> weightArguments;
  SmallVector<DictionaryAttr> weightAttributes;
};

const Known *Importer::known(const std::string &name) const {
  auto found = constants.find(name);
  return found == constants.end() ? nullptr : &found->second;
}

const Known &Importer::requireKnown(const std::string &name, const std::string &where,
                                    StringRef role) const {
  if (const Known *tensor = known(name))
    return *tensor;
  throw ImportError{where, "its " + role.str() + " ('" + name +
                               "') is computed at run time; cnnc needs it as an "
                               "initializer or a constant"};
}

Value Importer::weightArgument(const std::string &name, const Known &tensor, bool buffer) {
  auto found = weightArguments.find(name);
  if (found != weightArguments.end())
    return found->second;
  unsigned index = weightArguments.size();
  Value argument = body->insertArgument(
      index, RankedTensorType::get(tensor.shape, builder.getF32Type()),
      NameLoc::get(builder.getStringAttr(name)));
  NamedAttrList attributes;
  attributes.append(buffer ? cnn::CnnDialect::kBufferAttrName
                           : cnn::CnnDialect::kParamAttrName,
                    builder.getStringAttr(name));
  attributes.append(cnn::CnnDialect::kInitAttrName, builder.getStringAttr("zeros"));
  weightAttributes.push_back(attributes.getDictionary(&context));
  weights.push_back({name, std::vector<int64_t>(tensor.shape.begin(), tensor.shape.end()),
                     tensor.asFloats()});
  weightArguments[name] = argument;
  return argument;
}

Value Importer::value(const std::string &name, const std::string &where) {
  auto found = values.find(name);
  if (found != values.end())
    return found->second;
  if (const Known *tensor = known(name)) {
    if (tensor->isInitializer && tensor->isFloat)
      return values[name] = weightArgument(name, *tensor, false);
    // A constant that a layer reads: materialised where the body starts.
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(body);
    // A scalar as one element: cnn's tensors have a rank, and it broadcasts.
    auto type = RankedTensorType::get(
        tensor->shape.empty() ? SmallVector<int64_t>{1} : tensor->shape, builder.getF32Type());
    return values[name] = arith::ConstantOp::create(
               builder, builder.getUnknownLoc(),
               DenseElementsAttr::get(type, ArrayRef<float>(tensor->asFloats())));
  }
  throw ImportError{where, "reads '" + name + "', which no node, input or initializer defines"};
}

Value Importer::input(NodeContext &n, int index) {
  if (!hasInput(n, index))
    throw ImportError{n.where, "input " + std::to_string(index) + " is missing"};
  return value(n.node.input(index), n.where);
}

Value Importer::build(StringRef opName, ValueRange operands,
                      ArrayRef<NamedAttribute> attributes, NodeContext &n) {
  OperationState state(n.loc, opName);
  state.addOperands(operands);
  state.addAttributes(attributes);
  state.addTypes(operands.front().getType());
  Operation *op = builder.create(state);
  cnnc::json::inferAndVerify(op, n.where);
  return op->getResult(0);
}

void Importer::define(NodeContext &n, Value result, int index) {
  values[n.node.output(index)] = result;
}

void Importer::defineKnown(NodeContext &n, Known known, int index) {
  known.isInitializer = false;
  constants[n.node.output(index)] = std::move(known);
}

void Importer::expectOutputs(NodeContext &n, int count) {
  for (int i = count; i < n.node.output_size(); ++i)
    if (!n.node.output(i).empty())
      throw ImportError{n.where, "cnnc computes only its first " +
                                     (count == 1 ? std::string("output")
                                                 : std::to_string(count) + " outputs") +
                                     ", and output " + std::to_string(i) + " ('" +
                                     n.node.output(i) + "') is used"};
}

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
  if (n.attributes.has("output_shape"))
    throw ImportError{n.where, "cnnc does not implement the attribute 'output_shape'; "
                               "export with 'pads' and 'output_padding'"};
  if (n.attributes.text("auto_pad", "NOTSET") != "NOTSET")
    throw ImportError{n.where, "cnnc implements ConvTranspose with auto_pad NOTSET only"};
  SmallVector<int64_t> padding =
      n.attributes.integers("pads").value_or(SmallVector<int64_t>(4, 0));
  SmallVector<Value> operands = {x, w};
  if (hasInput(n, 2))
    operands.push_back(input(n, 2));
  (void)n.attributes.integers("kernel_shape");
  return build(
      cnn::ConvTranspose2dOp::getOperationName(), operands,
      {i64Array("strides", n.attributes.integers("strides").value_or(SmallVector<int64_t>{1, 1})),
       i64Array("padding", padding),
       i64Array("output_padding",
                n.attributes.integers("output_padding").value_or(SmallVector<int64_t>{0, 0})),
       i64Array("dilations",
                n.attributes.integers("dilations").value_or(SmallVector<int64_t>{1, 1})),
       builder.getNamedAttr("groups", builder.getI64IntegerAttr(n.attributes.integer("group", 1)))},
      n);
}

Value Importer::pooling(NodeContext &n, bool max) {
  Value x = input(n, 0);
  ArrayRef<int64_t> in = shapeOf(x);
  if (in.size() != 4)
    throw ImportError{n.where, "cnnc imports 2-D pooling; the input is " + shapeText(in)};
  std::optional<SmallVector<int64_t>> kernel = n.attributes.integers("kernel_shape");
  if (!kernel || kernel->size() != 2)
    throw ImportError{n.where, "'kernel_shape' needs 2 values"};
  SmallVector<int64_t> strides =
      n.attributes.integers("strides").value_or(SmallVector<int64_t>{1, 1});
  if (auto dilations = n.attributes.integers("dilations");
      dilations && llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
    throw ImportError{n.where, "cnnc implements pooling without dilations"};
  SmallVector<int64_t> padding = windowPadding(n, in.drop_front(2), *kernel, strides, {1, 1});
  SmallVector<NamedAttribute> attributes = {
      i64Array("kernel_size", *kernel), i64Array("strides", strides),
      i64Array("padding", padding),
      builder.getNamedAttr("ceil_mode",
                           builder.getBoolAttr(n.attributes.integer("ceil_mode", 0)))};
  if (max) {
    n.attributes.ignore("storage_order"); // of the indices output, refused below
    expectOutputs(n, 1);
    return build(cnn::MaxPool2dOp::getOperationName(), x, attributes, n);
  }
  // ONNX counts only the input positions by default, as PyTorch does not.
  attributes.push_back(builder.getNamedAttr(
      "count_include_pad",
      builder.getBoolAttr(n.attributes.integer("count_include_pad", 0))));
  return build(cnn::AvgPool2dOp::getOperationName(), x, attributes, n);
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
    y = build(cnn::MulOp::getOperationName(), {y, scalar(alpha)}, {}, n);
  if (c && !cIsBias) {
    Value term = beta == 1.0f ? *c
                              : build(cnn::MulOp::getOperationName(), {*c, scalar(beta)}, {}, n);
    y = build(cnn::AddOp::getOperationName(), {y, term}, {}, n);
  }
  return y;
}

Value Importer::scalar(float number) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(body);
  auto type = RankedTensorType::get({1}, builder.getF32Type());
  return arith::ConstantOp::create(builder, builder.getUnknownLoc(),
                                   DenseElementsAttr::get(type, ArrayRef<float>{number}));
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

/// Reshape's target: its known shape input, 0 copying the input's size
/// (unless allowzero) and one -1 taking what is left.
std::vector<int64_t> Importer::reshapeTarget(NodeContext &n, ArrayRef<int64_t> in) {
  std::vector<int64_t> target = requireKnown(n.node.input(1), n.where, "shape").asInts();
  bool allowZero = n.attributes.integer("allowzero", 0);
  int64_t known = 1, inferred = -1;
  for (auto [d, dim] : llvm::enumerate(target)) {
    if (dim == 0 && !allowZero) {
      if (d >= in.size())
        throw ImportError{n.where, "the shape copies dimension " + std::to_string(d) +
                                       " of a tensor of " + std::to_string(in.size())};
      dim = in[d];
    }
    if (dim == -1) {
      if (inferred >= 0)
        throw ImportError{n.where, "the shape " + shapeText(target) + " has two -1"};
      inferred = d;
      continue;
    }
    if (dim < 0)
      throw ImportError{n.where, "the shape " + shapeText(target) + " has a negative size"};
    if (__builtin_mul_overflow(known, dim, &known))
      throw ImportError{n.where, "the shape " + shapeText(target) + " is too large"};
  }
  int64_t total = ShapedType::getNumElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      throw ImportError{n.where, "cannot reshape " + shapeText(in) + " to " + shapeText(target)};
    target[inferred] = total / known;
  } else if (known != total) {
    throw ImportError{n.where, "cannot reshape " + shapeText(in) + " to " + shapeText(target)};
  }
  return target;
}

/// The elements of `from` at `sources` (flat indices), in a tensor of `shape`.
Known gathered(const Known &from, ArrayRef<int64_t> sources, SmallVector<int64_t> shape) {
  Known result;
  result.isFloat = from.isFloat;
  result.shape = std::move(shape);
  for (int64_t source : sources) {
    if (from.isFloat)
      result.floats.push_back(from.floats[source]);
    else
      result.ints.push_back(from.ints[source]);
  }
  return result;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Calls `visit(flat index of the source)` for each element of a box of
/// `from` [shape] starting at `starts` with `steps` and `counts` per
/// dimension, in row-major order.
void forEachInBox(ArrayRef<int64_t> shape, ArrayRef<int64_t> starts, ArrayRef<int64_t> steps,
                  ArrayRef<int64_t> counts, llvm::function_ref<void(int64_t)> visit) {
  SmallVector<int64_t> strides = stridesOf(shape), index(shape.size(), 0);
  int64_t total = 1;
  for (int64_t count : counts)
    total *= count;
  for (int64_t i = 0; i < total; ++i) {
    int64_t flat = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      flat += (starts[d] + index[d] * steps[d]) * strides[d];
    visit(flat);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < counts[d])
        break;
      index[d] = 0;
    }
  }
}

/// The shape after an Unsqueeze or a Squeeze (axes as the attribute before
/// opset 13, as a known input after; Squeeze without axes drops every 1).
SmallVector<int64_t> Importer::squeezedShape(NodeContext &n, ArrayRef<int64_t> shape) {
  std::vector<int64_t> axes;
  if (auto given = n.attributes.integers("axes"))
    axes.assign(given->begin(), given->end());
  else if (hasInput(n, 1))
    axes = requireKnown(n.node.input(1), n.where, "'axes' input").asInts();
  SmallVector<int64_t> result(shape);
  if (n.node.op_type() == "Unsqueeze") {
    int64_t rank = shape.size() + axes.size();
    for (int64_t &axis : axes)
      axis = normalizeAxis(axis, rank, n.where);
    llvm::sort(axes);
    for (int64_t axis : axes)
      result.insert(result.begin() + axis, 1);
    return result;
  }
  int64_t rank = shape.size();
  for (int64_t &axis : axes) {
    axis = normalizeAxis(axis, rank, n.where);
    if (shape[axis] != 1)
      throw ImportError{n.where, "squeezes dimension " + std::to_string(axis) + " of " +
                                     shapeText(shape) + ", which is not 1"};
  }
  result.clear();
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes.empty() ? shape[d] == 1 : llvm::is_contained(axes, d)))
      result.push_back(shape[d]);
  return result;
}

/// The integer computations on shapes that exporters emit (Shape, Gather,
/// Unsqueeze, Concat, Cast, ...), folded when every input is known.
bool Importer::fold(NodeContext &n) {
  const std::string &op = n.node.op_type();
  if (op == "Constant") {
    Known value;
    if (std::optional<Known> tensor = n.attributes.tensor("value")) {
      value = std::move(*tensor);
    } else if (n.attributes.has("value_float")) {
      value.floats = {n.attributes.number("value_float", 0)};
    } else if (std::optional<SmallVector<int64_t>> ints = n.attributes.integers("value_ints")) {
      value.isFloat = false;
      value.ints.assign(ints->begin(), ints->end());
      value.shape = {int64_t(ints->size())};
    } else if (n.attributes.has("value_int")) {
      value.isFloat = false;
      value.ints = {n.attributes.integer("value_int", 0)};
    } else {
      throw ImportError{n.where, "cnnc implements Constant with 'value', 'value_float', "
                                 "'value_int' or 'value_ints'"};
    }
    defineKnown(n, std::move(value));
    return true;
  }
  if (op == "Shape") {
    auto found = values.find(n.node.input(0));
    ArrayRef<int64_t> shape = found != values.end() ? shapeOf(found->second)
                                                    : ArrayRef<int64_t>(requireKnown(
                                                          n.node.input(0), n.where, "input").shape);
    int64_t rank = shape.size();
    int64_t start = n.attributes.integer("start", 0), end = n.attributes.integer("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    Known result;
    result.isFloat = false;
    for (int64_t d = start; d < end; ++d)
      result.ints.push_back(shape[d]);
    result.shape = {int64_t(result.ints.size())};
    defineKnown(n, std::move(result));
    return true;
  }
  // The rest fold only when all their inputs are known and not weights.
  for (const std::string &name : n.node.input())
    if (!name.empty() && (!known(name) || (known(name)->isInitializer && known(name)->isFloat)))
      return false;
  auto in = [&](int index) -> const Known & { return *known(n.node.input(index)); };
  Known result;
  if (op == "Identity" || op == "Cast") {
    result = in(0);
    if (op == "Cast") {
      int64_t to = n.attributes.integer("to", onnx::TensorProto::FLOAT);
      if (to == onnx::TensorProto::FLOAT) {
        result.floats = result.asFloats();
        result.isFloat = true;
      } else if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32) {
        result.ints = result.asInts();
        result.isFloat = false;
      } else {
        return false;
      }
    }
  } else if (op == "ConstantOfShape") {
    std::vector<int64_t> shape = in(0).asInts();
    result.shape.assign(shape.begin(), shape.end());
    for (int64_t dim : shape)
      if (dim < 0 || dim > kMaxSize)
        throw ImportError{n.where, "the shape " + shapeText(shape) + " has the size " +
                                       std::to_string(dim)};
    int64_t count = checkedElementCount(result.shape, n.where, "its output");
    if (count > (int64_t(1) << 24))
      return false;
    Known fill;
    if (std::optional<Known> value = n.attributes.tensor("value"))
      fill = std::move(*value);
    else
      fill.floats = {0.0f};
    if (fill.count() != 1)
      throw ImportError{n.where, "its value needs one element"};
    result.isFloat = fill.isFloat;
    if (fill.isFloat)
      result.floats.assign(count, fill.floats[0]);
    else
      result.ints.assign(count, fill.ints[0]);
  } else if (op == "Reshape") {
    result = in(0);
    std::vector<int64_t> target = reshapeTarget(n, in(0).shape);
    result.shape.assign(target.begin(), target.end());
  } else if (op == "Transpose") {
    const Known &data = in(0);
    int64_t rank = data.shape.size();
    SmallVector<int64_t> perm;
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
    if (auto given = n.attributes.integers("perm"))
      perm = *given;
    if (int64_t(perm.size()) != rank)
      throw ImportError{n.where, "'perm' needs " + std::to_string(rank) + " values"};
    SmallVector<int64_t> shape, strides = stridesOf(data.shape), permutedStrides;
    for (int64_t axis : perm) {
      axis = normalizeAxis(axis, rank, n.where);
      shape.push_back(data.shape[axis]);
      permutedStrides.push_back(strides[axis]);
    }
    // Reading the data with the permuted strides, in the output's order.
    SmallVector<int64_t> sources;
    SmallVector<int64_t> unitStrides(rank, 1), origin(rank, 0), outStrides = stridesOf(shape);
    forEachInBox(shape, origin, unitStrides, shape, [&](int64_t flat) {
      int64_t source = 0, rest = flat;
      for (int64_t d = 0; d < rank; ++d) {
        source += (rest / outStrides[d]) * permutedStrides[d];
        rest %= outStrides[d];
      }
      sources.push_back(source);
    });
    result = gathered(data, sources, shape);
  } else if (op == "Slice") {
    const Known &data = in(0);
    int64_t rank = data.shape.size();
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      auto read = [&](StringRef name) {
        SmallVector<int64_t> values = n.attributes.integers(name).value_or(SmallVector<int64_t>{});
        return std::vector<int64_t>(values.begin(), values.end());
      };
      starts = read("starts");
      ends = read("ends");
      axes = read("axes");
    } else {
      starts = in(1).asInts();
      ends = in(2).asInts();
      if (hasInput(n, 3))
        axes = in(3).asInts();
      if (hasInput(n, 4))
        steps = in(4).asInts();
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(i);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      throw ImportError{n.where, "starts, ends, axes and steps need as many values each"};
    SmallVector<int64_t> first(rank, 0), step(rank, 1), count(data.shape);
    for (size_t i = 0; i < starts.size(); ++i) {
      int64_t axis = normalizeAxis(axes[i], rank, n.where), size = data.shape[axis];
      if (steps[i] == 0)
        throw ImportError{n.where, "a step is 0"};
      // ONNX's clamping: negative positions count from the end; a
      // positive step runs in [0, size], a negative one in [-1, size - 1].
      auto position = [&](int64_t value) {
        value = std::clamp<int64_t>(value, -kMaxSize, kMaxSize);
        return value < 0 ? value + size : value;
      };
      int64_t begin = position(starts[i]), end = position(ends[i]);
      if (steps[i] > 0) {
        begin = std::clamp<int64_t>(begin, 0, size);
        end = std::clamp<int64_t>(end, 0, size);
        count[axis] = std::max<int64_t>(0, (end - begin + steps[i] - 1) / steps[i]);
      } else {
        begin = std::clamp<int64_t>(begin, -1, size - 1);
        end = std::clamp<int64_t>(end, -1, size - 1);
        count[axis] = std::max<int64_t>(0, (begin - end - steps[i] - 1) / -steps[i]);
      }
      first[axis] = begin;
      step[axis] = std::clamp<int64_t>(steps[i], -kMaxSize, kMaxSize);
    }
    SmallVector<int64_t> sources;
    forEachInBox(data.shape, first, step, count, [&](int64_t flat) { sources.push_back(flat); });
    result = gathered(data, sources, count);
  } else if (op == "Gather") {
    const Known &data = in(0), &indices = in(1);
    if (data.shape.size() != 1 || n.attributes.integer("axis", 0) != 0)
      return false;
    result.isFloat = data.isFloat;
    result.shape = indices.shape;
    for (int64_t index : indices.asInts()) {
      index = normalizeAxis(index, data.count(), n.where);
      if (data.isFloat)
        result.floats.push_back(data.floats[index]);
      else
        result.ints.push_back(data.ints[index]);
    }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    result = in(0);
    result.shape = squeezedShape(n, result.shape);
  } else if (op == "Concat") {
    int64_t axis = n.attributes.integer("axis", 0);
    if (in(0).shape.size() != 1 || (axis != 0 && axis != -1))
      return false;
    result.isFloat = in(0).isFloat;
    for (int i = 0; i < n.node.input_size(); ++i) {
      if (in(i).shape.size() != 1)
        return false;
      if (result.isFloat) {
        std::vector<float> part = in(i).asFloats();
        result.floats.insert(result.floats.end(), part.begin(), part.end());
      } else {
        std::vector<int64_t> part = in(i).asInts();
        result.ints.insert(result.ints.end(), part.begin(), part.end());
      }
    }
    result.shape = {result.count()};
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const Known &a = in(0), &b = in(1);
    if (a.isFloat || b.isFloat || (a.count() != b.count() && b.count() != 1 && a.count() != 1))
      return false;
    result.isFloat = false;
    result.shape = a.count() >= b.count() ? a.shape : b.shape;
    for (int64_t i = 0; i < std::max(a.count(), b.count()); ++i) {
      int64_t x = a.ints[a.count() == 1 ? 0 : i], y = b.ints[b.count() == 1 ? 0 : i], z;
      bool overflow = op == "Add"   ? __builtin_add_overflow(x, y, &z)
                      : op == "Sub" ? __builtin_sub_overflow(x, y, &z)
                      : op == "Mul" ? __builtin_mul_overflow(x, y, &z)
                                    : (y == 0 || (x == INT64_MIN && y == -1));
      if (overflow)
        throw ImportError{n.where, "its integer arithmetic overflows or divides by zero"};
      if (op == "Div")
        z = x / y;
      result.ints.push_back(z);
    }
  } else {
    return false;
  }
  defineKnown(n, std::move(result));
  return true;
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
    for (int i = 1; i <= 4; ++i) {
      const std::string &name = n.node.input(i);
      const Known *tensor = known(name);
      // The running statistics are buffers: training updates, not learns, them.
      operands.push_back(tensor && tensor->isInitializer && tensor->isFloat
                             ? (values[name] = weightArgument(name, *tensor, i >= 3))
                             : input(n, i));
    }
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
    int64_t rank = shapeOf(x).size();
    SmallVector<int64_t> reversed;
    for (int64_t d = rank - 1; d >= 0; --d)
      reversed.push_back(d);
    result = build(cnn::TransposeOp::getOperationName(), x,
                   {i64Array("permutation", n.attributes.integers("perm").value_or(reversed))},
                   n);
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

void Importer::importNode(const onnx::NodeProto &node) {
  std::string where = "node ";
  where += node.name().empty() ? "'" + node.output(0) + "'" : "'" + node.name() + "'";
  where += " (" + node.op_type() + ", opset " + std::to_string(opset) + ")";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    throw ImportError{where, "is of the domain '" + node.domain() +
                                 "'; cnnc imports the default ONNX domain"};
  if (node.output_size() == 0)
    throw ImportError{where, "has no outputs"};
  Location loc = NameLoc::get(builder.getStringAttr(node.name().empty() ? node.output(0)
                                                                        : node.name()),
                              FileLineColLoc::get(&context, path, 0, 0));
  NodeContext n{node, where, loc, Attributes(node, where)};
  if (!fold(n)) {
    expectOutputs(n, 1);
    importOp(n);
  }
  n.attributes.rejectUnread();
}

OwningOpRef<ModuleOp> Importer::run(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  if (opset == 0)
    throw ImportError{"", "the model imports no opset of the default ONNX domain"};
  const onnx::GraphProto &graph = model.graph();
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc, llvm::sys::path::stem(path));
  builder.setInsertionPointToEnd(module->getBody());
  auto function = func::FuncOp::create(builder, fileLoc, "forward",
                                       builder.getFunctionType({}, {}));
  body = function.addEntryBlock();

  for (const onnx::TensorProto &initializer : graph.initializer()) {
    Known tensor = readTensor(initializer, "initializer '" + initializer.name() + "'");
    tensor.isInitializer = true;
    constants[initializer.name()] = std::move(tensor);
  }
  SmallVector<DictionaryAttr> inputAttributes;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (constants.count(info.name()))
      continue; // an initializer listed as an input, as IR version 3 did
    std::string where = "input '" + info.name() + "'";
    const onnx::TypeProto &type = info.type();
    if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      throw ImportError{where, "cnnc compiles models whose inputs are float32 tensors"};
    SmallVector<int64_t> shape;
    for (auto [d, dim] : llvm::enumerate(type.tensor_type().shape().dim())) {
      if (dim.has_dim_value() && dim.dim_value() > 0 && !(d == 0 && options.batch)) {
        if (dim.dim_value() > kMaxSize)
          throw ImportError{where, "dimension " + std::to_string(d) + " is " +
                                       std::to_string(dim.dim_value())};
        shape.push_back(dim.dim_value());
      } else if (d == 0) {
        shape.push_back(options.batch.value_or(1));
      } else {
        throw ImportError{where, "dimension " + std::to_string(d) + " ('" +
                                     dim.dim_param() + "') is dynamic; cnnc compiles "
                                     "static shapes, and fixes only the batch (--batch)"};
      }
    }
    checkedElementCount(shape, where, "the input");
    values[info.name()] = body->addArgument(RankedTensorType::get(shape, builder.getF32Type()),
                                            NameLoc::get(builder.getStringAttr(info.name())));
    inputAttributes.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        cnn::CnnDialect::kInputAttrName, builder.getStringAttr(info.name()))));
  }
  if (inputAttributes.empty())
    throw ImportError{"", "the graph has no input besides its initializers"};

  builder.setInsertionPointToEnd(body);
  for (const onnx::NodeProto &node : graph.node())
    importNode(node);

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    // An output known at import time (a folded shape) is a constant.
    results.push_back(value(output.name(), "output '" + output.name() + "'"));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  function.setType(builder.getFunctionType(body->getArgumentTypes(),
                                           ValueRange(results).getTypes()));
  SmallVector<Attribute> argumentAttributes(weightAttributes.begin(), weightAttributes.end());
  argumentAttributes.append(inputAttributes.begin(), inputAttributes.end());
  function.setAllArgAttrs(argumentAttributes);
  for (auto [index, output] : llvm::enumerate(graph.output()))
    function.setResultAttr(index, cnn::CnnDialect::kOutputAttrName,
                           builder.getStringAttr(output.name()));
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(StringRef path, MLIRContext &context,
                                     const ImportOptions &options,
                                     std::vector<Weight> &weights,
                                     llvm::raw_ostream &errors) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!file) {
    errors << path << ": error: cannot read the file: " << file.getError().message() << "\n";
    return nullptr;
  }
  return importOnnx((*file)->getBuffer(), path, context, options, weights, errors);
}

OwningOpRef<ModuleOp> importOnnx(StringRef bytes, StringRef path, MLIRContext &context,
                                 const ImportOptions &options, std::vector<Weight> &weights,
                                 llvm::raw_ostream &errors) {
  context.loadDialect<arith::ArithDialect, cnn::CnnDialect, func::FuncDialect>();
  auto fail = [&](const std::string &where, const std::string &message) {
    errors << path << ": error: " << (where.empty() ? "" : where + ": ") << message << "\n";
    weights.clear();
    return nullptr;
  };
  if (bytes.size() > size_t(INT_MAX))
    return fail("", "the file is larger than the 2 GiB that ONNX's format allows");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return fail("", "not an ONNX model (the file is not a valid ModelProto)");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &error) {
    // The checker's messages run over several lines: one line, one space
    // between words.
    std::string message;
    for (llvm::StringRef word : llvm::split(llvm::StringRef(error.what()), ' '))
      for (llvm::StringRef part : llvm::split(word, '\n'))
        if (!part.trim().empty())
          message += (message.empty() ? "" : " ") + part.trim().str();
    return fail("", "the ONNX checker refuses the model: " + message);
  }
  try {
    return Importer(context, path, options, weights).run(model);
  } catch (const ImportError &error) {
    return fail(error.where, error.message);
  }
}

} // namespace cnnc::onnx_import
