//===- Pipelines.cpp - The named lowering pipelines of cnnc ---------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Codegen/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildGraphToLinalgPipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createConvertCnnToLinalg());
  // Before any canonicalization: upstream's fold of the same pair is wrong.
  func.addPass(createCnncFoldPadIntoStridedInsert());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  func.addPass(createLinalgElementwiseOpFusionPass());
  func.addPass(createCanonicalizerPass());
}

void cnnc::buildLinalgToLLVMCpuPipeline(OpPassManager &pm) {
  pm.addPass(createCnncOutlineLayers());
  pm.addPass(createCnncBufferize());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addPass(createCnncCheckLayerOutputs());

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  // Allocations call the generic functions, which the model's entry point
  // binds to the runtime's (a failed allocation becomes a status).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (tanhf) is a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::registerPipelines() {
  PassPipelineRegistration<>(
      "cnnc-graph-to-linalg",
      "Lower the cnn dialect to linalg on tensors, fused and cleaned up",
      buildGraphToLinalgPipeline);
  PassPipelineRegistration<>(
      "cnnc-linalg-to-llvm-cpu",
      "Bufferize linalg on tensors and lower it to the LLVM dialect for the host CPU",
      buildLinalgToLLVMCpuPipeline);
  PassPipelineRegistration<>(
      "cnnc-cpu", "Lower the cnn dialect to the LLVM dialect for the host CPU",
      [](OpPassManager &pm) {
        buildGraphToLinalgPipeline(pm);
        buildLinalgToLLVMCpuPipeline(pm);
      });
}
