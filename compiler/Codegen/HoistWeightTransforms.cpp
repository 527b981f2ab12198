//===- HoistWeightTransforms.cpp - Weight-only work moves into @prepare ---===//
//
// A packed filter or a batch norm's per-channel scale depends on the
// weights alone; computing it in `@forward` repeats it on every call. This
// pass moves such ops into `@prepare`, which the runtime calls once after
// binding the weights, and passes their results to `@forward` as arguments.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNCHOISTWEIGHTTRANSFORMS
#include "compiler/Codegen/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::codegen;

namespace {

int64_t numElements(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape() ? shaped.getNumElements() : 1;
}

/// Ops that a copy in `@prepare` can make for itself: no operands, no
/// effects (constants, empty tensors).
bool isConstantLike(Operation *op) {
  return op && op->getNumOperands() == 0 && op->getNumRegions() == 0 &&
         isMemoryEffectFree(op);
}

struct CnncHoistWeightTransformsPass
    : cnnc::impl::CnncHoistWeightTransformsBase<CnncHoistWeightTransformsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal() || module.lookupSymbol("prepare"))
      return;
    Block &body = forward.getBody().front();

    // Values computed from weights alone, and the ops computing them.
    DenseSet<Value> fromWeights;
    llvm::SetVector<Operation *> hoisted;
    for (BlockArgument argument : forward.getArguments())
      if (forward.getArgAttr(argument.getArgNumber(), cnnc::cnn::CnnDialect::kParamAttrName) ||
          forward.getArgAttr(argument.getArgNumber(), cnnc::cnn::CnnDialect::kBufferAttrName))
        fromWeights.insert(argument);
    for (Operation &op : body.without_terminator()) {
      if (!isHoistable(op, module))
        continue;
      bool readsWeights = false, onlyWeights = true;
      int64_t largestWeight = 0;
      for (Value operand : op.getOperands()) {
        if (fromWeights.contains(operand)) {
          readsWeights = true;
          largestWeight = std::max(largestWeight, numElements(operand.getType()));
        } else if (!isConstantLike(operand.getDefiningOp())) {
          onlyWeights = false;
        }
      }
      if (!readsWeights || !onlyWeights ||
          llvm::any_of(op.getResultTypes(), [&](Type type) {
            return numElements(type) > largestWeight;
          }))
        continue;
      hoisted.insert(&op);
      fromWeights.insert(op.result_begin(), op.result_end());
    }
    // A reshape whose result only `@forward` reads would be a copy of a
    // weight that saves nothing.
    for (bool changed = true; changed;) {
      changed = false;
      for (Operation *op : llvm::to_vector(hoisted)) {
        if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp>(op) ||
            llvm::any_of(op->getUsers(),
                         [&](Operation *user) { return hoisted.contains(user); }))
          continue;
        hoisted.remove(op);
        changed = true;
      }
    }
    if (hoisted.empty())
      return;

    // The weights `@prepare` reads and the values `@forward` then takes.
    llvm::SetVector<Value> weightsRead, prepared;
    for (Operation *op : hoisted) {
      for (Value operand : op->getOperands())
        if (isa<BlockArgument>(operand))
          weightsRead.insert(operand);
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !hoisted.contains(user); }))
          prepared.insert(result);
    }

    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointAfter(forward);
    SmallVector<Type> argumentTypes, resultTypes;
    for (Value weight : weightsRead)
      argumentTypes.push_back(weight.getType());
    for (Value value : prepared)
      resultTypes.push_back(value.getType());
    auto prepare = func::FuncOp::create(b, forward.getLoc(), "prepare",
                                        b.getFunctionType(argumentTypes, resultTypes));
    Block *entry = prepare.addEntryBlock();
    IRMapping mapping;
    for (auto [weight, argument] : llvm::zip(weightsRead, entry->getArguments()))
      mapping.map(weight, argument);
    b.setInsertionPointToStart(entry);
    for (Operation *op : hoisted) {
      for (Value operand : op->getOperands())
        if (!mapping.contains(operand))
          b.clone(*operand.getDefiningOp(), mapping);
      b.clone(*op, mapping);
    }
    SmallVector<Value> results;
    for (Value value : prepared)
      results.push_back(mapping.lookup(value));
    func::ReturnOp::create(b, forward.getLoc(), results);

    // `@forward` takes the prepared values as its last arguments.
    SmallVector<Attribute> tensors;
    llvm::StringMap<unsigned> nameCounts;
    for (Value value : prepared) {
      std::string name = preparedName(forward, value, hoisted);
      if (unsigned count = nameCounts[name]++)
        name += "." + std::to_string(count);
      auto type = cast<RankedTensorType>(value.getType());
      unsigned index = forward.getNumArguments();
      if (failed(forward.insertArgument(
              index, type,
              b.getDictionaryAttr(b.getNamedAttr(CnncDialect::kPreparedAttrName,
                                                 b.getStringAttr(name))),
              value.getLoc()))) {
        forward.emitError("cannot add an argument for a prepared tensor");
        return signalPassFailure();
      }
      value.replaceUsesWithIf(forward.getArgument(index), [&](OpOperand &use) {
        return !hoisted.contains(use.getOwner());
      });
      tensors.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(name)),
           b.getNamedAttr("shape", b.getDenseI64ArrayAttr(type.getShape()))}));
    }
    for (Operation *op : llvm::reverse(hoisted))
      op->erase();

    SmallVector<int64_t> argumentIndices;
    for (Value weight : weightsRead)
      argumentIndices.push_back(cast<BlockArgument>(weight).getArgNumber());
    module->setAttr(CnncDialect::kPrepareArgumentsAttrName,
                    b.getDenseI64ArrayAttr(argumentIndices));
    module->setAttr(CnncDialect::kPreparedTensorsAttrName, b.getArrayAttr(tensors));
  }

  /// Pure ops, and calls of the module's group functions (on tensors, a
  /// group computes its results from its arguments and nothing else).
  static bool isHoistable(Operation &op, ModuleOp module) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      return callee && callee.isPrivate() && !callee.isExternal();
    }
    return op.getNumResults() > 0 && isMemoryEffectFree(&op);
  }

  /// "<weight>.prepared", after the first weight `value` is computed from.
  static std::string preparedName(func::FuncOp forward, Value value,
                                  const llvm::SetVector<Operation *> &hoisted) {
    SmallVector<Value> worklist = {value};
    while (!worklist.empty()) {
      Value next = worklist.pop_back_val();
      if (auto argument = dyn_cast<BlockArgument>(next)) {
        for (StringRef role : {cnnc::cnn::CnnDialect::kParamAttrName,
                               cnnc::cnn::CnnDialect::kBufferAttrName})
          if (auto name = forward.getArgAttrOfType<StringAttr>(
                  argument.getArgNumber(), role))
            return (name.getValue() + ".prepared").str();
        continue;
      }
      Operation *op = next.getDefiningOp();
      if (hoisted.contains(op))
        for (Value operand : llvm::reverse(op->getOperands()))
          worklist.push_back(operand);
    }
    return "prepared";
  }
};

} // namespace
