//===- ApplyStrategy.cpp - Tile each dispatch group and compute its tiles -===//
//
// Reads the #cnnc.lowering_config that cnnc-cpu-select-strategy put on a
// group's root and does what it says, with the upstream tiling interface:
// the group's last op is tiled (cache tile, then register tile) and the
// root and its accumulator's producer are fused into each tile, so that a
// register tile computes its initial value, its reduction and its epilogue
// back to back. Then each register tile's ops become vector code: the root
// by its kernel, the element-wise ops by the upstream vectorizer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/DirectConvKernel.h"
#include "compiler/Codegen/CPU/DotKernel.h"
#include "compiler/Codegen/CPU/PackedConvKernel.h"
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUAPPLYSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

/// The last op of the group around `root`: the end of the chain of
/// element-wise ops each of which is the only user of the one before
/// (cnnc-form-dispatch-groups put that chain beside the root).
linalg::LinalgOp groupEnd(linalg::LinalgOp root) {
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

/// Tiles `last` by `resultSizes`, fusing the structured ops it reads (the
/// root, and the producer of the root's accumulator) into the tile; a
/// padding is not fused: the padded input is computed once, before the
/// tiles. Returns the tiled ops, the tiled `last` first.
FailureOr<SmallVector<Operation *>> tileAndFuse(RewriterBase &rewriter,
                                                linalg::LinalgOp last,
                                                ArrayRef<int64_t> resultSizes,
                                                ArrayRef<int64_t> resultOrder,
                                                scf::SCFTilingOptions::LoopType loops) {
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> interchange;
  loopTiles(last, resultSizes, resultOrder, sizes, interchange);
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(sizes).setInterchange(interchange).setLoopType(loops);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (!isa<linalg::LinalgOp>(producer.getOwner()))
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

struct CnncCpuApplyStrategyPass
    : cnnc::impl::CnncCpuApplyStrategyBase<CnncCpuApplyStrategyPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<linalg::LinalgOp> roots;
    func.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(CnncDialect::kLoweringConfigAttrName))
        roots.push_back(op);
    });
    if (roots.empty())
      return;

    IRRewriter rewriter(&getContext());
    RewritePatternSet kernelPatterns(&getContext());
    cnnc::populateDirectConvKernelPatterns(kernelPatterns);
    cnnc::populateDotKernelPatterns(kernelPatterns);
    cnnc::populatePackedConvKernelPatterns(kernelPatterns);
    FrozenRewritePatternSet kernels(std::move(kernelPatterns));
    for (linalg::LinalgOp root : roots) {
      auto config = root->getAttrOfType<LoweringConfigAttr>(
          CnncDialect::kLoweringConfigAttrName);
      if (config.getKernel() == Kernel::Loops)
        continue;
      linalg::LinalgOp last = groupEnd(root);
      // Cache tiles are independent: an scf.forall, whose iterations
      // cnnc-cpu-outline-parallel-tiles spreads over the context's threads.
      auto outer = tileAndFuse(rewriter, last, config.getCacheTile(),
                               config.getLoopOrder(),
                               scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(outer)) {
        root.emitError("cannot tile this op by its cache tile");
        return signalPassFailure();
      }
      auto inner = tileAndFuse(rewriter, cast<linalg::LinalgOp>(outer->front()),
                               config.getRegisterTile(), config.getLoopOrder(),
                               scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(inner)) {
        root.emitError("cannot tile this op by its register tile");
        return signalPassFailure();
      }
      // The register tile's ops in the order they compute: the kernel for
      // the root, the vectorizer for the others, but for the unpacking of
      // packed_conv's filter, which the kernel reads through.
      SmallVector<Operation *> tileOps(*inner);
      llvm::sort(tileOps, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      for (Operation *op : tileOps) {
        if (op->hasAttr(CnncDialect::kLoweringConfigAttrName) &&
            config.getKernel() != Kernel::Vector) {
          // A tile the kernel does not cover stays a linalg op: loops.
          (void)applyOpPatternsGreedily({op}, kernels);
          continue;
        }
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
            linalgOp.hasDynamicShape() ||
            (config.getKernel() == Kernel::PackedConv && isa<linalg::TransposeOp>(op)))
          continue;
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::VectorizationResult> vectorized =
            linalg::vectorize(rewriter, op);
        if (succeeded(vectorized))
          rewriter.replaceOp(op, vectorized->replacements);
      }
    }
    // The untiled ops are dead now. The tiles' n-D vectors become rows of
    // the innermost dimension, the kernels' shape, so that each row the
    // accumulator's producer writes reaches the kernel, and each row the
    // kernel writes reaches the epilogue, as a value in registers.
    RewritePatternSet rows(&getContext());
    vector::populateVectorUnrollPatterns(
        rows, vector::UnrollVectorOptions().setNativeShapeFn(
                  [](Operation *op) -> std::optional<SmallVector<int64_t>> {
                    // The data of the tiles: element-wise ops, transfers and
                    // broadcasts of floats (a transpose, a reduction or index
                    // arithmetic keeps its shape).
                    auto isFloatVector = [](Type type) {
                      auto vector = dyn_cast<VectorType>(type);
                      return !vector || isa<FloatType>(vector.getElementType());
                    };
                    if ((!op->hasTrait<OpTrait::Elementwise>() &&
                         !isa<vector::TransferReadOp, vector::TransferWriteOp,
                              vector::BroadcastOp>(op)) ||
                        !llvm::all_of(op->getOperandTypes(), isFloatVector) ||
                        !llvm::all_of(op->getResultTypes(), isFloatVector))
                      return std::nullopt;
                    auto unrollable = dyn_cast<VectorUnrollOpInterface>(op);
                    std::optional<SmallVector<int64_t>> shape =
                        unrollable ? unrollable.getShapeForUnroll() : std::nullopt;
                    if (!shape || shape->size() < 2)
                      return std::nullopt;
                    SmallVector<int64_t> row(shape->size(), 1);
                    row.back() = shape->back();
                    return row;
                  }));
    vector::populateCastAwayVectorLeadingOneDimPatterns(rows);
    vector::TransferReadOp::getCanonicalizationPatterns(rows, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(rows, &getContext());
    if (failed(applyPatternsGreedily(func, std::move(rows))))
      signalPassFailure();
  }
};

} // namespace
