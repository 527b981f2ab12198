//===- ApplyStrategy.cpp - Tile each dispatch group and compute its tiles -===//
//
// Reads the #cnnc.lowering_config that cnnc-cpu-select-strategy put on a
// group's root and does what it says, with the upstream tiling interface:
// the group's last op is tiled (cache tile, then register tile) and the
// root and its accumulator's producer are fused into each tile, so that a
// register tile computes its initial value, its reduction and its epilogue
// back to back. Then each register tile's ops become vector code: the root
// by its kernel, the element-wise ops by the upstream vectorizer; the tile
// is handed from op to op as rows and written back as one vector.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/CPU/CombineRowWrites.h"
#include "compiler/Codegen/CPU/DirectConvKernel.h"
#include "compiler/Codegen/CPU/DotKernel.h"
#include "compiler/Codegen/CPU/PackedConvKernel.h"
#include "compiler/Codegen/Passes.h"
#include "compiler/Codegen/TileAndFuse.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCPUAPPLYSTRATEGY
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;
using cnnc::groupEnd;
using cnnc::tileAndFuse;

namespace {

/// The ops a rewrite erased (the greedy driver erases what a kernel leaves
/// dead, such as its accumulator's producer).
struct ErasedOps : RewriterBase::Listener {
  void notifyOperationErased(Operation *op) override { erased.insert(op); }
  llvm::DenseSet<Operation *> erased;
};

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
      // The register tile's ops: the kernel for the root first (it may
      // read its accumulator's producer itself, which is then dead), then
      // the vectorizer for the other linalg ops in the order they compute
      // (not for the linalg.unpack of packed_conv's filter, which the
      // kernel reads through).
      SmallVector<Operation *> tileOps(*inner);
      llvm::sort(tileOps, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      Operation *tileRoot = nullptr;
      for (Operation *op : tileOps)
        if (op->hasAttr(CnncDialect::kLoweringConfigAttrName))
          tileRoot = op;
      ErasedOps gone;
      if (tileRoot && config.getKernel() != Kernel::Vector)
        // A tile the kernel does not cover stays a linalg op: loops.
        (void)applyOpPatternsGreedily({tileRoot}, kernels,
                                      GreedyRewriteConfig().setListener(&gone));
      for (Operation *op : tileOps) {
        // (Erased ops are compared, not read.)
        if (gone.erased.contains(op) ||
            (op == tileRoot && config.getKernel() != Kernel::Vector))
          continue;
        if (isOpTriviallyDead(op)) {
          rewriter.eraseOp(op);
          continue;
        }
        auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
        if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
            linalgOp.hasDynamicShape())
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
      return signalPassFailure();
    // The untiled ops are gone. An unpacked filter that no kernel read
    // through (a tile the kernel does not cover) is computed: a transpose
    // and a reshape.
    SmallVector<linalg::UnPackOp> unpacks;
    func.walk([&](linalg::UnPackOp unpack) { unpacks.push_back(unpack); });
    for (linalg::UnPackOp unpack : unpacks) {
      rewriter.setInsertionPoint(unpack);
      if (failed(linalg::lowerUnPack(rewriter, unpack))) {
        unpack.emitError("cannot lower this unpacking of a filter");
        return signalPassFailure();
      }
    }
    // What leaves a tile is one write of the whole tile, not a chain of rows
    // (not in the set above, whose unrolling would undo it).
    RewritePatternSet tiles(&getContext());
    cnnc::populateCombineRowWritesPatterns(tiles);
    if (failed(applyPatternsGreedily(func, std::move(tiles))))
      signalPassFailure();
  }
};

} // namespace
