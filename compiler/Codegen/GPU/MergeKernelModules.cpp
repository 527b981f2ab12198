//===- MergeKernelModules.cpp - One gpu.module for every kernel -----------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/SymbolTable.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUMERGEKERNELMODULES
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kKernelModuleName = "cnnc_kernels";

struct CnncGpuMergeKernelModulesPass
    : cnnc::impl::CnncGpuMergeKernelModulesBase<CnncGpuMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules =
        llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    gpu::GPUModuleOp merged = kernelModules.front();
    MLIRContext *context = &getContext();
    auto mergedName = StringAttr::get(context, kKernelModuleName);
    // (kernel module, symbol in it) -> its name in the merged module: the
    // outlining names kernels after their functions, so two modules may
    // hold the same name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    DenseSet<StringAttr> taken;
    for (gpu::GPUModuleOp kernelModule : kernelModules) {
      StringAttr moduleName = kernelModule.getSymNameAttr();
      for (Operation &op :
           llvm::make_early_inc_range(kernelModule.getBody()->without_terminator())) {
        if (auto symbol = dyn_cast<SymbolOpInterface>(op)) {
          StringAttr name = symbol.getNameAttr();
          for (unsigned suffix = 0; taken.contains(name); ++suffix)
            name = StringAttr::get(context, symbol.getName() + "_" + Twine(suffix));
          taken.insert(name);
          renamed[{moduleName, symbol.getNameAttr()}] = name;
          SymbolTable::setSymbolName(&op, name);
        }
        if (kernelModule != merged)
          op.moveBefore(merged.getBody()->getTerminator());
      }
    }
    for (gpu::GPUModuleOp kernelModule : llvm::drop_begin(kernelModules))
      kernelModule.erase();
    merged.setSymName(mergedName);
    AttrTypeReplacer replacer;
    replacer.addReplacement([&](SymbolRefAttr use) -> std::optional<Attribute> {
      if (use.getNestedReferences().size() != 1)
        return std::nullopt;
      StringAttr name =
          renamed.lookup({use.getRootReference(), use.getLeafReference()});
      if (!name)
        return std::nullopt;
      return SymbolRefAttr::get(mergedName, {FlatSymbolRefAttr::get(name)});
    });
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/false);
  }
};

} // namespace
