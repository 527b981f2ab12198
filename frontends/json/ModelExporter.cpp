//===- ModelExporter.cpp - A cnn-dialect model as a JSON model file -------===//
//
// Each op's keys are written in full (defaults included), so that the file
// says what the model computes without the reader knowing the defaults;
// "inputs" is written where a layer does not read the one before it.
//
//===----------------------------------------------------------------------===//

#include "frontends/json/ModelExporter.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <type_traits>

using namespace mlir;
using OrderedJson = nlohmann::ordered_json;

namespace cnnc::json {

namespace {

/// A name valid in the JSON format: letters, digits, '_' and '-'; ONNX's
/// "/layer1/layer1.0/conv1/Conv" becomes "layer1_layer1_0_conv1_Conv".
std::string validName(llvm::StringRef raw) {
  std::string name;
  for (char c : raw) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (keep)
      name += c;
    else if (!name.empty() && name.back() != '_')
      name += '_';
  }
  while (!name.empty() && name.back() == '_')
    name.pop_back();
  return name.empty() ? "layer" : name;
}

/// A layer's name from its op's: torch.onnx's "/layer1/layer1.0/conv1/Conv"
/// (module scopes, each holding its parent's name, then the op type) is
/// the module's "layer1.0.conv1", written "layer1_0_conv1".
std::string layerNameFrom(llvm::StringRef raw) {
  if (!raw.starts_with("/"))
    return validName(raw);
  llvm::SmallVector<llvm::StringRef> parts;
  raw.split(parts, '/', -1, /*KeepEmpty=*/false);
  if (parts.size() >= 2)
    parts.pop_back();
  std::string path;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i + 1 < parts.size() && parts[i + 1].starts_with((parts[i] + ".").str()))
      continue;
    path += (path.empty() ? "" : ".") + parts[i].str();
  }
  return validName(path);
}

/// Pretty JSON with the short arrays of numbers (shapes, kernels, paddings)
/// on one line.
void print(const OrderedJson &value, std::string &out, int depth) {
  std::string indent(2 * depth, ' '), inner(2 * depth + 2, ' ');
  if (value.is_array() && !value.empty() &&
      std::all_of(value.begin(), value.end(), [](const OrderedJson &v) {
        return v.is_primitive();
      })) {
    out += value.dump();
    return;
  }
  if (value.is_array() && !value.empty()) {
    out += "[\n";
    for (size_t i = 0; i < value.size(); ++i) {
      out += inner;
      print(value[i], out, depth + 1);
      out += i + 1 < value.size() ? ",\n" : "\n";
    }
    out += indent + "]";
    return;
  }
  if (value.is_object() && !value.empty()) {
    out += "{\n";
    size_t i = 0;
    for (auto &[key, item] : value.items()) {
      out += inner + OrderedJson(key).dump() + ": ";
      print(item, out, depth + 1);
      out += ++i < value.size() ? ",\n" : "\n";
    }
    out += indent + "}";
    return;
  }
  out += value.dump();
}

/// A number as short as it reads: an attribute that holds a float32 value
/// (0.2f is 0.20000000298023224 as a double) is written as that float's
/// shortest form, 0.2.
OrderedJson number(double value) {
  float single = static_cast<float>(value);
  if (static_cast<double>(single) != value || !std::isfinite(single))
    return value;
  char text[32];
  auto result = std::to_chars(text, text + sizeof text, single);
  *result.ptr = '\0';
  return std::strtod(text, nullptr);
}

OrderedJson list(llvm::ArrayRef<int64_t> values) {
  OrderedJson array = OrderedJson::array();
  for (int64_t v : values)
    array.push_back(v);
  return array;
}

/// [h, w] as one number when both are equal, as the format allows.
OrderedJson pairOrOne(llvm::ArrayRef<int64_t> values) {
  if (values.size() == 2 && values[0] == values[1])
    return values[0];
  return list(values);
}

/// [top, left, bottom, right] in the format's shortest form.
OrderedJson padding(llvm::ArrayRef<int64_t> pad) {
  if (pad.size() == 4 && pad[0] == pad[2] && pad[1] == pad[3])
    return pairOrOne(pad.take_front(2));
  return list(pad);
}

struct Failure {
  std::string message;
};

class Exporter {
public:
  Exporter(func::FuncOp forward, WeightValues weightValues,
           std::vector<ExportedTensor> &tensors)
      : forward(forward), weightValues(weightValues), tensors(tensors) {}

  OrderedJson run(llvm::StringRef modelName);

private:
  std::string unique(llvm::StringRef raw) {
    std::string base = validName(raw), name = base;
    for (int n = 2; !used.insert(name).second; ++n)
      name = base + "_" + std::to_string(n);
    return name;
  }

  /// A weight operand of the layer being written: its values join the
  /// exported tensors as "LAYER.SUFFIX".
  void weight(Value value, llvm::StringRef suffix) {
    std::vector<float> values;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      auto name = forward.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                       cnn::CnnDialect::kParamAttrName);
      if (!name)
        name = forward.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                    cnn::CnnDialect::kBufferAttrName);
      std::optional<llvm::ArrayRef<float>> known =
          name ? weightValues(name.getValue()) : std::nullopt;
      if (!known)
        throw Failure{"its " + suffix.str() + " is not a weight with known values"};
      values.assign(known->begin(), known->end());
    } else if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
      auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
      if (!elements)
        throw Failure{"its " + suffix.str() + " is a constant cnnc cannot read"};
      for (APFloat v : elements.getValues<APFloat>())
        values.push_back(v.convertToFloat());
    } else {
      throw Failure{"its " + suffix.str() + " is computed by other layers, which the "
                    "JSON format cannot say"};
    }
    auto type = cast<ShapedType>(value.getType());
    tensors.push_back({layerName + "." + suffix.str(),
                       std::vector<int64_t>(type.getShape().begin(), type.getShape().end()),
                       std::move(values)});
  }

  /// The name of a tensor a layer reads: the model's input or an earlier layer.
  std::string source(Value value) {
    auto found = names.find(value);
    if (found == names.end())
      throw Failure{"it reads a constant or weight tensor as an input, which the JSON "
                    "format can only give to layers of their own weights"};
    return found->second;
  }

  /// The op's keys and weights, or a Failure when it has no JSON form.
  void describe(Operation *op, OrderedJson &layer, llvm::SmallVector<Value> &reads);

  func::FuncOp forward;
  WeightValues weightValues;
  std::vector<ExportedTensor> &tensors;
  DenseMap<Value, std::string> names;
  std::set<std::string> used;
  std::string layerName;
};

void Exporter::describe(Operation *op, OrderedJson &layer, llvm::SmallVector<Value> &reads) {
  auto bias = [&](Value value) {
    layer["bias"] = bool(value);
    if (value)
      weight(value, "bias");
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](cnn::Conv2dOp conv) {
        if (conv.getConnections())
          throw Failure{"a connection table is not written back yet"};
        auto shape = cast<ShapedType>(conv.getWeight().getType()).getShape();
        layer["op"] = "conv2d";
        layer["out_channels"] = shape[0];
        layer["kernel"] = pairOrOne(shape.drop_front(2));
        layer["stride"] = pairOrOne(conv.getStrides());
        layer["padding"] = padding(conv.getPadding());
        layer["dilation"] = pairOrOne(conv.getDilations());
        layer["groups"] = conv.getGroups();
        layer["padding_mode"] = cnn::stringifyPaddingMode(conv.getPaddingMode()).str();
        weight(conv.getWeight(), "weight");
        bias(conv.getBias());
        reads.push_back(conv.getInput());
      })
      .Case([&](cnn::Conv1dOp conv) {
        auto shape = cast<ShapedType>(conv.getWeight().getType()).getShape();
        layer["op"] = "conv1d";
        layer["out_channels"] = shape[0];
        layer["kernel"] = shape[2];
        layer["stride"] = conv.getStrides()[0];
        layer["padding"] = list(conv.getPadding());
        layer["dilation"] = conv.getDilations()[0];
        layer["groups"] = conv.getGroups();
        layer["true_convolution"] = conv.getTrueConvolution();
        weight(conv.getWeight(), "weight");
        bias(conv.getBias());
        reads.push_back(conv.getInput());
      })
      .Case([&](cnn::ConvTranspose2dOp conv) {
        auto shape = cast<ShapedType>(conv.getWeight().getType()).getShape();
        layer["op"] = "conv_transpose2d";
        layer["out_channels"] = shape[1] * conv.getGroups();
        layer["kernel"] = pairOrOne(shape.drop_front(2));
        layer["stride"] = pairOrOne(conv.getStrides());
        layer["padding"] = padding(conv.getPadding());
        layer["output_padding"] = pairOrOne(conv.getOutputPadding());
        layer["dilation"] = pairOrOne(conv.getDilations());
        layer["groups"] = conv.getGroups();
        weight(conv.getWeight(), "weight");
        bias(conv.getBias());
        reads.push_back(conv.getInput());
      })
      .Case([&](cnn::DenseOp dense) {
        layer["op"] = "dense";
        layer["out_features"] = cast<ShapedType>(dense.getWeight().getType()).getShape()[0];
        weight(dense.getWeight(), "weight");
        bias(dense.getBias());
        reads.push_back(dense.getInput());
      })
      .Case([&](cnn::BatchNormOp norm) {
        layer["op"] = "batch_norm";
        layer["epsilon"] = number(norm.getEpsilon().convertToDouble());
        weight(norm.getScale(), "weight");
        weight(norm.getShift(), "bias");
        weight(norm.getMean(), "running_mean");
        weight(norm.getVariance(), "running_var");
        reads.push_back(norm.getInput());
      })
      .Case([&](cnn::LeakyReluOp relu) {
        layer["op"] = "leaky_relu";
        layer["negative_slope"] = number(relu.getNegativeSlope().convertToDouble());
        reads.push_back(relu.getInput());
      })
      .Case([&](cnn::PReluOp prelu) {
        // The JSON layer's slope is [P, 1, ...], P one or the channels.
        auto slope = cast<ShapedType>(prelu.getRhs().getType()).getShape();
        auto input = cast<ShapedType>(prelu.getLhs().getType()).getShape();
        bool fits = slope.size() == std::max<size_t>(input.size(), 2) - 1 &&
                    (slope[0] == 1 || (input.size() >= 2 && slope[0] == input[1])) &&
                    llvm::all_of(slope.drop_front(), [](int64_t d) { return d == 1; });
        if (!fits)
          throw Failure{"its slope is not one value or one per channel"};
        layer["op"] = "prelu";
        layer["num_parameters"] = slope[0];
        weight(prelu.getRhs(), "weight");
        reads.push_back(prelu.getLhs());
      })
      .Case([&](cnn::EluOp elu) {
        layer["op"] = "elu";
        layer["alpha"] = number(elu.getAlpha().convertToDouble());
        layer["scale"] = number(elu.getScale().convertToDouble());
        reads.push_back(elu.getInput());
      })
      .Case([&](cnn::HardSigmoidOp sigmoid) {
        layer["op"] = "hard_sigmoid";
        layer["alpha"] = number(sigmoid.getAlpha().convertToDouble());
        layer["beta"] = number(sigmoid.getBeta().convertToDouble());
        reads.push_back(sigmoid.getInput());
      })
      .Case([&](cnn::ClipOp clip) {
        layer["op"] = "clip";
        // An infinite bound clips nothing: the format leaves it out.
        if (std::isfinite(clip.getMin().convertToDouble()))
          layer["min"] = number(clip.getMin().convertToDouble());
        if (std::isfinite(clip.getMax().convertToDouble()))
          layer["max"] = number(clip.getMax().convertToDouble());
        reads.push_back(clip.getInput());
      })
      .Case<cnn::SoftmaxOp, cnn::LogSoftmaxOp>([&](auto softmax) {
        layer["op"] = softmax->getName().stripDialect().str();
        layer["axis"] = softmax.getAxis();
        reads.push_back(softmax.getInput());
      })
      .Case([&](cnn::DropoutOp dropout) {
        layer["op"] = "dropout";
        layer["rate"] = number(dropout.getRate().convertToDouble());
        reads.push_back(dropout.getInput());
      })
      .Case([&](cnn::LocalResponseNormOp norm) {
        layer["op"] = "local_response_norm";
        layer["size"] = norm.getSize();
        layer["alpha"] = number(norm.getAlpha().convertToDouble());
        layer["beta"] = number(norm.getBeta().convertToDouble());
        layer["k"] = number(norm.getK().convertToDouble());
        reads.push_back(norm.getInput());
      })
      .Case<cnn::MaxPool2dOp, cnn::AvgPool2dOp>([&](auto pool) {
        layer["op"] = pool->getName().stripDialect().str();
        layer["kernel"] = pairOrOne(pool.getKernelSize());
        layer["stride"] = pairOrOne(pool.getStrides());
        layer["padding"] = padding(pool.getPadding());
        layer["ceil_mode"] = pool.getCeilMode();
        if constexpr (std::is_same_v<decltype(pool), cnn::AvgPool2dOp>)
          layer["count_include_pad"] = pool.getCountIncludePad();
        reads.push_back(pool.getInput());
      })
      .Case([&](cnn::AdaptiveAvgPool2dOp pool) {
        layer["op"] = "adaptive_avg_pool2d";
        layer["output_size"] = pairOrOne(pool.getOutputSize());
        reads.push_back(pool.getInput());
      })
      .Case([&](cnn::UpsampleOp upsample) {
        layer["op"] = "upsample";
        layer["scale_factor"] = pairOrOne(upsample.getScaleFactors());
        layer["mode"] = cnn::stringifyUpsampleMode(upsample.getMode()).str();
        reads.push_back(upsample.getInput());
      })
      .Case([&](cnn::CropOp crop) {
        auto shape = cast<ShapedType>(crop.getInput().getType()).getShape();
        llvm::ArrayRef<int64_t> sizes = crop.getSizes(), offsets = crop.getOffsets();
        for (int d = 0; d < 2; ++d)
          if (offsets[d] != std::max<int64_t>(0, (shape[2 + d] - sizes[d]) / 2))
            throw Failure{"the JSON format crops at the centre only"};
        layer["op"] = "center_crop";
        layer["size"] = pairOrOne(sizes);
        reads.push_back(crop.getInput());
      })
      .Case([&](cnn::PadOp pad) {
        layer["op"] = "pad";
        layer["padding"] = padding(pad.getPadding());
        layer["mode"] = cnn::stringifyPaddingMode(pad.getMode()).str();
        layer["value"] = number(pad.getValue().convertToDouble());
        reads.push_back(pad.getInput());
      })
      .Case([&](cnn::ReshapeOp reshape) {
        layer["op"] = "reshape";
        layer["shape"] = list(reshape.getShape().drop_front());
        reads.push_back(reshape.getInput());
      })
      .Case([&](cnn::ConcatOp concat) {
        layer["op"] = "concat";
        layer["axis"] = concat.getAxis();
        reads.append(concat.getInputs().begin(), concat.getInputs().end());
      })
      .Case<cnn::AddOp, cnn::SubOp, cnn::MulOp, cnn::DivOp>([&](Operation *binary) {
        layer["op"] = binary->getName().stripDialect().str();
        // One value of a constant that broadcasts to the other operand's
        // shape: the layer's "scalar".
        for (unsigned side = 0; side < 2; ++side) {
          auto constant = binary->getOperand(side).getDefiningOp<arith::ConstantOp>();
          auto elements =
              constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
          auto other = cast<ShapedType>(binary->getOperand(1 - side).getType());
          if (!elements || elements.getNumElements() != 1 ||
              elements.getType().getRank() > other.getRank())
            continue;
          layer["scalar"] = number((*elements.getValues<APFloat>().begin()).convertToDouble());
          if (side == 0)
            layer["scalar_on_left"] = true;
          reads.push_back(binary->getOperand(1 - side));
          return;
        }
        reads.append(binary->getOperands().begin(), binary->getOperands().end());
      })
      .Case<cnn::ReluOp, cnn::TanhOp, cnn::SigmoidOp, cnn::SiluOp, cnn::HardSwishOp,
            cnn::GlobalAvgPoolOp, cnn::FlattenOp>([&](Operation *unary) {
        layer["op"] = unary->getName().stripDialect().str();
        reads.push_back(unary->getOperand(0));
      })
      .Default([&](Operation *other) {
        throw Failure{"the JSON format has no " + other->getName().stripDialect().str() +
                      " layer yet"};
      });
}

OrderedJson Exporter::run(llvm::StringRef modelName) {
  OrderedJson model;
  model["name"] = validName(modelName);
  OrderedJson inputs = OrderedJson::array();
  int64_t batch = 1;
  for (BlockArgument arg : forward.getArguments()) {
    auto name = forward.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                     cnn::CnnDialect::kInputAttrName);
    if (!name)
      continue;
    auto shape = cast<ShapedType>(arg.getType()).getShape();
    batch = shape.front();
    names[arg] = unique(name.getValue());
    OrderedJson input;
    input["name"] = names[arg];
    input["shape"] = list(shape.drop_front());
    inputs.push_back(input);
  }
  if (inputs.size() == 1)
    model["input"] = inputs[0];
  else
    model["inputs"] = inputs;
  model["batch"] = batch;

  OrderedJson layers = OrderedJson::array();
  std::string previous = inputs.empty() ? "" : inputs[0]["name"].get<std::string>();
  Block &body = forward.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (isa<arith::ConstantOp>(op))
      continue; // weights of the layers that read them
    std::string original = "?";
    if (auto loc = dyn_cast<NameLoc>(op.getLoc()))
      original = loc.getName().str();
    try {
      if (!isa<cnn::CnnDialect>(op.getDialect()) || op.getNumResults() != 1)
        throw Failure{"it is not a layer of the cnn dialect"};
      layerName = unique(layerNameFrom(original));
      OrderedJson layer;
      layer["name"] = layerName;
      llvm::SmallVector<Value> reads;
      describe(&op, layer, reads);
      std::vector<std::string> sources;
      for (Value value : reads)
        sources.push_back(source(value));
      if (sources != std::vector<std::string>{previous})
        layer["inputs"] = sources.size() == 1 ? OrderedJson(sources[0]) : OrderedJson(sources);
      // "name" and "op" first, then "inputs", then the op's keys.
      OrderedJson ordered;
      ordered["name"] = layer["name"];
      ordered["op"] = layer["op"];
      if (layer.contains("inputs"))
        ordered["inputs"] = layer["inputs"];
      for (auto &[key, value] : layer.items())
        if (key != "name" && key != "op" && key != "inputs")
          ordered[key] = value;
      layers.push_back(std::move(ordered));
      names[op.getResult(0)] = layerName;
      previous = layerName;
    } catch (Failure &failure) {
      throw Failure{"layer '" + original + "' (" + op.getName().stripDialect().str() +
                    "): " + failure.message};
    }
  }
  model["layers"] = std::move(layers);

  OrderedJson outputs = OrderedJson::array();
  for (Value result : body.getTerminator()->getOperands()) {
    auto found = names.find(result);
    if (found == names.end())
      throw Failure{"an output of the model is not computed by a layer"};
    outputs.push_back(found->second);
  }
  if (outputs.size() != 1 || outputs[0] != previous)
    model["outputs"] = outputs;
  return model;
}

} // namespace

bool exportModelJson(ModuleOp module, WeightValues weightValues, std::string &text,
                     std::vector<ExportedTensor> &tensors, std::string &error) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal()) {
    error = "the module has no @forward function";
    return false;
  }
  try {
    Exporter exporter(forward, weightValues, tensors);
    text.clear();
    print(exporter.run(module.getSymName().value_or("model")), text, 0);
    text += "\n";
    return true;
  } catch (Failure &failure) {
    error = failure.message;
    return false;
  }
}

} // namespace cnnc::json
