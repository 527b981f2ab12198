//===- LayerBuilder.h - One JSON layer to one cnn op ------------*- C++ -*-===//

#ifndef CNNC_FRONTENDS_JSON_LAYERBUILDER_H
#define CNNC_FRONTENDS_JSON_LAYERBUILDER_H

#include "frontends/json/BlockExpander.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <functional>

namespace cnnc::json {

enum class TensorRole { Parameter, Buffer };

/// A weight tensor of a layer: its role and how it is initialised when the
/// user gives no weights ("he_uniform", "glorot_uniform", "zeros", "ones").
struct TensorKind {
  TensorRole role;
  llvm::StringRef init;
};

/// Creates the function argument that holds a named weight tensor.
using TensorFactory = std::function<mlir::Value(
    const std::string &name, llvm::ArrayRef<int64_t> shape, TensorKind kind)>;

/// Builds the cnn op of one layer at the builder's insertion point. Reads the
/// layer's keys (rejecting unknown ones), creates its weights through
/// `makeTensor`, and checks the op against the dialect's shape rules; any
/// problem is thrown as an ImportError naming the layer. The op's location
/// is the layer's name at `source`, its place in the model file.
mlir::Value buildLayer(mlir::OpBuilder &builder, const LayerInstance &layer,
                       llvm::ArrayRef<mlir::Value> inputs,
                       const TensorFactory &makeTensor,
                       mlir::Location source);

/// Gives `op` (built with a placeholder result type) its inferred result
/// type and verifies it; the dialect's diagnostics become an ImportError
/// for `where`, and the op is erased. The ONNX frontend shares it.
void inferAndVerify(mlir::Operation *op, const std::string &where);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_LAYERBUILDER_H
