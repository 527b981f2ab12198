//===- ObjectEmitter.h - LLVM dialect to object code ------------*- C++ -*-===//

#ifndef CNNC_COMPILER_TARGET_OBJECTEMITTER_H
#define CNNC_COMPILER_TARGET_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace cnnc {

/// What to generate code for; empty fields mean the host.
struct TargetSpec {
  std::string triple;
  std::string cpu;
  std::string features;
};

/// A target machine for `spec` (the host CPU and its features by default),
/// or null with `error` set.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetSpec &spec,
                                                         std::string &error);

/// The CPU strategy target (cnnc-cpu-select-strategy's `target`) that
/// matches `machine`'s vector features: avx512, avx2 or sse.
std::string cpuStrategyTarget(const llvm::TargetMachine &machine);

/// Translates a module in the LLVM dialect to LLVM IR for `machine`.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &machine);

/// Runs LLVM's -O3 pipeline, tuned for `machine`.
bool optimizeLLVMModule(llvm::Module &module, llvm::TargetMachine &machine,
                        std::string &error);

/// Writes an object file or assembly for `machine`.
bool emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                     llvm::CodeGenFileType type, llvm::raw_pwrite_stream &os,
                     std::string &error);

/// Optimizes `module` (-O3) and compiles it for `spec` into `parts` objects,
/// on a thread a core: llvm::SplitModule spreads the functions
/// over the parts by size, making internal symbols hidden globals (their
/// names must be unique beyond the module: addModelEntryPoint prefixes
/// them), and each part goes through bitcode into a context and a target
/// machine of its own, so that the threads share nothing. `module` is
/// left split up. With one part, the module is compiled as it is.
bool emitObjectsInParallel(llvm::Module &module, const TargetSpec &spec,
                           unsigned parts,
                           std::vector<llvm::SmallString<0>> &objects,
                           std::string &error);

} // namespace cnnc

#endif // CNNC_COMPILER_TARGET_OBJECTEMITTER_H
