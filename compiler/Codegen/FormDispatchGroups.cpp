//===- FormDispatchGroups.cpp - One function per dispatch group -----------===//
//
// A dispatch group is the unit that the strategy passes tile and that LLVM
// compiles as one function: a root op (a convolution, a pooling, a matmul:
// anything with a reduction) with the ops that only feed it (the fill or bias
// broadcast of its accumulator, the padding of its input) and the chain of
// element-wise ops that only consume it (batch norm, activation, residual
// add). Keeping them together lets the strategy compute the accumulator's
// initial value and the epilogue on each tile while it is in registers.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCFORMDISPATCHGROUPS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::codegen::CnncDialect;

namespace {

/// A symbol-friendly name for the group whose root is `op`.
std::string groupSymbol(func::FuncOp parent, Operation *op, unsigned index) {
  std::string layer = cnnc::layerNameOf(op->getLoc());
  if (layer.empty())
    layer = "op" + std::to_string(index);
  for (char &c : layer)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  return (parent.getName() + "_" + layer).str();
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

/// A structured op that reduces (convolution, pooling, matmul, reduction):
/// what a group forms around.
bool isRoot(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.hasPureTensorSemantics() &&
         linalgOp.getNumReductionLoops() > 0 && op->getNumResults() == 1;
}

bool isElementwise(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.hasPureTensorSemantics() &&
         linalg::isElementwise(linalgOp) && op->getNumResults() == 1;
}

/// The ops of one group, in program order, its root first among equals.
struct Group {
  Operation *root;
  SmallVector<Operation *> ops;
};

/// The group around `root`: producers used by nothing else (the fill or
/// broadcast of its accumulator, the padding of an input), then, with
/// `epilogue`, the chain of element-wise ops each of which is the only user
/// of the one before.
Group formGroup(Operation *root, const DenseSet<Operation *> &taken, bool epilogue) {
  Group group{root, {}};
  SetVector<Operation *> members;
  auto linalgRoot = cast<linalg::LinalgOp>(root);
  for (OpOperand &operand : root->getOpOperands()) {
    Operation *producer = operand.get().getDefiningOp();
    if (!producer || taken.contains(producer) || !producer->hasOneUse() ||
        producer->getBlock() != root->getBlock())
      continue;
    // An accumulator's initial value is computed tile by tile; an input's
    // padding once, before the tiles (a tile of it would be recomputed by
    // every tile that reads its halo).
    if (linalgRoot.isDpsInit(&operand) ? isElementwise(producer)
                                       : isa<tensor::PadOp>(producer))
      members.insert(producer);
  }
  members.insert(root);
  Value output = root->getResult(0);
  while (epilogue && output.hasOneUse()) {
    Operation *user = *output.getUsers().begin();
    if (!isElementwise(user) || taken.contains(user) ||
        user->getBlock() != root->getBlock() ||
        user->getResult(0).getType() != output.getType())
      break;
    members.insert(user);
    output = user->getResult(0);
  }
  group.ops = llvm::to_vector(members);
  llvm::sort(group.ops, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return group;
}

/// The multiply-adds of a root that multiplies (a convolution, a matmul):
/// one per point of its iteration space; 0 for others (pooling) or
/// dynamic shapes.
int64_t multiplyAdds(Operation *root) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(root);
  if (!linalgOp || linalgOp.getNumReductionLoops() == 0 ||
      !llvm::any_of(linalgOp.getBlock()->getOperations(),
                    [](Operation &op) { return isa<arith::MulFOp>(op); }))
    return 0;
  int64_t points = 1;
  for (int64_t range : linalgOp.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(range))
      return 0;
    points *= range;
  }
  return points;
}

/// Moves `group` into a new private function, called where its last op was.
void outline(const Group &group, func::FuncOp parent, SymbolTable &symbols,
             unsigned index) {
  DenseSet<Operation *> inGroup(group.ops.begin(), group.ops.end());
  Operation *last = group.ops.back();

  // Arguments: what the ops read from outside the group; constants are
  // copied in instead, so that the code generator sees their values.
  SetVector<Value> arguments;
  SetVector<Operation *> constants;
  auto use = [&](Value value) {
    Operation *producer = value.getDefiningOp();
    if (producer && inGroup.contains(producer))
      return;
    // An empty tensor, too: as an argument, the result would be computed
    // into the caller's buffer and then copied into the out-parameter.
    if (producer && (producer->hasTrait<OpTrait::ConstantLike>() ||
                     isa<tensor::EmptyOp>(producer)))
      constants.insert(producer);
    else
      arguments.insert(value);
  };
  for (Operation *op : group.ops) {
    for (Value operand : op->getOperands())
      use(operand);
    SetVector<Value> above;
    getUsedValuesDefinedAbove(op->getRegions(), above);
    for (Value value : above)
      use(value);
  }

  // After the model's other functions, in the order of the layers.
  OpBuilder builder(parent);
  builder.setInsertionPointToEnd(parent->getBlock());
  auto type = builder.getFunctionType(ValueRange(arguments.getArrayRef()).getTypes(),
                                      last->getResultTypes());
  auto callee = func::FuncOp::create(builder, group.root->getLoc(),
                                     groupSymbol(parent, group.root, index), type);
  callee.setPrivate();
  // LLVM's noinline, which the lowering to the LLVM dialect carries over.
  callee->setAttr("passthrough", builder.getStrArrayAttr({"noinline"}));
  // The layers the group computes, "conv + bn + relu", for
  // cnnc-instrument-layers: only the group's output is checked.
  SmallVector<std::string> layers;
  for (Operation *op : group.ops)
    op->getLoc()->walk([&](Location loc) {
      if (auto name = dyn_cast<NameLoc>(loc))
        if (!llvm::is_contained(layers, name.getName().str()))
          layers.push_back(name.getName().str());
      // A name's own child is where the layer is written, not a layer.
      return isa<NameLoc>(loc) ? WalkResult::skip() : WalkResult::advance();
    });
  std::string label = layers.empty() ? callee.getName().str() : llvm::join(layers, " + ");
  callee->setAttr(CnncDialect::kLayerAttrName, builder.getStringAttr(label));
  callee->setAttr(CnncDialect::kNumOutputsAttrName,
                  builder.getI64IntegerAttr(last->getNumResults()));
  if (int64_t macs = multiplyAdds(group.root))
    callee->setAttr(CnncDialect::kMultiplyAddsAttrName, builder.getI64IntegerAttr(macs));
  symbols.insert(callee);

  IRMapping mapping;
  Block *body = callee.addEntryBlock();
  for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
    mapping.map(value, argument);
  builder.setInsertionPointToStart(body);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  for (Operation *op : group.ops)
    builder.clone(*op, mapping);
  func::ReturnOp::create(builder, last->getLoc(),
                         llvm::map_to_vector(last->getResults(), [&](Value v) {
                           return mapping.lookup(v);
                         }));

  builder.setInsertionPoint(last);
  auto call = func::CallOp::create(builder, last->getLoc(), callee,
                                   arguments.getArrayRef());
  last->replaceAllUsesWith(call.getResults());
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
}

struct CnncFormDispatchGroupsPass
    : cnnc::impl::CnncFormDispatchGroupsBase<CnncFormDispatchGroupsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (func::FuncOp func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isPrivate() || func.isExternal())
        continue;
      Block &block = func.getBody().front();
      // CSE leaves one zero fill for every accumulator of its shape; each
      // root computes its own on its tiles instead of copying a shared one.
      SmallVector<linalg::FillOp> shared;
      for (auto fill : block.getOps<linalg::FillOp>())
        if (!fill->hasOneUse() && llvm::all_of(fill->getUsers(), isRoot))
          shared.push_back(fill);
      for (linalg::FillOp fill : shared) {
        for (OpOperand &use : llvm::make_early_inc_range(fill->getUses())) {
          OpBuilder builder(use.getOwner());
          // Located at its root: the shared fill's location names every
          // layer that used it.
          Operation *own = builder.clone(*fill);
          own->setLoc(use.getOwner()->getLoc());
          use.set(own->getResult(0));
        }
        fill->erase();
      }
      // Roots first, so that they take their producers and consumers; then
      // every other computing op is a group of its own.
      DenseSet<Operation *> taken;
      SmallVector<Group> groups;
      for (Operation &op : block)
        if (isRoot(&op) && !taken.contains(&op)) {
          Group group = formGroup(&op, taken, fuseEpilogues);
          taken.insert(group.ops.begin(), group.ops.end());
          groups.push_back(std::move(group));
        }
      for (Operation &op : block)
        if (computes(&op) && !taken.contains(&op))
          groups.push_back(Group{&op, {&op}});
      llvm::sort(groups, [](const Group &a, const Group &b) {
        return a.ops.back()->isBeforeInBlock(b.ops.back());
      });
      for (auto [index, group] : llvm::enumerate(groups))
        outline(group, func, symbols, index);
    }
  }
};

} // namespace

std::string cnnc::layerNameOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations()) {
      std::string name = layerNameOf(part);
      if (!name.empty())
        return name;
    }
  return "";
}
