//===- FuseElementwise.cpp - Element-wise fusion, not into reductions -----===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCFUSEELEMENTWISE
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct CnncFuseElementwisePass
    : cnnc::impl::CnncFuseElementwiseBase<CnncFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *operand) {
      auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
      Operation *producer = operand->get().getDefiningOp();
      // As upstream's default: only a producer nothing else needs; and
      // not one the consumer broadcasts, which would compute each of its
      // elements again for every copy (a batch norm's per-channel factors).
      return consumer && producer && producer->hasOneUse() &&
             consumer.getNumReductionLoops() == 0 &&
             consumer.getMatchingIndexingMap(operand).isPermutation();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
