//===- ApproximateMath.cpp - Transcendental functions as polynomials ------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCAPPROXIMATEMATH
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct CnncApproximateMathPass
    : cnnc::impl::CnncApproximateMathBase<CnncApproximateMathPass> {
  void runOnOperation() override {
    auto approximated = [](StringRef name) {
      return llvm::is_contained({"math.tanh", "math.exp", "math.expm1", "math.log",
                                 "math.log1p", "math.log2", "math.erf", "math.erfc"},
                                name);
    };
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
