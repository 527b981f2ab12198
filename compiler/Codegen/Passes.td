//===- Passes.td - Code generation passes of cnnc ----------*- tablegen -*-===//

#ifndef CNNC_CODEGEN_PASSES
#define CNNC_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def CnncBufferize : Pass<"cnnc-bufferize", "::mlir::ModuleOp"> {
  let summary = "Bufferize a lowered model; its results become out-parameters";
  let description = [{
    Bufferizes the module with function boundaries and identity layouts, as
    upstream `one-shot-bufferize` does, then turns each memref result into an
    argument the caller provides (a result computed into a fresh buffer is
    computed straight into the caller's), as `buffer-results-to-out-params`
    with hoisted allocations does. Every buffer copy either step needs is a
    `linalg.copy`, not a `memref.copy`: a strided `memref.copy` becomes a call
    to a runtime helper (`memrefCopy`) that compiled models do not link, while
    `linalg.copy` becomes loops like every other structured op.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def CnncFormDispatchGroups : Pass<"cnnc-form-dispatch-groups", "::mlir::ModuleOp"> {
  let summary = "Move each dispatch group of a model into a function of its own";
  let description = [{
    A dispatch group is one root op of a public function (the model's
    `@forward`, on tensors) with a reduction (a convolution, a pooling, a
    matmul), together with the element-wise op that computes its accumulator
    (a fill, the bias broadcast) and the padding of its inputs when nothing
    else uses them, and the chain of element-wise ops after it (batch norm,
    activation, residual add) each of which only the one before it uses.
    Every other op that computes a tensor is a group of its own. Each group
    becomes a private function named after the root's layer and called where
    its last op was; values read from outside become arguments, constants
    are copied in. Empty tensors and reshapes stay.

    A group is the unit that `cnnc-cpu-select-strategy` chooses a strategy
    for and that `cnnc-cpu-apply-strategy` tiles: its epilogue runs on each
    tile of the root's result. The functions are marked `noinline` for LLVM
    (`passthrough = ["noinline"]`), so that LLVM compiles one group at a
    time (its cost grows faster than the size of a function; DenseNet-121 as
    one function took minutes), and carry `cnnc.layer` (the layer whose
    output the group computes), `cnnc.num_outputs` and, where the root
    multiplies, `cnnc.multiply_adds`.

    `fuse-epilogues=false` leaves the element-wise chain after each root out
    of its group (each op then a group of its own), to measure what fusing
    the epilogue into the root's tiles brings.
  }];
  let options = [
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Put the element-wise ops after a root (batch norm, activation, "
           "residual add) into its group">,
  ];
  let dependentDialects = [
    "::mlir::func::FuncDialect",
    "::cnnc::codegen::CnncDialect",
  ];
}

def CnncCpuSelectStrategy : Pass<"cnnc-cpu-select-strategy", "::mlir::ModuleOp"> {
  let summary = "Choose how each dispatch group is tiled and computed on the CPU";
  let description = [{
    Puts a `#cnnc.lowering_config` on the root op of each dispatch group that
    a kernel covers, chosen from a model of the target (vector width, vector
    registers, cache sizes; docs/performance.md): for an NCHW convolution
    whose filter is an argument of its group, with output channels a
    multiple of the vector width, the packed kernel (vectors of output
    channels x columns of one row, over filters packed by
    `cnnc-pack-conv-filters`), unless it has stride 1 and filters that
    outweigh its input; otherwise the direct convolution kernel with a
    register tile of output channels x output rows x output columns that
    fills the vector registers without spilling; both with a cache tile
    whose input rows fit the L2 cache. An NCHW element-wise op that is its
    group's only linalg op (a batch norm and activation no root took as its
    epilogue) gets `kernel = vector`: a row of one channel a register tile.
    Roots without a kernel yet keep no attribute and become loops. A strategy file overrides the choice per
    layer; `packed-conv=false` keeps to the direct kernels.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "The CPU to choose for: host, avx512, avx2 or sse">,
    Option<"strategyFile", "strategy-file", "std::string", /*default=*/"\"\"",
           "A file of `LAYER = #cnnc.lowering_config<...>` lines that "
           "override the chosen strategies">,
    Option<"packedConv", "packed-conv", "bool", /*default=*/"true",
           "Let convolutions use the packed_conv kernel (off: the direct "
           "kernels only, to measure what packing brings)">,
  ];
  let dependentDialects = ["::cnnc::codegen::CnncDialect"];
}

def CnncPackConvFilters : Pass<"cnnc-pack-conv-filters", "::mlir::ModuleOp"> {
  let summary = "Give packed_conv groups their filters in blocks of output channels, innermost";
  let description = [{
    For each convolution whose lowering config says `packed_conv` and whose
    filter [F, C, KH, KW] is an argument of its group function, the argument
    becomes the packed filter [F / B, C, KH, KW, B], B the register tile's
    output channels: the filters a register tile reads are one contiguous
    block. The group unpacks it with a `linalg.unpack` (which the kernel
    reads through, so that it is never computed), and each caller packs the
    filter it passes (`tensor.expand_shape` into blocks, then
    `linalg.transpose`). In `@forward` a filter is a weight, so
    `cnnc-hoist-weight-transforms` moves the packing into `@prepare`: it
    runs once when weights are bound, not on every call.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def CnncHoistWeightTransforms : Pass<"cnnc-hoist-weight-transforms", "::mlir::ModuleOp"> {
  let summary = "Move what `@forward` computes from weights alone into `@prepare`";
  let description = [{
    The ops of `@forward` whose operands are weights (`cnn.param` and
    `cnn.buffer` arguments), constants or results of such ops, and that do
    not make a tensor larger than the weights they read (a packed filter, a
    batch norm's per-channel scale, not a bias broadcast to a whole
    activation), move into a new public function `@prepare`, which takes the
    weights they read and returns the tensors `@forward` then uses. Those
    tensors become arguments of `@forward` (`cnnc.prepared` names each), so
    they are computed once when the weights are bound, not on every call.
    Reshapes of a weight alone stay: they cost nothing.

    The module records the interface for the C entry points:
    `cnnc.prepare_arguments` (the `@forward` argument each `@prepare`
    argument is) and `cnnc.prepared_tensors` (the name and shape of each
    result of `@prepare`, which are the last arguments of `@forward`, in
    order).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def CnncCpuParallelPads : Pass<"cnnc-cpu-parallel-pads", "::mlir::func::FuncOp"> {
  let summary = "Pad tensors in parallel: each tensor.pad becomes an scf.forall";
  let description = [{
    Rewrites each static `tensor.pad` with a constant padding value into an
    `scf.forall` over the largest dimension it does not pad (NCHW's
    channels): iteration i fills the border of slice i of the padded tensor
    with the padding value and copies slice i of the source into its
    interior, a row at a time as vector transfers. It runs after `cnnc-cpu-apply-strategy`, when the paddings
    that the packed convolution reads through are gone.
    `cnnc-cpu-outline-parallel-tiles` then spreads the iterations over the
    context's threads, where the pad would have been a loop nest on one.
    A pad that pads every dimension of size above 1 stays as it is.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def CnncCpuApplyStrategy : Pass<"cnnc-cpu-apply-strategy", "::mlir::func::FuncOp"> {
  let summary = "Tile each dispatch group as its root's lowering config says";
  let description = [{
    For each op with a `#cnnc.lowering_config`: tiles the last op of its
    group (the root or the end of its element-wise chain) by the cache tile
    and then by the register tile, in the config's loop order, fusing the
    root and the op computing its accumulator into each tile, so the
    accumulator's initial value, the root and the epilogue are computed tile
    by tile. Then the kernel computes each register tile: `direct_conv`
    generates the register-blocked convolution in the vector dialect,
    `packed_conv` the one over packed filters (reading through a zero
    padding of its input to the unpadded tensor, so the padding is never
    made), `vector` vectorizes the tile's ops; the element-wise ops of the tile are
    vectorized in both cases, so that the epilogue reads the accumulators
    the kernel leaves in registers.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def CnncCpuOutlineParallelTiles : Pass<"cnnc-cpu-outline-parallel-tiles", "::mlir::ModuleOp"> {
  let summary = "Run the cache tiles of each group on the context's threads";
  let description = [{
    On bufferized code: each `scf.forall` at the top of a function (the
    cache tiles of cnnc-cpu-apply-strategy) becomes a function
    `@NAME_tiles(%begin, %end, buffers...)` that runs the iterations
    [begin, end) of the loop in its linear order, and a call of
    `@NAME_tiles_launch(%count, buffers...)`, a declaration marked
    `cnnc.parallel_launch = @NAME_tiles` that cnnc-cpu-lower-parallel-launches
    defines: it hands the tile function to the runtime's `cnnrt_parallel_for`,
    which splits the iterations into one contiguous range a thread. A loop
    whose body allocates or calls, or reads a value other than a buffer or a
    constant from outside, stays on the calling thread as `scf.for` loops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::scf::SCFDialect",
    "::cnnc::codegen::CnncDialect",
  ];
}

def CnncCpuLowerParallelLaunches : Pass<"cnnc-cpu-lower-parallel-launches", "::mlir::ModuleOp"> {
  let summary = "Define the launch functions of parallel tiles in the LLVM dialect";
  let description = [{
    After the lowering to the LLVM dialect (memrefs as bare pointers): each
    declaration marked `cnnc.parallel_launch = @TILES` gets a body that puts
    its pointer arguments into an array on the stack and calls
    `cnnrt_parallel_for(@TILES_entry, array, count)`; `@TILES_entry(begin,
    end, array)` loads the pointers back and calls `@TILES`. The runtime's
    signature is one for every loop: `void (int64_t, int64_t, void **)`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def CnncApproximateMath : Pass<"cnnc-approximate-math"> {
  let summary = "Compute transcendental functions by polynomials, in vectors";
  let description = [{
    Rewrites `math.tanh`, `math.exp`, `math.expm1`, `math.log`, `math.log1p`,
    `math.log2`, `math.erf` and `math.erfc` on f32, scalars and vectors, into
    the polynomial approximations of upstream MLIR (accurate to a few units in
    the last place; the end-to-end tests hold them to PyTorch's results).
    LLVM has no vector form of these functions without a vector math
    library: left alone, a vector of 16 becomes 16 calls to libm, which
    made tanh the largest cost of LeNet-5.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def CnncFuseElementwise : Pass<"cnnc-fuse-elementwise"> {
  let summary = "Fuse chains of element-wise ops, never into a reduction";
  let description = [{
    Upstream's `linalg-fuse-elementwise-ops`, restricted to element-wise
    consumers: batch norm, activation and residual add become one
    `linalg.generic`, while an activation in front of a dense layer or a
    pooling stays an op of its own. Fused into a reduction, it would be
    recomputed for every output that reads it (a ReLU before VGG's first
    dense layer 4,096 times over) and hide the contraction from the dense
    layer's kernel. For the same reason a producer that the consumer
    broadcasts (a batch norm's per-channel factors) is not fused.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CnncFoldPadIntoStridedInsert : Pass<"cnnc-fold-pad-into-strided-insert"> {
  let summary = "Fold a padding into the strided tensor.insert_slice that spreads it";
  let description = [{
    `tensor.insert_slice (tensor.pad %x low[l]) into (linalg.fill v) [o] [s]`,
    with the padding value v, becomes `tensor.insert_slice %x into (linalg.fill
    v) [o + l * s]`: the padded border only wrote v where v already was. The
    zero-insertion of a strided `cnn.conv_transpose2d` after a `cnn.pad` has
    this form. Upstream MLIR 22's canonicalization of `linalg.fill`
    (FoldInsertPadIntoFill) folds the same pair to offset `o + l`, ignoring
    the stride: a miscompile (docs/upstream-issues.md). cnnc runs this pass
    before the first canonicalization, so the wrong fold never sees the pair.
    Unit-stride inserts are left to the canonicalizer, which is right for them.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect"];
}

def CnncPlanActivationMemory : Pass<"cnnc-plan-activation-memory", "::mlir::func::FuncOp"> {
  let summary = "Place a function's buffers in one arena planned by liveness";
  let description = [{
    On bufferized code, after the deallocations are placed: each
    `memref.alloc` of the function's entry block with a static shape and an
    identity layout, freed by one `memref.dealloc` in the same block and
    otherwise used only there, lives from its allocation to the last op that
    uses it or anything computed from it (a view, a pointer taken from it).
    Buffers whose lifetimes do not overlap share memory: the largest buffer
    is placed first, each at the lowest offset (a multiple of 64 bytes) free
    throughout its lifetime. One `memref.alloc` of bytes at the start of the
    block becomes the arena, each buffer a `memref.view` of it at its offset,
    and one `memref.dealloc` at the end frees it.

    The ownership-based deallocation of upstream MLIR frees a buffer at the
    end of its block, not after its last use, so without the plan every
    activation of a model is alive at once. With it, the model's
    intermediate memory is close to the largest set of activations alive at
    once, and one call of the model makes one allocation, which the runtime
    takes from the blocks the previous call released.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def CnncDeduplicateFunctions : Pass<"cnnc-deduplicate-functions", "::mlir::ModuleOp"> {
  let summary = "Keep one of each set of private functions with equal bodies";
  let description = [{
    Private functions with the same type, the same attributes (but their
    names) and bodies equal op for op (locations aside) are one function:
    the first in the module stays and every call of the others calls it.
    Layers of the same shape and strategy (DenseNet's 3x3 convolutions
    within a dense block, ResNet's repeated blocks) become one function,
    which LLVM compiles once.

    Runs after `cnnc-instrument-layers`, which names each layer at its call
    site: before it, merging would lose which layer a call computes.
  }];
}

def CnncInstrumentLayers : Pass<"cnnc-instrument-layers", "::mlir::ModuleOp"> {
  let summary = "Let the runtime check each layer's outputs and time each layer";
  let description = [{
    After each call of a public function to a layer function of
    cnnc-form-dispatch-groups (marked `cnnc.layer`), on bufferized code: calls
    `cnnrt_check_finite(address, count, layer name)` for each output buffer
    the layer wrote (its out-parameters, the last arguments of the call, one
    per result the layer had). The runtime checks only when the context asks
    for it (the executable's `--check-numerics`) and then names the first
    layer whose output is not finite; otherwise the call returns at once.
    The callee's `cnnc.num_outputs` says how many outputs it has.

    In `@forward`, then `cnnrt_profile_layer(layer name, multiply-adds)`
    (the callee's `cnnc.multiply_adds`, or 0): when the context profiles
    (the executable's `--profile`), the runtime adds the time since the
    previous layer ended to this one's; otherwise it returns at once. The
    pass removes the three attributes.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

//===----------------------------------------------------------------------===//
// GPU
//===----------------------------------------------------------------------===//

def CnncGpuSelectStrategy : Pass<"cnnc-gpu-select-strategy", "::mlir::ModuleOp"> {
  let summary = "Choose how each dispatch group is spread over GPU blocks and threads";
  let description = [{
    Puts a `#cnnc.gpu_config` on the last op of each dispatch group (the
    functions of `cnnc-form-dispatch-groups`): the end of the epilogue after
    a root, or the group's only op. Over an NCHW result a block takes up to
    32 output columns x 4 rows x a block of output channels, one thread an
    output pixel (of 4 output channels where the root reduces and they
    divide evenly, so that each input value read serves 4 filters), so that
    neighbouring threads write neighbouring columns (coalesced); about 256
    threads a block. A matrix [N, M] takes blocks of 4 x 64, a thread one
    element; other ranks tile their last dimension by 32.
  }];
}

def CnncGpuApplyStrategy : Pass<"cnnc-gpu-apply-strategy", "::mlir::func::FuncOp"> {
  let summary = "Tile each dispatch group into blocks and threads as its gpu_config says";
  let description = [{
    Tiles the op that carries `#cnnc.gpu_config` by its block tile into an
    `scf.forall` (the grid), fusing the group's root and the producer of its
    accumulator, then each block tile by the thread tile into a nested
    `scf.forall` (the threads of a block), fusing again: a thread computes
    its outputs' initial value, reduction and epilogue back to back. The
    loops' dimensions run innermost result dimension first, so that the
    first (x) dimension of blocks and threads walks the contiguous columns.
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def CnncGpuDistribute : Pass<"cnnc-gpu-distribute", "::mlir::func::FuncOp"> {
  let summary = "Turn tiles into parallel loops and every other structured op into one";
  let description = [{
    On bufferized code: a buffer allocated inside a tile (a fused
    producer's result, a pooling's window) becomes a `memref.alloca`, the
    thread's private memory (an error beyond 256 elements); each
    `scf.forall` becomes an `scf.parallel`, a
    structured op inside one becomes sequential loops (what a thread does),
    and a structured op outside any (a copy bufferization made, a padding, a
    concatenation's slice) becomes an `scf.parallel` over its elements in
    row-major order, tiled by 256 (a block of 256 threads, neighbours on
    neighbouring elements). Upstream `gpu-map-parallel-loops` then maps the first
    level of parallel loops to blocks and the second to threads, and
    `convert-parallel-loops-to-gpu` turns each nest into a `gpu.launch`.
  }];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def CnncGpuMergeKernelModules : Pass<"cnnc-gpu-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "Gather every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` puts each kernel into a `gpu.module` of its own;
    this pass moves every kernel into the first one, renamed `@cnnc_kernels`,
    and redirects the launches, so that a model's kernels are one PTX module
    that the driver loads once.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def CnncGpuLaunchToLoops : Pass<"cnnc-gpu-launch-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Run each gpu.launch as loops over its blocks and threads, on the CPU";
  let description = [{
    Replaces a `gpu.launch` with `scf.for` loops over its grid (z, y, x)
    and, inside, over its block's threads (z, y, x), and the body once with
    each block's and thread's ids. The kernels that
    `cnnc-linalg-to-gpu` maps, with their bounds, guards and index
    arithmetic, then run on the CPU (`cnnc compile --emulate-gpu`), where
    their results are checked against PyTorch on machines without a GPU.
    Launches with barriers, shared memory, clusters or async tokens are
    refused: one thread after the other would not run them as a GPU does.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def CnncGpuDefineMathFunctions : Pass<"cnnc-gpu-define-math-functions", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Define the libdevice functions that kernels call, with LLVM intrinsics";
  let description = [{
    `convert-gpu-to-nvvm` lowers `math.sqrt`, `math.absf`, `math.floor` and
    their kin to calls of CUDA's libdevice (`__nv_sqrtf`, ...), which
    `gpu-module-to-binary` links only where it finds a CUDA toolkit: a
    compiled model would then depend on the machine that compiled it. This
    pass gives each such declaration a body of one LLVM intrinsic
    (`llvm.intr.sqrt`, ...), which the NVPTX back end compiles to one
    instruction. The transcendental functions are polynomials already
    (`cnnc-approximate-math`); a kernel that still calls another libdevice
    function is an error that names it.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // CNNC_CODEGEN_PASSES
