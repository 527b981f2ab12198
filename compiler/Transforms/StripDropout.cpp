//===- StripDropout.cpp - Remove dropout for inference --------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNSTRIPDROPOUT
#include "compiler/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct ReplaceDropoutByInput : OpRewritePattern<cnnc::cnn::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(cnnc::cnn::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct CnnStripDropoutPass
    : cnnc::impl::CnnStripDropoutBase<CnnStripDropoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    cnnc::populateStripDropoutPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void cnnc::populateStripDropoutPatterns(RewritePatternSet &patterns) {
  patterns.add<ReplaceDropoutByInput>(patterns.getContext());
}
