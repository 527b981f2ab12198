//===- cnnc-opt.cpp - mlir-opt with the cnn dialect and cnnc's passes -----===//
//
// Runs any pass or pipeline, cnnc's and upstream MLIR's, on a .mlir file, so
// that every transform of the compiler can be inspected and tested alone.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Codegen/IR/CodegenDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  cnnc::registerCnnTransformsPasses();
  cnnc::registerCnnConversionPasses();
  cnnc::registerCnncCodegenPasses();
  cnnc::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // For the passes that translate to LLVM IR on their own
  // (gpu-module-to-binary).
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<cnnc::cnn::CnnDialect, cnnc::codegen::CnncDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "cnnc modular optimizer driver\n", registry));
}
