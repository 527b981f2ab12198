//===- ModelEntryPoint.cpp - The C interface of a compiled model ----------===//

#include "compiler/Target/ModelEntryPoint.h"

#include "cnnrt.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;

/// The memref lowering's generic allocation functions (its
/// use-generic-functions option) become the runtime's, which turn a failed
/// allocation into a status.
static void routeAllocationsToRuntime(Module &module) {
  static constexpr std::pair<StringRef, StringRef> hooks[] = {
      {"_mlir_memref_to_llvm_alloc", "cnnrt_alloc"},
      {"_mlir_memref_to_llvm_aligned_alloc", "cnnrt_aligned_alloc"},
      {"_mlir_memref_to_llvm_free", "cnnrt_free"}};
  for (auto [generic, runtime] : hooks)
    if (Function *function = module.getFunction(generic))
      function->setName(runtime);
}

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
  routeAllocationsToRuntime(module);
  // Only the descriptor and the entry points are the model's interface.
  for (GlobalValue &global : module.global_values())
    if (!global.isDeclaration())
      global.setLinkage(GlobalValue::InternalLinkage);
  forward->setName(prefix + "_forward_body");

  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx);
  Type *i64 = Type::getInt64Ty(ctx);

  // void body(float *const *buffers): unpacks the buffers for forward.
  Function *body = Function::Create(FunctionType::get(Type::getVoidTy(ctx), {ptr}, false),
                                    GlobalValue::InternalLinkage,
                                    prefix + "_forward_unpack", module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", body));
  SmallVector<Value *> buffers;
  for (unsigned i = 0; i < signature.tensors.size(); ++i)
    buffers.push_back(b.CreateLoad(
        ptr, b.CreateConstInBoundsGEP1_64(ptr, body->getArg(0), i)));
  b.CreateCall(forward, buffers);
  b.CreateRetVoid();

  // cnnrt_status PREFIX_forward(cnnrt_context *, float *const *buffers).
  FunctionCallee invoke = module.getOrInsertFunction(
      "cnnrt_invoke", FunctionType::get(i32, {ptr, ptr, ptr}, false));
  Function *entry = Function::Create(FunctionType::get(i32, {ptr, ptr}, false),
                                     GlobalValue::ExternalLinkage,
                                     prefix + "_forward", module);
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", entry));
  b.CreateRet(b.CreateCall(invoke, {entry->getArg(0), body, entry->getArg(1)}));

  // { name, shape, data, role, init, rank }, as cnnrt_tensor.
  StructType *tensorType = StructType::get(ctx, {ptr, ptr, ptr, i32, i32, i32});
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

  // forward takes every tensor, in the table's order.
  SmallVector<uint32_t> order;
  for (unsigned i = 0; i < signature.tensors.size(); ++i)
    order.push_back(i);
  auto *forwardTensors = new GlobalVariable(
      module, ArrayType::get(i32, order.size()), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, ConstantDataArray::get(ctx, order),
      prefix + "_forward_tensors");
  // { name, tensors, num_tensors, call }, as cnnrt_entry_point.
  StructType *entryType = StructType::get(ctx, {ptr, ptr, i32, ptr});
  auto *entriesType = ArrayType::get(entryType, 1);
  auto *entries = new GlobalVariable(
      module, entriesType, /*isConstant=*/true, GlobalValue::PrivateLinkage,
      ConstantArray::get(entriesType,
                         {ConstantStruct::get(
                             entryType,
                             {b.CreateGlobalString("forward", prefix.str() + "_entry_name"),
                              forwardTensors,
                              ConstantInt::get(i32, order.size()), entry})}),
      prefix + "_entry_points");

  // { abi_version, name, tensors, num_tensors, entry_points,
  //   num_entry_points }, as cnnrt_model.
  StructType *modelType = StructType::get(ctx, {i32, ptr, ptr, i32, ptr, i32});
  new GlobalVariable(
      module, modelType, /*isConstant=*/true, GlobalValue::ExternalLinkage,
      ConstantStruct::get(
          modelType,
          {ConstantInt::get(i32, CNNRT_ABI_VERSION),
           b.CreateGlobalString(signature.modelName, prefix.str() + "_model_name"),
           table, ConstantInt::get(i32, signature.tensors.size()), entries,
           ConstantInt::get(i32, 1)}),
      prefix + "_model");
  return true;
}
