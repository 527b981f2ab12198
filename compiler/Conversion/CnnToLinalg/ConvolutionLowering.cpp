//===- ConvolutionLowering.cpp - Convolutions and dense layers to linalg ----===//

#include "compiler/Conversion/CnnToLinalg/Lowering.h"

#include <cmath>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

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

} // namespace

void cnnc::lowering::populateConvolutionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2dLowering, Conv1dLowering, DenseLowering, ConvTranspose2dLowering>(patterns.getContext());
}
