//===- ActivationLowering.cpp - Activations, softmax and dropout to linalg --===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// Element-wise activations: `compute` maps x to the result.
template <typename OpTy>
struct ActivationLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, {adaptor.getInput()},
        [&](OpBuilder &b, Location l, ValueRange args) {
          return compute(b, l, op, element, args[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  static Value compute(OpBuilder &b, Location l, OpTy op, Type element, Value x);
};

template <>
Value ActivationLowering<cnn::ReluOp>::compute(OpBuilder &b, Location l,
                                               cnn::ReluOp, Type element, Value x) {
  return arith::MaximumFOp::create(b, l, x, floatConstant(b, l, element, 0.0));
}

template <>
Value ActivationLowering<cnn::LeakyReluOp>::compute(OpBuilder &b, Location l,
                                                    cnn::LeakyReluOp op,
                                                    Type element, Value x) {
  Value zero = floatConstant(b, l, element, 0.0);
  Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
  Value scaled = arith::MulFOp::create(
      b, l, x,
      floatConstant(b, l, element, op.getNegativeSlope().convertToDouble()));
  return arith::SelectOp::create(b, l, positive, x, scaled);
}

template <>
Value ActivationLowering<cnn::TanhOp>::compute(OpBuilder &b, Location l,
                                               cnn::TanhOp, Type, Value x) {
  return math::TanhOp::create(b, l, x);
}

template <>
Value ActivationLowering<cnn::SigmoidOp>::compute(OpBuilder &b, Location l,
                                                  cnn::SigmoidOp, Type element,
                                                  Value x) {
  Value one = floatConstant(b, l, element, 1.0);
  Value negated = arith::NegFOp::create(b, l, x);
  Value denominator = arith::AddFOp::create(b, l, one, math::ExpOp::create(b, l, negated));
  return arith::DivFOp::create(b, l, one, denominator);
}

struct DropoutLowering : OpConversionPattern<cnn::DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::DropoutOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    // Inference: the identity.
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct SoftmaxLowering : OpConversionPattern<cnn::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SoftmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape.erase(reducedShape.begin() + axis);
    auto reducedType = RankedTensorType::get(reducedShape, element);
    SmallVector<AffineExpr> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        kept.push_back(rewriter.getAffineDimExpr(d));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = AffineMap::get(rank, 0, kept, rewriter.getContext());

    auto reduce = [&](Value input, double init, auto combine) {
      return linalg::ReduceOp::create(
                 rewriter, loc, ValueRange{input},
                 ValueRange{filledTensor(rewriter, loc, reducedType, init)},
                 ArrayRef<int64_t>{axis},
                 [&](OpBuilder &b, Location l, ValueRange args) {
                   linalg::YieldOp::create(b, l, combine(b, l, args[0], args[1]));
                 })
          ->getResult(0);
    };
    // Subtracting the maximum keeps exp() finite.
    Value maximum = reduce(adaptor.getInput(), -INFINITY,
                           [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
                             return arith::MaximumFOp::create(b, l, x, acc);
                           });
    Value exponentials = buildMap(
        rewriter, loc, type, {adaptor.getInput(), maximum}, {identity, reduced},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        });
    Value sum = reduce(exponentials, 0.0,
                       [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
                         return arith::AddFOp::create(b, l, x, acc);
                       });
    rewriter.replaceOp(
        op, buildMap(rewriter, loc, type, {exponentials, sum}, {identity, reduced},
                     [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       return arith::DivFOp::create(b, l, args[0], args[1]);
                     }));
    return success();
  }
};

struct SiluLowering : OpConversionPattern<cnn::SiluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SiluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, op.getLoc(), type, {adaptor.getInput()},
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  // x * sigmoid(x) = x / (1 + exp(-x))
                  Value one = floatConstant(b, l, element, 1.0);
                  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, args[0]));
                  return arith::DivFOp::create(b, l, args[0],
                                               arith::AddFOp::create(b, l, one, e));
                }));
    return success();
  }
};

} // namespace

void cnnc::lowering::populateActivationLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ActivationLowering<cnn::ReluOp>, ActivationLowering<cnn::LeakyReluOp>, ActivationLowering<cnn::TanhOp>, ActivationLowering<cnn::SigmoidOp>, DropoutLowering, SoftmaxLowering, SiluLowering>(patterns.getContext());
}
