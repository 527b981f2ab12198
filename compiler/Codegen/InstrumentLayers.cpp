//===- InstrumentLayers.cpp - Runtime checks and times of each layer ------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/SymbolTable.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCINSTRUMENTLAYERS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kCheckFunction = "cnnrt_check_finite";
constexpr llvm::StringLiteral kProfileFunction = "cnnrt_profile_layer";

struct CnncInstrumentLayersPass
    : cnnc::impl::CnncInstrumentLayersBase<CnncInstrumentLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SymbolTable symbols(module);
    OpBuilder builder(ctx);
    Type i64 = builder.getI64Type();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    func::FuncOp check, profile;
    llvm::StringMap<LLVM::GlobalOp> names;
    // A runtime function, declared once.
    auto declare = [&](func::FuncOp &function, StringRef name, TypeRange arguments) {
      if (!function) {
        builder.setInsertionPointToEnd(module.getBody());
        function = func::FuncOp::create(builder, module.getLoc(), name,
                                        builder.getFunctionType(arguments, {}));
        function.setPrivate();
        symbols.insert(function);
      }
      return function;
    };

    // The layer's name as a constant C string, once per layer, in a symbol
    // named after it.
    auto symbolName = [](StringRef layer) {
      std::string name = "cnnc_layer_name_";
      for (char c : layer)
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    };
    auto nameGlobal = [&](StringRef layer) {
      LLVM::GlobalOp &global = names[layer];
      if (!global) {
        builder.setInsertionPointToEnd(module.getBody());
        std::string text = (layer + Twine('\0')).str();
        auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), text.size());
        global = LLVM::GlobalOp::create(builder, module.getLoc(), type, /*isConstant=*/true,
                                        LLVM::Linkage::Internal,
                                        symbolName(layer),
                                        builder.getStringAttr(text));
        symbols.insert(global);
      }
      return global;
    };

    for (func::FuncOp function : module.getOps<func::FuncOp>()) {
      if (function.isPrivate() || function.isExternal())
        continue;
      function.walk([&](func::CallOp call) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        auto layer = callee ? callee->getAttrOfType<StringAttr>(cnnc::codegen::CnncDialect::kLayerAttrName) : nullptr;
        auto outputs = callee ? callee->getAttrOfType<IntegerAttr>(cnnc::codegen::CnncDialect::kNumOutputsAttrName)
                              : nullptr;
        if (!layer || !outputs || outputs.getInt() > call.getNumOperands())
          return;
        // The model's layers are timed, not the preparation of its weights.
        bool timed = function.getSymName() == "forward";
        declare(check, kCheckFunction, {i64, i64, ptr});
        if (timed)
          declare(profile, kProfileFunction, {ptr, i64});
        LLVM::GlobalOp name = nameGlobal(layer.getValue());
        builder.setInsertionPointAfter(call);
        Location loc = call.getLoc();
        Value text = LLVM::AddressOfOp::create(builder, loc, name);
        // The layer's time ends before its checks.
        if (timed) {
          auto macs = callee->getAttrOfType<IntegerAttr>(
              cnnc::codegen::CnncDialect::kMultiplyAddsAttrName);
          Value count = arith::ConstantOp::create(
              builder, loc, builder.getI64IntegerAttr(macs ? macs.getInt() : 0));
          func::CallOp::create(builder, loc, profile, ValueRange{text, count});
        }
        for (Value output : call.getOperands().take_back(outputs.getInt())) {
          auto type = dyn_cast<MemRefType>(output.getType());
          if (!type || !type.hasStaticShape())
            continue;
          Value address = arith::IndexCastOp::create(
              builder, loc, i64,
              memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, output));
          Value count = arith::ConstantOp::create(
              builder, loc, builder.getI64IntegerAttr(type.getNumElements()));
          func::CallOp::create(builder, loc, check, ValueRange{address, count, text});
        }
      });
    }
    for (func::FuncOp function : module.getOps<func::FuncOp>()) {
      function->removeAttr(cnnc::codegen::CnncDialect::kLayerAttrName);
      function->removeAttr(cnnc::codegen::CnncDialect::kNumOutputsAttrName);
      function->removeAttr(cnnc::codegen::CnncDialect::kMultiplyAddsAttrName);
    }
  }
};

} // namespace
