//===- Importer.h - The ONNX importer's state, across its files -*- C++ -*-===//
//
// One Importer walks one graph. Its methods live by theme: the values and
// the walk (OnnxImporter.cpp), one cnn op per node (LayerOps.cpp), and the
// folding of shape computations (ShapeFolding.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_ONNX_IMPORTER_H
#define CNNC_FRONTENDS_ONNX_IMPORTER_H

#include "frontends/onnx/OnnxImporter.h"
#include "frontends/onnx/Tensors.h"

#include "frontends/json/ImportError.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

#include <map>
#include <optional>

namespace cnnc::onnx_import {

using json::ImportError;

/// A node's attributes by name, read with defaults; reading marks an
/// attribute as understood, and the rest are refused.
class Attributes {
public:
  Attributes(const onnx::NodeProto &node, std::string where) : where(std::move(where)) {
    for (const onnx::AttributeProto &attribute : node.attribute())
      byName[attribute.name()] = &attribute;
  }
  bool has(llvm::StringRef name) const { return byName.count(name.str()); }
  int64_t integer(llvm::StringRef name, int64_t fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::INT);
    return attribute ? attribute->i() : fallback;
  }
  float number(llvm::StringRef name, float fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::FLOAT);
    return attribute ? attribute->f() : fallback;
  }
  std::string text(llvm::StringRef name, llvm::StringRef fallback) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::STRING);
    return attribute ? attribute->s() : fallback.str();
  }
  std::optional<llvm::SmallVector<int64_t>> integers(llvm::StringRef name) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::INTS);
    if (!attribute)
      return std::nullopt;
    return llvm::SmallVector<int64_t>(attribute->ints().begin(), attribute->ints().end());
  }
  std::optional<Known> tensor(llvm::StringRef name) {
    const onnx::AttributeProto *attribute = get(name, onnx::AttributeProto::TENSOR);
    if (!attribute)
      return std::nullopt;
    return readTensor(attribute->t(), where);
  }
  /// Refuses what is left: an attribute cnnc would otherwise ignore.
  void rejectUnread() const {
    for (const auto &[name, attribute] : byName)
      if (!read.contains(name))
        throw ImportError{where, "cnnc does not implement the attribute '" + name + "'"};
  }
  /// Marks attributes that do not change the result (as storage_order).
  void ignore(llvm::StringRef name) { read.insert(name); }

private:
  const onnx::AttributeProto *get(llvm::StringRef name, onnx::AttributeProto::AttributeType type) {
    auto found = byName.find(name.str());
    if (found == byName.end())
      return nullptr;
    read.insert(name);
    if (found->second->type() != type)
      throw ImportError{where, "attribute '" + name.str() + "' is a " +
                                   onnx::AttributeProto::AttributeType_Name(
                                       found->second->type()) +
                                   ", expected " +
                                   onnx::AttributeProto::AttributeType_Name(type)};
    return found->second;
  }
  std::string where;
  std::map<std::string, const onnx::AttributeProto *> byName;
  llvm::StringSet<> read;
};

/// Imports one ONNX graph into a module with func.func @forward.
class Importer {
public:
  Importer(mlir::MLIRContext &context, llvm::StringRef path, const ImportOptions &options,
           std::vector<Weight> &weights)
      : context(context), builder(&context), path(path.str()), options(options),
        weights(weights) {}

  mlir::OwningOpRef<mlir::ModuleOp> run(const onnx::ModelProto &model);

private:
  // The node being imported, for messages and locations.
  struct NodeContext {
    const onnx::NodeProto &node;
    std::string where;
    mlir::Location loc;
    Attributes attributes;
  };

  void importNode(const onnx::NodeProto &node);
  void importOp(NodeContext &n);
  bool fold(NodeContext &n);

  /// The value named `name` as a tensor of the graph: a layer's result, an
  /// input, a weight argument for an initializer, or a constant.
  /// An initializer that becomes a weight is a buffer with `buffer`.
  mlir::Value value(const std::string &name, const std::string &where, bool buffer = false);
  /// The known values of `name`, or null when it is computed at run time.
  const Known *known(const std::string &name) const;
  const Known &requireKnown(const std::string &name, const std::string &where,
                            llvm::StringRef role) const;
  mlir::Value weightArgument(const std::string &name, const Known &tensor, bool buffer);
  /// Builds op `opName` at the node, its result type inferred and verified.
  mlir::Value build(llvm::StringRef opName, mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attributes, NodeContext &n);
  mlir::Value input(NodeContext &n, int index, bool buffer = false);
  bool hasInput(NodeContext &n, int index) const {
    return index < n.node.input_size() && !n.node.input(index).empty();
  }
  llvm::ArrayRef<int64_t> shapeOf(mlir::Value value) const {
    return llvm::cast<mlir::RankedTensorType>(value.getType()).getShape();
  }
  void define(NodeContext &n, mlir::Value result, int index = 0);
  void defineKnown(NodeContext &n, Known known, int index = 0);
  void expectOutputs(NodeContext &n, int count);

  mlir::NamedAttribute i64Array(llvm::StringRef name, llvm::ArrayRef<int64_t> values) {
    return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(values));
  }

  // The ops, by family.
  mlir::Value convolution(NodeContext &n);
  mlir::Value transposedConvolution(NodeContext &n);
  mlir::Value pooling(NodeContext &n, bool max);
  mlir::Value globalPooling(NodeContext &n, bool max);
  mlir::Value gemm(NodeContext &n);
  mlir::Value matmul(NodeContext &n);
  mlir::Value pad(NodeContext &n);
  mlir::Value resize(NodeContext &n);
  mlir::Value reshapeTo(mlir::Value input, llvm::ArrayRef<int64_t> shape, NodeContext &n);
  /// An f32 constant of `shape` (one element broadcasts against any tensor).
  mlir::Value constant(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values);
  /// Transpose's `perm` (the dimensions reversed by default), checked.
  llvm::SmallVector<int64_t> permutation(NodeContext &n, int64_t rank);
  llvm::SmallVector<int64_t> squeezedShape(NodeContext &n, llvm::ArrayRef<int64_t> shape);
  std::vector<int64_t> reshapeTarget(NodeContext &n, llvm::ArrayRef<int64_t> in);
  llvm::SmallVector<int64_t> windowPadding(NodeContext &n, llvm::ArrayRef<int64_t> inputSpatial,
                                     llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                                     llvm::ArrayRef<int64_t> dilations);

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  std::vector<Weight> &weights;
  int64_t opset = 0;
  mlir::Block *body = nullptr;
  std::map<std::string, mlir::Value> values;
  std::map<std::string, Known> constants;
  std::map<std::string, mlir::Value> weightArguments;
  llvm::SmallVector<mlir::DictionaryAttr> weightAttributes;
};

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTENDS_ONNX_IMPORTER_H
