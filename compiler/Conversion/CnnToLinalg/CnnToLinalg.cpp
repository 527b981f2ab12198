//===- CnnToLinalg.cpp - cnn to linalg on tensors -------------------------===//
//
// Every layer becomes structured ops on tensors that the later tiling,
// fusion and vectorisation work on. The numerics follow PyTorch's
// definitions of the layers, which the end-to-end tests compare against.
// The patterns live by op family in the files beside this one.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/CnnToLinalg/CnnToLinalg.h"

#include "compiler/Conversion/CnnToLinalg/Lowering.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cnnc {
#define GEN_PASS_DEF_CONVERTCNNTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
namespace cnn = cnnc::cnn;

namespace {

struct ConvertCnnToLinalgPass
    : cnnc::impl::ConvertCnnToLinalgBase<ConvertCnnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<cnn::CnnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    cnnc::populateCnnToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void cnnc::populateCnnToLinalgConversionPatterns(RewritePatternSet &patterns) {
  lowering::populateConvolutionLoweringPatterns(patterns);
  lowering::populateNormalizationLoweringPatterns(patterns);
  lowering::populateActivationLoweringPatterns(patterns);
  lowering::populatePoolingLoweringPatterns(patterns);
  lowering::populateShapeLoweringPatterns(patterns);
  lowering::populateGradientLoweringPatterns(patterns);
  lowering::populateLossLoweringPatterns(patterns);
  lowering::populateOptimizerLoweringPatterns(patterns);
}
