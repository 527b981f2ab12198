//===- TileAndFuse.cpp - Tiling a dispatch group with its producers -------===//

#include "compiler/Codegen/TileAndFuse.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

using namespace mlir;

linalg::LinalgOp cnnc::groupEnd(linalg::LinalgOp root) {
  linalg::LinalgOp last = root;
  while (last->getNumResults() == 1 && last->getResult(0).hasOneUse()) {
    auto user = dyn_cast<linalg::LinalgOp>(*last->getResult(0).getUsers().begin());
    if (!user || !user.hasPureTensorSemantics() || !linalg::isElementwise(user) ||
        user->getNumResults() != 1 ||
        user->getResult(0).getType() != last->getResult(0).getType())
      break;
    last = user;
  }
  return last;
}

namespace {

/// Tile sizes and loop order over the loops of `op` for sizes and an order
/// given over the dimensions of its result.
void loopTiles(linalg::LinalgOp op, ArrayRef<int64_t> resultSizes,
               ArrayRef<int64_t> resultOrder, SmallVectorImpl<OpFoldResult> &sizes,
               SmallVectorImpl<int64_t> &interchange) {
  MLIRContext *context = op.getContext();
  int64_t loops = op.getNumLoops();
  AffineMap map = op.getIndexingMapMatchingResult(op->getResult(0));
  SmallVector<int64_t> loopOf;
  for (AffineExpr expr : map.getResults())
    loopOf.push_back(cast<AffineDimExpr>(expr).getPosition());
  sizes.assign(loops, OpFoldResult(IntegerAttr::get(IndexType::get(context), 0)));
  for (auto [dim, size] : llvm::enumerate(resultSizes))
    sizes[loopOf[dim]] = IntegerAttr::get(IndexType::get(context), size);
  interchange.clear();
  for (size_t i = 0; i < resultSizes.size(); ++i)
    interchange.push_back(loopOf[resultOrder.empty() ? i : resultOrder[i]]);
  for (int64_t loop = 0; loop < loops; ++loop)
    if (!llvm::is_contained(interchange, loop))
      interchange.push_back(loop);
}

} // namespace

FailureOr<SmallVector<Operation *>> cnnc::tileAndFuse(RewriterBase &rewriter,
                                                linalg::LinalgOp last,
                                                ArrayRef<int64_t> resultSizes,
                                                ArrayRef<int64_t> resultOrder,
                                                scf::SCFTilingOptions::LoopType loops,
                                                ArrayRef<Attribute> mapping) {
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> interchange;
  loopTiles(last, resultSizes, resultOrder, sizes, interchange);
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(sizes).setInterchange(interchange).setLoopType(loops);
  if (!mapping.empty())
    tiling.setMapping(mapping);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        // linalg.unpack: a packed filter, which the kernel reads through.
        if (!isa<linalg::LinalgOp, linalg::UnPackOp>(producer.getOwner()))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  rewriter.setInsertionPoint(last);
  FailureOr<scf::SCFTileAndFuseResult> tiled = scf::tileConsumerAndFuseProducersUsingSCF(
      rewriter, cast<TilingInterface>(last.getOperation()), options);
  if (failed(tiled))
    return failure();
  for (OpResult result : last->getResults())
    if (Value replacement = tiled->replacements.lookup(result))
      rewriter.replaceAllUsesWith(result, replacement);
  return llvm::to_vector(tiled->tiledAndFusedOps);
}

