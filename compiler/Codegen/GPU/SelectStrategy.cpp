//===- SelectStrategy.cpp - Blocks and threads for each dispatch group ----===//

#include "compiler/Codegen/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUSELECTSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

/// Threads a block aims at: enough warps to hide memory latency, few
/// enough that several blocks share a multiprocessor.
constexpr int64_t kTargetThreads = 256;
/// A warp's threads: the columns a block takes along the contiguous
/// dimension, so that a warp's loads and stores are coalesced.
constexpr int64_t kWarpSize = 32;

/// `reduces`: the group has a root that reduces (a convolution, a
/// pooling, a matmul), whose outputs can share the inputs they read.
GpuConfigAttr chooseConfig(linalg::LinalgOp last, bool reduces) {
  MLIRContext *context = last.getContext();
  ArrayRef<int64_t> shape =
      cast<ShapedType>(last.getDpsInits()[0].getType()).getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> block(rank, 1), thread(rank, 1);
  if (rank == 4) {
    int64_t channels = shape[1], rows = shape[2], columns = shape[3];
    block[3] = std::min(columns, kWarpSize);
    block[2] = std::min<int64_t>(rows, 4);
    thread[1] = reduces && channels % 4 == 0 ? 4 : 1;
    // Threads along the channels: the most that fit the block and divide
    // the channels' thread tiles, so that no thread has a partial tile
    // (its outputs would need a buffer of dynamic size).
    int64_t channelThreads =
        std::max<int64_t>(1, kTargetThreads / (block[3] * block[2]));
    int64_t channelTiles = channels / thread[1];
    while (channelTiles % channelThreads != 0)
      --channelThreads;
    block[1] = thread[1] * channelThreads;
  } else if (rank == 2) {
    block[0] = std::min<int64_t>(shape[0], 4);
    block[1] = std::min<int64_t>(shape[1], 64);
  } else if (rank > 0) {
    block[rank - 1] = std::min(shape[rank - 1], kWarpSize);
  }
  // A dimension of size 0 is left whole (a tile of it would be empty).
  for (int64_t dim = 0; dim < rank; ++dim)
    if (shape[dim] <= 0) {
      block[dim] = 0;
      thread[dim] = 0;
    }
  return GpuConfigAttr::get(context, block, thread);
}

struct CnncGpuSelectStrategyPass
    : cnnc::impl::CnncGpuSelectStrategyBase<CnncGpuSelectStrategyPass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      if (!function->hasAttr(CnncDialect::kLayerAttrName) || function.isExternal())
        continue;
      bool reduces = false;
      function.walk([&](linalg::LinalgOp op) {
        reduces |= op.getNumReductionLoops() > 0;
      });
      // The group's last ops: those whose results it returns.
      for (Value result : function.getBody().front().getTerminator()->getOperands()) {
        auto last = result.getDefiningOp<linalg::LinalgOp>();
        if (!last || !last.hasPureTensorSemantics() || last.getNumDpsInits() != 1 ||
            last.hasDynamicShape() || last->hasAttr(CnncDialect::kGpuConfigAttrName))
          continue;
        last->setAttr(CnncDialect::kGpuConfigAttrName, chooseConfig(last, reduces));
      }
    }
  }
};

} // namespace
