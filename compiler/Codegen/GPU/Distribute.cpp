//===- Distribute.cpp - Parallel loops for tiles and leftover ops ---------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUDISTRIBUTE
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The largest buffer a thread keeps privately (floats): a thread tile's
/// intermediate results.
constexpr int64_t kMaxPrivateElements = 256;

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
    }
  }
};

} // namespace
