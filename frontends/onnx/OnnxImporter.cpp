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

#include "frontends/onnx/Importer.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Cnn/IR/CnnOps.h"
#include "frontends/json/LayerBuilder.h"
#include "frontends/json/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"

#include <climits>

using namespace mlir;
using cnnc::json::ImportError;
using cnnc::json::checkedElementCount;
using cnnc::json::kMaxSize;

namespace cnnc::onnx_import {

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

Value Importer::value(const std::string &name, const std::string &where, bool buffer) {
  auto found = values.find(name);
  if (found != values.end())
    return found->second;
  if (const Known *tensor = known(name)) {
    if (tensor->isWeight())
      return values[name] = weightArgument(name, *tensor, buffer);
    // A scalar as one element: cnn's tensors have a rank, and it broadcasts.
    return values[name] = constant(tensor->shape.empty() ? ArrayRef<int64_t>{1}
                                                         : ArrayRef<int64_t>(tensor->shape),
                                   tensor->asFloats());
  }
  throw ImportError{where, "reads '" + name + "', which no node, input or initializer defines"};
}

Value Importer::constant(ArrayRef<int64_t> shape, ArrayRef<float> values) {
  // Materialised where the body starts, before any layer reads it.
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(body);
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  return arith::ConstantOp::create(builder, builder.getUnknownLoc(),
                                   DenseElementsAttr::get(type, values));
}

Value Importer::input(NodeContext &n, int index, bool buffer) {
  if (!hasInput(n, index))
    throw ImportError{n.where, "input " + std::to_string(index) + " is missing"};
  return value(n.node.input(index), n.where, buffer);
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
    // Names in the file may hold any bytes: the message stays one line.
    errors << path << ": error: "
           << cnnc::json::escapeControlCharacters((where.empty() ? "" : where + ": ") + message)
           << "\n";
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
