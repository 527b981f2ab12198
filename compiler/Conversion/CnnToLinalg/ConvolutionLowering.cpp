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

/// out[n, m] += input[n, k] * weight[m, k]: the form of a dense layer that
/// the CPU's dot kernel takes.
Value buildDenseProduct(OpBuilder &b, Location loc, RankedTensorType outType, Value input,
                        Value weight, Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n, m, k;
  bindDims(ctx, n, m, k);
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {n, k}, ctx),
                                 AffineMap::get(3, 0, {m, k}, ctx),
                                 AffineMap::get(3, 0, {n, m}, ctx)};
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                utils::IteratorType::parallel,
                                                utils::IteratorType::reduction};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType}, ValueRange{input, weight}, ValueRange{init}, maps,
      iterators, [](OpBuilder &nested, Location l, ValueRange args) {
        Value product = arith::MulFOp::create(nested, l, args[0], args[1]);
        linalg::YieldOp::create(nested, l,
                                Value(arith::AddFOp::create(nested, l, args[2], product)));
      });
  return generic.getResult(0);
}

struct DenseLowering : OpConversionPattern<cnn::DenseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(cnn::DenseOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType outType = op.getType();
    Value init = accumulatorInit(rewriter, loc, adaptor.getBias(), outType);
    rewriter.replaceOp(op, buildDenseProduct(rewriter, loc, outType, adaptor.getInput(),
                                             adaptor.getWeight(), init));
    return success();
  }
};

/// A transposed convolution of a 1x1 input (the input gradient of a
/// convolution that reduces its input to one pixel, as LeNet-5's C5):
/// out[n, c, y, x] = sum_k in[n, k] * w[k, c, y, x], a dense layer of the
/// transposed filters. As a padded convolution it would multiply (K - 1)^2
/// zeros for every product it needs.
LogicalResult lowerPixelConvTranspose(cnn::ConvTranspose2dOp op, Value input,
                                      Value weight, ConversionPatternRewriter &rewriter) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  ArrayRef<int64_t> in = inType.getShape(), w = wType.getShape();
  auto isZero = [](int64_t v) { return v == 0; };
  auto isOne = [](int64_t v) { return v == 1; };
  if (in[2] != 1 || in[3] != 1 || op.getGroups() != 1 || op.getBias() ||
      !llvm::all_of(op.getPadding(), isZero) || !llvm::all_of(op.getOutputPadding(), isZero) ||
      !llvm::all_of(op.getDilations(), isOne))
    return failure();
  Location loc = op.getLoc();
  Type element = inType.getElementType();
  int64_t columns = w[1] * w[2] * w[3];
  SmallVector<ReassociationIndices> flatten = {{0}, {1, 2, 3}};
  Value rows = tensor::CollapseShapeOp::create(rewriter, loc, input, flatten);
  Value filters = tensor::CollapseShapeOp::create(rewriter, loc, weight, flatten);
  auto transposedType = RankedTensorType::get({columns, w[0]}, element);
  Value transposed =
      linalg::TransposeOp::create(rewriter, loc, filters,
                                  emptyTensor(rewriter, loc, transposedType),
                                  ArrayRef<int64_t>{1, 0})
          ->getResult(0);
  auto flatType = RankedTensorType::get({in[0], columns}, element);
  Value product = buildDenseProduct(rewriter, loc, flatType, rows, transposed,
                                    filledTensor(rewriter, loc, flatType, 0.0));
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, op.getType(), product, flatten);
  return success();
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
    if (succeeded(lowerPixelConvTranspose(op, adaptor.getInput(), adaptor.getWeight(),
                                          rewriter)))
      return success();

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
