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
// Where the tile's input is a window of a zero padding (`tensor.pad`), the
// kernel reads the unpadded tensor and leaves out the taps that fall on
// the padding, so that the group makes no padded copy of its input (a
// pass over memory and a parallel job of its own per layer). The filter
// rows inside the input are a range computed per tile; the columns depend
// on where the tile starts, one of a few places known at compile time: a
// tile at the left or right edge gets its own accumulation without the
// multiply-adds of its outside columns (chosen by an scf.index_switch on
// the window's column), and every other tile shares one that has none to
// leave out.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/PackedConvKernel.h"

#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

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

/// The zero `tensor.pad` of an NCHW tensor (rows and columns padded, by
/// static amounts) whose window `input` is, through `window`, a chain of
/// unit-stride slices; null where `input` is no such window.
tensor::PadOp matchZeroPaddedWindow(Value input,
                                    SmallVectorImpl<tensor::ExtractSliceOp> &window) {
  window.clear();
  while (auto slice = input.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!slice.hasUnitStride() || slice.getSourceType().getRank() != 4 ||
        slice.getResultType().getRank() != 4)
      break;
    window.push_back(slice);
    input = slice.getSource();
  }
  auto pad = input.getDefiningOp<tensor::PadOp>();
  Value value = pad ? pad.getConstantPaddingValue() : Value();
  if (!pad || !value || !matchPattern(value, m_AnyZeroFloat()) ||
      !pad.getSourceType().hasStaticShape() || !pad.getResultType().hasStaticShape() ||
      llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic) ||
      llvm::any_of(pad.getStaticHigh(), ShapedType::isDynamic) ||
      pad.getStaticLow()[0] != 0 || pad.getStaticLow()[1] != 0 ||
      pad.getStaticHigh()[0] != 0 || pad.getStaticHigh()[1] != 0) {
    window.clear();
    return nullptr;
  }
  return pad;
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

    // The input the taps read: the unpadded source of a zero padding whose
    // window the tile is (taps on the padding are skipped, so that no padded
    // copy is made), else the tile's input itself.
    SmallVector<tensor::ExtractSliceOp> window;
    tensor::PadOp pad = matchZeroPaddedWindow(input, window);
    Value source = pad ? pad.getSource() : input;
    auto sourceType = cast<RankedTensorType>(source.getType());
    int64_t padTop = pad ? pad.getStaticLow()[2] : 0;
    int64_t padLeft = pad ? pad.getStaticLow()[3] : 0;
    int64_t sourceH = sourceType.getDimSize(2), sourceW = sourceType.getDimSize(3);

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

    // The window's offsets in the padded tensor: batch, channel, row, column.
    SmallVector<Value> offsets(4, zero);
    for (tensor::ExtractSliceOp slice : window)
      for (auto [offset, sliceOffset] : llvm::zip(offsets, slice.getMixedOffsets()))
        offset = arith::AddIOp::create(
            rewriter, loc, offset,
            getValueOrCreateConstantIndexOp(rewriter, loc, sliceOffset));
    Value dh = index(rewriter, dilations[0]);
    // With a padding: the filter rows whose input row is inside the source,
    // 0 <= row + kh dh - padTop < sourceH, from firstRow to endRow.
    Value firstRow, endRow;

    // Whether output column p of a tile whose window starts at input column
    // `start` reads the source at tap column kw.
    auto inside = [&](int64_t start, int64_t p, int64_t kw) {
      int64_t column = start + p * strides[1] + kw * dilations[1] - padLeft;
      return column >= 0 && column < sourceW;
    };
    // One tap (kh, kw) of channel c on the accumulators `sum`: a filter
    // vector per block times the source's value at `row` and `column(p)`,
    // broadcast, for each output column p of `columns`.
    auto multiplyAdd = [&](OpBuilder &b, Location l, Value c, Value kh, Value kw, Value row,
                           ArrayRef<int64_t> columns,
                           llvm::function_ref<Value(OpBuilder &, int64_t)> column,
                           SmallVectorImpl<Value> &sum) {
      SmallVector<Value> weights;
      for (int64_t j = 0; j < blocks; ++j)
        weights.push_back(vector::TransferReadOp::create(
            b, l, laneType, packed,
            ValueRange{index(b, j * lanes / block), c, kh, kw, index(b, j * lanes % block)},
            padding, ArrayRef<bool>{true}));
      Value sourceChannel = arith::AddIOp::create(b, l, offsets[1], c);
      for (int64_t p : columns) {
        Value x = tensor::ExtractOp::create(
            b, l, source, ValueRange{offsets[0], sourceChannel, row, column(b, p)});
        Value splat = vector::BroadcastOp::create(b, l, laneType, x);
        for (int64_t j = 0; j < blocks; ++j) {
          Value &a = sum[j * width + p];
          a = vector::FMAOp::create(b, l, weights[j], splat, a);
        }
      }
    };
    // The accumulators start from the tile's initial values where those are
    // the same in every column: a per-channel bias broadcast over rows and
    // columns, or a fill. Read as F / V vectors, they need no rows of their
    // own (a scalar load and a broadcast each, an add after the
    // transposition) and the tile is written into the producer's
    // destination, which leaves the producer dead.
    SmallVector<Value> seeds(blocks, zeros);
    Value destination = init;
    bool seeded = false;
    if (auto bias = init.getDefiningOp<linalg::BroadcastOp>();
        bias && bias.hasPureTensorSemantics() &&
        bias.getDimensions() == ArrayRef<int64_t>{0, 2, 3}) {
      for (int64_t j = 0; j < blocks; ++j)
        seeds[j] = vector::TransferReadOp::create(rewriter, loc, laneType, bias.getInput(),
                                                  ValueRange{index(rewriter, j * lanes)},
                                                  padding, ArrayRef<bool>{true});
      destination = bias.getInit();
      seeded = true;
    } else if (auto fill = init.getDefiningOp<linalg::FillOp>();
               fill && fill.hasPureTensorSemantics()) {
      Value splat = vector::BroadcastOp::create(rewriter, loc, laneType, fill.value());
      seeds.assign(blocks, splat);
      destination = fill.getOutputs()[0];
      seeded = true;
    }
    SmallVector<Value> initial;
    for (int64_t j = 0; j < blocks; ++j)
      initial.append(width, seeds[j]);
    auto allColumns = llvm::to_vector(llvm::seq<int64_t>(0, width));

    // Without a padding, the filter taps are one loop, not unrolled: in an
    // unrolled row of taps, the input values that neighbouring taps share
    // would stay live from one tap to the next, and the registers go to
    // them instead of to accumulators.
    auto accumulateAllTaps = [&](OpBuilder &b, Location l) {
      auto channelLoop = scf::ForOp::create(
          b, l, zero, index(b, channels), index(b, 1), initial,
          [&](OpBuilder &b, Location l, Value c, ValueRange perChannel) {
            auto tapLoop = scf::ForOp::create(
                b, l, index(b, 0), index(b, kernelH * kernelW), index(b, 1), perChannel,
                [&](OpBuilder &b, Location l, Value tap, ValueRange carried) {
                  SmallVector<Value> sum(carried);
                  Value kh = arith::DivUIOp::create(b, l, tap, index(b, kernelW));
                  Value kw = arith::RemUIOp::create(b, l, tap, index(b, kernelW));
                  Value row = arith::MulIOp::create(b, l, kh, dh);
                  Value shift = arith::MulIOp::create(b, l, kw, index(b, dilations[1]));
                  multiplyAdd(
                      b, l, c, kh, kw, row, allColumns,
                      [&](OpBuilder &b, int64_t p) -> Value {
                        return arith::AddIOp::create(b, l, shift, index(b, p * strides[1]));
                      },
                      sum);
                  scf::YieldOp::create(b, l, sum);
                });
            scf::YieldOp::create(b, l, tapLoop.getResults());
          });
      return SmallVector<Value>(channelLoop.getResults());
    };
    // With a padding, one loop over the filter rows inside the source per
    // filter column (its bounds vary with the tile, so it is not unrolled
    // either) for a window that starts at input column `start`, known
    // (then the taps outside the source are left out) or not (then every
    // tap is inside).
    auto accumulate = [&](OpBuilder &b, Location l, std::optional<int64_t> start) {
      auto channelLoop = scf::ForOp::create(
          b, l, zero, index(b, channels), index(b, 1), initial,
          [&](OpBuilder &b, Location l, Value c, ValueRange perChannel) {
            SmallVector<Value> acc(perChannel);
            for (int64_t kw = 0; kw < kernelW; ++kw) {
              SmallVector<int64_t> columns;
              for (int64_t p = 0; p < width; ++p)
                if (!start || inside(*start, p, kw))
                  columns.push_back(p);
              if (columns.empty())
                continue;
              auto rowLoop = scf::ForOp::create(
                  b, l, firstRow, endRow, index(b, 1), acc,
                  [&](OpBuilder &b, Location l, Value kh, ValueRange carried) {
                    SmallVector<Value> sum(carried);
                    Value row = arith::AddIOp::create(
                        b, l, offsets[2],
                        arith::SubIOp::create(b, l, arith::MulIOp::create(b, l, kh, dh),
                                              index(b, padTop)));
                    multiplyAdd(
                        b, l, c, kh, index(b, kw), row, columns,
                        [&](OpBuilder &b, int64_t p) -> Value {
                          int64_t shift = p * strides[1] + kw * dilations[1] - padLeft;
                          if (start)
                            return index(b, *start + shift);
                          return arith::AddIOp::create(b, l, offsets[3], index(b, shift));
                        },
                        sum);
                    scf::YieldOp::create(b, l, sum);
                  });
              acc.assign(rowLoop.getResults().begin(), rowLoop.getResults().end());
            }
            scf::YieldOp::create(b, l, acc);
          });
      return SmallVector<Value>(channelLoop.getResults());
    };

    // The windows a tile can start at, every register tile's width of
    // output columns; those with taps outside the source get their own
    // accumulation, the others share one.
    SmallVector<int64_t> borders;
    bool anyInterior = false;
    if (pad) {
      Value rowsBefore =
          arith::SubIOp::create(rewriter, loc, index(rewriter, padTop), offsets[2]);
      firstRow = arith::MaxSIOp::create(
          rewriter, loc, zero, arith::CeilDivSIOp::create(rewriter, loc, rowsBefore, dh));
      endRow = arith::MinSIOp::create(
          rewriter, loc, index(rewriter, kernelH),
          arith::CeilDivSIOp::create(
              rewriter, loc,
              arith::AddIOp::create(rewriter, loc, rowsBefore, index(rewriter, sourceH)),
              dh));
      int64_t paddedW = cast<RankedTensorType>(pad.getType()).getDimSize(3);
      int64_t outputW = (paddedW - dilations[1] * (kernelW - 1) - 1) / strides[1] + 1;
      for (int64_t first = 0; first < outputW; first += width) {
        int64_t start = first * strides[1];
        bool interior = true;
        for (int64_t p = 0; p < width; ++p)
          for (int64_t kw = 0; kw < kernelW; ++kw)
            interior &= inside(start, p, kw);
        if (interior)
          anyInterior = true;
        else
          borders.push_back(start);
      }
    }
    SmallVector<Value> sums;
    if (!pad) {
      sums = accumulateAllTaps(rewriter, loc);
    } else if (borders.empty()) {
      sums = accumulate(rewriter, loc, std::nullopt);
    } else if (!anyInterior && borders.size() == 1) {
      sums = accumulate(rewriter, loc, borders.front());
    } else {
      std::optional<int64_t> fallback;
      if (!anyInterior)
        fallback = borders.pop_back_val();
      SmallVector<Type> types(blocks * width, laneType);
      auto byWindow = scf::IndexSwitchOp::create(rewriter, loc, types, offsets[3], borders,
                                                 borders.size());
      auto fill = [&](Region &region, std::optional<int64_t> start) {
        OpBuilder b = OpBuilder::atBlockBegin(&region.emplaceBlock());
        scf::YieldOp::create(b, loc, accumulate(b, loc, start));
      };
      for (auto [region, start] : llvm::zip(byWindow.getCaseRegions(), borders))
        fill(region, start);
      fill(byWindow.getDefaultRegion(), fallback);
      sums.assign(byWindow.getResults().begin(), byWindow.getResults().end());
    }

    // Each block's accumulators, V x V at a time (V output columns of V
    // channels), transposed into rows of columns and, unless they were
    // seeded with them, added to the tile's initial rows (read and written
    // row by row, so that the producer's and the epilogue's rows are
    // forwarded as values).
    auto rowType = VectorType::get({width}, f32);
    Value poison = ub::PoisonOp::create(rewriter, loc, laneType);
    Value result = destination;
    for (int64_t j = 0; j < blocks; ++j) {
      SmallVector<Value> rows(lanes, ub::PoisonOp::create(rewriter, loc, rowType));
      for (int64_t first = 0; first < width; first += lanes) {
        int64_t count = std::min(lanes, width - first);
        SmallVector<Value> square(lanes, poison);
        for (int64_t p = 0; p < count; ++p)
          square[p] = sums[j * width + first + p];
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
        Value sum = rows[i];
        if (!seeded)
          sum = arith::AddFOp::create(
              rewriter, loc, sum,
              vector::TransferReadOp::create(rewriter, loc, rowType, init,
                                             ValueRange{zero, channel, zero, zero},
                                             padding, ArrayRef<bool>{true}));
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
