//===- OutlineLayers.cpp - One function per layer -------------------------===//

#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCOUTLINELAYERS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The layer name in `loc`, also when fusion has merged locations.
std::string layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations()) {
      std::string name = layerName(part);
      if (!name.empty())
        return name;
    }
  return "";
}

/// A symbol-friendly name for the layer `op` comes from.
std::string layerSymbol(func::FuncOp parent, Operation *op, unsigned index) {
  std::string layer = layerName(op->getLoc());
  if (layer.empty())
    layer = "op" + std::to_string(index);
  for (char &c : layer)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  return (parent.getName() + "_" + layer).str();
}

void outline(Operation *op, func::FuncOp parent, SymbolTable &symbols,
             unsigned index) {
  // Arguments: the operands, then what the regions read from above; constants
  // are copied instead.
  SetVector<Value> used;
  getUsedValuesDefinedAbove(op->getRegions(), used);
  SetVector<Value> arguments(op->operand_begin(), op->operand_end());
  SmallVector<Operation *> constants;
  for (Value value : used) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(producer);
    else
      arguments.insert(value);
  }

  // After the model's other functions, in the order of the layers.
  OpBuilder builder(parent);
  builder.setInsertionPointToEnd(parent->getBlock());
  auto type = builder.getFunctionType(ValueRange(arguments.getArrayRef()).getTypes(),
                                      op->getResultTypes());
  auto callee = func::FuncOp::create(builder, op->getLoc(),
                                     layerSymbol(parent, op, index), type);
  callee.setPrivate();
  // LLVM's noinline, which the lowering to the LLVM dialect carries over.
  callee->setAttr("passthrough", builder.getStrArrayAttr({"noinline"}));
  // Which layer it computes, for cnnc-check-layer-outputs.
  std::string layer = layerName(op->getLoc());
  callee->setAttr(cnnc::kLayerAttrName,
                  builder.getStringAttr(layer.empty() ? callee.getName() : StringRef(layer)));
  callee->setAttr(cnnc::kNumOutputsAttrName,
                  builder.getI64IntegerAttr(op->getNumResults()));
  symbols.insert(callee);

  IRMapping mapping;
  Block *body = callee.addEntryBlock();
  for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
    mapping.map(value, argument);
  builder.setInsertionPointToStart(body);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  Operation *clone = builder.clone(*op, mapping);
  func::ReturnOp::create(builder, op->getLoc(), clone->getResults());

  builder.setInsertionPoint(op);
  auto call = func::CallOp::create(builder, op->getLoc(), callee,
                                   arguments.getArrayRef());
  op->replaceAllUsesWith(call.getResults());
  op->erase();
}

/// Whether `op` computes on tensor data, as opposed to naming a constant,
/// an empty tensor or another view of one, which stay where they are.
bool computes(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>() || op->hasTrait<OpTrait::IsTerminator>() ||
      isa<tensor::EmptyOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
          tensor::ExtractSliceOp, func::CallOp>(op))
    return false;
  return llvm::any_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>);
}

struct CnncOutlineLayersPass
    : cnnc::impl::CnncOutlineLayersBase<CnncOutlineLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (func::FuncOp func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isPrivate() || func.isExternal())
        continue;
      unsigned index = 0;
      for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
        if (computes(&op))
          outline(&op, func, symbols, index++);
    }
  }
};

} // namespace
