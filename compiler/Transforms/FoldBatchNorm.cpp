//===- FoldBatchNorm.cpp - Batch norms folded into the layer before -------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFOLDBATCHNORM
#include "compiler/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// Whether `layer` can take the batch norm into its weight and bias.
bool isFoldable(Operation *layer) {
  if (auto conv = dyn_cast<Conv2dOp>(layer))
    return !conv.getConnections();
  return isa<Conv1dOp, DenseOp>(layer);
}

struct FoldIntoLayer : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp norm,
                                PatternRewriter &rewriter) const override {
    Operation *layer = norm.getInput().getDefiningOp();
    if (!layer || !isFoldable(layer) || !layer->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(norm, "not after a layer only it reads");
    // Operands: input, weight, then the bias where there is one.
    Value weight = layer->getOperand(1);
    Value bias = layer->getNumOperands() > 2 ? layer->getOperand(2) : Value();
    Location loc = rewriter.getFusedLoc({layer->getLoc(), norm.getLoc()});
    rewriter.setInsertionPoint(layer);
    if (!bias) {
      auto type = cast<RankedTensorType>(norm.getScale().getType());
      bias = arith::ConstantOp::create(
          rewriter, loc, type,
          DenseElementsAttr::get(type, rewriter.getFloatAttr(type.getElementType(), 0.0)));
    }
    auto folded = FoldBatchNormOp::create(rewriter, norm.getLoc(), weight, bias,
                                          norm.getScale(), norm.getShift(), norm.getMean(),
                                          norm.getVariance(), norm.getEpsilonAttr());
    rewriter.modifyOpInPlace(layer, [&] {
      layer->setOperand(1, folded.getFoldedWeight());
      if (layer->getNumOperands() > 2)
        layer->setOperand(2, folded.getFoldedBias());
      else
        layer->insertOperands(2, folded.getFoldedBias());
      layer->setLoc(loc);
    });
    rewriter.replaceOp(norm, layer->getResult(0));
    return success();
  }
};

struct CnnFoldBatchNormPass : cnnc::impl::CnnFoldBatchNormBase<CnnFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    cnnc::populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void cnnc::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldIntoLayer>(patterns.getContext());
}
