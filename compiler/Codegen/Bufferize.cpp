//===- Bufferize.cpp - One-shot bufferization with linalg copies ----------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"

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

    bufferization::BufferResultsToOutParamsOpts outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    outParams.memCpyFn = cnnc::createLinalgCopy;
    if (failed(bufferization::promoteBufferResultsToOutParams(getOperation(),
                                                               outParams)))
      signalPassFailure();
  }
};

} // namespace
