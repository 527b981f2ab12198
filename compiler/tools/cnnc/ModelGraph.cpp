//===- ModelGraph.cpp - A cnn-dialect model as a Graphviz graph -----------===//
//
// One node per layer of @forward (its name, op, output shape and learned
// parameters), one per input and output, an edge per tensor a layer reads.
// Layers whose names share a prefix ("layer1.0.conv1" and "layer1.0.bn1",
// or ONNX's "/layer1/layer1.0/conv1/Conv") are drawn inside a cluster per
// prefix, so that a network's blocks show as boxes around their layers.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/ModelGraph.h"
#include "compiler/tools/cnnc/ModelSummary.h"

#include "dialects/Cnn/IR/CnnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

#include <map>

using namespace mlir;

namespace cnnc {

namespace {

/// `text` as the inside of a DOT string.
std::string quoted(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

/// The fill colour of a layer, by what it does.
llvm::StringRef fillColour(Operation *op) {
  if (isa<cnn::MacCountOpInterface>(op))
    return "#cfe2f3"; // convolutions, dense layers: blue
  if (isa<cnn::BatchNormOp, cnn::LocalResponseNormOp>(op))
    return "#fff2cc"; // normalisation: yellow
  if (op->getName().stripDialect().contains("pool"))
    return "#fce5cd"; // pooling: orange
  if (isa<cnn::ReluOp, cnn::LeakyReluOp, cnn::TanhOp, cnn::SigmoidOp, cnn::SiluOp,
          cnn::EluOp, cnn::HardSigmoidOp, cnn::HardSwishOp, cnn::ClipOp, cnn::SoftmaxOp,
          cnn::LogSoftmaxOp, cnn::PReluOp, cnn::DropoutOp>(op))
    return "#d9ead3"; // activations: green
  if (isa<cnn::AddOp, cnn::SubOp, cnn::MulOp, cnn::DivOp, cnn::ConcatOp>(op))
    return "#e4d7f5"; // where paths meet: violet
  return "#eeeeee";
}

/// The scopes of a layer name: "layer1.0.conv1" -> {"layer1", "layer1.0"};
/// "/layer1/layer1.0/conv1/Conv" -> {"layer1", "layer1.0", "conv1"}.
llvm::SmallVector<std::string> scopesOf(llvm::StringRef name) {
  char separator = name.contains('/') ? '/' : '.';
  llvm::SmallVector<llvm::StringRef> parts;
  name.split(parts, separator, -1, /*KeepEmpty=*/false);
  llvm::SmallVector<std::string> scopes;
  if (parts.size() < 2)
    return scopes;
  parts.pop_back();
  std::string prefix;
  for (llvm::StringRef part : parts) {
    prefix += (prefix.empty() ? "" : std::string(1, separator)) + part.str();
    scopes.push_back(separator == '/' ? part.str() : prefix);
  }
  return scopes;
}

/// A cluster of layers: the layers directly in it and the clusters nested.
struct Scope {
  std::string label;
  llvm::SmallVector<std::string> nodes; // DOT statements
  llvm::MapVector<std::string, std::unique_ptr<Scope>, std::map<std::string, unsigned>>
      children;
  int64_t size = 0;                     // layers in it and below

  Scope &child(const std::string &name) {
    std::unique_ptr<Scope> &slot = children[name];
    if (!slot) {
      slot = std::make_unique<Scope>();
      slot->label = name;
    }
    return *slot;
  }

  /// Prints the scope's nodes, each nested scope of more than one layer as
  /// a cluster and the others' layers in place.
  void print(llvm::raw_ostream &os, int depth, int &clusters) const {
    std::string indent(2 * depth, ' ');
    for (const std::string &node : nodes)
      os << indent << node << "\n";
    for (auto &[name, scope] : children) {
      if (scope->size < 2) {
        scope->print(os, depth, clusters);
        continue;
      }
      os << indent << "subgraph cluster_" << clusters++ << " {\n"
         << indent << "  label=\"" << quoted(scope->label) << "\";\n";
      scope->print(os, depth + 1, clusters);
      os << indent << "}\n";
    }
  }
};

} // namespace

LogicalResult printModelGraph(ModuleOp module, llvm::raw_ostream &os) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return module.emitError("the module has no @forward function to draw");

  // Names as values: the node of each tensor a layer may read.
  DenseMap<Value, std::string> nodeOf;
  Scope top;
  int64_t totalParams = 0;
  std::vector<std::string> edges;
  for (BlockArgument arg : forward.getArguments()) {
    auto name = forward.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                     cnn::CnnDialect::kInputAttrName);
    if (!name)
      continue;
    std::string node = "input" + std::to_string(arg.getArgNumber());
    nodeOf[arg] = node;
    top.nodes.push_back(node + " [label=\"input '" + quoted(name.getValue()) + "'\\n" +
                        shapeOf(arg.getType()) +
                        "\", shape=oval, fillcolor=\"#ffffff\"];");
  }
  int64_t layer = 0;
  Block &body = forward.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (!isa<cnn::CnnDialect>(op.getDialect()) || op.getNumResults() != 1)
      continue;
    std::string node = "layer" + std::to_string(layer++);
    std::string name = layerName(&op);
    int64_t params = learnedParameters(forward, &op);
    totalParams += params;
    std::string label = quoted(name) + "\\n" + op.getName().stripDialect().str() + "  " +
                        shapeOf(op.getResult(0).getType());
    if (params)
      label += "\\n" + withThousands(params) + " parameters";
    Scope *scope = &top;
    for (const std::string &prefix : scopesOf(name)) {
      scope = &scope->child(prefix);
      ++scope->size;
    }
    scope->nodes.push_back(node + " [label=\"" + label + "\", fillcolor=\"" +
                           fillColour(&op).str() + "\"];");
    nodeOf[op.getResult(0)] = node;
    llvm::SmallPtrSet<Value, 4> drawn;
    for (Value operand : op.getOperands()) {
      auto producer = nodeOf.find(operand);
      if (producer != nodeOf.end() && drawn.insert(operand).second)
        edges.push_back(producer->second + " -> " + node + ";");
    }
  }
  for (OpOperand &result : body.getTerminator()->getOpOperands()) {
    auto producer = nodeOf.find(result.get());
    if (producer == nodeOf.end())
      continue;
    unsigned index = result.getOperandNumber();
    auto name = forward.getResultAttrOfType<StringAttr>(index, cnn::CnnDialect::kOutputAttrName);
    std::string node = "output" + std::to_string(index);
    top.nodes.push_back(node + " [label=\"output" +
                        (name ? " '" + quoted(name.getValue()) + "'" : std::string()) +
                        "\\n" + shapeOf(result.get().getType()) +
                        "\", shape=oval, fillcolor=\"#ffffff\"];");
    edges.push_back(producer->second + " -> " + node + ";");
  }

  llvm::StringRef model = module.getSymName().value_or("model");
  os << "digraph \"" << quoted(model) << "\" {\n"
     << "  graph [label=\"" << quoted(model) << ": " << layer << " layers, "
     << withThousands(totalParams)
     << " parameters\", labelloc=t, fontname=\"Helvetica\", fontsize=14, "
        "style=\"rounded\", color=\"#888888\"];\n"
     << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
        "fontsize=10];\n"
     << "  edge [color=\"#555555\", arrowsize=0.6];\n";
  int clusters = 0;
  top.print(os, 1, clusters);
  for (const std::string &edge : edges)
    os << "  " << edge << "\n";
  os << "}\n";
  return success();
}

} // namespace cnnc
