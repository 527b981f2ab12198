//===- ModelSummary.cpp - Per-layer table of a cnn-dialect model ----------===//

#include "compiler/tools/cnnc/ModelSummary.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"

#include <limits>

using namespace mlir;

namespace cnnc {

/// 61706 -> "61,706".
std::string withThousands(int64_t value) {
  std::string digits = std::to_string(value), text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      text += ',';
    text += digits[i];
  }
  return text;
}

std::string shapeOf(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(cast<ShapedType>(type).getShape(), os, "x");
  return text;
}

std::string layerName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return "?";
}

int64_t learnedParameters(func::FuncOp forward, Operation *op) {
  int64_t count = 0;
  for (Value operand : op->getOperands())
    if (auto arg = dyn_cast<BlockArgument>(operand))
      if (arg.getOwner()->getParentOp() == forward &&
          forward.getArgAttr(arg.getArgNumber(), cnn::CnnDialect::kParamAttrName))
        count += cast<ShapedType>(arg.getType()).getNumElements();
  return count;
}

namespace {

struct Row {
  std::string name, op, shape;
  int64_t params, macs;
};

/// The most bytes of layer outputs alive at once in `forward`, each output
/// from the layer that computes it to the last that reads it (a view, such
/// as a flatten, extends what it views); the model's outputs, which the
/// caller provides, are left out. What an arena planned by liveness over
/// the layers needs at least.
int64_t peakActivationBytes(func::FuncOp forward) {
  Block &body = forward.getBody().front();
  // Each computed tensor: its first and last position in the body.
  DenseMap<Value, Value> viewed; // a view -> the tensor it views
  auto tensorOf = [&](Value value) {
    Value source = viewed.lookup(value);
    return source ? source : value;
  };
  llvm::MapVector<Value, std::pair<int64_t, int64_t>> lifetimes;
  DenseSet<Value> returned(body.getTerminator()->operand_begin(),
                           body.getTerminator()->operand_end());
  for (auto [position, op] : llvm::enumerate(body)) {
    for (Value operand : op.getOperands()) {
      auto found = lifetimes.find(tensorOf(operand));
      if (found != lifetimes.end())
        found->second.second = position;
    }
    if (op.getNumResults() != 1 || !isa<cnn::CnnDialect>(op.getDialect()))
      continue;
    Value result = op.getResult(0);
    if (isa<cnn::FlattenOp, cnn::ReshapeOp, cnn::DropoutOp>(op))
      viewed[result] = tensorOf(op.getOperand(0));
    else if (!returned.contains(result))
      lifetimes[result] = {position, position};
  }
  std::vector<int64_t> change(body.getOperations().size() + 1, 0);
  for (auto &[value, span] : lifetimes) {
    auto type = cast<ShapedType>(value.getType());
    int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
    change[span.first] += bytes;
    change[span.second + 1] -= bytes;
  }
  int64_t live = 0, peak = 0;
  for (int64_t delta : change)
    peak = std::max(peak, live += delta);
  return peak;
}

} // namespace

LogicalResult printModelSummary(ModuleOp module, raw_ostream &os) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return module.emitError("the module has no @forward function to summarise");

  int64_t totalParams = 0, totalBuffers = 0;
  std::string inputs;
  for (BlockArgument arg : forward.getArguments()) {
    int64_t count = cast<ShapedType>(arg.getType()).getNumElements();
    if (forward.getArgAttr(arg.getArgNumber(), cnn::CnnDialect::kParamAttrName))
      totalParams += count;
    else if (forward.getArgAttr(arg.getArgNumber(), cnn::CnnDialect::kBufferAttrName))
      totalBuffers += count;
    else if (auto name = forward.getArgAttrOfType<StringAttr>(
                 arg.getArgNumber(), cnn::CnnDialect::kInputAttrName))
      inputs += (inputs.empty() ? "" : ", ") + ("'" + name.str() + "' ") +
                shapeOf(arg.getType());
  }

  std::vector<Row> rows;
  int64_t totalMacs = 0, totalFixed = 0;
  forward.walk([&](Operation *op) {
    // Weights written in the model file are constants, not parameters.
    if (auto constant = dyn_cast<arith::ConstantOp>(op))
      if (auto type = dyn_cast<ShapedType>(constant.getType()))
        totalFixed += type.getNumElements();
    if (!isa<cnn::CnnDialect>(op->getDialect()))
      return;
    Row row{layerName(op), op->getName().stripDialect().str(),
            shapeOf(op->getResult(0).getType()), learnedParameters(forward, op), 0};
    if (auto cost = dyn_cast<cnn::MacCountOpInterface>(op))
      row.macs = cost.getMultiplyAccumulates();
    if (__builtin_add_overflow(totalMacs, row.macs, &totalMacs))
      totalMacs = std::numeric_limits<int64_t>::max();
    rows.push_back(std::move(row));
  });

  size_t nameWidth = 5, opWidth = 2, shapeWidth = 12;
  for (const Row &row : rows) {
    nameWidth = std::max(nameWidth, row.name.size());
    opWidth = std::max(opWidth, row.op.size());
    shapeWidth = std::max(shapeWidth, row.shape.size());
  }
  auto line = [&](StringRef index, StringRef name, StringRef op,
                  StringRef shape, StringRef params, StringRef macs) {
    os << llvm::left_justify(index, 4) << llvm::left_justify(name, nameWidth + 2)
       << llvm::left_justify(op, opWidth + 2)
       << llvm::left_justify(shape, shapeWidth + 2)
       << llvm::right_justify(params, 12) << llvm::right_justify(macs, 16) << "\n";
  };

  os << "Model " << module.getSymName().value_or("model") << ", input "
     << inputs << "\n\n";
  line("#", "Layer", "Op", "Output shape", "Parameters", "MACs");
  for (auto [index, row] : llvm::enumerate(rows))
    line(std::to_string(index), row.name, row.op, row.shape,
         withThousands(row.params), withThousands(row.macs));
  os << "\nTotal parameters: " << withThousands(totalParams) << "\n";
  if (totalFixed)
    os << "Fixed weights (written in the model file, not learned): "
       << withThousands(totalFixed) << "\n";
  if (totalBuffers)
    os << "Buffers (batch norm running statistics, not learned): "
       << withThousands(totalBuffers) << "\n";
  os << "Total multiply-accumulates: " << withThousands(totalMacs) << "\n";
  int64_t activations = peakActivationBytes(forward);
  bool mebibytes = activations >= (1 << 20);
  os << "Peak activation memory (layer outputs alive at once): "
     << llvm::format("%.2f", activations / (mebibytes ? 1024.0 * 1024.0 : 1024.0))
     << (mebibytes ? " MiB\n" : " KiB\n");
  return success();
}

} // namespace cnnc
