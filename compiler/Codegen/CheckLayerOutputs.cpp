//===- CheckLayerOutputs.cpp - Runtime checks of each layer's outputs -----===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/SymbolTable.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCCHECKLAYEROUTPUTS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kCheckFunction = "cnnrt_check_finite";

struct CnncCheckLayerOutputsPass
    : cnnc::impl::CnncCheckLayerOutputsBase<CnncCheckLayerOutputsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SymbolTable symbols(module);
    OpBuilder builder(ctx);
    Type i64 = builder.getI64Type();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    func::FuncOp check;
    llvm::StringMap<LLVM::GlobalOp> names;

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
        if (!check) {
          builder.setInsertionPointToEnd(module.getBody());
          check = func::FuncOp::create(builder, module.getLoc(), kCheckFunction,
                                       builder.getFunctionType({i64, i64, ptr}, {}));
          check.setPrivate();
          symbols.insert(check);
        }
        LLVM::GlobalOp name = nameGlobal(layer.getValue());
        builder.setInsertionPointAfter(call);
        Location loc = call.getLoc();
        for (Value output : call.getOperands().take_back(outputs.getInt())) {
          auto type = dyn_cast<MemRefType>(output.getType());
          if (!type || !type.hasStaticShape())
            continue;
          Value address = arith::IndexCastOp::create(
              builder, loc, i64,
              memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, output));
          Value count = arith::ConstantOp::create(
              builder, loc, builder.getI64IntegerAttr(type.getNumElements()));
          Value text = LLVM::AddressOfOp::create(builder, loc, name);
          func::CallOp::create(builder, loc, check, ValueRange{address, count, text});
        }
      });
    }
    for (func::FuncOp function : module.getOps<func::FuncOp>()) {
      function->removeAttr(cnnc::codegen::CnncDialect::kLayerAttrName);
      function->removeAttr(cnnc::codegen::CnncDialect::kNumOutputsAttrName);
    }
  }
};

} // namespace
