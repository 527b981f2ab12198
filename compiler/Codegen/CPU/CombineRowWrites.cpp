//===- CombineRowWrites.cpp - One write for a tile written row by row -----===//
//
// The kernels and the unrolled epilogues hand a register tile over as rows
// (vectors of its innermost dimension), so that each row goes from producer
// to consumer as a value. Written back, the tile is a chain of row writes on
// tensors, each updating the last one's result. One-shot bufferization
// checks each write of such a chain against every other use of the tile's
// buffer, a cost that grows faster than the square of the rows (DenseNet's
// 64-row tiles took most of its compile time). Once nothing reads the tile
// in between, the chain is one write of one n-D vector; the lowering after
// bufferization unrolls it into the same row stores.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/CombineRowWrites.h"

#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace {

/// The position of the row that `write` writes whole into its static tensor
/// (its indices but the last, which is 0), or nothing if it writes anything
/// else.
std::optional<SmallVector<int64_t>> rowPosition(vector::TransferWriteOp write) {
  auto tensorType = dyn_cast<RankedTensorType>(write.getBase().getType());
  VectorType rowType = write.getVectorType();
  if (!tensorType || !tensorType.hasStaticShape() || tensorType.getRank() < 2 ||
      rowType.getRank() != 1 || rowType.getDimSize(0) != tensorType.getShape().back() ||
      write.getMask() || !write.getPermutationMap().isMinorIdentity() ||
      !write.getInBoundsValues()[0])
    return std::nullopt;
  std::optional<SmallVector<int64_t>> indices =
      getConstantIntValues(getAsOpFoldResult(write.getIndices()));
  if (!indices || indices->back() != 0)
    return std::nullopt;
  indices->pop_back();
  return indices;
}

struct CombineRowWrites : OpRewritePattern<vector::TransferWriteOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferWriteOp first,
                                PatternRewriter &rewriter) const override {
    // The chain starts at a write whose tensor no row write produced.
    std::optional<SmallVector<int64_t>> firstPosition = rowPosition(first);
    if (!firstPosition)
      return rewriter.notifyMatchFailure(first, "not a row write");
    if (auto previous = first.getBase().getDefiningOp<vector::TransferWriteOp>();
        previous && rowPosition(previous) && previous.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(first, "not the first write of its chain");

    auto tensorType = cast<RankedTensorType>(first.getBase().getType());
    int64_t rows = tensorType.getNumElements() / tensorType.getShape().back();
    SmallVector<vector::TransferWriteOp> chain{first};
    SmallVector<SmallVector<int64_t>> positions{*firstPosition};
    while (chain.size() < static_cast<size_t>(rows) &&
           chain.back().getResult().hasOneUse()) {
      auto next = dyn_cast<vector::TransferWriteOp>(
          *chain.back().getResult().getUsers().begin());
      if (!next || next.getBase() != chain.back().getResult())
        break;
      std::optional<SmallVector<int64_t>> position = rowPosition(next);
      if (!position)
        break;
      chain.push_back(next);
      positions.push_back(*position);
    }
    // As many distinct rows as the tensor has: every row is written once,
    // so what the tensor held before is overwritten whole.
    llvm::DenseSet<ArrayRef<int64_t>> distinct(positions.begin(), positions.end());
    if (chain.size() < 2 || distinct.size() != static_cast<size_t>(rows))
      return rewriter.notifyMatchFailure(first, "the rows do not cover the tensor");

    Location loc = first.getLoc();
    auto tileType = VectorType::get(tensorType.getShape(), tensorType.getElementType());
    rewriter.setInsertionPoint(chain.back());
    Value tile = ub::PoisonOp::create(rewriter, loc, tileType);
    for (auto [write, position] : llvm::zip(chain, positions))
      tile = vector::InsertOp::create(rewriter, loc, write.getVector(), tile, position);
    SmallVector<Value> zeros(
        tensorType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
    SmallVector<bool> inBounds(tensorType.getRank(), true);
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
        chain.back(), tile, first.getBase(), zeros, inBounds);
    return success();
  }
};

} // namespace

void cnnc::populateCombineRowWritesPatterns(RewritePatternSet &patterns) {
  patterns.add<CombineRowWrites>(patterns.getContext());
}
