//===- DirectConvKernel.cpp - The register-blocked direct convolution -----===//
//
// One register tile of an NCHW convolution, [1, F, R, W] outputs, computed
// as F x R rows of W output columns (one output row of one output channel)
// held in vector registers while the kernel walks the input channels and the
// filter taps. A row is a few vectors whose sizes are powers of two, at most
// a register (56 columns: 16 + 16 + 16 + 8), so that every load and
// multiply-add is one instruction on a whole register or a legal part of one:
//
//   acc[f][r] = init[0, f, r, :]
//   for c in channels, for kh in filter rows, for kw in filter columns:
//     x[r] = input[0, c, r * sh + kh * dh, kw * dw + sw * (0 .. W - 1)]
//     acc[f][r] = fma(broadcast(filter[f, c, kh, kw]), x[r], acc[f][r])
//   result[0, f, r, :] = acc[f][r]
//
// Each loaded input vector serves F multiply-adds and each broadcast filter
// value R of them: the tile shape that cnnc-cpu-select-strategy chose
// balances the two against the register count. A strided row is loaded
// whole and its every sw-th column picked with a shuffle. The filter
// columns are unrolled; LLVM folds each broadcast into its multiply-add.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DirectConvKernel.h"

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

/// `size` columns of row `row` of channel `channel` of `input` [1, C, H, W],
/// `stride` apart from column `start`: every stride-th column of a span,
/// loaded whole (as a power of two of columns where that stays inside the
/// row) and picked by a shuffle.
Value loadStridedRow(OpBuilder &b, Location loc, Value input, Value channel, Value row,
                     int64_t start, int64_t size, int64_t stride, Value padding) {
  int64_t width = cast<RankedTensorType>(input.getType()).getDimSize(3);
  int64_t span = (size - 1) * stride + 1;
  if (stride != 1 && start + int64_t(llvm::PowerOf2Ceil(span)) <= width)
    span = llvm::PowerOf2Ceil(span);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value x = vector::TransferReadOp::create(
      b, loc, VectorType::get({span}, padding.getType()), input,
      ValueRange{zero, channel, row, arith::ConstantIndexOp::create(b, loc, start)},
      padding, ArrayRef<bool>{true});
  if (stride == 1)
    return x;
  SmallVector<int64_t> picked;
  for (int64_t j = 0; j < size; ++j)
    picked.push_back(j * stride);
  return vector::ShuffleOp::create(b, loc, x, x, picked);
}

/// The rows of a tile [1, C, R, W] of `tensor`, each in vectors of `chunks`
/// columns, [c][r][chunk].
SmallVector<Value> readRowChunks(OpBuilder &b, Location loc, Value tensor,
                                 ArrayRef<int64_t> chunks, Value padding) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto rowType = VectorType::get({type.getDimSize(3)}, padding.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> result;
  for (int64_t c = 0; c < type.getDimSize(1); ++c)
    for (int64_t r = 0; r < type.getDimSize(2); ++r) {
      // Row by row as a producer writes them, so the row is forwarded.
      Value row = vector::TransferReadOp::create(
          b, loc, rowType, tensor,
          ValueRange{zero, arith::ConstantIndexOp::create(b, loc, c),
                     arith::ConstantIndexOp::create(b, loc, r), zero},
          padding, ArrayRef<bool>{true});
      for (int64_t column = 0, k = 0; k < int64_t(chunks.size()); column += chunks[k++])
        result.push_back(vector::ExtractStridedSliceOp::create(
            b, loc, row, ArrayRef<int64_t>{column}, ArrayRef<int64_t>{chunks[k]},
            ArrayRef<int64_t>{1}));
    }
  return result;
}

/// Writes rows [c][r][chunk] back into the tile `tensor` [1, C, R, W], row
/// by row: an n-D vector assembled from the rows would be taken apart
/// element by element by the canonicalizer.
Value writeRowChunks(OpBuilder &b, Location loc, ValueRange values, Value tensor,
                     ArrayRef<int64_t> chunks) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto rowType = VectorType::get({type.getDimSize(3)}, type.getElementType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  for (int64_t c = 0, next = 0; c < type.getDimSize(1); ++c)
    for (int64_t r = 0; r < type.getDimSize(2); ++r) {
      Value row = ub::PoisonOp::create(b, loc, rowType);
      for (int64_t column = 0, k = 0; k < int64_t(chunks.size()); column += chunks[k++])
        row = vector::InsertStridedSliceOp::create(b, loc, values[next++], row,
                                                   ArrayRef<int64_t>{column},
                                                   ArrayRef<int64_t>{1});
      tensor = vector::TransferWriteOp::create(
                   b, loc, row, tensor,
                   ValueRange{zero, arith::ConstantIndexOp::create(b, loc, c),
                              arith::ConstantIndexOp::create(b, loc, r), zero},
                   ArrayRef<bool>{true})
                   .getResult();
    }
  return tensor;
}

/// A register tile of max or sum pooling over NCHW, [1, C, R, W]: each
/// output row in vectors, combined with the shifted input rows of its
/// window.
template <typename PoolOp>
struct DirectPoolKernel : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(PoolOp pool, PatternRewriter &rewriter) const override {
    auto config = pool->template getAttrOfType<LoweringConfigAttr>(
        CnncDialect::kLoweringConfigAttrName);
    if (!config || config.getKernel() != Kernel::DirectPool ||
        !pool.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(pool, "not a direct_pool tile on tensors");
    Value input = pool.getInputs()[0], init = pool.getOutputs()[0];
    auto outType = cast<RankedTensorType>(init.getType());
    auto inType = cast<RankedTensorType>(input.getType());
    auto windowType = cast<RankedTensorType>(pool.getInputs()[1].getType());
    if (!outType.hasStaticShape() || !inType.hasStaticShape() ||
        !windowType.hasStaticShape() || outType.getDimSize(0) != 1 ||
        !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(pool, "not a static f32 tile of batch 1");
    for (auto [size, tile] : llvm::zip(outType.getShape(), config.getRegisterTile()))
      if (tile != 0 && size > tile)
        return rewriter.notifyMatchFailure(pool, "larger than a register tile");
    SmallVector<int64_t> strides(pool.getStrides().template getValues<int64_t>());
    SmallVector<int64_t> dilations(pool.getDilations().template getValues<int64_t>());
    int64_t channels = outType.getDimSize(1), rows = outType.getDimSize(2);
    int64_t kernelH = windowType.getDimSize(0), kernelW = windowType.getDimSize(1);
    SmallVector<int64_t> chunks =
        cnnc::rowChunks(outType.getDimSize(3), config.getVectorSize());

    Location loc = pool.getLoc();
    Type f32 = outType.getElementType();
    Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                              rewriter.getFloatAttr(f32, 0.0));
    SmallVector<Value> accumulators = readRowChunks(rewriter, loc, init, chunks, padding);
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    auto rowLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, kernelH), index(rewriter, 1),
        accumulators, [&](OpBuilder &b, Location l, Value kh, ValueRange carried) {
          SmallVector<Value> acc(carried);
          Value rowOffset = arith::MulIOp::create(b, l, kh, index(b, dilations[0]));
          for (int64_t kw = 0; kw < kernelW; ++kw)
            for (int64_t c = 0, next = 0; c < channels; ++c)
              for (int64_t r = 0; r < rows; ++r) {
                Value row = arith::AddIOp::create(b, l, rowOffset, index(b, r * strides[0]));
                for (int64_t column = 0, k = 0; k < int64_t(chunks.size());
                     column += chunks[k++], ++next) {
                  Value x = loadStridedRow(b, l, input, index(b, c), row,
                                           column * strides[1] + kw * dilations[1],
                                           chunks[k], strides[1], padding);
                  // A NaN in the window still wins, but either zero may
                  // come out of -0 against +0 (`nsz`): LLVM then needs no
                  // test of the signs, a third of the instructions.
                  if constexpr (std::is_same_v<PoolOp, linalg::PoolingNchwMaxOp>)
                    acc[next] = arith::MaximumFOp::create(b, l, acc[next], x,
                                                          arith::FastMathFlags::nsz);
                  else
                    acc[next] = arith::AddFOp::create(b, l, acc[next], x);
                }
              }
          scf::YieldOp::create(b, l, acc);
        });
    rewriter.replaceOp(pool, writeRowChunks(rewriter, loc, rowLoop.getResults(), init,
                                            chunks));
    return success();
  }
};

struct DirectConvKernel : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp conv,
                                PatternRewriter &rewriter) const override {
    auto config = conv->getAttrOfType<LoweringConfigAttr>(
        CnncDialect::kLoweringConfigAttrName);
    if (!config || (config.getKernel() != Kernel::DirectConv &&
                    config.getKernel() != Kernel::DirectConvFlat))
      return rewriter.notifyMatchFailure(conv, "not a direct_conv tile");
    bool flat = config.getKernel() == Kernel::DirectConvFlat;
    if (!conv.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(conv, "not on tensors");
    Value input = conv.getInputs()[0], filter = conv.getInputs()[1];
    Value init = conv.getOutputs()[0];
    auto outType = cast<RankedTensorType>(init.getType());
    auto inType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    if (!outType.hasStaticShape() || !inType.hasStaticShape() ||
        !filterType.hasStaticShape() || outType.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(conv, "not a static tile of batch 1");
    // A tile larger than the register tile would spill: leave it to loops.
    for (auto [size, tile] : llvm::zip(outType.getShape(), config.getRegisterTile()))
      if (tile != 0 && size > tile)
        return rewriter.notifyMatchFailure(conv, "larger than a register tile");

    int64_t filters = outType.getDimSize(1), rows = outType.getDimSize(2);
    int64_t width = outType.getDimSize(3), inWidth = inType.getDimSize(3);
    int64_t channels = filterType.getDimSize(1);
    int64_t kernelH = filterType.getDimSize(2), kernelW = filterType.getDimSize(3);
    SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
    // A line is what one accumulator row holds: an output row, or with the
    // flat kernel all rows of the tile and the padding columns between
    // them, as they lie in the input (row r at r * input width).
    if (flat && (strides[0] != 1 || strides[1] != 1 ||
                 inWidth != width + (kernelW - 1) * dilations[1]))
      return rewriter.notifyMatchFailure(conv, "flat lines need stride 1, whole rows");
    int64_t lines = flat ? 1 : rows;
    int64_t lineLength = flat ? (rows - 1) * inWidth + width : width;
    SmallVector<int64_t> chunks = cnnc::rowChunks(lineLength, config.getVectorSize());

    Location loc = conv.getLoc();
    Type f32 = outType.getElementType();
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value zero = index(rewriter, 0);
    Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                              rewriter.getFloatAttr(f32, 0.0));
    auto rowType = VectorType::get({width}, f32);
    auto lineType = VectorType::get({lineLength}, f32);
    // The flat kernel reads the input's rows as one: [1, C, rows x width].
    Value source = input;
    if (flat)
      source = tensor::CollapseShapeOp::create(
          rewriter, loc, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});

    // The accumulators, [f][line][chunk], from the initial value of the
    // tile, read row by row as its producer writes it, so that each row is
    // forwarded as a value.
    SmallVector<Value> accumulators;
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t line = 0; line < lines; ++line) {
        auto readRow = [&](int64_t r) -> Value {
          return vector::TransferReadOp::create(
              rewriter, loc, rowType, init,
              ValueRange{zero, index(rewriter, f), index(rewriter, r), zero}, padding,
              ArrayRef<bool>{true});
        };
        Value lineValue;
        if (!flat) {
          lineValue = readRow(line);
        } else {
          lineValue = arith::ConstantOp::create(rewriter, loc, lineType,
                                                DenseElementsAttr::get(lineType, 0.0f));
          for (int64_t r = 0; r < rows; ++r)
            lineValue = vector::InsertStridedSliceOp::create(
                rewriter, loc, readRow(r), lineValue, ArrayRef<int64_t>{r * inWidth},
                ArrayRef<int64_t>{1});
        }
        for (int64_t column = 0, k = 0; k < int64_t(chunks.size());
             column += chunks[k++])
          accumulators.push_back(vector::ExtractStridedSliceOp::create(
              rewriter, loc, lineValue, ArrayRef<int64_t>{column},
              ArrayRef<int64_t>{chunks[k]}, ArrayRef<int64_t>{1}));
      }

    // The input under a chunk of `size` outputs starting at `column` of a
    // line, for filter tap (kh, kw): a strided row, or a flat line's
    // contiguous columns.
    auto loadInput = [&](OpBuilder &b, Value c, Value rowOffset, Value kh, int64_t line,
                         int64_t column, int64_t size, int64_t kw) -> Value {
      if (flat) {
        Value start = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, kh, index(b, dilations[0] * inWidth)),
            index(b, column + kw * dilations[1]));
        return vector::TransferReadOp::create(b, loc, VectorType::get({size}, f32), source,
                                              ValueRange{index(b, 0), c, start}, padding,
                                              ArrayRef<bool>{true});
      }
      Value row = arith::AddIOp::create(b, loc, rowOffset, index(b, line * strides[0]));
      return loadStridedRow(b, loc, source, c, row, column * strides[1] + kw * dilations[1],
                            size, strides[1], padding);
    };

    auto channelLoop = scf::ForOp::create(
        rewriter, loc, zero, index(rewriter, channels), index(rewriter, 1),
        accumulators,
        [&](OpBuilder &b, Location l, Value c, ValueRange perChannel) {
          auto rowLoop = scf::ForOp::create(
              b, l, index(b, 0), index(b, kernelH), index(b, 1), perChannel,
              [&](OpBuilder &b, Location l, Value kh, ValueRange carried) {
                SmallVector<Value> acc(carried);
                // Input row of output row r: r * sh + kh * dh.
                Value rowOffset =
                    arith::MulIOp::create(b, l, kh, index(b, dilations[0]));
                for (int64_t kw = 0; kw < kernelW; ++kw) {
                  SmallVector<Value> weights;
                  for (int64_t f = 0; f < filters; ++f)
                    weights.push_back(tensor::ExtractOp::create(
                        b, l, filter, ValueRange{index(b, f), c, kh, index(b, kw)}));
                  for (int64_t line = 0; line < lines; ++line)
                    for (int64_t column = 0, k = 0; k < int64_t(chunks.size());
                         column += chunks[k++]) {
                      Value x = loadInput(b, c, rowOffset, kh, line, column, chunks[k], kw);
                      auto type = VectorType::get({chunks[k]}, f32);
                      for (int64_t f = 0; f < filters; ++f) {
                        Value &a = acc[(f * lines + line) * chunks.size() + k];
                        a = vector::FMAOp::create(
                            b, l, vector::BroadcastOp::create(b, l, type, weights[f]),
                            x, a);
                      }
                    }
                }
                scf::YieldOp::create(b, l, acc);
              });
          scf::YieldOp::create(b, l, rowLoop.getResults());
        });

    // Row by row, each line put together from its chunks: an n-D vector
    // assembled from the rows would be taken apart element by element by
    // the canonicalizer.
    Value result = init;
    for (int64_t f = 0; f < filters; ++f)
      for (int64_t line = 0; line < lines; ++line) {
        Value lineValue = ub::PoisonOp::create(rewriter, loc, lineType);
        for (int64_t column = 0, k = 0; k < int64_t(chunks.size());
             column += chunks[k++])
          lineValue = vector::InsertStridedSliceOp::create(
              rewriter, loc,
              channelLoop.getResult((f * lines + line) * chunks.size() + k), lineValue,
              ArrayRef<int64_t>{column}, ArrayRef<int64_t>{1});
        for (int64_t r = flat ? 0 : line; r < (flat ? rows : line + 1); ++r) {
          Value row = flat ? vector::ExtractStridedSliceOp::create(
                                 rewriter, loc, lineValue, ArrayRef<int64_t>{r * inWidth},
                                 ArrayRef<int64_t>{width}, ArrayRef<int64_t>{1})
                                 .getResult()
                           : lineValue;
          result = vector::TransferWriteOp::create(
                       rewriter, loc, row, result,
                       ValueRange{zero, index(rewriter, f), index(rewriter, r), zero},
                       ArrayRef<bool>{true})
                       .getResult();
        }
      }
    rewriter.replaceOp(conv, result);
    return success();
  }
};

} // namespace

SmallVector<int64_t> cnnc::rowChunks(int64_t width, int64_t lanes) {
  SmallVector<int64_t> chunks;
  while (width > 0) {
    int64_t chunk = std::min<int64_t>(lanes, llvm::bit_floor(uint64_t(width)));
    chunks.push_back(chunk);
    width -= chunk;
  }
  return chunks;
}

void cnnc::populateDirectConvKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<DirectConvKernel, DirectPoolKernel<linalg::PoolingNchwMaxOp>,
               DirectPoolKernel<linalg::PoolingNchwSumOp>>(patterns.getContext());
}
