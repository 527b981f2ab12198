//===- CnnToLinalg.cpp - cnn to linalg on tensors -------------------------===//
//
// Every layer becomes structured ops on tensors that the later tiling,
// fusion and vectorisation work on. The numerics follow PyTorch's
// definitions of the layers, which the end-to-end tests compare against.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/CnnToLinalg/CnnToLinalg.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
namespace cnn = cnnc::cnn;

namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value) {
  Value scalar = floatConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, emptyTensor(b, loc, type))
      .getResult(0);
}

/// A per-channel vector [C] repeated along every dimension of `type` but `dim`.
Value broadcastAlong(OpBuilder &b, Location loc, Value vector,
                     RankedTensorType type, int64_t dim) {
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d != dim)
      dims.push_back(d);
  return linalg::BroadcastOp::create(b, loc, vector, emptyTensor(b, loc, type),
                                     dims)
      ->getResult(0);
}

/// The accumulator of a convolution or dense layer producing `type`: the bias
/// [F] broadcast along dimension 1, or zeros without one.
Value accumulatorInit(OpBuilder &b, Location loc, Value bias,
                      RankedTensorType type) {
  return bias ? broadcastAlong(b, loc, bias, type, 1) : filledTensor(b, loc, type, 0.0);
}

using ScalarBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A parallel linalg.generic producing `type`: `body` maps the scalars of
/// `inputs` (read through `inputMaps`) to one output scalar.
Value buildMap(OpBuilder &b, Location loc, RankedTensorType type,
               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
               ScalarBody body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, ValueRange{emptyTensor(b, loc, type)},
      maps, iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args.drop_back()));
      });
  return generic.getResult(0);
}

/// buildMap over inputs of the result's own shape.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType type,
                       ValueRange inputs, ScalarBody body) {
  SmallVector<AffineMap> maps(inputs.size(),
                              b.getMultiDimIdentityMap(type.getRank()));
  return buildMap(b, loc, type, inputs, maps, body);
}

/// Pads dimensions 2 and 3 (H, W) of an NCHW tensor by `pad` = [top, left,
/// bottom, right]. Zero padding (and, for pooling, -inf) is a tensor.pad;
/// replicate, reflect and circular padding gather from the input with
/// clamped, mirrored or wrapped indices.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pad, cnn::PaddingMode mode,
                 double padValue = 0.0) {
  if (llvm::all_of(pad, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  auto paddedType = RankedTensorType::get(
      {shape[0], shape[1], shape[2] + pad[0] + pad[2], shape[3] + pad[1] + pad[3]},
      type.getElementType());

  if (mode == cnn::PaddingMode::Zeros || mode == cnn::PaddingMode::Valid) {
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(pad[0]), b.getIndexAttr(pad[1])};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(pad[2]), b.getIndexAttr(pad[3])};
    Value value = floatConstant(b, loc, type.getElementType(), padValue);
    return tensor::PadOp::create(b, loc, paddedType, input, low, high, value);
  }

  bool circular = mode == cnn::PaddingMode::Circular;
  return buildMap(
      b, loc, paddedType, {}, {},
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < 4; ++d) {
          Value index = linalg::IndexOp::create(nb, nl, d);
          if (d >= 2) {
            int64_t before = pad[d - 2], size = shape[d];
            Value shifted = arith::SubIOp::create(nb, nl, index,
                                                  indexConstant(nb, nl, before));
            if (mode == cnn::PaddingMode::Reflect) {
              // size - 1 - |size - 1 - |i - before||: mirrored at both ends.
              Value last = indexConstant(nb, nl, size - 1);
              auto absolute = [&](Value v) {
                Value negated = arith::SubIOp::create(nb, nl, indexConstant(nb, nl, 0), v);
                return arith::MaxSIOp::create(nb, nl, v, negated);
              };
              index = arith::SubIOp::create(
                  nb, nl, last,
                  absolute(arith::SubIOp::create(nb, nl, last, absolute(shifted))));
            } else if (circular) {
              // ((i - before) mod size + size) mod size: remsi keeps the sign.
              Value sizeValue = indexConstant(nb, nl, size);
              Value rem = arith::RemSIOp::create(nb, nl, shifted, sizeValue);
              Value wrapped = arith::AddIOp::create(nb, nl, rem, sizeValue);
              index = arith::RemSIOp::create(nb, nl, wrapped, sizeValue);
            } else {
              Value low = arith::MaxSIOp::create(nb, nl, shifted,
                                                 indexConstant(nb, nl, 0));
              index = arith::MinSIOp::create(nb, nl, low,
                                             indexConstant(nb, nl, size - 1));
            }
          }
          indices.push_back(index);
        }
        return tensor::ExtractOp::create(nb, nl, input, indices);
      });
}

/// Splits dimension `dim` of `value` into [groups, size / groups].
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t next = shape.size();
    if (d == dim) {
      shape.append({groups, type.getDimSize(d) / groups});
      reassociation.push_back({next, next + 1});
    } else {
      shape.push_back(type.getDimSize(d));
      reassociation.push_back({next});
    }
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      reassociation);
}

/// Rows (or columns) of padding to add after the given ones so that `out`
/// windows of `kernel` with `stride` fit (ceil-mode pooling).
int64_t trailingWindowPad(int64_t paddedSize, int64_t out, int64_t kernel,
                          int64_t stride) {
  return std::max<int64_t>(0, (out - 1) * stride + kernel - paddedSize);
}

/// The convolution of `input` [N, C, H, W] with `kernel` [F, C / groups, KH,
/// KW] accumulated into `init` [N, F, OH, OW]: the named NCHW op, or its
/// grouped form over [N, G, C / G, H, W].
Value buildConvolution(OpBuilder &b, Location loc, RankedTensorType outType,
                       Value input, Value kernel, Value init, Attribute strides,
                       Attribute dilations, int64_t groups) {
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{outType},
                                            ValueRange{input, kernel},
                                            ValueRange{init}, strides, dilations)
        ->getResult(0);
  Value groupedInit = splitGroups(b, loc, init, 1, groups);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, TypeRange{groupedInit.getType()},
                   ValueRange{splitGroups(b, loc, input, 1, groups),
                              splitGroups(b, loc, kernel, 0, groups)},
                   ValueRange{groupedInit}, strides, dilations)
                   ->getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, outType, conv, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// The dense [F, C, KH, KW] filter bank of a convolution with a connection
/// table: filter k of `weight` [count, 1, KH, KW] at the k-th true entry of
/// `table` [F, C] (row-major), zeros elsewhere. A constant table of filter
/// indices (-1 where unconnected) drives one gather.
Value expandConnections(OpBuilder &b, Location loc, Value weight,
                        DenseIntElementsAttr table) {
  ArrayRef<int64_t> tableShape = table.getType().getShape();
  auto weightType = cast<RankedTensorType>(weight.getType());
  SmallVector<int32_t> filterIndex;
  int32_t next = 0;
  for (bool connected : table.getValues<bool>())
    filterIndex.push_back(connected ? next++ : -1);
  auto indexType = RankedTensorType::get(tableShape, b.getI32Type());
  Value indices = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(indexType, ArrayRef<int32_t>(filterIndex)));
  auto denseType = RankedTensorType::get(
      {tableShape[0], tableShape[1], weightType.getDimSize(2), weightType.getDimSize(3)},
      weightType.getElementType());
  AffineMap tableMap = AffineMap::get(4, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1)},
                                      b.getContext());
  return buildMap(
      b, loc, denseType, indices, tableMap,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value index = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), args[0]);
        Value zeroIndex = indexConstant(nb, nl, 0);
        Value connected = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                                index, zeroIndex);
        Value safe = arith::MaxSIOp::create(nb, nl, index, zeroIndex);
        Value value = tensor::ExtractOp::create(
            nb, nl, weight,
            ValueRange{safe, zeroIndex, linalg::IndexOp::create(nb, nl, 2),
                       linalg::IndexOp::create(nb, nl, 3)});
        return arith::SelectOp::create(
            nb, nl, connected, value,
            floatConstant(nb, nl, weightType.getElementType(), 0.0));
      });
}

/// The input of a pooling op padded with `value`, including the extra rows
/// and columns that ceil mode's last windows reach into.
Value padForPooling(OpBuilder &b, Location loc, Value input,
                    RankedTensorType outType, ArrayRef<int64_t> padding,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    double value) {
  auto inType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> pad(padding);
  for (int d = 0; d < 2; ++d)
    pad[d + 2] += trailingWindowPad(inType.getDimSize(2 + d) + pad[d] + pad[d + 2],
                                    outType.getDimSize(2 + d), kernel[d], strides[d]);
  return padSpatial(b, loc, input, pad, cnn::PaddingMode::Zeros, value);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct Conv2dLowering : OpConversionPattern<cnn::Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::Conv2dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(),
                             op.getPaddingMode());
    // The bias seeds the accumulator.
    Value init = accumulatorInit(rewriter, loc, adaptor.getBias(), outType);
    Value weight = adaptor.getWeight();
    if (auto table = op.getConnectionsAttr())
      weight = expandConnections(rewriter, loc, weight, cast<DenseIntElementsAttr>(table));
    rewriter.replaceOp(op, buildConvolution(rewriter, loc, outType, input, weight, init,
                                            rewriter.getI64TensorAttr(op.getStrides()),
                                            rewriter.getI64TensorAttr(op.getDilations()),
                                            op.getGroups()));
    return success();
  }
};

/// A 1-D convolution is the 2-D one over a single row: [N, C, L] becomes
/// [N, C, 1, L]. True convolution first mirrors the kernel.
struct Conv1dLowering : OpConversionPattern<cnn::Conv1dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::Conv1dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto asRow = [&](Value value) -> Value {
      auto type = cast<RankedTensorType>(value.getType());
      ArrayRef<int64_t> shape = type.getShape();
      return tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({shape[0], shape[1], 1, shape[2]}, type.getElementType()),
          value, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    };
    Value weight = adaptor.getWeight();
    if (op.getTrueConvolution()) {
      auto type = cast<RankedTensorType>(weight.getType());
      int64_t last = type.getDimSize(2) - 1;
      weight = buildMap(rewriter, loc, type, {}, {},
                        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                          Value k = linalg::IndexOp::create(nb, nl, 2);
                          Value mirrored = arith::SubIOp::create(
                              nb, nl, indexConstant(nb, nl, last), k);
                          return tensor::ExtractOp::create(
                              nb, nl, weight,
                              ValueRange{linalg::IndexOp::create(nb, nl, 0),
                                         linalg::IndexOp::create(nb, nl, 1), mirrored});
                        });
    }
    RankedTensorType outType = op.getType();
    auto rowType = RankedTensorType::get(
        {outType.getDimSize(0), outType.getDimSize(1), 1, outType.getDimSize(2)},
        outType.getElementType());
    ArrayRef<int64_t> padding = op.getPadding();
    Value input = padSpatial(rewriter, loc, asRow(adaptor.getInput()),
                             {0, padding[0], 0, padding[1]}, cnn::PaddingMode::Zeros);
    Value init = accumulatorInit(rewriter, loc, adaptor.getBias(), rowType);
    Value conv = buildConvolution(
        rewriter, loc, rowType, input, asRow(weight), init,
        rewriter.getI64TensorAttr({1, op.getStrides()[0]}),
        rewriter.getI64TensorAttr({1, op.getDilations()[0]}), op.getGroups());
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, outType, conv, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    return success();
  }
};

struct DenseLowering : OpConversionPattern<cnn::DenseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::DenseOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Value init = accumulatorInit(rewriter, loc, adaptor.getBias(), outType);
    // out[n, m] += input[n, k] * weight[m, k]
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, m, k;
    bindDims(ctx, n, m, k);
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {n, k}, ctx),
                                   AffineMap::get(3, 0, {m, k}, ctx),
                                   AffineMap::get(3, 0, {n, m}, ctx)};
    SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                  utils::IteratorType::parallel,
                                                  utils::IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType},
        ValueRange{adaptor.getInput(), adaptor.getWeight()}, ValueRange{init},
        maps, iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l,
                                  Value(arith::AddFOp::create(b, l, args[2], product)));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

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

struct MaxPool2dLowering : OpConversionPattern<cnn::MaxPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::MaxPool2dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides();
    // Padded positions (and ceil mode's extra ones) never win.
    Value input = padForPooling(rewriter, loc, adaptor.getInput(), outType,
                                op.getPadding(), kernel, strides, -INFINITY);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                           outType.getElementType());
    rewriter.replaceOp(
        op, linalg::PoolingNchwMaxOp::create(
                rewriter, loc, TypeRange{outType}, ValueRange{input, window},
                ValueRange{filledTensor(rewriter, loc, outType, -INFINITY)},
                rewriter.getI64TensorAttr(strides),
                rewriter.getI64TensorAttr({1, 1}))
                ->getResults());
    return success();
  }
};

struct AvgPool2dLowering : OpConversionPattern<cnn::AvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::AvgPool2dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides();
    ArrayRef<int64_t> padding = op.getPadding();
    Value input = padForPooling(rewriter, loc, adaptor.getInput(), outType,
                                padding, kernel, strides, 0.0);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel,
                                           outType.getElementType());
    Value sums = linalg::PoolingNchwSumOp::create(
                     rewriter, loc, TypeRange{outType}, ValueRange{input, window},
                     ValueRange{filledTensor(rewriter, loc, outType, 0.0)},
                     rewriter.getI64TensorAttr(strides),
                     rewriter.getI64TensorAttr({1, 1}))
                     ->getResult(0);

    // The divisor of each window, as PyTorch counts it: the window clipped to
    // the padded input, or with count_include_pad false to the input itself.
    bool includePad = op.getCountIncludePad();
    Type element = outType.getElementType();
    Value result = buildElementwise(
        rewriter, loc, outType, {sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value count;
          for (int d = 0; d < 2; ++d) {
            int64_t size = inType.getDimSize(2 + d);
            Value index = linalg::IndexOp::create(b, l, 2 + d);
            Value start = arith::SubIOp::create(
                b, l, arith::MulIOp::create(b, l, index, indexConstant(b, l, strides[d])),
                indexConstant(b, l, padding[d]));
            Value end = arith::MinSIOp::create(
                b, l, arith::AddIOp::create(b, l, start, indexConstant(b, l, kernel[d])),
                indexConstant(b, l, size + padding[d + 2]));
            if (!includePad) {
              start = arith::MaxSIOp::create(b, l, start, indexConstant(b, l, 0));
              end = arith::MinSIOp::create(b, l, end, indexConstant(b, l, size));
            }
            Value extent = arith::SubIOp::create(b, l, end, start);
            count = count ? Value(arith::MulIOp::create(b, l, count, extent)) : extent;
          }
          Value countInt = arith::IndexCastOp::create(b, l, b.getI64Type(), count);
          Value divisor = arith::SIToFPOp::create(b, l, element, countInt);
          return arith::DivFOp::create(b, l, args[0], divisor);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GlobalAvgPoolLowering : OpConversionPattern<cnn::GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::GlobalAvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type element = inType.getElementType();
    auto sumType = RankedTensorType::get(
        {inType.getDimSize(0), inType.getDimSize(1)}, element);
    Value sums = linalg::ReduceOp::create(
                     rewriter, loc, ValueRange{adaptor.getInput()},
                     ValueRange{filledTensor(rewriter, loc, sumType, 0.0)},
                     ArrayRef<int64_t>{2, 3},
                     [](OpBuilder &b, Location l, ValueRange args) {
                       linalg::YieldOp::create(
                           b, l, Value(arith::AddFOp::create(b, l, args[0], args[1])));
                     })
                     ->getResult(0);
    double count = double(inType.getDimSize(2) * inType.getDimSize(3));
    Value means = buildElementwise(
        rewriter, loc, sumType, {sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0],
                                       floatConstant(b, l, element, count));
        });
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, op.getType(), means, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
    return success();
  }
};

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

struct AddLowering : OpConversionPattern<cnn::AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::AddOp op, OpAdaptor adaptor,
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
                       return arith::AddFOp::create(b, l, args[0], args[1]);
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

/// Casts an index to the float `type`.
Value indexToFloat(OpBuilder &b, Location l, Value index, Type type) {
  Value integer = arith::IndexCastOp::create(b, l, b.getI64Type(), index);
  return arith::SIToFPOp::create(b, l, type, integer);
}

struct ConvTranspose2dLowering : OpConversionPattern<cnn::ConvTranspose2dOp> {
  using OpConversionPattern::OpConversionPattern;
  // A transposed convolution is the convolution, with the kernel flipped and
  // its channel dimensions swapped, of the input with stride - 1 zeros
  // between its pixels and dilation * (kernel - 1) - padding zeros around it.
  LogicalResult matchAndRewrite(cnn::ConvTranspose2dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto wType = cast<RankedTensorType>(adaptor.getWeight().getType());
    Type element = inType.getElementType();
    ArrayRef<int64_t> in = inType.getShape(), w = wType.getShape();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    ArrayRef<int64_t> padding = op.getPadding(), extra = op.getOutputPadding();
    int64_t groups = op.getGroups();

    // Spread the input out by the strides.
    Value input = adaptor.getInput();
    if (strides[0] > 1 || strides[1] > 1) {
      auto spreadType = RankedTensorType::get(
          {in[0], in[1], (in[2] - 1) * strides[0] + 1, (in[3] - 1) * strides[1] + 1},
          element);
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, steps;
      for (int64_t d = 0; d < 4; ++d) {
        sizes.push_back(rewriter.getIndexAttr(in[d]));
        steps.push_back(rewriter.getIndexAttr(d < 2 ? 1 : strides[d - 2]));
      }
      input = tensor::InsertSliceOp::create(
          rewriter, loc, input, filledTensor(rewriter, loc, spreadType, 0.0),
          offsets, sizes, steps);
    }
    // Pad (or, where the padding exceeds the kernel's reach, crop).
    SmallVector<int64_t> around(4), crop(4, 0);
    for (int d = 0; d < 2; ++d) {
      int64_t reach = dilations[d] * (w[2 + d] - 1);
      int64_t before = reach - padding[d], after = reach - padding[d + 2] + extra[d];
      around[d] = std::max<int64_t>(before, 0);
      around[d + 2] = std::max<int64_t>(after, 0);
      crop[d] = std::max<int64_t>(-before, 0);
      crop[d + 2] = std::max<int64_t>(-after, 0);
    }
    input = padSpatial(rewriter, loc, input, around, cnn::PaddingMode::Zeros);
    if (llvm::any_of(crop, [](int64_t c) { return c > 0; })) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets = {0, 0, crop[0], crop[1]};
      SmallVector<int64_t> sizes = {type.getDimSize(0), type.getDimSize(1),
                                    type.getDimSize(2) - crop[0] - crop[2],
                                    type.getDimSize(3) - crop[1] - crop[3]};
      input = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(sizes, element), input,
          ValueRange{}, ValueRange{}, ValueRange{}, offsets, sizes,
          SmallVector<int64_t>(4, 1));
    }
    // The kernel as conv2d takes it: [F, C / groups, KH, KW], flipped.
    int64_t perGroupIn = in[1] / groups, perGroupOut = w[1];
    auto kernelType = RankedTensorType::get(
        {perGroupOut * groups, perGroupIn, w[2], w[3]}, element);
    Value source = adaptor.getWeight();
    Value kernel = buildMap(
        rewriter, loc, kernelType, {}, {},
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value f = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          Value group = arith::DivUIOp::create(b, l, f, indexConstant(b, l, perGroupOut));
          Value inner = arith::RemUIOp::create(b, l, f, indexConstant(b, l, perGroupOut));
          Value channel = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, group, indexConstant(b, l, perGroupIn)), c);
          Value row = arith::SubIOp::create(b, l, indexConstant(b, l, w[2] - 1),
                                            linalg::IndexOp::create(b, l, 2));
          Value col = arith::SubIOp::create(b, l, indexConstant(b, l, w[3] - 1),
                                            linalg::IndexOp::create(b, l, 3));
          return tensor::ExtractOp::create(b, l, source,
                                           ValueRange{channel, inner, row, col});
        });
    Value init = accumulatorInit(rewriter, loc, adaptor.getBias(), outType);
    rewriter.replaceOp(op, buildConvolution(rewriter, loc, outType, input, kernel, init,
                                            rewriter.getI64TensorAttr({1, 1}),
                                            rewriter.getI64TensorAttr(dilations),
                                            groups));
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

struct AdaptiveAvgPool2dLowering : OpConversionPattern<cnn::AdaptiveAvgPool2dOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::AdaptiveAvgPool2dOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type element = outType.getElementType();
    ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape();
    Value input = adaptor.getInput();
    // Window i of a dimension covers floor(i*size/n) .. ceil((i+1)*size/n)-1;
    // the loops run over the largest window and skip what lies outside.
    auto bounds = [](int64_t i, int64_t size, int64_t n) {
      return std::pair<int64_t, int64_t>{i * size / n, ((i + 1) * size + n - 1) / n};
    };
    SmallVector<int64_t> widest(2, 1);
    for (int d = 0; d < 2; ++d)
      for (int64_t i = 0; i < out[2 + d]; ++i) {
        auto [start, end] = bounds(i, in[2 + d], out[2 + d]);
        widest[d] = std::max(widest[d], end - start);
      }
    auto windowStart = [&](OpBuilder &b, Location l, Value i, int d) -> Value {
      return arith::DivUIOp::create(
          b, l, arith::MulIOp::create(b, l, i, indexConstant(b, l, in[2 + d])),
          indexConstant(b, l, out[2 + d]));
    };
    auto windowEnd = [&](OpBuilder &b, Location l, Value i, int d) -> Value {
      Value next = arith::AddIOp::create(b, l, i, indexConstant(b, l, 1));
      Value scaled = arith::MulIOp::create(b, l, next, indexConstant(b, l, in[2 + d]));
      return arith::DivUIOp::create(
          b, l, arith::AddIOp::create(b, l, scaled, indexConstant(b, l, out[2 + d] - 1)),
          indexConstant(b, l, out[2 + d]));
    };
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> dims;
    for (unsigned d = 0; d < 6; ++d)
      dims.push_back(rewriter.getAffineDimExpr(d));
    Value window = tensor::EmptyOp::create(rewriter, loc, widest, element);
    auto sums = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{window},
        ValueRange{filledTensor(rewriter, loc, outType, 0.0)},
        ArrayRef<AffineMap>{AffineMap::get(6, 0, {dims[4], dims[5]}, ctx),
                            AffineMap::get(6, 0, {dims[0], dims[1], dims[2], dims[3]}, ctx)},
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::reduction, utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> indices = {linalg::IndexOp::create(b, l, 0),
                                        linalg::IndexOp::create(b, l, 1)};
          Value inside;
          for (int d = 0; d < 2; ++d) {
            Value i = linalg::IndexOp::create(b, l, 2 + d);
            Value position = arith::AddIOp::create(b, l, windowStart(b, l, i, d),
                                                   linalg::IndexOp::create(b, l, 4 + d));
            Value within = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                                 position, windowEnd(b, l, i, d));
            inside = inside ? Value(arith::AndIOp::create(b, l, inside, within)) : within;
            indices.push_back(arith::MinUIOp::create(b, l, position,
                                                     indexConstant(b, l, in[2 + d] - 1)));
          }
          Value value = tensor::ExtractOp::create(b, l, input, indices);
          Value term = arith::SelectOp::create(b, l, inside, value,
                                               floatConstant(b, l, element, 0.0));
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[1], term)));
        });
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, outType, {sums.getResult(0)},
                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                  Value count;
                  for (int d = 0; d < 2; ++d) {
                    Value i = linalg::IndexOp::create(b, l, 2 + d);
                    Value extent = arith::SubIOp::create(b, l, windowEnd(b, l, i, d),
                                                         windowStart(b, l, i, d));
                    count = count ? Value(arith::MulIOp::create(b, l, count, extent)) : extent;
                  }
                  return arith::DivFOp::create(b, l, args[0],
                                               indexToFloat(b, l, count, element));
                }));
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

struct ConvertCnnToLinalgPass
    : cnnc::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<cnn::CnnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    cnnc::populateCnnToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void cnnc::populateCnnToLinalgConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, Conv1dLowering, DenseLowering, BatchNormLowering,
               FoldBatchNormLowering,
               ActivationLowering<cnn::ReluOp>, ActivationLowering<cnn::LeakyReluOp>,
               ActivationLowering<cnn::TanhOp>, ActivationLowering<cnn::SigmoidOp>,
               DropoutLowering, SoftmaxLowering, MaxPool2dLowering,
               AvgPool2dLowering, GlobalAvgPoolLowering, FlattenLowering,
               AddLowering, ConcatLowering, ConvTranspose2dLowering, SiluLowering,
               LocalResponseNormLowering, AdaptiveAvgPool2dLowering,
               UpsampleLowering, CropLowering, PadLowering, ReshapeLowering>(
      patterns.getContext());
}
