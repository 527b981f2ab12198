//===- ApplyStrategy.cpp - Tile each dispatch group into blocks and threads -===//

#include "compiler/Codegen/Passes.h"
#include "compiler/Codegen/TileAndFuse.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUAPPLYSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

struct CnncGpuApplyStrategyPass
    : cnnc::impl::CnncGpuApplyStrategyBase<CnncGpuApplyStrategyPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> lasts;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(CnncDialect::kGpuConfigAttrName))
        lasts.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp last : lasts) {
      auto config =
          last->getAttrOfType<GpuConfigAttr>(CnncDialect::kGpuConfigAttrName);
      // Innermost result dimension first: it becomes the x of blocks and
      // of threads.
      SmallVector<int64_t> order = llvm::to_vector(
          llvm::reverse(llvm::seq<int64_t>(0, config.getBlockTile().size())));
      auto blocks = cnnc::tileAndFuse(rewriter, last, config.getBlockTile(), order,
                                      scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(blocks)) {
        last.emitError("cannot tile this op by its block tile");
        return signalPassFailure();
      }
      auto threads = cnnc::tileAndFuse(
          rewriter, cast<linalg::LinalgOp>(blocks->front()), config.getThreadTile(),
          order, scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(threads)) {
        last.emitError("cannot tile this op by its thread tile");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
