//===- Pipelines.h - The named lowering pipelines of cnnc -------*- C++ -*-===//
//
// The stages a model goes through, each a pipeline that cnnc-opt can run by
// name:
//   cnnc-graph-to-linalg   cnn dialect -> linalg on tensors, fused and clean
//   cnnc-linalg-to-llvm-cpu  linalg on tensors -> LLVM dialect for the host
//   cnnc-cpu               both
//   cnnc-linalg-to-gpu     linalg on tensors -> kernels in one gpu.module,
//                          launched from the host functions
//   cnnc-gpu-to-nvvm       kernels -> NVVM -> PTX in a gpu.binary; the host
//                          side to the LLVM dialect
//   cnnc-nvptx             all three
//   cnnc-emulate-gpu       cnn dialect -> the GPU's kernels as loops, in
//                          the LLVM dialect for the host
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_PIPELINES_PIPELINES_H
#define CNNC_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace cnnc {

struct GraphToLinalgOptions : mlir::PassPipelineOptions<GraphToLinalgOptions> {
  Option<bool> foldBatchNorm{
      *this, "fold-batch-norm",
      llvm::cl::desc("Fold inference batch norms into the layer before them"),
      llvm::cl::init(true)};
};

/// cnn -> linalg on tensors: batch norms folded into their layers, then
/// lowered, with element-wise producers fused into their consumers. Runs on
/// a module.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm,
                                const GraphToLinalgOptions &options);

struct CpuPipelineOptions : mlir::PassPipelineOptions<CpuPipelineOptions> {
  /// As GraphToLinalgOptions, for cnnc-cpu, which runs both stages.
  Option<bool> foldBatchNorm{
      *this, "fold-batch-norm",
      llvm::cl::desc("Fold inference batch norms into the layer before them"),
      llvm::cl::init(true)};
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("The CPU to choose strategies for: host, avx512, avx2 or sse"),
      llvm::cl::init("host")};
  Option<std::string> strategyFile{
      *this, "strategy-file",
      llvm::cl::desc("Per-layer strategies that override the chosen ones")};
  Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("Compute the element-wise ops after a convolution, "
                     "pooling or matmul on its tiles"),
      llvm::cl::init(true)};
  Option<bool> packedConv{
      *this, "packed-conv",
      llvm::cl::desc("Let convolutions use the packed_conv kernel"),
      llvm::cl::init(true)};
  Option<bool> tile{*this, "tile",
                    llvm::cl::desc("Tile and vectorize the dispatch groups as "
                                   "their strategies say (off: plain loops)"),
                    llvm::cl::init(true)};
};

/// Linalg on tensors -> LLVM dialect: dispatch groups, a strategy for each
/// and its tiles and kernels, bufferization with the results turned into
/// out-parameters, deallocation, loops and vectors, and the LLVM dialect
/// with bare pointers for memrefs (every shape is static), so that
/// `@forward` takes one pointer per tensor: parameters, input, then outputs.
void buildLinalgToLLVMCpuPipeline(mlir::OpPassManager &pm,
                                  const CpuPipelineOptions &options);

/// Its second half, from bufferized code with deallocations: the memory
/// plan, the layers' checks, the parallel tiles, loops and the LLVM dialect.
void buildBufferizedToLLVMCpuPipeline(mlir::OpPassManager &pm);

struct GpuPipelineOptions : mlir::PassPipelineOptions<GpuPipelineOptions> {
  /// As GraphToLinalgOptions, for cnnc-nvptx, which runs every stage.
  Option<bool> foldBatchNorm{
      *this, "fold-batch-norm",
      llvm::cl::desc("Fold inference batch norms into the layer before them"),
      llvm::cl::init(true)};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU to generate code for (sm_80, "
                                          "sm_86, sm_89, sm_90)"),
                           llvm::cl::init("sm_90")};
  Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("Compute the element-wise ops after a convolution, "
                     "pooling or matmul in the same kernel"),
      llvm::cl::init(true)};
};

/// Linalg on tensors -> gpu.launch: dispatch groups, a GPU strategy for
/// each, its block and thread tiles, bufferization, and every parallel loop
/// nest mapped to blocks and threads.
void buildGpuMappingPipeline(mlir::OpPassManager &pm,
                             const GpuPipelineOptions &options);

/// The mapping, then every launch a kernel (gpu.func) in one gpu.module,
/// launched by gpu.launch_func: the mapped IR.
void buildLinalgToGpuPipeline(mlir::OpPassManager &pm,
                              const GpuPipelineOptions &options);

/// The mapping, then every launch run as loops over its blocks and threads
/// and lowered as the CPU's code is: the GPU's kernels checked on the CPU.
void buildEmulatedGpuPipeline(mlir::OpPassManager &pm,
                              const GpuPipelineOptions &options);

/// The mapped IR -> the kernels through NVVM to PTX, held in a gpu.binary
/// (@cnnc_kernels), and the host side in the LLVM dialect.
void buildGpuToNvvmPipeline(mlir::OpPassManager &pm,
                            const GpuPipelineOptions &options);

void registerPipelines();

} // namespace cnnc

#endif // CNNC_COMPILER_PIPELINES_PIPELINES_H
