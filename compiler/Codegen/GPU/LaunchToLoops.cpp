//===- LaunchToLoops.cpp - Run GPU launches as loops on the CPU -----------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPULAUNCHTOLOOPS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The three values of a KernelDim3 in x, y, z order.
SmallVector<Value> xyz(gpu::KernelDim3 dims) { return {dims.x, dims.y, dims.z}; }

struct CnncGpuLaunchToLoopsPass
    : cnnc::impl::CnncGpuLaunchToLoopsBase<CnncGpuLaunchToLoopsPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(launch)))
        return signalPassFailure();
  }

  /// Replaces `launch` with loops over its blocks (z, y, x) and, in each,
  /// over its threads (z, y, x), running the body with the ids of each.
  LogicalResult emulate(gpu::LaunchOp launch) {
    if (launch.getAsyncToken() || launch.hasClusterSize() ||
        launch.getNumWorkgroupAttributions() || launch.getBody().getBlocks().size() != 1)
      return launch.emitError("cannot run this launch as loops: it is "
                              "asynchronous, clustered, has shared memory or "
                              "branches");
    WalkResult barriers = launch.getBody().walk([](gpu::BarrierOp barrier) {
      barrier.emitError("cannot run a launch with barriers as loops");
      return WalkResult::interrupt();
    });
    if (barriers.wasInterrupted())
      return failure();

    OpBuilder builder(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    SmallVector<Value> gridSize = xyz(launch.getGridSizeOperandValues());
    SmallVector<Value> blockSize = xyz(launch.getBlockSizeOperandValues());
    IRMapping mapping;
    SmallVector<Value> blockIds(3), threadIds(3);
    // Outermost z: x varies fastest, as the GPU numbers them.
    for (int dim = 2; dim >= 0; --dim) {
      auto loop = scf::ForOp::create(builder, loc, zero, gridSize[dim], one);
      builder.setInsertionPointToStart(loop.getBody());
      blockIds[dim] = loop.getInductionVar();
    }
    for (int dim = 2; dim >= 0; --dim) {
      auto loop = scf::ForOp::create(builder, loc, zero, blockSize[dim], one);
      builder.setInsertionPointToStart(loop.getBody());
      threadIds[dim] = loop.getInductionVar();
    }
    auto mapAll = [&](gpu::KernelDim3 from, ArrayRef<Value> to) {
      for (auto [argument, value] : llvm::zip(xyz(from), to))
        mapping.map(argument, value);
    };
    mapAll(launch.getBlockIds(), blockIds);
    mapAll(launch.getThreadIds(), threadIds);
    mapAll(launch.getGridSize(), gridSize);
    mapAll(launch.getBlockSize(), blockSize);
    // The id ops a kernel may use instead of the region's arguments.
    auto idValue = [&](Operation *op) -> Value {
      auto pick = [](gpu::Dimension dim, ArrayRef<Value> values) {
        return values[static_cast<unsigned>(dim)];
      };
      if (auto id = dyn_cast<gpu::BlockIdOp>(op))
        return pick(id.getDimension(), blockIds);
      if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
        return pick(id.getDimension(), threadIds);
      if (auto size = dyn_cast<gpu::GridDimOp>(op))
        return pick(size.getDimension(), gridSize);
      if (auto size = dyn_cast<gpu::BlockDimOp>(op))
        return pick(size.getDimension(), blockSize);
      return Value();
    };
    for (Operation &op : launch.getBody().front().without_terminator()) {
      if (Value id = idValue(&op)) {
        mapping.map(op.getResult(0), id);
        continue;
      }
      Operation *copy = builder.clone(op, mapping);
      SmallVector<Operation *> nestedIds;
      copy->walk([&](Operation *nested) {
        if (idValue(nested))
          nestedIds.push_back(nested);
      });
      for (Operation *nested : nestedIds) {
        nested->getResult(0).replaceAllUsesWith(idValue(nested));
        nested->erase();
      }
    }
    launch.erase();
    return success();
  }
};

} // namespace
