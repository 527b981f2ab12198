//===- PoolingLowering.cpp - Pooling layers to linalg -----------------------===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

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
          Value divisor = averagePoolDivisor(
              b, l, linalg::IndexOp::create(b, l, 2), linalg::IndexOp::create(b, l, 3),
              inType.getShape().drop_front(2), kernel, strides, padding, includePad, element);
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
    Value sums = buildWindowReduction(
        rewriter, loc, filledTensor(rewriter, loc, outType, 0.0), widest,
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
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[0], term)));
        })[0];
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, outType, {sums},
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

} // namespace

void cnnc::lowering::populatePoolingLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2dLowering, AvgPool2dLowering, GlobalAvgPoolLowering, AdaptiveAvgPool2dLowering>(patterns.getContext());
}
