//===- NormalizationLowering.cpp - Normalisation layers to linalg -----------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// A batch norm's per-channel scale, a = scale / sqrt(variance + epsilon).
Value batchNormScale(OpBuilder &b, Location loc, Value scale, Value variance,
                     double epsilon) {
  auto channelType = cast<RankedTensorType>(scale.getType());
  Type element = channelType.getElementType();
  return buildElementwise(
      b, loc, channelType, {scale, variance},
      [&](OpBuilder &b, Location l, ValueRange args) -> Value {
        Value shifted =
            arith::AddFOp::create(b, l, args[1], floatConstant(b, l, element, epsilon));
        return arith::DivFOp::create(b, l, args[0], math::SqrtOp::create(b, l, shifted));
      });
}

struct BatchNormLowering : OpConversionPattern<cnn::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::BatchNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1));
    // As PyTorch's inference kernel: per channel, a = scale / sqrt(variance
    // + epsilon) and b = shift - mean * a, then x * a + b per element. The
    // per-channel values depend on weights alone (cnnc-hoist-weight-
    // transforms computes them once), and the per-element work is one
    // multiply-add, not a division and a square root.
    auto channelType = cast<RankedTensorType>(adaptor.getScale().getType());
    Value a = batchNormScale(rewriter, loc, adaptor.getScale(), adaptor.getVariance(),
                             op.getEpsilon().convertToDouble());
    Value shift = buildElementwise(
        rewriter, loc, channelType, {adaptor.getShift(), adaptor.getMean(), a},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::SubFOp::create(b, l, args[0],
                                       arith::MulFOp::create(b, l, args[1], args[2]));
        });
    Value result = buildMap(
        rewriter, loc, type, {adaptor.getInput(), a, shift}, {identity, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::FmaOp::create(b, l, args[0], args[1], args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// weight * a along the output channels, (bias - mean) * a + shift.
struct FoldBatchNormLowering : OpConversionPattern<cnn::FoldBatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::FoldBatchNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    auto channelType = cast<RankedTensorType>(op.getBias().getType());
    int64_t rank = weightType.getRank();
    Value a = batchNormScale(rewriter, loc, adaptor.getScale(), adaptor.getVariance(),
                             op.getEpsilon().convertToDouble());
    Value weight = buildMap(
        rewriter, loc, weightType, {adaptor.getWeight(), a},
        {rewriter.getMultiDimIdentityMap(rank),
         AffineMap::get(rank, 0, rewriter.getAffineDimExpr(0))},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MulFOp::create(b, l, args[0], args[1]);
        });
    Value bias = buildElementwise(
        rewriter, loc, channelType,
        {adaptor.getBias(), adaptor.getMean(), a, adaptor.getShift()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::FmaOp::create(b, l, arith::SubFOp::create(b, l, args[0], args[1]),
                                     args[2], args[3]);
        });
    rewriter.replaceOp(op, {weight, bias});
    return success();
  }
};

struct LocalResponseNormLowering : OpConversionPattern<cnn::LocalResponseNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::LocalResponseNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t size = op.getSize(), channels = type.getDimSize(1);
    Value input = adaptor.getInput();
    // [N, C, L] is normalised as [N, C, L, 1].
    RankedTensorType resultType = type;
    if (type.getRank() == 3) {
      type = RankedTensorType::get({type.getDimSize(0), channels, type.getDimSize(2), 1},
                                   element);
      input = tensor::ExpandShapeOp::create(
          rewriter, loc, type, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    }
    // The sum of squares over channels c - size/2 .. c + (size-1)/2 that exist.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> dims;
    for (unsigned d = 0; d < 5; ++d)
      dims.push_back(rewriter.getAffineDimExpr(d));
    Value window = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{size}, element);
    auto sums = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{window},
        ValueRange{filledTensor(rewriter, loc, type, 0.0)},
        ArrayRef<AffineMap>{AffineMap::get(5, 0, {dims[4]}, ctx),
                            AffineMap::get(5, 0, {dims[0], dims[1], dims[2], dims[3]}, ctx)},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::parallel,
                                      utils::IteratorType::parallel,
                                      utils::IteratorType::parallel,
                                      utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value c = linalg::IndexOp::create(b, l, 1);
          Value r = linalg::IndexOp::create(b, l, 4);
          Value channel = arith::SubIOp::create(
              b, l, arith::AddIOp::create(b, l, c, r), indexConstant(b, l, size / 2));
          Value inside = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, channel,
                                    indexConstant(b, l, 0)),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, channel,
                                    indexConstant(b, l, channels)));
          Value clamped = arith::MinSIOp::create(
              b, l, arith::MaxSIOp::create(b, l, channel, indexConstant(b, l, 0)),
              indexConstant(b, l, channels - 1));
          Value value = tensor::ExtractOp::create(
              b, l, input,
              ValueRange{linalg::IndexOp::create(b, l, 0), clamped,
                         linalg::IndexOp::create(b, l, 2),
                         linalg::IndexOp::create(b, l, 3)});
          Value square = arith::MulFOp::create(b, l, value, value);
          Value term = arith::SelectOp::create(b, l, inside, square,
                                               floatConstant(b, l, element, 0.0));
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[1], term)));
        });
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    double k = op.getK().convertToDouble();
    Value result = buildElementwise(
                rewriter, loc, type, {input, sums.getResult(0)},
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  // x / (k + alpha / size * sum) ^ beta
                  Value scaled = arith::MulFOp::create(
                      b, l, args[1], floatConstant(b, l, element, alpha / double(size)));
                  Value base = arith::AddFOp::create(b, l, scaled,
                                                     floatConstant(b, l, element, k));
                  Value divisor = math::PowFOp::create(
                      b, l, base, floatConstant(b, l, element, beta));
                  return arith::DivFOp::create(b, l, args[0], divisor);
                });
    if (resultType != type)
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, result,
          ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void cnnc::lowering::populateNormalizationLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, FoldBatchNormLowering, LocalResponseNormLowering>(patterns.getContext());
}
