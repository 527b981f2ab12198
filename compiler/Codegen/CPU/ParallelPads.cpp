//===- ParallelPads.cpp - A group's padding, spread over the threads ------===//
//
// A convolution or a pooling with padding reads a padded copy of its input,
// made by the `tensor.pad` at the top of its group. Lowered as it is, the
// copy is one loop nest on the calling thread while the others wait (on
// ResNet-18 at 2 threads, a twentieth of the time). Here it becomes an
// `scf.forall` over one unpadded dimension (the largest; NCHW's channels),
// each iteration filling the border of its slice with the padding value
// (not the whole slice: the interior would be written twice) and copying
// its slice of the source into the interior a row at a time, as vectors,
// so that
// cnnc-cpu-outline-parallel-tiles shares it among the threads like any
// other tile loop.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUPARALLELPADS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The largest dimension of a static `pad` that it does not pad, or
/// nothing.
std::optional<int64_t> parallelDimension(tensor::PadOp pad) {
  RankedTensorType type = pad.getResultType();
  if (!type.hasStaticShape() || !pad.getSourceType().hasStaticShape() ||
      !pad.getConstantPaddingValue() || pad.getNofold() ||
      llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic) ||
      llvm::any_of(pad.getStaticHigh(), ShapedType::isDynamic))
    return std::nullopt;
  std::optional<int64_t> best;
  for (int64_t dim = 0; dim < type.getRank(); ++dim)
    if (pad.getStaticLow()[dim] == 0 && pad.getStaticHigh()[dim] == 0 &&
        type.getDimSize(dim) > 1 &&
        (!best || type.getDimSize(dim) > type.getDimSize(*best)))
      best = dim;
  return best;
}

/// `pad` as an scf.forall over `dim`: iteration i fills the border of slice
/// i of the result and copies slice i of the source into its interior.
void parallelize(RewriterBase &rewriter, tensor::PadOp pad, int64_t dim) {
  Location loc = pad.getLoc();
  RankedTensorType type = pad.getResultType();
  RankedTensorType sourceType = pad.getSourceType();
  int64_t rank = type.getRank();
  rewriter.setInsertionPoint(pad);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  auto forall = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(type.getDimSize(dim))},
      ValueRange{empty}, /*mapping=*/std::nullopt);
  Block *body = forall.getBody();
  rewriter.setInsertionPointToStart(body);
  Value index = forall.getInductionVar(0);
  Value shared = forall.getRegionIterArgs()[0];

  // Slice `index` of `dim`, whole in the others, of a tensor of `shape`.
  auto slice = [&](ArrayRef<int64_t> shape, SmallVectorImpl<OpFoldResult> &offsets,
                   SmallVectorImpl<OpFoldResult> &sizes) {
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(d == dim ? OpFoldResult(index) : rewriter.getIndexAttr(0));
      sizes.push_back(rewriter.getIndexAttr(d == dim ? 1 : shape[d]));
    }
  };
  SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> outOffsets, outSizes, inOffsets, inSizes;
  slice(type.getShape(), outOffsets, outSizes);
  slice(sourceType.getShape(), inOffsets, inSizes);
  Value filled = tensor::ExtractSliceOp::create(rewriter, loc, shared, outOffsets,
                                                outSizes, ones);
  // The border alone gets the padding value, one strip per side of each
  // padded dimension: inside the source's extent in the dimensions before
  // it, whole in those after it. The interior is the copy's.
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  for (int64_t d = 0; d < rank; ++d)
    for (auto [first, size] : {std::pair(int64_t(0), low[d]),
                               std::pair(low[d] + sourceType.getDimSize(d), high[d])}) {
      if (size == 0)
        continue;
      SmallVector<OpFoldResult> stripOffsets, stripSizes;
      for (int64_t e = 0; e < rank; ++e) {
        int64_t extent = e == dim ? 1 : (e < d ? sourceType.getDimSize(e) : type.getDimSize(e));
        stripOffsets.push_back(rewriter.getIndexAttr(e == d ? first : (e < d ? low[e] : 0)));
        stripSizes.push_back(rewriter.getIndexAttr(e == d ? size : extent));
      }
      Value strip = tensor::ExtractSliceOp::create(rewriter, loc, filled, stripOffsets,
                                                   stripSizes, ones);
      Value stripFilled =
          linalg::FillOp::create(rewriter, loc, pad.getConstantPaddingValue(), strip)
              .getResult(0);
      filled = tensor::InsertSliceOp::create(rewriter, loc, stripFilled, filled,
                                             stripOffsets, stripSizes, ones);
    }
  Value source = tensor::ExtractSliceOp::create(rewriter, loc, pad.getSource(),
                                                inOffsets, inSizes, ones);
  SmallVector<OpFoldResult> interior = pad.getMixedLowPad();
  Value window = tensor::ExtractSliceOp::create(rewriter, loc, filled, interior,
                                                inSizes, ones);
  // The interior row by row, each row one vector transfer (a linalg.copy
  // would be lowered to a loop of scalar moves): a loop over every other
  // dimension of the slice (whose extent in `dim` is 1, even where that is
  // the last).
  ArrayRef<int64_t> sliceShape = cast<RankedTensorType>(source.getType()).getShape();
  SmallVector<Value> lower, upper, steps;
  SmallVector<int64_t> loopDims;
  for (int64_t d = 0; d + 1 < rank; ++d)
    if (sliceShape[d] > 1) {
      loopDims.push_back(d);
      lower.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
      upper.push_back(arith::ConstantIndexOp::create(rewriter, loc, sliceShape[d]));
      steps.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
    }
  auto rowType = VectorType::get({sliceShape[rank - 1]}, type.getElementType());
  Value padding = pad.getConstantPaddingValue();
  scf::LoopNest rows = scf::buildLoopNest(
      rewriter, loc, lower, upper, steps, ValueRange{window},
      [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
        SmallVector<Value> at(rank, arith::ConstantIndexOp::create(b, l, 0));
        for (auto [d, iv] : llvm::zip(loopDims, ivs))
          at[d] = iv;
        Value row = vector::TransferReadOp::create(b, l, rowType, source, at, padding,
                                                   ArrayRef<bool>{true});
        return {vector::TransferWriteOp::create(b, l, row, args[0], at, ArrayRef<bool>{true})
                    .getResult()};
      });
  Value copied = rows.results.front();
  Value padded = tensor::InsertSliceOp::create(rewriter, loc, copied, filled, interior,
                                               inSizes, ones);
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(rewriter, loc, padded, shared, outOffsets,
                                        outSizes, ones);
  rewriter.replaceOp(pad, forall.getResults());
}

struct CnncCpuParallelPadsPass
    : cnnc::impl::CnncCpuParallelPadsBase<CnncCpuParallelPadsPass> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    IRRewriter rewriter(&getContext());
    for (tensor::PadOp pad : pads)
      if (std::optional<int64_t> dim = parallelDimension(pad))
        parallelize(rewriter, pad, *dim);
  }
};

} // namespace
