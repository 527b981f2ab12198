//===- GradientLowering.cpp - Backward-pass ops to linalg -----------------===//
//
// The ops cnn-differentiate adds besides layers: transposes, slices and
// sums, and the backward forms of activations and pooling. The pooling
// gradients gather: each input position sums, over the windows that can
// contain it, what those windows send back, so that no two iterations
// write one element and the loops parallelise like any other map.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

struct TransposeLowering : OpConversionPattern<cnn::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPermutation())
                               ->getResults());
    return success();
  }
};

struct SliceLowering : OpConversionPattern<cnn::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    SmallVector<int64_t> strides(op.getSizes().size(), 1);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        op.getOffsets(), op.getSizes(), strides);
    return success();
  }
};

/// The sum of `input` over `axes` into `type` (the [1] total when every
/// axis goes).
Value sumOver(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
              RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  bool total = static_cast<int64_t>(axes.size()) == inType.getRank();
  auto reducedType = total ? RankedTensorType::get({}, type.getElementType()) : type;
  Value sum = linalg::ReduceOp::create(
                  b, loc, ValueRange{input},
                  ValueRange{filledTensor(b, loc, reducedType, 0.0)}, axes,
                  [](OpBuilder &nested, Location l, ValueRange args) {
                    linalg::YieldOp::create(
                        nested, l, Value(arith::AddFOp::create(nested, l, args[0], args[1])));
                  })
                  ->getResult(0);
  if (!total)
    return sum;
  return tensor::ExpandShapeOp::create(b, loc, type, sum,
                                       ArrayRef<ReassociationIndices>{});
}

struct ReduceSumLowering : OpConversionPattern<cnn::ReduceSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::ReduceSumOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, sumOver(rewriter, op.getLoc(), adaptor.getInput(),
                                   op.getAxes(), op.getType()));
    return success();
  }
};

struct ExpandConnectionsLowering : OpConversionPattern<cnn::ExpandConnectionsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::ExpandConnectionsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, expandConnections(rewriter, op.getLoc(), adaptor.getWeight(),
                                             cast<DenseIntElementsAttr>(op.getConnections())));
    return success();
  }
};

/// Filter k of the weight reads the dense bank at the k-th true entry,
/// whose row and column two constant tables hold.
struct GatherConnectionsLowering : OpConversionPattern<cnn::GatherConnectionsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::GatherConnectionsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto table = cast<DenseIntElementsAttr>(op.getConnections());
    int64_t channels = table.getType().getDimSize(1);
    SmallVector<int32_t> rows, columns;
    for (auto [index, connected] : llvm::enumerate(table.getValues<bool>()))
      if (connected) {
        rows.push_back(static_cast<int32_t>(index / channels));
        columns.push_back(static_cast<int32_t>(index % channels));
      }
    auto indexType = RankedTensorType::get({static_cast<int64_t>(rows.size())},
                                           rewriter.getI32Type());
    auto constant = [&](ArrayRef<int32_t> values) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       DenseIntElementsAttr::get(indexType, values));
    };
    AffineMap filterMap = AffineMap::get(4, 0, rewriter.getAffineDimExpr(0), getContext());
    Value filters = adaptor.getFilters();
    rewriter.replaceOp(
        op, buildMap(rewriter, loc, op.getType(), {constant(rows), constant(columns)},
                     {filterMap, filterMap},
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Type index = b.getIndexType();
                       return tensor::ExtractOp::create(
                           b, l, filters,
                           ValueRange{arith::IndexCastOp::create(b, l, index, args[0]),
                                      arith::IndexCastOp::create(b, l, index, args[1]),
                                      linalg::IndexOp::create(b, l, 2),
                                      linalg::IndexOp::create(b, l, 3)});
                     }));
    return success();
  }
};

/// input_grad = f(output_grad, value), element by element.
template <typename OpTy>
struct ActivationGradLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;
  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), type,
                             {adaptor.getOutputGrad(), adaptor.getValue()},
                             [&](OpBuilder &b, Location l, ValueRange args) {
                               return compute(b, l, op, element, args[0], args[1]);
                             }));
    return success();
  }

  static Value compute(OpBuilder &b, Location l, OpTy op, Type element, Value grad,
                       Value value);
};

Value isPositive(OpBuilder &b, Location l, Type element, Value x) {
  return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                               floatConstant(b, l, element, 0.0));
}

template <>
Value ActivationGradLowering<cnn::ReluGradOp>::compute(OpBuilder &b, Location l,
                                                       cnn::ReluGradOp, Type element,
                                                       Value grad, Value x) {
  return arith::SelectOp::create(b, l, isPositive(b, l, element, x), grad,
                                 floatConstant(b, l, element, 0.0));
}

template <>
Value ActivationGradLowering<cnn::LeakyReluGradOp>::compute(
    OpBuilder &b, Location l, cnn::LeakyReluGradOp op, Type element, Value grad, Value x) {
  Value scaled = arith::MulFOp::create(
      b, l, grad, floatConstant(b, l, element, op.getNegativeSlope().convertToDouble()));
  return arith::SelectOp::create(b, l, isPositive(b, l, element, x), grad, scaled);
}

template <>
Value ActivationGradLowering<cnn::TanhGradOp>::compute(OpBuilder &b, Location l,
                                                       cnn::TanhGradOp, Type element,
                                                       Value grad, Value y) {
  // 1 - y^2
  Value slope = arith::SubFOp::create(b, l, floatConstant(b, l, element, 1.0),
                                      arith::MulFOp::create(b, l, y, y));
  return arith::MulFOp::create(b, l, grad, slope);
}

template <>
Value ActivationGradLowering<cnn::SigmoidGradOp>::compute(OpBuilder &b, Location l,
                                                          cnn::SigmoidGradOp,
                                                          Type element, Value grad,
                                                          Value y) {
  // y (1 - y)
  Value slope = arith::MulFOp::create(
      b, l, y, arith::SubFOp::create(b, l, floatConstant(b, l, element, 1.0), y));
  return arith::MulFOp::create(b, l, grad, slope);
}

template <>
Value ActivationGradLowering<cnn::SiluGradOp>::compute(OpBuilder &b, Location l,
                                                       cnn::SiluGradOp, Type element,
                                                       Value grad, Value x) {
  // s (1 + x (1 - s)), s = sigmoid(x)
  Value one = floatConstant(b, l, element, 1.0);
  Value s = arith::DivFOp::create(
      b, l, one,
      arith::AddFOp::create(b, l, one,
                            math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x))));
  Value slope = arith::MulFOp::create(
      b, l, s,
      arith::AddFOp::create(
          b, l, one, arith::MulFOp::create(b, l, x, arith::SubFOp::create(b, l, one, s))));
  return arith::MulFOp::create(b, l, grad, slope);
}

struct SoftmaxGradLowering : OpConversionPattern<cnn::SoftmaxGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::SoftmaxGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank(), axis = op.getAxis();
    // y (g - sum along the axis of g y)
    Value products = buildElementwise(
        rewriter, loc, type, {adaptor.getOutputGrad(), adaptor.getValue()},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MulFOp::create(b, l, args[0], args[1]);
        });
    SmallVector<int64_t> reducedShape(type.getShape());
    reducedShape.erase(reducedShape.begin() + axis);
    Value sums = sumOver(rewriter, loc, products, {axis},
                         RankedTensorType::get(reducedShape, type.getElementType()));
    SmallVector<AffineExpr> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        kept.push_back(rewriter.getAffineDimExpr(d));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = AffineMap::get(rank, 0, kept, rewriter.getContext());
    rewriter.replaceOp(
        op, buildMap(rewriter, loc, type,
                     {adaptor.getOutputGrad(), adaptor.getValue(), sums},
                     {identity, identity, reduced},
                     [](OpBuilder &b, Location l, ValueRange args) -> Value {
                       return arith::MulFOp::create(
                           b, l, args[1], arith::SubFOp::create(b, l, args[0], args[2]));
                     }));
    return success();
  }
};

/// For an input position and a window offset, along one spatial dimension:
/// the window (output position) that reads the input position at that
/// offset, and whether there is one.
struct WindowOfInput {
  Value index; // clamped into [0, outSize), so always a valid index
  Value exists;
};

WindowOfInput windowOf(OpBuilder &b, Location l, Value position, Value offset,
                       int64_t padBefore, int64_t stride, int64_t outSize) {
  // position + padBefore - offset = window * stride
  Value shifted = arith::SubIOp::create(
      b, l, arith::AddIOp::create(b, l, position, indexConstant(b, l, padBefore)), offset);
  Value zero = indexConstant(b, l, 0);
  Value stridedStart = arith::CmpIOp::create(
      b, l, arith::CmpIPredicate::eq,
      arith::RemSIOp::create(b, l, shifted, indexConstant(b, l, stride)), zero);
  Value nonNegative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, shifted, zero);
  Value window = arith::DivSIOp::create(b, l, shifted, indexConstant(b, l, stride));
  Value inRange = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, window,
                                        indexConstant(b, l, outSize));
  Value exists = arith::AndIOp::create(
      b, l, arith::AndIOp::create(b, l, stridedStart, nonNegative), inRange);
  return {arith::SelectOp::create(b, l, exists, window, zero), exists};
}

/// A linalg.generic over (n, c, h, w) of `type` and the window offsets
/// (kh, kw) that sums `term(window rows/cols, whether the window exists)`
/// into each input position.
Value gatherFromWindows(
    OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<int64_t> kernel,
    function_ref<Value(OpBuilder &, Location, ArrayRef<WindowOfInput>, Value)> term,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> padding, ArrayRef<int64_t> outShape) {
  return buildWindowReduction(
      b, loc, filledTensor(b, loc, type, 0.0), kernel,
      [&](OpBuilder &nested, Location l, ValueRange accumulators) {
        SmallVector<WindowOfInput> windows;
        for (int d = 0; d < 2; ++d)
          windows.push_back(windowOf(nested, l, linalg::IndexOp::create(nested, l, 2 + d),
                                     linalg::IndexOp::create(nested, l, 4 + d), padding[d],
                                     strides[d], outShape[2 + d]));
        Value exists = arith::AndIOp::create(nested, l, windows[0].exists, windows[1].exists);
        linalg::YieldOp::create(nested, l,
                                Value(arith::AddFOp::create(nested, l, accumulators[0],
                                                            term(nested, l, windows, exists))));
      })[0];
}

/// dY[n, c, window] where the window exists, else 0.
Value readWindow(OpBuilder &b, Location l, Value tensor, ArrayRef<WindowOfInput> windows,
                 Value exists) {
  Value value = tensor::ExtractOp::create(
      b, l, tensor,
      ValueRange{linalg::IndexOp::create(b, l, 0), linalg::IndexOp::create(b, l, 1),
                 windows[0].index, windows[1].index});
  auto element = cast<RankedTensorType>(tensor.getType()).getElementType();
  return arith::SelectOp::create(b, l, exists, value, floatConstant(b, l, element, 0.0));
}

/// Whether the windows tile the input exactly (stride = kernel, no padding,
/// input = output * kernel, LeNet's and most pooling layers): every input
/// position is then in exactly one window, at (h / KH, w / KW).
bool windowsTileInput(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> padding, ArrayRef<int64_t> inShape,
                      ArrayRef<int64_t> outShape) {
  for (int d = 0; d < 2; ++d)
    if (strides[d] != kernel[d] || padding[d] != 0 || padding[2 + d] != 0 ||
        inShape[2 + d] != outShape[2 + d] * kernel[d])
      return false;
  return true;
}

/// (n, c, h, w) -> (n, c, h floordiv KH, w floordiv KW): the window an input
/// position lies in, where the windows tile the input.
AffineMap windowOfPositionMap(MLIRContext *context, ArrayRef<int64_t> kernel) {
  AffineExpr n, c, h, w;
  bindDims(context, n, c, h, w);
  return AffineMap::get(4, 0, {n, c, h.floorDiv(kernel[0]), w.floorDiv(kernel[1])},
                        context);
}

struct AvgPool2dGradLowering : OpConversionPattern<cnn::AvgPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::AvgPool2dGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                      padding = op.getPadding();
    Value outputGrad = adaptor.getOutputGrad();
    ArrayRef<int64_t> outShape = op.getOutputGrad().getType().getShape();
    bool includePad = op.getCountIncludePad();
    if (windowsTileInput(kernel, strides, padding, type.getShape(), outShape)) {
      // One window a position, all full: a map rather than a gather over
      // the window offsets.
      Value scale = floatConstant(rewriter, op.getLoc(), element,
                                  1.0 / double(kernel[0] * kernel[1]));
      rewriter.replaceOp(
          op, buildMap(rewriter, op.getLoc(), type, outputGrad,
                       windowOfPositionMap(rewriter.getContext(), kernel),
                       [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                         return arith::MulFOp::create(b, l, args[0], scale);
                       }));
      return success();
    }
    auto term = [&](OpBuilder &b, Location l, ArrayRef<WindowOfInput> windows,
                    Value exists) -> Value {
      // Each window's divisor, as the forward counts it.
      Value divisor = averagePoolDivisor(b, l, windows[0].index, windows[1].index,
                                         type.getShape().drop_front(2), kernel, strides,
                                         padding, includePad, element);
      return arith::DivFOp::create(b, l, readWindow(b, l, outputGrad, windows, exists),
                                   divisor);
    };
    rewriter.replaceOp(op, gatherFromWindows(rewriter, op.getLoc(), type, kernel, term,
                                             strides, padding, outShape));
    return success();
  }
};

struct MaxPool2dGradLowering : OpConversionPattern<cnn::MaxPool2dGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::MaxPool2dGradOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> kernel = op.getKernelSize(), strides = op.getStrides(),
                      padding = op.getPadding();
    ArrayRef<int64_t> in = type.getShape();
    auto outType = op.getOutputGrad().getType();
    ArrayRef<int64_t> outShape = outType.getShape();
    Value input = adaptor.getInput();

    // Each window's first maximum, as the flat input position h * W + w
    // (row-major order over the window: the first of equal values wins).
    SmallVector<Value> argmax = buildWindowReduction(
        rewriter, loc,
        {filledTensor(rewriter, loc, outType, -INFINITY),
         filledIndexTensor(rewriter, loc, outShape, -1)},
        kernel,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> indices = {linalg::IndexOp::create(b, l, 0),
                                        linalg::IndexOp::create(b, l, 1)};
          Value inside, flat;
          for (int d = 0; d < 2; ++d) {
            Value position = arith::AddIOp::create(
                b, l,
                arith::SubIOp::create(
                    b, l,
                    arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 2 + d),
                                          indexConstant(b, l, strides[d])),
                    indexConstant(b, l, padding[d])),
                linalg::IndexOp::create(b, l, 4 + d));
            Value within = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, position,
                                      indexConstant(b, l, 0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, position,
                                      indexConstant(b, l, in[2 + d])));
            inside = inside ? Value(arith::AndIOp::create(b, l, inside, within)) : within;
            Value clamped = arith::SelectOp::create(b, l, within, position,
                                                    indexConstant(b, l, 0));
            indices.push_back(clamped);
            flat = flat ? Value(arith::AddIOp::create(
                              b, l,
                              arith::MulIOp::create(b, l, flat, indexConstant(b, l, in[3])),
                              clamped))
                        : clamped;
          }
          Value value = tensor::ExtractOp::create(b, l, input, indices);
          Value larger = arith::AndIOp::create(
              b, l, inside,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, value, args[0]));
          Value flatIndex = arith::IndexCastOp::create(b, l, b.getI64Type(), flat);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, larger, value, args[0]),
                         arith::SelectOp::create(b, l, larger, flatIndex, args[1])});
        });
    Value maxima = argmax[1];
    Value outputGrad = adaptor.getOutputGrad();
    auto flatPosition = [&](OpBuilder &b, Location l) -> Value {
      return arith::IndexCastOp::create(
          b, l, b.getI64Type(),
          arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 2),
                                    indexConstant(b, l, in[3])),
              linalg::IndexOp::create(b, l, 3)));
    };
    if (windowsTileInput(kernel, strides, padding, in, outShape)) {
      // One window a position: it receives its window's gradient if it is
      // the window's first maximum.
      AffineMap window = windowOfPositionMap(rewriter.getContext(), kernel);
      rewriter.replaceOp(
          op, buildMap(rewriter, loc, type, {maxima, outputGrad}, {window, window},
                       [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                         Value won = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                           args[0], flatPosition(b, l));
                         return arith::SelectOp::create(
                             b, l, won, args[1],
                             floatConstant(b, l, type.getElementType(), 0.0));
                       }));
      return success();
    }

    auto term = [&](OpBuilder &b, Location l, ArrayRef<WindowOfInput> windows,
                    Value exists) -> Value {
      Value winner = tensor::ExtractOp::create(
          b, l, maxima,
          ValueRange{linalg::IndexOp::create(b, l, 0), linalg::IndexOp::create(b, l, 1),
                     windows[0].index, windows[1].index});
      Value won = arith::AndIOp::create(
          b, l, exists,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, winner, flatPosition(b, l)));
      return readWindow(b, l, outputGrad, windows, won);
    };
    rewriter.replaceOp(op, gatherFromWindows(rewriter, loc, type, kernel, term, strides,
                                             padding, outShape));
    return success();
  }
};

} // namespace

void cnnc::lowering::populateGradientLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, SliceLowering, ReduceSumLowering,
               ExpandConnectionsLowering, GatherConnectionsLowering,
               ActivationGradLowering<cnn::ReluGradOp>,
               ActivationGradLowering<cnn::LeakyReluGradOp>,
               ActivationGradLowering<cnn::TanhGradOp>,
               ActivationGradLowering<cnn::SigmoidGradOp>,
               ActivationGradLowering<cnn::SiluGradOp>, SoftmaxGradLowering,
               AvgPool2dGradLowering, MaxPool2dGradLowering>(patterns.getContext());
}
