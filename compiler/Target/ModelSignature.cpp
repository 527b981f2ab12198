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
