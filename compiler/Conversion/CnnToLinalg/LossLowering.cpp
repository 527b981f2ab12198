//===- LossLowering.cpp - Losses and metrics to linalg --------------------===//
//
// Labels are class indices held as floats; a row's label is compared with
// the class dimension's index after a conversion to an integer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

using utils::IteratorType;

/// Whether the class index of dimension 1 is the row's label.
Value isLabel(OpBuilder &b, Location l, Value label) {
  Value labelIndex = arith::IndexCastOp::create(
      b, l, b.getIndexType(), arith::FPToSIOp::create(b, l, b.getI64Type(), label));
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                               linalg::IndexOp::create(b, l, 1), labelIndex);
}

/// Per row of logits [N, K]: the maximum and the sum of exp(logit - max).
std::pair<Value, Value> softmaxStatistics(OpBuilder &b, Location loc, Value logits) {
  auto type = cast<RankedTensorType>(logits.getType());
  Type element = type.getElementType();
  auto rowType = RankedTensorType::get({type.getDimSize(0)}, element);
  auto reduceRows = [&](Value input, double init, auto combine) {
    return linalg::ReduceOp::create(
               b, loc, ValueRange{input}, ValueRange{filledTensor(b, loc, rowType, init)},
               ArrayRef<int64_t>{1},
               [&](OpBuilder &nested, Location l, ValueRange args) {
                 linalg::YieldOp::create(nested, l, combine(nested, l, args[0], args[1]));
               })
        ->getResult(0);
  };
  Value maximum = reduceRows(logits, -INFINITY,
                             [](OpBuilder &nested, Location l, Value x, Value acc) -> Value {
                               return arith::MaximumFOp::create(nested, l, x, acc);
                             });
  MLIRContext *ctx = b.getContext();
  AffineMap identity = b.getMultiDimIdentityMap(2);
  AffineMap row = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx);
  Value shifted = buildMap(b, loc, type, {logits, maximum}, {identity, row},
                           [](OpBuilder &nested, Location l, ValueRange args) -> Value {
                             return math::ExpOp::create(
                                 nested, l, arith::SubFOp::create(nested, l, args[0], args[1]));
                           });
  Value sum = reduceRows(shifted, 0.0,
                         [](OpBuilder &nested, Location l, Value x, Value acc) -> Value {
                           return arith::AddFOp::create(nested, l, x, acc);
                         });
  return {maximum, sum};
}

/// The smoothed target of class k: (1 - e) [k == label] + e / K.
Value smoothedTarget(OpBuilder &b, Location l, Value label, double smoothing,
                     int64_t classes, Type element) {
  double off = smoothing / double(classes);
  return arith::SelectOp::create(b, l, isLabel(b, l, label),
                                 floatConstant(b, l, element, 1.0 - smoothing + off),
                                 floatConstant(b, l, element, off));
}

/// A reduction of every dimension of `rank` into the [1] accumulator:
/// `body` gives the term to add from the input scalars.
Value sumToScalar(OpBuilder &b, Location loc, Type scalarType, unsigned rank,
                  ValueRange inputs, ArrayRef<AffineMap> inputMaps, ScalarBody term) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(rank, 0, {b.getAffineConstantExpr(0)}, b.getContext()));
  SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{scalarType}, inputs,
             ValueRange{filledTensor(b, loc, cast<RankedTensorType>(scalarType), 0.0)}, maps, iterators,
             [&](OpBuilder &nested, Location l, ValueRange args) {
               Value value = term(nested, l, args.drop_back());
               linalg::YieldOp::create(
                   nested, l, Value(arith::AddFOp::create(nested, l, args.back(), value)));
             })
      ->getResult(0);
}

/// `value` [1] times `factor`.
Value scale(OpBuilder &b, Location loc, Value value, double factor) {
  auto type = cast<RankedTensorType>(value.getType());
  return buildElementwise(b, loc, type, {value},
                          [&](OpBuilder &nested, Location l, ValueRange args) -> Value {
                            return arith::MulFOp::create(
                                nested, l, args[0],
                                floatConstant(nested, l, type.getElementType(), factor));
                          });
}

struct SoftmaxCrossEntropyLowering : OpConversionPattern<cnn::SoftmaxCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SoftmaxCrossEntropyOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(adaptor.getLogits().getType());
    Type element = type.getElementType();
    int64_t rows = type.getDimSize(0), classes = type.getDimSize(1);
    double smoothing = op.getLabelSmoothing().convertToDouble();
    auto [maximum, sum] = softmaxStatistics(rewriter, loc, adaptor.getLogits());
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, ctx);
    // sum over n, k of t[n, k] (logsumexp[n] - z[n, k]), then the mean.
    Value total = sumToScalar(
        rewriter, loc, op.getType(), 2, {adaptor.getLogits(), maximum, sum, adaptor.getLabels()},
        {identity, row, row, row}, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value logSumExp = arith::AddFOp::create(b, l, args[1], math::LogOp::create(b, l, args[2]));
          Value target = smoothedTarget(b, l, args[3], smoothing, classes, element);
          return arith::MulFOp::create(b, l, target,
                                       arith::SubFOp::create(b, l, logSumExp, args[0]));
        });
    rewriter.replaceOp(op, scale(rewriter, loc, total, 1.0 / double(rows)));
    return success();
  }
};

struct SoftmaxCrossEntropyGradLowering
    : OpConversionPattern<cnn::SoftmaxCrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SoftmaxCrossEntropyGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t rows = type.getDimSize(0), classes = type.getDimSize(1);
    double smoothing = op.getLabelSmoothing().convertToDouble();
    auto [maximum, sum] = softmaxStatistics(rewriter, loc, adaptor.getLogits());
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, ctx);
    AffineMap first = AffineMap::get(2, 0, {rewriter.getAffineConstantExpr(0)}, ctx);
    // loss_grad / N * (softmax - t)
    rewriter.replaceOp(
        op, buildMap(rewriter, loc, type,
                     {adaptor.getLogits(), maximum, sum, adaptor.getLabels(),
                      adaptor.getLossGrad()},
                     {identity, row, row, row, first},
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Value probability = arith::DivFOp::create(
                           b, l,
                           math::ExpOp::create(b, l, arith::SubFOp::create(b, l, args[0], args[1])),
                           args[2]);
                       Value target = smoothedTarget(b, l, args[3], smoothing, classes, element);
                       Value scaleFactor = arith::MulFOp::create(
                           b, l, args[4], floatConstant(b, l, element, 1.0 / double(rows)));
                       return arith::MulFOp::create(
                           b, l, scaleFactor, arith::SubFOp::create(b, l, probability, target));
                     }));
    return success();
  }
};

struct MseLossLowering : OpConversionPattern<cnn::MseLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::MseLossOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(adaptor.getPrediction().getType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    Value total = sumToScalar(rewriter, loc, op.getType(), type.getRank(),
                              {adaptor.getPrediction(), adaptor.getTarget()},
                              {identity, identity},
                              [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                Value error = arith::SubFOp::create(b, l, args[0], args[1]);
                                return arith::MulFOp::create(b, l, error, error);
                              });
    rewriter.replaceOp(op, scale(rewriter, loc, total, 1.0 / double(type.getNumElements())));
    return success();
  }
};

struct MseLossGradLowering : OpConversionPattern<cnn::MseLossGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::MseLossGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap first =
        AffineMap::get(rank, 0, {rewriter.getAffineConstantExpr(0)}, rewriter.getContext());
    double factor = 2.0 / double(type.getNumElements());
    rewriter.replaceOp(
        op, buildMap(rewriter, op.getLoc(), type,
                     {adaptor.getPrediction(), adaptor.getTarget(), adaptor.getLossGrad()},
                     {identity, identity, first},
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Value error = arith::SubFOp::create(b, l, args[0], args[1]);
                       Value weight = arith::MulFOp::create(
                           b, l, args[2], floatConstant(b, l, type.getElementType(), factor));
                       return arith::MulFOp::create(b, l, weight, error);
                     }));
    return success();
  }
};

struct CorrectCountLowering : OpConversionPattern<cnn::CorrectCountOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::CorrectCountOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(adaptor.getLogits().getType());
    Type element = type.getElementType();
    auto rowType = RankedTensorType::get({type.getDimSize(0)}, element);
    auto rowIndexType = RankedTensorType::get({type.getDimSize(0)}, rewriter.getI64Type());
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap row = AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, ctx);
    Value noClass = filledIndexTensor(rewriter, loc, {type.getDimSize(0)}, -1);
    // The first largest logit of each row, as torch.argmax.
    auto argmax = linalg::GenericOp::create(
        rewriter, loc, TypeRange{rowType, rowIndexType}, ValueRange{adaptor.getLogits()},
        ValueRange{filledTensor(rewriter, loc, rowType, -INFINITY), noClass},
        ArrayRef<AffineMap>{identity, row, row},
        ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::reduction},
        [](OpBuilder &b, Location l, ValueRange args) {
          Value larger = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, args[0], args[1]);
          Value index = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                   linalg::IndexOp::create(b, l, 1));
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::SelectOp::create(b, l, larger, args[0], args[1]),
                                             arith::SelectOp::create(b, l, larger, index, args[2])});
        });
    AffineMap only = rewriter.getMultiDimIdentityMap(1);
    rewriter.replaceOp(
        op, sumToScalar(rewriter, loc, op.getType(), 1,
                        {argmax.getResult(1), adaptor.getLabels()}, {only, only},
                        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                          Value label = arith::FPToSIOp::create(b, l, b.getI64Type(), args[1]);
                          Value right = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                              args[0], label);
                          return arith::SelectOp::create(b, l, right,
                                                         floatConstant(b, l, element, 1.0),
                                                         floatConstant(b, l, element, 0.0));
                        }));
    return success();
  }
};

} // namespace

void cnnc::lowering::populateLossLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxCrossEntropyLowering, SoftmaxCrossEntropyGradLowering, MseLossLowering,
               MseLossGradLowering, CorrectCountLowering>(patterns.getContext());
}
