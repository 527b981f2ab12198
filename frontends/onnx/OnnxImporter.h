//===- OnnxImporter.h - ONNX model to the cnn dialect -----------*- C++ -*-===//

#ifndef CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H
#define CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

struct ImportOptions {
  /// The size of a dynamic batch dimension (1 when not given); a model
  /// whose batch is fixed keeps its own unless this is given.
  std::optional<int64_t> batch;
};

/// An initializer of the ONNX file: a weight of the model, by its ONNX name.
struct Weight {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// Reads the ONNX model at `path` and returns a module with one
/// `func.func @forward(weights..., inputs...)` in the cnn dialect, the
/// initializers it reads as weights in `weights` (in argument order). On
/// any problem prints one message "PATH: error: WHERE: WHAT" to `errors`,
/// naming the node, its op type and the opset, and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path,
                                                 mlir::MLIRContext &context,
                                                 const ImportOptions &options,
                                                 std::vector<Weight> &weights,
                                                 llvm::raw_ostream &errors);

/// The same for a model already in memory; `path` names it in messages.
mlir::OwningOpRef<mlir::ModuleOp> importOnnx(llvm::StringRef bytes, llvm::StringRef path,
                                             mlir::MLIRContext &context,
                                             const ImportOptions &options,
                                             std::vector<Weight> &weights,
                                             llvm::raw_ostream &errors);

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTENDS_ONNX_ONNXIMPORTER_H
