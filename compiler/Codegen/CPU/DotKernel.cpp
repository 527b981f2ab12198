//===- DotKernel.cpp - Dense layers as vector dot products ----------------===//
//
// A register tile of a dense layer is N x M outputs, each the dot product of
// an input row and a weight row, both contiguous along k:
//
//   acc[n][m] = 0 (a vector of `lanes`)
//   for k in steps of lanes:
//     acc[n][m] = fma(in[n, k:k+lanes], w[m, k:k+lanes], acc[n][m])
//   out[n, m] = init[n, m] + sum of the lanes of acc[n][m] + the tail of k
//
// Each loaded input vector serves M multiply-adds and each weight vector N
// of them. At batch 1 a dense layer reads every weight once: the kernel
// streams the weights at the speed of memory, as any would.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DotKernel.h"

#include "compiler/Codegen/CPU/DirectConvKernel.h"
#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace cnnc::codegen;

namespace {

struct DotKernel : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    auto config = op->getAttrOfType<LoweringConfigAttr>(
        CnncDialect::kLoweringConfigAttrName);
    if (!config || config.getKernel() != Kernel::Dot || !isDenseLayer(op) ||
        !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not a dot tile on tensors");
    Value input = op.getDpsInputs()[0], weight = op.getDpsInputs()[1];
    Value init = op.getDpsInits()[0];
    auto outType = cast<RankedTensorType>(init.getType());
    auto inType = cast<RankedTensorType>(input.getType());
    if (!outType.hasStaticShape() || !inType.hasStaticShape() ||
        !cast<RankedTensorType>(weight.getType()).hasStaticShape() ||
        !outType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not a static f32 tile");
    for (auto [size, tile] : llvm::zip(outType.getShape(), config.getRegisterTile()))
      if (tile != 0 && size > tile)
        return rewriter.notifyMatchFailure(op, "larger than a register tile");

    int64_t rows = outType.getDimSize(0), columns = outType.getDimSize(1);
    int64_t depth = inType.getDimSize(1), lanes = config.getVectorSize();
    int64_t mainDepth = depth - depth % lanes;
    SmallVector<int64_t> tail = cnnc::rowChunks(depth % lanes, lanes);

    Location loc = op.getLoc();
    Type f32 = outType.getElementType();
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Value padding = arith::ConstantOp::create(rewriter, loc, f32,
                                              rewriter.getFloatAttr(f32, 0.0));
    auto load = [&](OpBuilder &b, Value source, Value row, Value k, int64_t size) {
      return vector::TransferReadOp::create(b, loc, VectorType::get({size}, f32),
                                            source, ValueRange{row, k}, padding,
                                            ArrayRef<bool>{true})
          .getResult();
    };
    // The products of inputs and weights at `k`, `size` lanes, added into
    // `acc` [n][m].
    auto multiplyAdd = [&](OpBuilder &b, Value k, int64_t size,
                           SmallVectorImpl<Value> &acc) {
      SmallVector<Value> inputs, weights;
      for (int64_t n = 0; n < rows; ++n)
        inputs.push_back(load(b, input, index(b, n), k, size));
      for (int64_t m = 0; m < columns; ++m)
        weights.push_back(load(b, weight, index(b, m), k, size));
      for (int64_t n = 0; n < rows; ++n)
        for (int64_t m = 0; m < columns; ++m)
          acc[n * columns + m] =
              vector::FMAOp::create(b, loc, inputs[n], weights[m], acc[n * columns + m]);
    };

    auto vectorType = VectorType::get({lanes}, f32);
    Value zeros = arith::ConstantOp::create(rewriter, loc, vectorType,
                                            DenseElementsAttr::get(vectorType, 0.0f));
    SmallVector<Value> sums(rows * columns, zeros);
    if (mainDepth > 0) {
      auto loop = scf::ForOp::create(
          rewriter, loc, index(rewriter, 0), index(rewriter, mainDepth),
          index(rewriter, lanes), sums,
          [&](OpBuilder &b, Location, Value k, ValueRange carried) {
            SmallVector<Value> acc(carried);
            multiplyAdd(b, k, lanes, acc);
            scf::YieldOp::create(b, loc, acc);
          });
      sums.assign(loop.getResults().begin(), loop.getResults().end());
    }
    // The tail of k, in smaller vectors, each summed on its own.
    SmallVector<Value> totals;
    for (Value sum : sums)
      totals.push_back(vector::ReductionOp::create(rewriter, loc,
                                                   vector::CombiningKind::ADD, sum));
    for (int64_t k = mainDepth, c = 0; c < int64_t(tail.size()); k += tail[c++]) {
      auto type = VectorType::get({tail[c]}, f32);
      Value tailZeros = arith::ConstantOp::create(rewriter, loc, type,
                                                  DenseElementsAttr::get(type, 0.0f));
      SmallVector<Value> acc(rows * columns, tailZeros);
      multiplyAdd(rewriter, index(rewriter, k), tail[c], acc);
      for (size_t i = 0; i < totals.size(); ++i)
        totals[i] = arith::AddFOp::create(
            rewriter, loc, totals[i],
            vector::ReductionOp::create(rewriter, loc, vector::CombiningKind::ADD, acc[i]));
    }

    // Row by row into the tile, on top of its initial value (the bias).
    auto rowType = VectorType::get({columns}, f32);
    Value result = init;
    for (int64_t n = 0; n < rows; ++n) {
      Value initial = load(rewriter, init, index(rewriter, n), index(rewriter, 0), columns);
      Value row = vector::FromElementsOp::create(
          rewriter, loc, rowType,
          ArrayRef<Value>(totals).slice(n * columns, columns));
      row = arith::AddFOp::create(rewriter, loc, initial, row);
      result = vector::TransferWriteOp::create(rewriter, loc, row, result,
                                               ValueRange{index(rewriter, n),
                                                          index(rewriter, 0)},
                                               ArrayRef<bool>{true})
                   .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void cnnc::populateDotKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<DotKernel>(patterns.getContext());
}
