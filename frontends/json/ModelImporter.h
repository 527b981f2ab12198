//===- ModelImporter.h - JSON model file to the cnn dialect -----*- C++ -*-===//

#ifndef CNNC_FRONTENDS_JSON_MODELIMPORTER_H
#define CNNC_FRONTENDS_JSON_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <vector>

namespace cnnc::json {

struct ImportOptions {
  /// Compiles for this batch size instead of the file's "batch".
  std::optional<int64_t> batch;
  /// Compiles for this input shape (without the batch) instead of the file's.
  std::optional<std::vector<int64_t>> inputShape;
};

/// Reads the model file at `path` (or standard input for "-") and returns a
/// module with one `func.func @forward(params..., input)` in the cnn dialect.
/// On any problem prints one message "PATH[:LINE:COL]: error: WHERE: WHAT" to
/// `errors` and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importModelFile(llvm::StringRef path,
                                                  mlir::MLIRContext &context,
                                                  const ImportOptions &options,
                                                  llvm::raw_ostream &errors);

/// The same for a model already in memory; `path` names it in messages.
mlir::OwningOpRef<mlir::ModuleOp> importModel(llvm::StringRef text,
                                              llvm::StringRef path,
                                              mlir::MLIRContext &context,
                                              const ImportOptions &options,
                                              llvm::raw_ostream &errors);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_MODELIMPORTER_H
