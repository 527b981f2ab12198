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

/// Sums per channel (dimension 1) of [N, C, ...] tensors, over every other
/// dimension: `terms` maps the scalars of `full` ([N, C, ...]) then of
/// `perChannel` ([C]) at one position to one term per sum. One pass over
/// memory for all the sums.
SmallVector<Value> sumPerChannel(OpBuilder &b, Location loc, ValueRange full,
                                 ValueRange perChannel, unsigned numSums,
                                 function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                                 ValueRange)>
                                     terms) {
  auto type = cast<RankedTensorType>(full.front().getType());
  int64_t rank = type.getRank();
  auto channelType = RankedTensorType::get({type.getDimSize(1)}, type.getElementType());
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap channel = AffineMap::get(rank, 0, b.getAffineDimExpr(1));
  SmallVector<Value> inputs(full), inits;
  llvm::append_range(inputs, perChannel);
  SmallVector<AffineMap> maps(full.size(), identity);
  maps.append(perChannel.size() + numSums, channel);
  SmallVector<Type> resultTypes(numSums, channelType);
  for (unsigned i = 0; i < numSums; ++i)
    inits.push_back(filledTensor(b, loc, channelType, 0.0));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
  iterators[1] = utils::IteratorType::parallel;
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, inits, maps, iterators,
      [&](OpBuilder &nested, Location l, ValueRange args) {
        SmallVector<Value> sums = terms(nested, l, args.drop_back(numSums));
        for (auto [sum, accumulator] : llvm::zip_equal(sums, args.take_back(numSums)))
          sum = arith::AddFOp::create(nested, l, accumulator, sum);
        linalg::YieldOp::create(nested, l, sums);
      });
  return generic.getResults();
}

/// The count of values each channel of `type` [N, C, ...] holds.
int64_t valuesPerChannel(RankedTensorType type) {
  return type.getNumElements() / type.getDimSize(1);
}

struct BatchNormTrainLowering : OpConversionPattern<cnn::BatchNormTrainOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::BatchNormTrainOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    auto channelType = cast<RankedTensorType>(op.getScale().getType());
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    double count = static_cast<double>(valuesPerChannel(type));
    double epsilon = op.getEpsilon().convertToDouble();
    double momentum = op.getMomentum().convertToDouble();
    Value input = adaptor.getInput();
    // Two passes, the mean then the squares about it, as PyTorch's CPU
    // kernel: one pass of sums of squares loses the variance to
    // cancellation when the mean is large.
    Value sum = sumPerChannel(rewriter, loc, input, {}, 1,
                              [](OpBuilder &, Location, ValueRange args) {
                                return SmallVector<Value>{args[0]};
                              })[0];
    auto divideByCount = [&](OpBuilder &b, Location l, Value v) -> Value {
      return arith::DivFOp::create(b, l, v, floatConstant(b, l, element, count));
    };
    Value mean = buildElementwise(rewriter, loc, channelType, sum,
                                  [&](OpBuilder &b, Location l, ValueRange args) {
                                    return divideByCount(b, l, args[0]);
                                  });
    Value squares = sumPerChannel(
        rewriter, loc, input, mean, 1, [](OpBuilder &b, Location l, ValueRange args) {
          Value centred = arith::SubFOp::create(b, l, args[0], args[1]);
          return SmallVector<Value>{arith::MulFOp::create(b, l, centred, centred)};
        })[0];
    Value invStd = buildElementwise(
        rewriter, loc, channelType, squares, [&](OpBuilder &b, Location l, ValueRange args) {
          Value variance = divideByCount(b, l, args[0]);
          Value shifted =
              arith::AddFOp::create(b, l, variance, floatConstant(b, l, element, epsilon));
          return arith::DivFOp::create(b, l, floatConstant(b, l, element, 1.0),
                                       math::SqrtOp::create(b, l, shifted));
        });
    // output = x * a + (shift - mean * a), a = scale * inv_std.
    Value a = buildElementwise(rewriter, loc, channelType, {adaptor.getScale(), invStd},
                               [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                 return arith::MulFOp::create(b, l, args[0], args[1]);
                               });
    Value offset = buildElementwise(
        rewriter, loc, channelType, {adaptor.getShift(), mean, a},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::SubFOp::create(b, l, args[0],
                                       arith::MulFOp::create(b, l, args[1], args[2]));
        });
    AffineMap channel = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1));
    Value output = buildMap(rewriter, loc, type, {input, a, offset},
                            {rewriter.getMultiDimIdentityMap(rank), channel, channel},
                            [](OpBuilder &b, Location l, ValueRange args) -> Value {
                              return math::FmaOp::create(b, l, args[0], args[1], args[2]);
                            });
    // The running statistics: the variance unbiased, over count - 1.
    auto movingAverage = [&](Value running, Value batch, double factor) {
      return buildElementwise(
          rewriter, loc, channelType, {running, batch},
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value kept = arith::MulFOp::create(
                b, l, args[0], floatConstant(b, l, element, 1.0 - momentum));
            return math::FmaOp::create(b, l, args[1],
                                       floatConstant(b, l, element, momentum * factor),
                                       kept);
          });
    };
    Value runningMean = movingAverage(adaptor.getRunningMean(), mean, 1.0);
    Value runningVariance =
        movingAverage(adaptor.getRunningVariance(), squares, 1.0 / (count - 1.0));
    rewriter.replaceOp(op, {output, runningMean, runningVariance, mean, invStd});
    return success();
  }
};

struct BatchNormGradLowering : OpConversionPattern<cnn::BatchNormGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::BatchNormGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    double count = static_cast<double>(valuesPerChannel(type));
    Value mean = adaptor.getBatchMean(), invStd = adaptor.getBatchInvStd();
    auto normalised = [](OpBuilder &b, Location l, Value x, Value mean, Value invStd) {
      return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, x, mean), invStd);
    };
    SmallVector<Value> sums = sumPerChannel(
        rewriter, loc, {adaptor.getOutputGrad(), adaptor.getInput()}, {mean, invStd}, 2,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value xHat = normalised(b, l, args[1], args[2], args[3]);
          return SmallVector<Value>{args[0], arith::MulFOp::create(b, l, args[0], xHat)};
        });
    Value shiftGrad = sums[0], scaleGrad = sums[1];
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1));
    Value inputGrad = buildMap(
        rewriter, loc, type,
        {adaptor.getOutputGrad(), adaptor.getInput(), mean, invStd, adaptor.getScale(),
         shiftGrad, scaleGrad},
        {identity, identity, channel, channel, channel, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value xHat = normalised(b, l, args[1], args[2], args[3]);
          // scale * inv_std / M * (M * dy - shift_grad - x^ * scale_grad)
          Value scaled = arith::MulFOp::create(b, l, args[0],
                                               floatConstant(b, l, element, count));
          Value centred = arith::SubFOp::create(
              b, l, arith::SubFOp::create(b, l, scaled, args[5]),
              arith::MulFOp::create(b, l, xHat, args[6]));
          Value factor = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, args[4], args[3]),
              floatConstant(b, l, element, count));
          return arith::MulFOp::create(b, l, factor, centred);
        });
    rewriter.replaceOp(op, {inputGrad, scaleGrad, shiftGrad});
    return success();
  }
};

/// [N, C, L] as [N, C, L, 1]: the local response normalisations work on
/// 4-D tensors.
Value asFourDimensional(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 4)
    return value;
  auto expanded = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2), 1}, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expanded, value,
                                       ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// `result` [N, C, L, 1] back as the [N, C, L] of `type`.
Value asType(OpBuilder &b, Location loc, Value result, RankedTensorType type) {
  if (type.getRank() == 4)
    return result;
  return tensor::CollapseShapeOp::create(b, loc, type, result,
                                         ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// For each channel c of `input` [N, C, H, W], the sum of `input` (or of
/// its squares) over channels c - before .. c - before + size - 1 that
/// exist.
Value channelWindowSum(OpBuilder &b, Location loc, Value input, int64_t size, int64_t before,
                       bool squares) {
  auto type = cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  int64_t channels = type.getDimSize(1);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d < 5; ++d)
    dims.push_back(b.getAffineDimExpr(d));
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{size}, element);
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto sums = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{window}, ValueRange{filledTensor(b, loc, type, 0.0)},
      ArrayRef<AffineMap>{AffineMap::get(5, 0, {dims[4]}, ctx),
                          AffineMap::get(5, 0, {dims[0], dims[1], dims[2], dims[3]}, ctx)},
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value channel = arith::SubIOp::create(
            nb, l,
            arith::AddIOp::create(nb, l, linalg::IndexOp::create(nb, l, 1),
                                  linalg::IndexOp::create(nb, l, 4)),
            indexConstant(nb, l, before));
        Value inside = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, channel,
                                  indexConstant(nb, l, 0)),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, channel,
                                  indexConstant(nb, l, channels)));
        Value clamped = arith::MinSIOp::create(
            nb, l, arith::MaxSIOp::create(nb, l, channel, indexConstant(nb, l, 0)),
            indexConstant(nb, l, channels - 1));
        Value value = tensor::ExtractOp::create(
            nb, l, input,
            ValueRange{linalg::IndexOp::create(nb, l, 0), clamped,
                       linalg::IndexOp::create(nb, l, 2), linalg::IndexOp::create(nb, l, 3)});
        if (squares)
          value = arith::MulFOp::create(nb, l, value, value);
        Value term =
            arith::SelectOp::create(nb, l, inside, value, floatConstant(nb, l, element, 0.0));
        linalg::YieldOp::create(nb, l, Value(arith::AddFOp::create(nb, l, args[1], term)));
      });
  return sums.getResult(0);
}

/// The attributes of a local response normalisation or its gradient.
struct LocalResponse {
  int64_t size;
  double alpha, beta, k;

  template <typename OpTy>
  static LocalResponse of(OpTy op) {
    return {static_cast<int64_t>(op.getSize()), op.getAlpha().convertToDouble(),
            op.getBeta().convertToDouble(),
            op.getK().convertToDouble()};
  }

  /// d = k + alpha / size * (the sum of squares over the window of
  /// channels c - size/2 .. c + (size-1)/2), per element of `input`.
  Value denominatorBase(OpBuilder &b, Location loc, Value input) const {
    auto type = cast<RankedTensorType>(input.getType());
    Type element = type.getElementType();
    return buildElementwise(
        b, loc, type, channelWindowSum(b, loc, input, size, size / 2, /*squares=*/true),
        [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
          Value scaled = arith::MulFOp::create(
              nb, l, args[0], floatConstant(nb, l, element, alpha / double(size)));
          return arith::AddFOp::create(nb, l, scaled, floatConstant(nb, l, element, k));
        });
  }
};

struct LocalResponseNormLowering : OpConversionPattern<cnn::LocalResponseNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::LocalResponseNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LocalResponse lrn = LocalResponse::of(op);
    Value input = asFourDimensional(rewriter, loc, adaptor.getInput());
    auto type = cast<RankedTensorType>(input.getType());
    Type element = type.getElementType();
    Value result = buildElementwise(
        rewriter, loc, type, {input, lrn.denominatorBase(rewriter, loc, input)},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          // x / d ^ beta
          Value divisor =
              math::PowFOp::create(b, l, args[1], floatConstant(b, l, element, lrn.beta));
          return arith::DivFOp::create(b, l, args[0], divisor);
        });
    rewriter.replaceOp(op, asType(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct LocalResponseNormGradLowering : OpConversionPattern<cnn::LocalResponseNormGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::LocalResponseNormGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LocalResponse lrn = LocalResponse::of(op);
    Value input = asFourDimensional(rewriter, loc, adaptor.getInput());
    Value outputGrad = asFourDimensional(rewriter, loc, adaptor.getOutputGrad());
    auto type = cast<RankedTensorType>(input.getType());
    Type element = type.getElementType();
    Value base = lrn.denominatorBase(rewriter, loc, input);
    // t_c = dy_c * x_c * d_c^(-beta - 1), summed over the channels c whose
    // window holds i: c = i - (size-1)/2 .. i + size/2.
    Value terms = buildElementwise(
        rewriter, loc, type, {outputGrad, input, base},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value power =
              math::PowFOp::create(b, l, args[2], floatConstant(b, l, element, -lrn.beta - 1.0));
          return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, args[0], args[1]),
                                       power);
        });
    Value sums = channelWindowSum(rewriter, loc, terms, lrn.size, (lrn.size - 1) / 2,
                                  /*squares=*/false);
    double factor = 2.0 * lrn.alpha * lrn.beta / double(lrn.size);
    Value result = buildElementwise(
        rewriter, loc, type, {outputGrad, input, base, sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value direct = arith::MulFOp::create(
              b, l, args[0],
              math::PowFOp::create(b, l, args[2], floatConstant(b, l, element, -lrn.beta)));
          Value through = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, args[1], args[3]),
              floatConstant(b, l, element, factor));
          return arith::SubFOp::create(b, l, direct, through);
        });
    rewriter.replaceOp(op, asType(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void cnnc::lowering::populateNormalizationLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, BatchNormTrainLowering, BatchNormGradLowering,
               FoldBatchNormLowering, LocalResponseNormLowering,
               LocalResponseNormGradLowering>(patterns.getContext());
}
