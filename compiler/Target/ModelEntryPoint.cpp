//===- ModelEntryPoint.cpp - The C interface of a compiled model ----------===//

#include "compiler/Target/ModelEntryPoint.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;

bool cnnc::addModelEntryPoint(Module &module, const ModelSignature &signature,
                              StringRef prefix,
                              ArrayRef<std::optional<ArrayRef<char>>> embedded,
                              std::string &error) {
  Function *forward = module.getFunction("forward");
  if (!forward || forward->isDeclaration()) {
    error = "the lowered module has no forward function";
    return false;
  }
  if (forward->arg_size() != signature.tensors.size()) {
    error = "forward takes " + std::to_string(forward->arg_size()) +
            " buffers, but the model has " +
            std::to_string(signature.tensors.size()) + " tensors";
    return false;
  }
  // Internal, so that two models can live in one program.
  forward->setLinkage(GlobalValue::InternalLinkage);
  forward->setName(prefix + "_forward");

  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx);
  Type *i64 = Type::getInt64Ty(ctx);

  Function *run = Function::Create(FunctionType::get(Type::getVoidTy(ctx), {ptr}, false),
                                   GlobalValue::ExternalLinkage, prefix + "_run", module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", run));
  SmallVector<Value *> buffers;
  for (unsigned i = 0; i < signature.tensors.size(); ++i)
    buffers.push_back(b.CreateLoad(
        ptr, b.CreateConstInBoundsGEP1_64(ptr, run->getArg(0), i)));
  b.CreateCall(forward, buffers);
  b.CreateRetVoid();

  // { name, shape, data, role, init, rank }, as cnnrt_tensor.
  StructType *tensorType =
      StructType::get(ctx, {ptr, ptr, ptr, i32, i32, i32});
  SmallVector<Constant *> tensors;
  for (auto [index, tensor] : llvm::enumerate(signature.tensors)) {
    auto *name = b.CreateGlobalString(tensor.name, prefix.str() + "_name");
    SmallVector<uint64_t> dims(tensor.shape.begin(), tensor.shape.end());
    auto *shape = new GlobalVariable(
        module, ArrayType::get(i64, dims.size()), /*isConstant=*/true,
        GlobalValue::PrivateLinkage, ConstantDataArray::get(ctx, dims),
        prefix + "_shape");
    Constant *data = ConstantPointerNull::get(cast<PointerType>(ptr));
    if (!embedded.empty() && embedded[index]) {
      ArrayRef<char> bytes = *embedded[index];
      auto *values = new GlobalVariable(
          module, ArrayType::get(Type::getFloatTy(ctx), bytes.size() / 4),
          /*isConstant=*/true, GlobalValue::PrivateLinkage,
          ConstantDataArray::getRaw(StringRef(bytes.data(), bytes.size()),
                                    bytes.size() / 4, Type::getFloatTy(ctx)),
          prefix + "_data");
      values->setAlignment(Align(64));
      data = values;
    }
    tensors.push_back(ConstantStruct::get(
        tensorType, {name, shape, data,
                     ConstantInt::get(i32, static_cast<int32_t>(tensor.role)),
                     ConstantInt::get(i32, static_cast<int32_t>(tensor.init)),
                     ConstantInt::get(i32, tensor.shape.size())}));
  }
  auto *tableType = ArrayType::get(tensorType, tensors.size());
  auto *table = new GlobalVariable(module, tableType, /*isConstant=*/true,
                                   GlobalValue::PrivateLinkage,
                                   ConstantArray::get(tableType, tensors),
                                   prefix + "_tensors");

  // { name, tensors, run, num_tensors }, as cnnrt_model.
  StructType *modelType = StructType::get(ctx, {ptr, ptr, ptr, i32});
  new GlobalVariable(
      module, modelType, /*isConstant=*/true, GlobalValue::ExternalLinkage,
      ConstantStruct::get(
          modelType, {b.CreateGlobalString(signature.modelName, prefix.str() + "_model_name"),
                      table, run,
                      ConstantInt::get(i32, signature.tensors.size())}),
      prefix + "_model");
  return true;
}
