//===- ActivationLowering.cpp - Activations, softmax and dropout to linalg --===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// max(x, bound) and min(x, bound) of a constant bound. A NaN x still gives
/// NaN (as in PyTorch), but either zero may come out of -0 against +0
/// (`nsz`): so LLVM makes each one x86 max or min, whose NaN operand wins,
/// not a max, a NaN test and a blend (a fifth of the epilogue of a 1x1
/// convolution's tile).
Value maxWithConstant(OpBuilder &b, Location l, Type element, Value x, double bound) {
  return arith::MaximumFOp::create(b, l, x, floatConstant(b, l, element, bound),
                                   arith::FastMathFlags::nsz);
}
Value minWithConstant(OpBuilder &b, Location l, Type element, Value x, double bound) {
  return arith::MinimumFOp::create(b, l, x, floatConstant(b, l, element, bound),
                                   arith::FastMathFlags::nsz);
}

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
  return maxWithConstant(b, l, element, x, 0.0);
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

template <>
Value ActivationLowering<cnn::EluOp>::compute(OpBuilder &b, Location l, cnn::EluOp op,
                                              Type element, Value x) {
  Value zero = floatConstant(b, l, element, 0.0);
  Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
  Value negative = arith::MulFOp::create(
      b, l, floatConstant(b, l, element, op.getAlpha().convertToDouble()),
      arith::SubFOp::create(b, l, math::ExpOp::create(b, l, x),
                            floatConstant(b, l, element, 1.0)));
  return arith::MulFOp::create(b, l,
                               floatConstant(b, l, element, op.getScale().convertToDouble()),
                               arith::SelectOp::create(b, l, positive, x, negative));
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoid(OpBuilder &b, Location l, Type element, Value x, double alpha, double beta) {
  Value linear = math::FmaOp::create(b, l, x, floatConstant(b, l, element, alpha),
                                     floatConstant(b, l, element, beta));
  return maxWithConstant(b, l, element, minWithConstant(b, l, element, linear, 1.0), 0.0);
}

template <>
Value ActivationLowering<cnn::HardSigmoidOp>::compute(OpBuilder &b, Location l,
                                                      cnn::HardSigmoidOp op, Type element,
                                                      Value x) {
  return hardSigmoid(b, l, element, x, op.getAlpha().convertToDouble(),
                     op.getBeta().convertToDouble());
}

template <>
Value ActivationLowering<cnn::HardSwishOp>::compute(OpBuilder &b, Location l,
                                                    cnn::HardSwishOp, Type element,
                                                    Value x) {
  return arith::MulFOp::create(b, l, x, hardSigmoid(b, l, element, x, 1.0 / 6.0, 0.5));
}

template <>
Value ActivationLowering<cnn::ClipOp>::compute(OpBuilder &b, Location l, cnn::ClipOp op,
                                               Type element, Value x) {
  Value above = maxWithConstant(b, l, element, x, op.getMin().convertToDouble());
  return minWithConstant(b, l, element, above, op.getMax().convertToDouble());
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

Value i32Constant(OpBuilder &b, Location l, uint32_t value) {
  return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(static_cast<int32_t>(value)));
}

/// MurmurHash3's 32-bit finaliser: every input bit reaches every output bit.
Value fmix32(OpBuilder &b, Location l, Value h) {
  auto xorShift = [&](Value v, uint32_t shift) -> Value {
    return arith::XOrIOp::create(b, l, v,
                                 arith::ShRUIOp::create(b, l, v, i32Constant(b, l, shift)));
  };
  h = arith::MulIOp::create(b, l, xorShift(h, 16), i32Constant(b, l, 0x85ebca6bu));
  h = arith::MulIOp::create(b, l, xorShift(h, 13), i32Constant(b, l, 0xc2b2ae35u));
  return xorShift(h, 16);
}

struct DropoutTrainLowering : OpConversionPattern<cnn::DropoutTrainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::DropoutTrainOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    double rate = op.getRate().convertToDouble();
    auto threshold = static_cast<uint32_t>(std::floor(rate * 4294967296.0));
    // PyTorch's scale: 1 / (1 - rate) computed in float.
    float scale = 1.0f / static_cast<float>(1.0 - rate);
    auto stream = static_cast<uint32_t>(op.getStream());
    AffineMap scalar =
        AffineMap::get(rank, 0, rewriter.getAffineConstantExpr(0), rewriter.getContext());
    Value result = buildMap(
        rewriter, op.getLoc(), type, {adaptor.getInput(), adaptor.getSeed(), adaptor.getStep()},
        {rewriter.getMultiDimIdentityMap(rank), scalar, scalar},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type i32 = b.getI32Type();
          Value seed = arith::FPToUIOp::create(b, l, i32, args[1]);
          Value step = arith::FPToUIOp::create(b, l, i32, args[2]);
          Value key = fmix32(b, l, arith::XOrIOp::create(b, l, fmix32(b, l, seed), i32Constant(b, l, stream)));
          key = fmix32(b, l, arith::XOrIOp::create(b, l, key, step));
          // The row-major index of the element.
          Value index = linalg::IndexOp::create(b, l, 0);
          for (int64_t d = 1; d < rank; ++d)
            index = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, index, indexConstant(b, l, type.getDimSize(d))),
                linalg::IndexOp::create(b, l, d));
          Value counter = arith::IndexCastOp::create(b, l, i32, index);
          Value bits = fmix32(b, l, arith::XOrIOp::create(b, l, fmix32(b, l, counter), key));
          Value keep =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge, bits,
                                             i32Constant(b, l, threshold));
          Value scaled = arith::MulFOp::create(b, l, args[0], floatConstant(b, l, element, scale));
          return arith::SelectOp::create(b, l, keep, scaled, floatConstant(b, l, element, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Softmax, exp(x - max) / sum, and its logarithm, x - max - log(sum).
template <typename OpTy>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
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
    if constexpr (std::is_same_v<OpTy, cnn::LogSoftmaxOp>) {
      rewriter.replaceOp(
          op, buildMap(rewriter, loc, type, {adaptor.getInput(), maximum, sum},
                       {identity, reduced, reduced},
                       [](OpBuilder &b, Location l, ValueRange args) -> Value {
                         Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
                         return arith::SubFOp::create(b, l, shifted,
                                                      math::LogOp::create(b, l, args[2]));
                       }));
    } else {
      rewriter.replaceOp(
          op, buildMap(rewriter, loc, type, {exponentials, sum}, {identity, reduced},
                       [](OpBuilder &b, Location l, ValueRange args) -> Value {
                         return arith::DivFOp::create(b, l, args[0], args[1]);
                       }));
    }
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
  patterns.add<ActivationLowering<cnn::ReluOp>, ActivationLowering<cnn::LeakyReluOp>,
               ActivationLowering<cnn::TanhOp>, ActivationLowering<cnn::SigmoidOp>,
               ActivationLowering<cnn::EluOp>, ActivationLowering<cnn::HardSigmoidOp>,
               ActivationLowering<cnn::HardSwishOp>, ActivationLowering<cnn::ClipOp>,
               DropoutLowering, DropoutTrainLowering, SoftmaxLowering<cnn::SoftmaxOp>,
               SoftmaxLowering<cnn::LogSoftmaxOp>, SiluLowering>(patterns.getContext());
}
