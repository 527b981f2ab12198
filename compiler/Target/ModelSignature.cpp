//===- ModelSignature.cpp - The tensors a compiled model takes ------------===//

#include "compiler/Target/ModelSignature.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

int64_t cnnc::TensorSignature::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// The index of the tensor `name` in the table, or a new tensor of `value`'s
/// shape in `role` at its end.
static unsigned findOrAddTensor(cnnc::ModelSignature &signature, StringRef name,
                                cnnc::TensorRole role, Type type) {
  for (auto [index, tensor] : llvm::enumerate(signature.tensors))
    if (tensor.name == name)
      return index;
  cnnc::TensorSignature tensor;
  tensor.name = name.str();
  tensor.role = role;
  tensor.init = cnnc::TensorInit::Zeros;
  ArrayRef<int64_t> shape = cast<ShapedType>(type).getShape();
  tensor.shape.assign(shape.begin(), shape.end());
  signature.tensors.push_back(std::move(tensor));
  return signature.tensors.size() - 1;
}

/// Adds a step's labels, optimizer state and metrics to the table, and the
/// step's arguments and results to the signature.
static LogicalResult addStep(func::FuncOp step, cnnc::ModelSignature &signature) {
  using cnnc::cnn::CnnDialect;
  cnnc::StepFunction function;
  function.name = step.getSymName().str();
  for (unsigned index = 0; index < step.getNumArguments(); ++index) {
    Type type = step.getArgumentTypes()[index];
    if (auto state = step.getArgAttrOfType<StringAttr>(index, CnnDialect::kStateAttrName)) {
      function.arguments.push_back(
          findOrAddTensor(signature, state.getValue(), cnnc::TensorRole::State, type));
      continue;
    }
    StringAttr name;
    for (StringRef attribute : {CnnDialect::kParamAttrName, CnnDialect::kBufferAttrName,
                                CnnDialect::kInputAttrName})
      if (!name)
        name = step.getArgAttrOfType<StringAttr>(index, attribute);
    if (!name)
      return step.emitError() << "argument " << index
                              << " has no cnn.param, cnn.buffer, cnn.input or cnn.state name";
    function.arguments.push_back(
        findOrAddTensor(signature, name.getValue(), cnnc::TensorRole::Input, type));
  }
  for (unsigned index = 0; index < step.getNumResults(); ++index) {
    Type type = step.getResultTypes()[index];
    if (auto updated = step.getResultAttrOfType<StringAttr>(index, CnnDialect::kUpdatesAttrName)) {
      auto argument = llvm::find_if(function.arguments, [&](unsigned tensor) {
        return signature.tensors[tensor].name == updated.getValue();
      });
      if (argument == function.arguments.end())
        return step.emitError() << "result " << index << " updates '" << updated.getValue()
                                << "', which is not an argument";
      function.results.push_back(*argument);
      function.inPlace.push_back(true);
      continue;
    }
    auto output = step.getResultAttrOfType<StringAttr>(index, CnnDialect::kOutputAttrName);
    if (!output)
      return step.emitError() << "result " << index << " has no cnn.output or cnn.updates name";
    function.results.push_back(
        findOrAddTensor(signature, output.getValue(), cnnc::TensorRole::Output, type));
    function.inPlace.push_back(false);
  }
  signature.steps.push_back(std::move(function));
  return success();
}

FailureOr<cnnc::ModelSignature> cnnc::getModelSignature(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return module.emitError("the module has no @forward function");
  ModelSignature signature;
  signature.modelName = module.getSymName().value_or("model").str();
  for (BlockArgument arg : forward.getArguments()) {
    unsigned index = arg.getArgNumber();
    TensorSignature tensor;
    ArrayRef<int64_t> argShape = cast<ShapedType>(arg.getType()).getShape();
    tensor.shape.assign(argShape.begin(), argShape.end());
    tensor.init = TensorInit::Zeros;
    if (auto name = forward.getArgAttrOfType<StringAttr>(index, cnn::CnnDialect::kParamAttrName)) {
      tensor.name = name.str();
      tensor.role = TensorRole::Param;
    } else if (auto name = forward.getArgAttrOfType<StringAttr>(index, cnn::CnnDialect::kBufferAttrName)) {
      tensor.name = name.str();
      tensor.role = TensorRole::Buffer;
    } else if (auto name = forward.getArgAttrOfType<StringAttr>(index, cnn::CnnDialect::kInputAttrName)) {
      tensor.name = name.str();
      tensor.role = TensorRole::Input;
    } else {
      return forward.emitError() << "argument " << index
                                 << " has no cnn.param, cnn.buffer or cnn.input name";
    }
    if (auto init = forward.getArgAttrOfType<StringAttr>(index, cnn::CnnDialect::kInitAttrName))
      tensor.init = llvm::StringSwitch<TensorInit>(init.getValue())
                        .Case("ones", TensorInit::Ones)
                        .Case("he_uniform", TensorInit::HeUniform)
                        .Case("glorot_uniform", TensorInit::GlorotUniform)
                        .Default(TensorInit::Zeros);
    signature.tensors.push_back(std::move(tensor));
  }
  // Outputs are named after the layer that computes them: by their
  // cnn.output attribute, else by the location of the value.
  auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    TensorSignature tensor;
    tensor.role = TensorRole::Output;
    tensor.init = TensorInit::Zeros;
    ArrayRef<int64_t> valueShape = cast<ShapedType>(value.getType()).getShape();
    tensor.shape.assign(valueShape.begin(), valueShape.end());
    Operation *producer = value.getDefiningOp();
    auto location = producer ? dyn_cast<NameLoc>(producer->getLoc()) : NameLoc();
    if (auto name = forward.getResultAttrOfType<StringAttr>(
            index, cnn::CnnDialect::kOutputAttrName))
      tensor.name = name.str();
    else
      tensor.name = location ? location.getName().str() : "output" + std::to_string(index);
    signature.tensors.push_back(std::move(tensor));
  }
  signature.numForwardTensors = signature.tensors.size();
  for (StringRef name : {"train_step", "evaluate"})
    if (auto step = module.lookupSymbol<func::FuncOp>(name))
      if (failed(addStep(step, signature)))
        return failure();
  return signature;
}

LogicalResult cnnc::addPreparedTensors(ModuleOp lowered, ModelSignature &signature) {
  using codegen::CnncDialect;
  auto arguments =
      lowered->getAttrOfType<DenseI64ArrayAttr>(CnncDialect::kPrepareArgumentsAttrName);
  auto tensors =
      lowered->getAttrOfType<ArrayAttr>(CnncDialect::kPreparedTensorsAttrName);
  if (!arguments && !tensors)
    return success();
  if (!arguments || !tensors)
    return lowered.emitError("the module records only half of @prepare's interface");
  for (int64_t index : arguments.asArrayRef()) {
    if (index < 0 || index >= static_cast<int64_t>(signature.tensors.size()) ||
        signature.tensors[index].role == TensorRole::Output)
      return lowered.emitError() << "@prepare reads tensor " << index
                                 << ", which is not a weight of the model";
    signature.prepareArguments.push_back(index);
  }
  for (Attribute attribute : tensors) {
    auto fields = cast<DictionaryAttr>(attribute);
    TensorSignature tensor;
    tensor.name = fields.getAs<StringAttr>("name").str();
    tensor.role = TensorRole::Prepared;
    tensor.init = TensorInit::Zeros;
    ArrayRef<int64_t> shape = fields.getAs<DenseI64ArrayAttr>("shape").asArrayRef();
    tensor.shape.assign(shape.begin(), shape.end());
    signature.tensors.push_back(std::move(tensor));
  }
  return success();
}
