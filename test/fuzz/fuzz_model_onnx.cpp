//===- fuzz_model_onnx.cpp - Fuzz the ONNX frontend and the verifier ------===//
//
// Any byte string is an ONNX file to import: it must be rejected with one
// message (and no weights) or imported into a module that verifies and can
// be summarised, never crash, hang or run out of memory.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/CheckImported.h"

#include "frontends/onnx/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  std::vector<cnnc::onnx_import::Weight> weights;
  mlir::OwningOpRef<mlir::ModuleOp> module = cnnc::onnx_import::importOnnx(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx", context, {},
      weights, errorStream);
  if (!module && !weights.empty())
    abort();
  checkImported(module, errors);
  return 0;
}
