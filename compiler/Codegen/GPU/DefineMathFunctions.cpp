//===- DefineMathFunctions.cpp - libdevice's math as LLVM intrinsics ------===//

#include "compiler/Codegen/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCGPUDEFINEMATHFUNCTIONS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The body of a libdevice function: its arguments to one intrinsic.
using BodyBuilder = function_ref<Value(OpBuilder &, Location, ValueRange)>;

template <typename IntrinsicOp>
Value oneIntrinsic(OpBuilder &builder, Location loc, ValueRange arguments) {
  return IntrinsicOp::create(builder, loc, arguments.front().getType(), arguments)
      .getResult();
}

/// libdevice's name of a function (the float version ends in 'f') -> the
/// intrinsic that computes it.
std::optional<Value (*)(OpBuilder &, Location, ValueRange)>
intrinsicFor(StringRef name) {
  name.consume_front("__nv_");
  StringRef base = name.ends_with("f") && name != "fabs" ? name.drop_back() : name;
  return llvm::StringSwitch<std::optional<Value (*)(OpBuilder &, Location, ValueRange)>>(base)
      .Case("sqrt", oneIntrinsic<LLVM::SqrtOp>)
      .Cases({"fabs", "fabsf"}, oneIntrinsic<LLVM::FAbsOp>)
      .Case("floor", oneIntrinsic<LLVM::FFloorOp>)
      .Case("ceil", oneIntrinsic<LLVM::FCeilOp>)
      .Case("trunc", oneIntrinsic<LLVM::FTruncOp>)
      .Case("round", oneIntrinsic<LLVM::RoundOp>)
      .Case("rint", oneIntrinsic<LLVM::RintOp>)
      .Case("fma", oneIntrinsic<LLVM::FMAOp>)
      .Case("fmin", oneIntrinsic<LLVM::MinNumOp>)
      .Case("fmax", oneIntrinsic<LLVM::MaxNumOp>)
      .Case("copysign", oneIntrinsic<LLVM::CopySignOp>)
      .Default(std::nullopt);
}

struct CnncGpuDefineMathFunctionsPass
    : cnnc::impl::CnncGpuDefineMathFunctionsBase<CnncGpuDefineMathFunctionsPass> {
  void runOnOperation() override {
    OpBuilder builder(&getContext());
    for (auto function : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      if (!function.isExternal() || !function.getName().starts_with("__nv_"))
        continue;
      auto intrinsic = intrinsicFor(function.getName());
      if (!intrinsic) {
        function.emitError("a kernel calls libdevice's '")
            << function.getName() << "', which cnnc does not define";
        return signalPassFailure();
      }
      Block *body = function.addEntryBlock(builder);
      builder.setInsertionPointToStart(body);
      Value result = (*intrinsic)(builder, function.getLoc(), body->getArguments());
      LLVM::ReturnOp::create(builder, function.getLoc(), result);
      // Internal: each call inlines into one instruction.
      function.setLinkage(LLVM::Linkage::Internal);
    }
  }
};

} // namespace
