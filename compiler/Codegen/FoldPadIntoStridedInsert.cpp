//===- FoldPadIntoStridedInsert.cpp - Padding into strided inserts --------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCFOLDPADINTOSTRIDEDINSERT
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The constant `value` holds, or null.
Attribute constantOf(Value value) {
  Attribute attr;
  return value && matchPattern(value, m_Constant(&attr)) ? attr : Attribute();
}

struct FoldPadIntoStridedInsertSlice : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    if (insert.hasUnitStride() || ShapedType::isDynamicShape(insert.getStaticStrides()))
      return rewriter.notifyMatchFailure(insert, "not static non-unit strides");
    auto pad = insert.getSource().getDefiningOp<tensor::PadOp>();
    auto fill = insert.getDest().getDefiningOp<linalg::FillOp>();
    if (!pad || pad.getNofold() || !fill)
      return rewriter.notifyMatchFailure(insert, "not a padding into a fill");
    if (insert.getSourceType().getRank() != insert.getDestType().getRank())
      return rewriter.notifyMatchFailure(insert, "rank-reducing insert");
    Attribute padValue = constantOf(pad.getConstantPaddingValue());
    if (!padValue || padValue != constantOf(fill.value()))
      return rewriter.notifyMatchFailure(insert, "padding and fill values differ");

    Location loc = insert.getLoc();
    SmallVector<OpFoldResult> offsets;
    for (auto [offset, low, stride] :
         llvm::zip_equal(insert.getMixedOffsets(), pad.getMixedLowPad(),
                         insert.getStaticStrides())) {
      AffineExpr o, l;
      bindSymbols(rewriter.getContext(), o, l);
      offsets.push_back(affine::makeComposedFoldedAffineApply(
          rewriter, loc, AffineMap::get(0, 2, o + l * stride), {offset, low}));
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        insert, pad.getSource(), insert.getDest(), offsets,
        tensor::getMixedSizes(rewriter, loc, pad.getSource()),
        insert.getMixedStrides());
    return success();
  }
};

struct CnncFoldPadIntoStridedInsertPass
    : cnnc::impl::CnncFoldPadIntoStridedInsertBase<CnncFoldPadIntoStridedInsertPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    cnnc::populateFoldPadIntoStridedInsertPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void cnnc::populateFoldPadIntoStridedInsertPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldPadIntoStridedInsertSlice>(patterns.getContext());
}
