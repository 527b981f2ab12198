//===- LowerParallelLaunches.cpp - Hand tile functions to the runtime -----===//

#include "compiler/Codegen/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPULOWERPARALLELLAUNCHES
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::codegen::CnncDialect;

namespace {

constexpr llvm::StringLiteral kParallelFor = "cnnrt_parallel_for";

struct CnncCpuLowerParallelLaunchesPass
    : cnnc::impl::CnncCpuLowerParallelLaunchesBase<CnncCpuLowerParallelLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    SymbolTable symbols(module);
    OpBuilder builder(context);
    Type i64 = builder.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto voidType = LLVM::LLVMVoidType::get(context);
    LLVM::LLVMFuncOp parallelFor;

    for (auto launch : llvm::to_vector(module.getOps<LLVM::LLVMFuncOp>())) {
      auto tilesName =
          launch->getAttrOfType<FlatSymbolRefAttr>(CnncDialect::kParallelLaunchAttrName);
      if (!tilesName)
        continue;
      launch->removeAttr(CnncDialect::kParallelLaunchAttrName);
      auto tiles = symbols.lookup<LLVM::LLVMFuncOp>(tilesName.getValue());
      LLVM::LLVMFunctionType launchType = launch.getFunctionType();
      if (!tiles || !launch.isExternal() || launchType.getNumParams() < 1 ||
          launchType.getParamType(0) != i64 ||
          tiles.getFunctionType().getNumParams() != launchType.getNumParams() + 1 ||
          llvm::any_of(launchType.getParams().drop_front(),
                       [&](Type type) { return type != ptr; })) {
        launch.emitError() << "a parallel launch takes a count and pointers, and "
                              "names its tile function";
        return signalPassFailure();
      }
      Location loc = launch.getLoc();
      unsigned numBuffers = launchType.getNumParams() - 1;
      if (!parallelFor) {
        builder.setInsertionPointToEnd(module.getBody());
        parallelFor = LLVM::LLVMFuncOp::create(
            builder, loc, kParallelFor,
            LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64}));
        symbols.insert(parallelFor);
      }

      // @TILES_entry(begin, end, buffers): the runtime's signature.
      builder.setInsertionPointAfter(tiles);
      auto entry = LLVM::LLVMFuncOp::create(
          builder, loc, (tiles.getName() + "_entry").str(),
          LLVM::LLVMFunctionType::get(voidType, {i64, i64, ptr}),
          LLVM::Linkage::Internal);
      symbols.insert(entry);
      Block *entryBody = entry.addEntryBlock(builder);
      builder.setInsertionPointToStart(entryBody);
      SmallVector<Value> tileArguments = {entryBody->getArgument(0),
                                          entryBody->getArgument(1)};
      for (unsigned i = 0; i < numBuffers; ++i) {
        Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, entryBody->getArgument(2),
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        tileArguments.push_back(LLVM::LoadOp::create(builder, loc, ptr, slot));
      }
      LLVM::CallOp::create(builder, loc, tiles, tileArguments);
      LLVM::ReturnOp::create(builder, loc, ValueRange());

      // The launch: the buffers into an array, then the runtime.
      Block *launchBody = launch.addEntryBlock(builder);
      builder.setInsertionPointToStart(launchBody);
      Value size = LLVM::ConstantOp::create(builder, loc, i64,
                                            builder.getI64IntegerAttr(std::max(1u, numBuffers)));
      Value array = LLVM::AllocaOp::create(builder, loc, ptr, ptr, size);
      for (unsigned i = 0; i < numBuffers; ++i) {
        Value slot = LLVM::GEPOp::create(builder, loc, ptr, ptr, array,
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        LLVM::StoreOp::create(builder, loc, launchBody->getArgument(i + 1), slot);
      }
      Value body = LLVM::AddressOfOp::create(builder, loc, entry);
      LLVM::CallOp::create(builder, loc, parallelFor,
                           ValueRange{body, array, launchBody->getArgument(0)});
      LLVM::ReturnOp::create(builder, loc, ValueRange());
      launch.setLinkage(LLVM::Linkage::Internal);
    }
  }
};

} // namespace
