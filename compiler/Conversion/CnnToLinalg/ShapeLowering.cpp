//===- ShapeLowering.cpp - Shape and combining layers to linalg -------------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

struct FlattenLowering : OpConversionPattern<cnn::FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::FlattenOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    int64_t rank = cast<RankedTensorType>(adaptor.getInput().getType()).getRank();
    ReassociationIndices rest;
    for (int64_t d = 1; d < rank; ++d)
      rest.push_back(d);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), adaptor.getInput(),
        ArrayRef<ReassociationIndices>{{0}, rest});
    return success();
  }
};

/// PReLU on scalars: x if x > 0, else slope * x.
struct PReluScalar {
  static Value create(OpBuilder &b, Location l, Value x, Value slope) {
    Value zero = floatConstant(b, l, x.getType(), 0.0);
    Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
    return arith::SelectOp::create(b, l, positive, x, arith::MulFOp::create(b, l, x, slope));
  }
};

/// Element-wise ops of two operands broadcast by NumPy's rule, each pair of
/// elements combined by `ScalarOp::create(builder, loc, lhs, rhs)`.
template <typename OpTy, typename ScalarOp>
struct BroadcastLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    // Each operand is read at its own dimensions, aligned at the last one; a
    // dimension of size 1 that broadcasts is read at index 0.
    SmallVector<AffineMap> maps;
    for (Value operand : {adaptor.getLhs(), adaptor.getRhs()}) {
      ArrayRef<int64_t> shape = cast<RankedTensorType>(operand.getType()).getShape();
      int64_t skipped = type.getRank() - shape.size();
      SmallVector<AffineExpr> exprs;
      for (auto [index, size] : llvm::enumerate(shape))
        exprs.push_back(size == 1 && type.getDimSize(skipped + index) != 1
                            ? rewriter.getAffineConstantExpr(0)
                            : rewriter.getAffineDimExpr(skipped + index));
      maps.push_back(AffineMap::get(type.getRank(), 0, exprs, rewriter.getContext()));
    }
    rewriter.replaceOp(
        op, buildMap(rewriter, op.getLoc(), type, {adaptor.getLhs(), adaptor.getRhs()},
                     maps, [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       return ScalarOp::create(b, l, args[0], args[1]);
                     }));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<cnn::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(op, op.getAxis(),
                                                  adaptor.getInputs());
    return success();
  }
};

struct UpsampleLowering : OpConversionPattern<cnn::UpsampleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::UpsampleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Type element = outType.getElementType();
    ArrayRef<int64_t> scale = op.getScaleFactors();
    ArrayRef<int64_t> in = cast<RankedTensorType>(adaptor.getInput().getType()).getShape();
    Value input = adaptor.getInput();
    bool bilinear = op.getMode() == cnn::UpsampleMode::Bilinear;
    rewriter.replaceOp(
        op, buildMap(
                rewriter, loc, outType, {}, {},
                [&](OpBuilder &b, Location l, ValueRange) -> Value {
                  Value n = linalg::IndexOp::create(b, l, 0);
                  Value c = linalg::IndexOp::create(b, l, 1);
                  if (!bilinear) {
                    SmallVector<Value> indices = {n, c};
                    for (int d = 0; d < 2; ++d)
                      indices.push_back(arith::DivUIOp::create(
                          b, l, linalg::IndexOp::create(b, l, 2 + d),
                          indexConstant(b, l, scale[d])));
                    return tensor::ExtractOp::create(b, l, input, indices);
                  }
                  // Source position (o + 0.5) / scale - 0.5, clamped at 0; the
                  // two neighbours and the weight of the second, per dimension.
                  Value low[2], high[2], weight[2];
                  for (int d = 0; d < 2; ++d) {
                    Value o = indexToFloat(b, l, linalg::IndexOp::create(b, l, 2 + d), element);
                    Value centred = arith::AddFOp::create(b, l, o, floatConstant(b, l, element, 0.5));
                    Value source = arith::SubFOp::create(
                        b, l,
                        arith::DivFOp::create(b, l, centred,
                                              floatConstant(b, l, element, double(scale[d]))),
                        floatConstant(b, l, element, 0.5));
                    source = arith::MaximumFOp::create(b, l, source,
                                                       floatConstant(b, l, element, 0.0));
                    Value floor = math::FloorOp::create(b, l, source);
                    weight[d] = arith::SubFOp::create(b, l, source, floor);
                    Value first = arith::IndexCastOp::create(
                        b, l, b.getIndexType(),
                        arith::FPToSIOp::create(b, l, b.getI64Type(), floor));
                    low[d] = arith::MinSIOp::create(b, l, first, indexConstant(b, l, in[2 + d] - 1));
                    high[d] = arith::MinSIOp::create(
                        b, l, arith::AddIOp::create(b, l, first, indexConstant(b, l, 1)),
                        indexConstant(b, l, in[2 + d] - 1));
                  }
                  auto at = [&](Value row, Value col) -> Value {
                    return tensor::ExtractOp::create(b, l, input, ValueRange{n, c, row, col});
                  };
                  auto lerp = [&](Value a, Value z, Value t) -> Value {
                    Value delta = arith::SubFOp::create(b, l, z, a);
                    return arith::AddFOp::create(b, l, a, arith::MulFOp::create(b, l, delta, t));
                  };
                  Value top = lerp(at(low[0], low[1]), at(low[0], high[1]), weight[1]);
                  Value bottom = lerp(at(high[0], low[1]), at(high[0], high[1]), weight[1]);
                  return lerp(top, bottom, weight[0]);
                }));
    return success();
  }
};

struct CropLowering : OpConversionPattern<cnn::CropOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::CropOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType outType = op.getType();
    ArrayRef<int64_t> offsets = op.getOffsets();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, outType, adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        SmallVector<int64_t>{0, 0, offsets[0], offsets[1]}, outType.getShape(),
        SmallVector<int64_t>(4, 1));
    return success();
  }
};

struct PadLowering : OpConversionPattern<cnn::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, padSpatial(rewriter, op.getLoc(), adaptor.getInput(),
                                      op.getPadding(), op.getMode(),
                                      op.getValue().convertToDouble()));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<cnn::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    // Through one dimension: every static reshape is a collapse and an expand.
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    auto flatType = RankedTensorType::get({inType.getNumElements()},
                                          inType.getElementType());
    auto all = [](int64_t rank) {
      ReassociationIndices indices;
      for (int64_t d = 0; d < rank; ++d)
        indices.push_back(d);
      return SmallVector<ReassociationIndices>{indices};
    };
    Value flat = adaptor.getInput();
    if (inType.getRank() > 1)
      flat = tensor::CollapseShapeOp::create(rewriter, loc, flatType, flat,
                                             all(inType.getRank()));
    if (outType.getRank() > 1)
      flat = tensor::ExpandShapeOp::create(rewriter, loc, outType, flat,
                                           all(outType.getRank()));
    rewriter.replaceOp(op, flat);
    return success();
  }
};

} // namespace

void cnnc::lowering::populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<FlattenLowering, BroadcastLowering<cnn::AddOp, arith::AddFOp>,
               BroadcastLowering<cnn::SubOp, arith::SubFOp>,
               BroadcastLowering<cnn::MulOp, arith::MulFOp>,
               BroadcastLowering<cnn::DivOp, arith::DivFOp>,
               BroadcastLowering<cnn::PReluOp, PReluScalar>, ConcatLowering, UpsampleLowering, CropLowering, PadLowering, ReshapeLowering>(patterns.getContext());
}
