//===- ModelEntryPoint.cpp - The C interface of a compiled model ----------===//

#include "compiler/Target/ModelEntryPoint.h"

#include "cnnrt.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;

/// The memref lowering's generic allocation functions (its
/// use-generic-functions option) become the runtime's, which turn a failed
/// allocation into a status.
/// A model for the GPU allocates its intermediate tensors in the GPU's
/// memory.
static void routeAllocationsToRuntime(Module &module, bool device) {
  static constexpr std::pair<StringRef, StringRef> hooks[] = {
      {"_mlir_memref_to_llvm_alloc", "cnnrt_alloc"},
      {"_mlir_memref_to_llvm_aligned_alloc", "cnnrt_aligned_alloc"},
      {"_mlir_memref_to_llvm_free", "cnnrt_free"}};
  static constexpr std::pair<StringRef, StringRef> deviceHooks[] = {
      {"_mlir_memref_to_llvm_alloc", "cnnrt_device_alloc"},
      {"_mlir_memref_to_llvm_aligned_alloc", "cnnrt_device_aligned_alloc"},
      {"_mlir_memref_to_llvm_free", "cnnrt_device_free"}};
  for (auto [generic, runtime] : device ? ArrayRef(deviceHooks) : ArrayRef(hooks))
    if (Function *function = module.getFunction(generic))
      function->setName(runtime);
}

/// One argument of a lowered function: the buffer of a tensor of the table,
/// or, for a result that replaces a tensor the function also reads, a
/// temporary of `bytes` copied into that tensor's buffer after the call (the
/// function may still read the old values after writing its result).
namespace {
struct Binding {
  unsigned tensor;
  bool temporary = false;
  uint64_t bytes = 0;
};
} // namespace

static SmallVector<Binding> bindingsOf(ArrayRef<unsigned> tensors) {
  return llvm::map_to_vector(tensors, [](unsigned tensor) { return Binding{tensor}; });
}

/// `cnnrt_status PREFIX_NAME(cnnrt_context *, float *const *buffers)`,
/// which runs `function` (when there is one) through cnnrt_invoke on the
/// buffers of `bindings`, or, for a model on the GPU (`deviceModel` is its
/// descriptor), through cnnrt_device_invoke.
static Function *createEntryPoint(Module &module, StringRef prefix, StringRef name,
                                  Function *function, ArrayRef<Binding> bindings,
                                  GlobalVariable *deviceModel = nullptr) {
  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx);
  Type *i64 = Type::getInt64Ty(ctx);
  // void PREFIX_NAME_unpack(float *const *buffers).
  Function *unpack = Function::Create(
      FunctionType::get(Type::getVoidTy(ctx), {ptr}, false),
      GlobalValue::InternalLinkage, prefix + "_" + name + "_unpack", module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", unpack));
  if (function) {
    // Temporaries through the runtime's allocator: a failure is a status.
    FunctionCallee allocate = module.getOrInsertFunction(
        "cnnrt_aligned_alloc", FunctionType::get(ptr, {i64, i64}, false));
    FunctionCallee release = module.getOrInsertFunction(
        "cnnrt_free", FunctionType::get(Type::getVoidTy(ctx), {ptr}, false));
    SmallVector<Value *> arguments, buffers;
    for (const Binding &binding : bindings) {
      Value *buffer = b.CreateLoad(
          ptr, b.CreateConstInBoundsGEP1_64(ptr, unpack->getArg(0), binding.tensor));
      buffers.push_back(buffer);
      arguments.push_back(binding.temporary
                              ? b.CreateCall(allocate, {ConstantInt::get(i64, 64),
                                                        ConstantInt::get(i64, binding.bytes)})
                              : buffer);
    }
    b.CreateCall(function, arguments);
    for (auto [binding, argument, buffer] : llvm::zip_equal(bindings, arguments, buffers)) {
      if (!binding.temporary)
        continue;
      b.CreateMemCpy(buffer, Align(4), argument, Align(64), binding.bytes);
      b.CreateCall(release, {argument});
    }
  }
  b.CreateRetVoid();

  Function *entry = Function::Create(FunctionType::get(i32, {ptr, ptr}, false),
                                     GlobalValue::ExternalLinkage,
                                     prefix + "_" + name, module);
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", entry));
  if (deviceModel) {
    FunctionCallee invoke = module.getOrInsertFunction(
        "cnnrt_device_invoke", FunctionType::get(i32, {ptr, ptr, ptr, ptr, i32}, false));
    b.CreateRet(b.CreateCall(invoke, {entry->getArg(0), unpack, entry->getArg(1), deviceModel,
                                      ConstantInt::get(i32, name == "forward")}));
    return entry;
  }
  FunctionCallee invoke = module.getOrInsertFunction(
      "cnnrt_invoke", FunctionType::get(i32, {ptr, ptr, ptr}, false));
  b.CreateRet(b.CreateCall(invoke, {entry->getArg(0), unpack, entry->getArg(1)}));
  return entry;
}

bool cnnc::addModelEntryPoint(Module &module, const ModelSignature &signature,
                              StringRef prefix,
                              ArrayRef<std::optional<ArrayRef<char>>> embedded,
                              bool device, std::string &error) {
  Function *forward = module.getFunction("forward");
  if (!forward || forward->isDeclaration()) {
    error = "the lowered module has no forward function";
    return false;
  }
  // The lowered forward takes the weights and inputs, the prepared tensors,
  // then the outputs; prepare the weights it reads, then the prepared
  // tensors. The table lists outputs before prepared tensors.
  SmallVector<unsigned> forwardArguments, outputs, prepared;
  for (auto [index, tensor] : llvm::enumerate(signature.tensors)) {
    if (tensor.role == TensorRole::Prepared)
      prepared.push_back(index);
    else if (index < signature.numForwardTensors)
      (tensor.role == TensorRole::Output ? outputs : forwardArguments).push_back(index);
  }
  llvm::append_range(forwardArguments, prepared);
  llvm::append_range(forwardArguments, outputs);
  SmallVector<unsigned> prepareArguments(signature.prepareArguments.begin(),
                                         signature.prepareArguments.end());
  llvm::append_range(prepareArguments, prepared);
  Function *prepare = module.getFunction("prepare");
  if (forward->arg_size() != forwardArguments.size()) {
    error = "forward takes " + std::to_string(forward->arg_size()) +
            " buffers, but the model has " +
            std::to_string(forwardArguments.size()) + " tensors";
    return false;
  }
  if (prepare ? prepare->arg_size() != prepareArguments.size() : !prepared.empty()) {
    error = "prepare does not take the " + std::to_string(prepareArguments.size()) +
            " tensors the model records for it";
    return false;
  }
  SmallVector<Function *> stepFunctions;
  for (const StepFunction &step : signature.steps) {
    Function *function = module.getFunction(step.name);
    if (!function || function->isDeclaration()) {
      error = "the lowered module has no " + step.name + " function";
      return false;
    }
    if (function->arg_size() != step.arguments.size() + step.results.size()) {
      error = step.name + " takes " + std::to_string(function->arg_size()) +
              " buffers, but its signature has " +
              std::to_string(step.arguments.size() + step.results.size());
      return false;
    }
    stepFunctions.push_back(function);
  }
  routeAllocationsToRuntime(module, device);
  // Only the descriptor and the entry points are the model's interface.
  // Internal names get the prefix too: compiled in parts, they become
  // hidden globals of several objects, and two models' must not meet.
  // (LLVM's own, the constructor that registers a GPU model's kernels, stay.)
  for (GlobalValue &global : module.global_values())
    if (!global.isDeclaration() && !global.getName().starts_with("llvm.")) {
      global.setLinkage(GlobalValue::InternalLinkage);
      global.setName(prefix + "." + global.getName());
    }
  forward->setName(prefix + "_forward_body");
  if (prepare)
    prepare->setName(prefix + "_prepare_body");
  for (auto [function, step] : llvm::zip_equal(stepFunctions, signature.steps))
    function->setName(prefix + "_" + step.name + "_body");

  LLVMContext &ctx = module.getContext();
  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx);
  Type *i64 = Type::getInt64Ty(ctx);
  IRBuilder<> b(ctx);
  // { abi_version, name, tensors, num_tensors, entry_points,
  //   num_entry_points }, as cnnrt_model; defined below, named by a GPU
  // model's entry points.
  StructType *modelType = StructType::get(ctx, {i32, ptr, ptr, i32, ptr, i32});
  auto *model = new GlobalVariable(module, modelType, /*isConstant=*/true,
                                   GlobalValue::ExternalLinkage, nullptr,
                                   prefix + "_model");
  GlobalVariable *deviceModel = device ? model : nullptr;
  // Both entry points take the buffers of every tensor, so that one table
  // of buffers serves them.
  SmallVector<std::pair<StringRef, Function *>> entryPoints = {
      {"prepare", createEntryPoint(module, prefix, "prepare", prepare,
                                   bindingsOf(prepareArguments), deviceModel)},
      {"forward", createEntryPoint(module, prefix, "forward", forward,
                                   bindingsOf(forwardArguments), deviceModel)}};
  for (auto [function, step] : llvm::zip_equal(stepFunctions, signature.steps)) {
    SmallVector<Binding> bindings = bindingsOf(step.arguments);
    for (auto [tensor, inPlace] : llvm::zip_equal(step.results, step.inPlace))
      bindings.push_back(
          {tensor, inPlace, uint64_t(signature.tensors[tensor].numElements()) * 4});
    entryPoints.push_back({step.name, createEntryPoint(module, prefix, step.name,
                                                       function, bindings)});
  }

  // { name, shape, data, role, init, rank }, as cnnrt_tensor.
  StructType *tensorType = StructType::get(ctx, {ptr, ptr, ptr, i32, i32, i32});
  SmallVector<Constant *> tensors;
  for (auto [index, tensor] : llvm::enumerate(signature.tensors)) {
    auto *name = b.CreateGlobalString(tensor.name, prefix.str() + "_name", 0, &module);
    SmallVector<uint64_t> dims(tensor.shape.begin(), tensor.shape.end());
    auto *shape = new GlobalVariable(
        module, ArrayType::get(i64, dims.size()), /*isConstant=*/true,
        GlobalValue::PrivateLinkage, ConstantDataArray::get(ctx, dims),
        prefix + "_shape");
    Constant *data = ConstantPointerNull::get(cast<PointerType>(ptr));
    if (index < embedded.size() && embedded[index]) {
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

  SmallVector<uint32_t> order;
  for (unsigned i = 0; i < signature.tensors.size(); ++i)
    order.push_back(i);
  auto *allTensors = new GlobalVariable(
      module, ArrayType::get(i32, order.size()), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, ConstantDataArray::get(ctx, order),
      prefix + "_entry_tensors");
  // { name, tensors, num_tensors, call }, as cnnrt_entry_point.
  StructType *entryType = StructType::get(ctx, {ptr, ptr, i32, ptr});
  SmallVector<Constant *> entryConstants;
  for (auto [name, function] : entryPoints)
    entryConstants.push_back(ConstantStruct::get(
        entryType, {b.CreateGlobalString(name, prefix.str() + "_entry_name", 0, &module),
                    allTensors, ConstantInt::get(i32, order.size()), function}));
  auto *entriesType = ArrayType::get(entryType, entryConstants.size());
  auto *entries = new GlobalVariable(
      module, entriesType, /*isConstant=*/true, GlobalValue::PrivateLinkage,
      ConstantArray::get(entriesType, entryConstants), prefix + "_entry_points");

  model->setInitializer(ConstantStruct::get(
      modelType,
      {ConstantInt::get(i32, CNNRT_ABI_VERSION),
       b.CreateGlobalString(signature.modelName, prefix.str() + "_model_name", 0, &module),
       table, ConstantInt::get(i32, signature.tensors.size()), entries,
       ConstantInt::get(i32, entryConstants.size())}));
  return true;
}
