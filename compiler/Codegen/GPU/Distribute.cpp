//===- Distribute.cpp - Parallel loops for tiles and leftover ops ---------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUDISTRIBUTE
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The largest buffer a thread keeps privately (floats): a thread tile's
/// intermediate results.
constexpr int64_t kMaxPrivateElements = 256;

/// The threads of a block that runs an op outside any tile.
constexpr int64_t kThreadsPerLeftoverBlock = 256;

/// An op outside any tile (a copy, a padding) as blocks of
/// kThreadsPerLeftoverBlock threads over its elements in row-major order, so
/// that neighbouring threads touch neighbouring addresses: the nest becomes
/// a loop over blocks around a loop over threads, each thread the element
/// at its linear index, if there is one.
LogicalResult spreadOverThreads(RewriterBase &rewriter, scf::ParallelOp nest) {
  SmallVector<int64_t> sizes;
  for (auto [lower, upper, step] :
       llvm::zip(nest.getLowerBound(), nest.getUpperBound(), nest.getStep())) {
    std::optional<int64_t> lb = getConstantIntValue(lower);
    std::optional<int64_t> ub = getConstantIntValue(upper);
    std::optional<int64_t> st = getConstantIntValue(step);
    if (!lb || !ub || !st || *lb != 0 || *st != 1)
      return failure();
    sizes.push_back(*ub);
  }
  int64_t total = 1;
  for (int64_t size : sizes)
    total *= size;
  Location loc = nest.getLoc();
  rewriter.setInsertionPoint(nest);
  auto constant = [&](int64_t value) {
    return arith::ConstantIndexOp::create(rewriter, loc, value).getResult();
  };
  Value zero = constant(0), one = constant(1);
  Value threads = constant(kThreadsPerLeftoverBlock);
  auto blocks = scf::ParallelOp::create(
      rewriter, loc, ValueRange{zero},
      ValueRange{constant((total + kThreadsPerLeftoverBlock - 1) /
                          kThreadsPerLeftoverBlock)},
      ValueRange{one});
  rewriter.setInsertionPointToStart(blocks.getBody());
  auto lanes = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                       ValueRange{threads}, ValueRange{one});
  rewriter.setInsertionPointToStart(lanes.getBody());
  Value linear = arith::AddIOp::create(
      rewriter, loc,
      arith::MulIOp::create(rewriter, loc, blocks.getInductionVars()[0], threads),
      lanes.getInductionVars()[0]);
  Value inside = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                                       linear, constant(total));
  auto guard = scf::IfOp::create(rewriter, loc, inside);
  rewriter.setInsertionPointToStart(&guard.getThenRegion().front());
  auto indices = affine::AffineDelinearizeIndexOp::create(rewriter, loc, linear, sizes);
  // The nest's body, its terminator (scf.reduce) left out, on these indices.
  Block *body = nest.getBody();
  rewriter.eraseOp(body->getTerminator());
  rewriter.inlineBlockBefore(body, guard.getThenRegion().front().getTerminator(),
                             indices.getResults());
  rewriter.eraseOp(nest);
  return success();
}

struct CnncGpuDistributePass
    : cnnc::impl::CnncGpuDistributeBase<CnncGpuDistributePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // A buffer inside a tile (a fused producer's result, a pooling's
    // window) is a thread's own: private memory, which LLVM keeps in
    // registers, instead of a call to malloc in the kernel.
    SmallVector<memref::AllocOp> privates;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (alloc->getParentOfType<scf::ForallOp>())
        privates.push_back(alloc);
    });
    for (memref::AllocOp alloc : privates) {
      if (!alloc.getType().hasStaticShape() ||
          alloc.getType().getNumElements() > kMaxPrivateElements) {
        alloc.emitError("a tile needs a buffer of ")
            << alloc.getType() << ", too large for a thread's registers";
        return signalPassFailure();
      }
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          rewriter.eraseOp(user);
      rewriter.setInsertionPoint(alloc);
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(alloc, alloc.getType(),
                                                    alloc.getAlignmentAttr());
    }
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk([&](scf::ForallOp forall) { foralls.push_back(forall); });
    for (scf::ForallOp forall : foralls) {
      rewriter.setInsertionPoint(forall);
      if (failed(scf::forallToParallelLoop(rewriter, forall))) {
        forall.emitError("cannot turn this tile loop into a parallel loop");
        return signalPassFailure();
      }
    }
    SmallVector<linalg::LinalgOp> structured;
    getOperation().walk([&](linalg::LinalgOp op) { structured.push_back(op); });
    for (linalg::LinalgOp op : structured) {
      rewriter.setInsertionPoint(op);
      bool inTile = op->getParentOfType<scf::ParallelOp>() != nullptr;
      FailureOr<linalg::LinalgLoops> loops =
          inTile ? linalg::linalgOpToLoops(rewriter, op)
                 : linalg::linalgOpToParallelLoops(rewriter, op);
      if (failed(loops)) {
        op.emitError("cannot lower this op to loops");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
      if (!inTile && !loops->empty())
        if (auto nest = dyn_cast<scf::ParallelOp>(loops->front());
            nest && failed(spreadOverThreads(rewriter, nest))) {
          nest.emitError("cannot spread this loop nest over GPU threads");
          return signalPassFailure();
        }
    }
  }
};

} // namespace
