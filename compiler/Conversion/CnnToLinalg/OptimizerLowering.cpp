//===- OptimizerLowering.cpp - Optimizer steps to linalg ------------------===//
//
// One element-wise linalg.generic per parameter that writes the parameter
// and its state together, in the order of PyTorch's single-tensor
// implementations, so that results agree to rounding.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// An element-wise generic with several results of `type`.
SmallVector<Value> buildUpdate(OpBuilder &b, Location loc, RankedTensorType type,
                               unsigned numResults, ValueRange inputs,
                               ArrayRef<AffineMap> inputMaps,
                               function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                               ValueRange)>
                                   body) {
  SmallVector<AffineMap> maps(inputMaps);
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numResults; ++i) {
    maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
    inits.push_back(emptyTensor(b, loc, type));
  }
  SmallVector<Type> types(numResults, type);
  SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, types, inputs, inits, maps, iterators,
      [&](OpBuilder &nested, Location l, ValueRange args) {
        linalg::YieldOp::create(nested, l, body(nested, l, args.drop_back(numResults)));
      });
  return SmallVector<Value>(generic.getResults());
}

struct SgdUpdateLowering : OpConversionPattern<cnn::SgdUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SgdUpdateOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getNewParam().getType());
    Type element = type.getElementType();
    double lr = op.getLearningRate().convertToDouble();
    double momentum = op.getMomentum().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool nesterov = op.getNesterov();
    SmallVector<Value> inputs = {adaptor.getParam(), adaptor.getGrad()};
    if (adaptor.getVelocity())
      inputs.push_back(adaptor.getVelocity());
    SmallVector<AffineMap> maps(inputs.size(), rewriter.getMultiDimIdentityMap(type.getRank()));
    SmallVector<Value> results = buildUpdate(
        rewriter, op.getLoc(), type, inputs.size() - 1, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto constant = [&](double v) { return floatConstant(b, l, element, v); };
          Value param = args[0], step = args[1];
          if (decay != 0.0)
            step = arith::AddFOp::create(b, l, step,
                                         arith::MulFOp::create(b, l, param, constant(decay)));
          SmallVector<Value> yielded(1);
          if (momentum != 0.0) {
            Value velocity = arith::AddFOp::create(
                b, l, arith::MulFOp::create(b, l, args[2], constant(momentum)), step);
            step = nesterov ? Value(arith::AddFOp::create(
                                  b, l, step, arith::MulFOp::create(b, l, velocity, constant(momentum))))
                            : velocity;
            yielded.push_back(velocity);
          }
          yielded[0] = arith::SubFOp::create(b, l, param,
                                             arith::MulFOp::create(b, l, step, constant(lr)));
          return yielded;
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct AdamUpdateLowering : OpConversionPattern<cnn::AdamUpdateOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::AdamUpdateOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getNewParam().getType());
    Type element = type.getElementType();
    unsigned rank = type.getRank();
    double lr = op.getLearningRate().convertToDouble();
    double beta1 = op.getBeta1().convertToDouble(), beta2 = op.getBeta2().convertToDouble();
    double epsilon = op.getEpsilon().convertToDouble();
    double decay = op.getWeightDecay().convertToDouble();
    bool decoupled = op.getDecoupledWeightDecay();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap first =
        AffineMap::get(rank, 0, {rewriter.getAffineConstantExpr(0)}, rewriter.getContext());
    // The bias corrections 1 - beta^t, t = step + 1, once per step and in
    // double precision, as PyTorch computes them: in float, 1 - 0.999 loses
    // four digits. Returns lr / (1 - beta1^t) and sqrt(1 - beta2^t).
    auto stepType = cast<RankedTensorType>(adaptor.getStep().getType());
    auto scalar = [&](auto compute) {
      return buildElementwise(
          rewriter, op.getLoc(), stepType, {adaptor.getStep()},
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value t = arith::AddFOp::create(
                b, l, arith::ExtFOp::create(b, l, b.getF64Type(), args[0]),
                floatConstant(b, l, b.getF64Type(), 1.0));
            auto correction = [&](double beta) -> Value {
              Value one = floatConstant(b, l, b.getF64Type(), 1.0);
              if (beta == 0.0)
                return one;
              Value power = math::ExpOp::create(
                  b, l,
                  arith::MulFOp::create(b, l, t,
                                        floatConstant(b, l, b.getF64Type(), std::log(beta))));
              return arith::SubFOp::create(b, l, one, power);
            };
            return arith::TruncFOp::create(b, l, element, compute(b, l, correction));
          });
    };
    Value stepSize = scalar([&](OpBuilder &b, Location l, auto correction) -> Value {
      return arith::DivFOp::create(b, l, floatConstant(b, l, b.getF64Type(), lr),
                                   correction(beta1));
    });
    Value rootCorrection = scalar([&](OpBuilder &b, Location l, auto correction) -> Value {
      return math::SqrtOp::create(b, l, correction(beta2));
    });
    SmallVector<Value> results = buildUpdate(
        rewriter, op.getLoc(), type, 3,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getExpAvg(), adaptor.getExpAvgSq(),
         stepSize, rootCorrection},
        {identity, identity, identity, identity, first, first},
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto constant = [&](double v) { return floatConstant(b, l, element, v); };
          Value param = args[0], grad = args[1];
          if (decay != 0.0 && decoupled)
            param = arith::MulFOp::create(b, l, param, constant(1.0 - lr * decay));
          else if (decay != 0.0)
            grad = arith::AddFOp::create(b, l, grad,
                                         arith::MulFOp::create(b, l, param, constant(decay)));
          Value mean = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, args[2], constant(beta1)),
              arith::MulFOp::create(b, l, grad, constant(1.0 - beta1)));
          Value square = arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, args[3], constant(beta2)),
              arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, grad, grad),
                                    constant(1.0 - beta2)));
          Value denominator = arith::AddFOp::create(
              b, l, arith::DivFOp::create(b, l, math::SqrtOp::create(b, l, square), args[5]),
              constant(epsilon));
          Value newParam = arith::SubFOp::create(
              b, l, param,
              arith::MulFOp::create(b, l, args[4],
                                    arith::DivFOp::create(b, l, mean, denominator)));
          return SmallVector<Value>{newParam, mean, square};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void cnnc::lowering::populateOptimizerLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<SgdUpdateLowering, AdamUpdateLowering>(patterns.getContext());
}
