//===- Pipelines.cpp - The named lowering pipelines of cnnc ---------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Codegen/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildGraphToLinalgPipeline(OpPassManager &pm,
                                      const GraphToLinalgOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  if (options.foldBatchNorm)
    func.addPass(createCnnFoldBatchNorm());
  func.addPass(createConvertCnnToLinalg());
  // Before any canonicalization: upstream's fold of the same pair is wrong.
  func.addPass(createCnncFoldPadIntoStridedInsert());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  func.addPass(createCnncFuseElementwise());
  func.addPass(createCanonicalizerPass());
}

void cnnc::buildLinalgToLLVMCpuPipeline(OpPassManager &pm,
                                        const CpuPipelineOptions &options) {
  CnncFormDispatchGroupsOptions groups;
  groups.fuseEpilogues = options.fuseEpilogues;
  pm.addPass(createCnncFormDispatchGroups(groups));
  if (options.tile) {
    CnncCpuSelectStrategyOptions select;
    select.target = options.target;
    select.strategyFile = options.strategyFile;
    select.packedConv = options.packedConv;
    pm.addPass(createCnncCpuSelectStrategy(select));
    pm.addPass(createCnncPackConvFilters());
  }
  pm.addPass(createCnncHoistWeightTransforms());
  if (options.tile) {
    pm.addNestedPass<func::FuncOp>(createCnncCpuApplyStrategy());
    // After the kernels: the paddings that packed_conv reads through are
    // gone by then.
    pm.addNestedPass<func::FuncOp>(createCnncCpuParallelPads());
    // Forwards each tile's vectors from producer to consumer.
    pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createCSEPass());
  }
  pm.addNestedPass<func::FuncOp>(createCnncApproximateMath());
  pm.addPass(createCnncBufferize());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  buildBufferizedToLLVMCpuPipeline(pm);
}

/// What a model's host side gets on every target: one arena of
/// activations, the layers instrumented (profile, output checks), the
/// identical group functions merged.
static void addHostSidePasses(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(cnnc::createCnncPlanActivationMemory());
  pm.addPass(cnnc::createCnncInstrumentLayers());
  pm.addPass(cnnc::createCnncDeduplicateFunctions());
}

void cnnc::buildBufferizedToLLVMCpuPipeline(OpPassManager &pm) {
  addHostSidePasses(pm);
  pm.addPass(createCnncCpuOutlineParallelTiles());

  // Per function where a pass allows it, so that MLIR runs the functions
  // on every core (module passes run on one).
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createConvertLinalgToLoopsPass());
  // n-D vector transfers become 1-D ones, unrolled: a loop would keep the
  // vectors in stack memory.
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  loops.addPass(createConvertVectorToSCFPass(transfers));
  loops.addPass(createLowerAffinePass());
  loops.addPass(createSCFToControlFlowPass());
  loops.addPass(createConvertVectorToLLVMPass());
  loops.addPass(memref::createExpandStridedMetadataPass());
  // The address arithmetic of the expanded views.
  loops.addPass(createLowerAffinePass());
  loops.addPass(createConvertMathToLLVMPass());
  // Allocations call the generic functions, which the model's entry point
  // binds to the runtime's (a failed allocation becomes a status).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  // What LLVM has no intrinsic for (tanhf) is a libm call.
  pm.addPass(createConvertMathToLibmPass());
  OpPassManager &scalars = pm.nest<func::FuncOp>();
  scalars.addPass(createArithToLLVMConversionPass());
  scalars.addPass(createConvertIndexToLLVMPass());
  scalars.addPass(createUBToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCnncCpuLowerParallelLaunches());
  pm.addNestedPass<LLVM::LLVMFuncOp>(createCanonicalizerPass());
}

void cnnc::buildGpuMappingPipeline(OpPassManager &pm,
                                   const GpuPipelineOptions &options) {
  CnncFormDispatchGroupsOptions groups;
  groups.fuseEpilogues = options.fuseEpilogues;
  pm.addPass(createCnncFormDispatchGroups(groups));
  pm.addPass(createCnncGpuSelectStrategy());
  OpPassManager &tiles = pm.nest<func::FuncOp>();
  tiles.addPass(createCnncGpuApplyStrategy());
  tiles.addPass(createCanonicalizerPass());
  tiles.addPass(createCSEPass());
  // Transcendental functions as polynomials, as on the CPU: the NVVM
  // lowering would call libdevice, which a compiled model cannot count on.
  math::MathExpandOpsPassOptions powers;
  powers.opMnemonics = {"powf"};
  tiles.addPass(math::createMathExpandOpsPass(powers));
  tiles.addPass(createCnncApproximateMath());
  pm.addPass(createCnncBufferize());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createCnncGpuDistribute());
  loops.addPass(createGpuMapParallelLoopsPass());
  loops.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerAffinePass());
}

void cnnc::buildLinalgToGpuPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options) {
  buildGpuMappingPipeline(pm, options);
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCnncGpuMergeKernelModules());
}

void cnnc::buildGpuToNvvmPipeline(OpPassManager &pm,
                                  const GpuPipelineOptions &options) {
  // The host side as the CPU's, with functions that take bare pointers
  // (the entry point passes one a tensor).
  addHostSidePasses(pm);
  // As upstream's gpu-lower-to-nvvm-pipeline, with the libdevice functions
  // defined before the kernels are serialized.
  pm.addPass(createSCFToControlFlowPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  // PTX ISA 8.0 (CUDA 12.0): the first with sm_90, and read by every
  // driver since.
  target.features = "+ptx80";
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  kernels.addPass(createCnncGpuDefineMathFunctions());
  // The host's allocations call the generic functions, which the model's
  // entry point binds to the runtime's device allocator.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  GpuToLLVMConversionPassOptions gpuToLLVM;
  gpuToLLVM.hostBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(gpuToLLVM));
  // PTX text, which the driver compiles for the GPU it finds.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void cnnc::buildEmulatedGpuPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options) {
  buildGpuMappingPipeline(pm, options);
  pm.addNestedPass<func::FuncOp>(createCnncGpuLaunchToLoops());
  buildBufferizedToLLVMCpuPipeline(pm);
}

namespace {
/// The graph stage of a pipeline that runs every stage.
void buildGraphStage(OpPassManager &pm, bool foldBatchNorm) {
  cnnc::GraphToLinalgOptions graph;
  graph.foldBatchNorm = foldBatchNorm;
  cnnc::buildGraphToLinalgPipeline(pm, graph);
}
} // namespace

void cnnc::registerPipelines() {
  PassPipelineRegistration<GraphToLinalgOptions>(
      "cnnc-graph-to-linalg",
      "Lower the cnn dialect to linalg on tensors, fused and cleaned up",
      buildGraphToLinalgPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "cnnc-linalg-to-llvm-cpu",
      "Tile, vectorize and bufferize linalg on tensors and lower it to the LLVM "
      "dialect for the CPU",
      buildLinalgToLLVMCpuPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "cnnc-cpu", "Lower the cnn dialect to the LLVM dialect for the CPU",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        buildGraphStage(pm, options.foldBatchNorm);
        buildLinalgToLLVMCpuPipeline(pm, options);
      });
  PassPipelineRegistration<GpuPipelineOptions>(
      "cnnc-linalg-to-gpu",
      "Tile linalg on tensors into GPU blocks and threads and outline the "
      "kernels into one gpu.module",
      buildLinalgToGpuPipeline);
  PassPipelineRegistration<GpuPipelineOptions>(
      "cnnc-emulate-gpu",
      "Lower the cnn dialect to the GPU target's kernels and run them as "
      "loops on the CPU, in the LLVM dialect",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        buildGraphStage(pm, options.foldBatchNorm);
        buildEmulatedGpuPipeline(pm, options);
      });
  PassPipelineRegistration<GpuPipelineOptions>(
      "cnnc-gpu-to-nvvm",
      "Lower the kernels through NVVM to PTX and the host side to the LLVM "
      "dialect",
      buildGpuToNvvmPipeline);
  PassPipelineRegistration<GpuPipelineOptions>(
      "cnnc-nvptx", "Lower the cnn dialect to PTX kernels and their host side",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        buildGraphStage(pm, options.foldBatchNorm);
        buildLinalgToGpuPipeline(pm, options);
        buildGpuToNvvmPipeline(pm, options);
      });
}
