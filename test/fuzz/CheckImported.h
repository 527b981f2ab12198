//===- CheckImported.h - What a fuzzed frontend must do with any input -*- C++ -*-===//
//
// Shared by the frontend fuzz targets: an import either fails with exactly
// one message, or gives a module that verifies and can be summarised.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TEST_FUZZ_CHECKIMPORTED_H
#define CNNC_TEST_FUZZ_CHECKIMPORTED_H

#include "compiler/tools/cnnc/ModelSummary.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>

/// Aborts (a finding for libFuzzer) unless `module` verifies and can be
/// summarised or, when null, `errors` holds exactly one line.
inline void checkImported(mlir::OwningOpRef<mlir::ModuleOp> &module, const std::string &errors) {
  if (!module) {
    if (errors.empty() || errors.find('\n') != errors.size() - 1)
      abort();
    return;
  }
  if (mlir::failed(mlir::verify(*module)))
    abort();
  std::string summary;
  llvm::raw_string_ostream summaryStream(summary);
  if (mlir::failed(cnnc::printModelSummary(*module, summaryStream)))
    abort();
}

#endif // CNNC_TEST_FUZZ_CHECKIMPORTED_H
