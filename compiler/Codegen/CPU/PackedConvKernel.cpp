//===- PackedConvKernel.cpp - Convolution over packed filters -------------===//
//
// One register tile [1, F, 1, W] of an NCHW convolution whose filters were
// packed in blocks of B output channels, innermost, [F / B, C, KH, KW, B]
// (cnnc-pack-conv-filters; inside the tile the filter operand is the
// linalg.unpack of a slice of them). The accumulators are F / V vectors of
// V output channels for each of the W output columns:
//
//   acc[j][p] = 0
//   for c in channels, for (kh, kw) in filter taps:
//     w[j] = packed[V j / B, c, kh, kw, V j % B .. V j % B + V - 1]
//     acc[j][p] = fma(w[j], broadcast(input[0, c, kh dh, p sw + kw dw]),
//                     acc[j][p])
//   result[0, V j + i, 0, :] = init[0, V j + i, 0, :] + transpose(acc[j])[i]
//
// (transposed V x V at a time by shuffles, log2(V) rounds of V each).
//
// Each filter vector serves W multiply-adds and each input value (which
// the multiply-add broadcasts from memory itself) F / V of them, whatever
// the width or the stride of the layer: no lane is idle. The transposition
// moves F x W values once per tile, against C KH KW (F / V) W
// multiply-adds.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/PackedConvKernel.h"

#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace cnnc::codegen;

namespace {

/// Transposes the square matrix whose rows are `rows` (as many as each has
/// lanes, a power of two) in log2(lanes) rounds of two-vector shuffles: in
/// the round of half-size h, each 2h x 2h block swaps its upper right and
/// lower left h x h blocks; after every round the matrix is transposed.
void transposeSquare(OpBuilder &b, Location loc, SmallVectorImpl<Value> &rows) {
  int64_t n = rows.size();
  for (int64_t h = n / 2; h >= 1; h /= 2)
    for (int64_t i = 0; i < n; ++i) {
      if (i & h)
        continue;
      SmallVector<int64_t> upper, lower;
      for (int64_t k = 0; k < n; ++k) {
        // Indices from n on select from the second vector, rows[i + h].
        upper.push_back((k & h) ? n + k - h : k);
        lower.push_back((k & h) ? n + k : k + h);
      }
      Value top = vector::ShuffleOp::create(b, loc, rows[i], rows[i + h], upper);
      Value bottom = vector::ShuffleOp::create(b, loc, rows[i], rows[i + h], lower);
      rows[i] = top;
      rows[i + h] = bottom;
    }
}

struct PackedConvKernel : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    auto config = conv->getAttrOfType<LoweringConfigAttr>(
        CnncDialect::kLoweringConfigAttrName);
    if (!config || config.getKernel() != Kernel::PackedConv ||
        !conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not a packed_conv tile on tensors");
    Value input = conv.getInputs()[0], init = conv.getOutputs()[0];
    auto unpack = conv.getInputs()[1].getDefiningOp<linalg::UnPackOp>();
    if (!unpack || unpack.getInnerDimsPos() != ArrayRef<int64_t>{0} ||
        !unpack.getOuterDimsPerm().empty() || unpack.getStaticInnerTiles().size() != 1)
      return rewriter.notifyMatchFailure(conv,
                                         "the filter is not unpacked from [F / B, C, KH, KW, B]");
    Value packed = unpack.getSource();
    auto outType = cast<RankedTensorType>(init.getType());
    auto inType = cast<RankedTensorType>(input.getType());
    auto packedType = cast<RankedTensorType>(packed.getType());
    int64_t lanes = config.getVectorSize();
    if (!outType.hasStaticShape() || !inType.hasStaticShape() ||
        !packedType.hasStaticShape() || outType.getDimSize(0) != 1 ||
        outType.getDimSize(2) != 1 || outType.getDimSize(1) % lanes != 0 ||
        packedType.getDimSize(4) % lanes != 0 || !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(conv, "not a static f32 tile [1, F, 1, W]");
    for (auto [size, tile] : llvm::zip(outType.getShape(), config.getRegisterTile()))
      if (tile != 0 && size > tile)
        return rewriter.notifyMatchFailure(conv, "larger than a register tile");

    int64_t blocks = outType.getDimSize(1) / lanes, width = outType.getDimSize(3);
    int64_t channels = packedType.getDimSize(1), block = packedType.getDimSize(4);
    int64_t kernelH = packedType.getDimSize(2), kernelW = packedType.getDimSize(3);
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());

    Location loc = conv.getLoc();
    Type f32 = outType.getElementType();
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value zero = index(rewriter, 0);
    Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                              rewriter.getFloatAttr(f32, 0.0));
    auto laneType = VectorType::get({lanes}, f32);
    Value zeros = arith::ConstantOp::create(rewriter, loc, laneType,
                                            DenseElementsAttr::get(laneType, 0.0f));
    // [j][p]: channel block j at output column p.
    SmallVector<Value> accumulators(blocks * width, zeros);

    // The filter taps are one loop, not unrolled: in an unrolled row of
    // taps, the input values that neighbouring taps share would stay live
    // from one tap to the next, and the registers go to them instead of to
    // accumulators.
    auto channelLoop = scf::ForOp::create(
        rewriter, loc, zero, index(rewriter, channels), index(rewriter, 1),
        accumulators, [&](OpBuilder &b, Location l, Value c, ValueRange perChannel) {
          auto tapLoop = scf::ForOp::create(
              b, l, index(b, 0), index(b, kernelH * kernelW), index(b, 1), perChannel,
              [&](OpBuilder &b, Location l, Value tap, ValueRange carried) {
                SmallVector<Value> acc(carried);
                Value kh = arith::DivUIOp::create(b, l, tap, index(b, kernelW));
                Value kw = arith::RemUIOp::create(b, l, tap, index(b, kernelW));
                Value row = arith::MulIOp::create(b, l, kh, index(b, dilations[0]));
                Value column = arith::MulIOp::create(b, l, kw, index(b, dilations[1]));
                SmallVector<Value> weights;
                for (int64_t j = 0; j < blocks; ++j)
                  weights.push_back(vector::TransferReadOp::create(
                      b, l, laneType, packed,
                      ValueRange{index(b, j * lanes / block), c, kh, kw,
                                 index(b, j * lanes % block)},
                      padding, ArrayRef<bool>{true}));
                for (int64_t p = 0; p < width; ++p) {
                  Value x = tensor::ExtractOp::create(
                      b, l, input,
                      ValueRange{index(b, 0), c, row,
                                 arith::AddIOp::create(b, l, column,
                                                       index(b, p * strides[1]))});
                  Value splat = vector::BroadcastOp::create(b, l, laneType, x);
                  for (int64_t j = 0; j < blocks; ++j) {
                    Value &a = acc[j * width + p];
                    a = vector::FMAOp::create(b, l, weights[j], splat, a);
                  }
                }
                scf::YieldOp::create(b, l, acc);
              });
          scf::YieldOp::create(b, l, tapLoop.getResults());
        });

    // Each block's accumulators, V x V at a time (V output columns of V
    // channels), transposed into rows of columns and added to the tile's
    // initial rows (read and written row by row, so that the producer's and
    // the epilogue's rows are forwarded as values).
    auto rowType = VectorType::get({width}, f32);
    Value poison = ub::PoisonOp::create(rewriter, loc, laneType);
    Value result = init;
    for (int64_t j = 0; j < blocks; ++j) {
      SmallVector<Value> rows(lanes, ub::PoisonOp::create(rewriter, loc, rowType));
      for (int64_t first = 0; first < width; first += lanes) {
        int64_t count = std::min(lanes, width - first);
        SmallVector<Value> square(lanes, poison);
        for (int64_t p = 0; p < count; ++p)
          square[p] = channelLoop.getResult(j * width + first + p);
        transposeSquare(rewriter, loc, square);
        for (int64_t i = 0; i < lanes; ++i) {
          Value part = square[i];
          if (count < lanes)
            part = vector::ExtractStridedSliceOp::create(rewriter, loc, part,
                                                         ArrayRef<int64_t>{0},
                                                         ArrayRef<int64_t>{count},
                                                         ArrayRef<int64_t>{1});
          rows[i] = count == width ? part
                                   : vector::InsertStridedSliceOp::create(
                                         rewriter, loc, part, rows[i],
                                         ArrayRef<int64_t>{first}, ArrayRef<int64_t>{1})
                                         .getResult();
        }
      }
      for (int64_t i = 0; i < lanes; ++i) {
        Value channel = index(rewriter, j * lanes + i);
        Value initial = vector::TransferReadOp::create(
            rewriter, loc, rowType, init, ValueRange{zero, channel, zero, zero}, padding,
            ArrayRef<bool>{true});
        Value sum = arith::AddFOp::create(rewriter, loc, rows[i], initial);
        result = vector::TransferWriteOp::create(rewriter, loc, sum, result,
                                                 ValueRange{zero, channel, zero, zero},
                                                 ArrayRef<bool>{true})
                     .getResult();
      }
    }
    rewriter.replaceOp(conv, result);
    return success();
  }
};

} // namespace

void cnnc::populatePackedConvKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<PackedConvKernel>(patterns.getContext());
}
