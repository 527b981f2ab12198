//===- Bufferize.cpp - One-shot bufferization with linalg copies ----------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCBUFFERIZE
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

LogicalResult cnnc::createLinalgCopy(OpBuilder &builder, Location loc,
                                     Value from, Value to) {
  linalg::CopyOp::create(builder, loc, from, to);
  return success();
}

namespace {

struct CnncBufferizePass : cnnc::impl::CnncBufferizeBase<CnncBufferizePass> {
  void runOnOperation() override {
    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    options.memCpyFn = cnnc::createLinalgCopy;
    bufferization::BufferizationState state;
    if (failed(bufferization::runOneShotModuleBufferize(getOperation(), options,
                                                        state)))
      return signalPassFailure();

    // Loops that carry a buffer return it unchanged, and a tile copied onto
    // itself is no copy: folding both lets the next step see that a
    // function returns the buffer it allocated, and compute its result in
    // the caller's buffer instead of copying it there.
    IRRewriter rewriter(&getContext());
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
    RewritePatternSet patterns(&getContext());
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : getContext().getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    bufferization::BufferResultsToOutParamsOpts outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    outParams.memCpyFn = cnnc::createLinalgCopy;
    if (failed(bufferization::promoteBufferResultsToOutParams(getOperation(),
                                                               outParams)))
      return signalPassFailure();
    getOperation().walk(computeIntoOutParameter);
  }

  /// `%b = alloc; ... call @f(..., %b); copy %b -> %out; return` with
  /// `%out` an out-parameter nothing else touches: the callee computes into
  /// `%out` directly. (The callee's result became an out-parameter only
  /// after the caller's return had been rewritten into this copy.)
  static void computeIntoOutParameter(linalg::CopyOp copy) {
    if (!copy.hasPureBufferSemantics())
      return;
    Value source = copy.getInputs()[0], target = copy.getOutputs()[0];
    auto alloc = source.getDefiningOp<memref::AllocOp>();
    auto argument = dyn_cast<BlockArgument>(target);
    if (!alloc || !argument || !argument.hasOneUse() ||
        source.getType() != target.getType() ||
        !isa<func::FuncOp>(argument.getOwner()->getParentOp()) ||
        !isa<func::ReturnOp>(copy->getNextNode()) ||
        alloc->getBlock() != copy->getBlock())
      return;
    copy->erase();
    alloc.getResult().replaceAllUsesWith(target);
    alloc->erase();
  }
};

} // namespace
