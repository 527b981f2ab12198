//===- ObjectEmitter.cpp - LLVM dialect to object code --------------------===//

#include "compiler/Target/ObjectEmitter.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <mutex>

using namespace llvm;

std::unique_ptr<TargetMachine> cnnc::createTargetMachine(const TargetSpec &spec,
                                                         std::string &error) {
  // Once: the registry is shared by the threads of emitObjectsInParallel.
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
  });

  Triple triple(spec.triple.empty() ? sys::getDefaultTargetTriple() : spec.triple);
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = spec.cpu, features = spec.features;
  // The host by default: its CPU and every feature it has.
  if (spec.triple.empty() && spec.cpu.empty()) {
    cpu = sys::getHostCPUName().str();
    if (features.empty()) {
      SubtargetFeatures hostFeatures;
      for (const auto &feature : sys::getHostCPUFeatures())
        hostFeatures.AddFeature(feature.first(), feature.second);
      features = hostFeatures.getString();
    }
  }
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), Reloc::PIC_, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!machine)
    error = "cannot create a target machine for " + triple.str();
  return machine;
}

std::string cnnc::cpuStrategyTarget(const TargetMachine &machine) {
  if (machine.getTargetTriple().isX86()) {
    const MCSubtargetInfo *info = machine.getMCSubtargetInfo();
    if (info->checkFeatures("+avx512f"))
      return "avx512";
    if (info->checkFeatures("+avx2"))
      return "avx2";
  }
  return "sse";
}

std::unique_ptr<Module> cnnc::translateToLLVMIR(mlir::ModuleOp module,
                                                LLVMContext &context,
                                                TargetMachine &machine) {
  mlir::registerBuiltinDialectTranslation(*module->getContext());
  mlir::registerLLVMDialectTranslation(*module->getContext());
  // The cnn names of the arguments have no LLVM meaning (the signature was
  // read before lowering); the translation would warn once per argument,
  // printing the module each time.
  module.walk([](mlir::LLVM::LLVMFuncOp func) {
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      if (mlir::DictionaryAttr attrs = func.getArgAttrDict(i))
        for (mlir::NamedAttribute attr : attrs)
          if (attr.getName().getValue().starts_with("cnn."))
            func.removeArgAttr(i, attr.getName());
  });
  std::unique_ptr<Module> llvmModule = mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return nullptr;
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  return llvmModule;
}

bool cnnc::optimizeLLVMModule(Module &module, TargetMachine &machine,
                              std::string &error) {
  auto optimize = mlir::makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                                  &machine);
  if (Error failure = optimize(&module)) {
    error = toString(std::move(failure));
    return false;
  }
  return true;
}

/// Optimizes `module` and compiles it into `object` with a target machine
/// of its own.
static bool compileToObject(Module &module, const cnnc::TargetSpec &spec,
                            SmallString<0> &object, std::string &error) {
  std::unique_ptr<TargetMachine> machine = cnnc::createTargetMachine(spec, error);
  raw_svector_ostream os(object);
  return machine && cnnc::optimizeLLVMModule(module, *machine, error) &&
         cnnc::emitMachineCode(module, *machine, CodeGenFileType::ObjectFile, os, error);
}

bool cnnc::emitObjectsInParallel(Module &module, const TargetSpec &spec,
                                 unsigned parts,
                                 std::vector<SmallString<0>> &objects,
                                 std::string &error) {
  // One part: the module as it is, its internal symbols kept internal.
  if (parts <= 1) {
    objects.assign(1, {});
    return compileToObject(module, spec, objects[0], error);
  }
  std::vector<SmallString<0>> bitcode;
  SplitModule(module, parts, [&](std::unique_ptr<Module> part) {
    raw_svector_ostream os(bitcode.emplace_back());
    WriteBitcodeToFile(*part, os);
  });
  objects.assign(bitcode.size(), {});
  std::mutex errorLock;
  DefaultThreadPool pool(hardware_concurrency());
  for (size_t i = 0; i < bitcode.size(); ++i)
    pool.async([&, i] {
      auto fail = [&](std::string message) {
        std::lock_guard<std::mutex> guard(errorLock);
        if (error.empty())
          error = std::move(message);
      };
      LLVMContext context;
      Expected<std::unique_ptr<Module>> part = parseBitcodeFile(
          MemoryBufferRef(StringRef(bitcode[i].data(), bitcode[i].size()), "part"),
          context);
      if (!part)
        return fail(toString(part.takeError()));
      std::string message;
      if (!compileToObject(**part, spec, objects[i], message))
        fail(message);
    });
  pool.wait();
  return error.empty();
}

bool cnnc::emitMachineCode(Module &module, TargetMachine &machine,
                           CodeGenFileType type, raw_pwrite_stream &os,
                           std::string &error) {
  legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr, type)) {
    error = "the target cannot emit this kind of file";
    return false;
  }
  passes.run(module);
  return true;
}
