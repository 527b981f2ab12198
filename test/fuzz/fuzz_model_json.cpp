//===- fuzz_model_json.cpp - Fuzz the JSON frontend and the verifier ------===//
//
// Any byte string is a model file to import: it must be rejected with a
// message or imported into a module that verifies and can be summarised,
// never crash, hang or run out of memory.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/CheckImported.h"

#include "frontends/json/ModelImporter.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  mlir::OwningOpRef<mlir::ModuleOp> module = cnnc::json::importModel(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.json",
      context, {}, errorStream);
  checkImported(module, errors);
  return 0;
}
