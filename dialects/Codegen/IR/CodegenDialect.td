//===- CodegenDialect.td - cnnc's code generation attributes -*- tablegen -*-===//
//
// The decisions of cnnc's code generator, written into the IR by the pass
// that makes them and read by the pass that applies them, so that each is
// tested alone and `--mlir-print-ir-after-all` shows what was chosen.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_CODEGEN_DIALECT
#define CNNC_CODEGEN_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Cnnc_Dialect : Dialect {
  let name = "cnnc";
  let cppNamespace = "::cnnc::codegen";
  let summary = "Code generation decisions of cnnc";
  let description = [{
    Holds no ops: only the attributes through which cnnc's code generation
    passes talk to each other. `cnnc-cpu-select-strategy` puts a
    `#cnnc.lowering_config` on the root op of each dispatch group (a
    convolution, a pooling, a matmul); `cnnc-cpu-apply-strategy` tiles the
    group as it says and generates its kernel. For the GPU,
    `cnnc-gpu-select-strategy` puts a `#cnnc.gpu_config` on the last op of
    each group and `cnnc-gpu-apply-strategy` maps the group's tiles to
    blocks and threads. The functions that
    `cnnc-form-dispatch-groups` makes carry `cnnc.layer` (the layer whose
    output the group computes), `cnnc.num_outputs` and, for a root that
    multiplies, `cnnc.multiply_adds`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The strategy of a dispatch group's root op.
    static constexpr ::llvm::StringLiteral kLoweringConfigAttrName =
        "cnnc.lowering_config";
    /// The GPU strategy of a dispatch group's last op.
    static constexpr ::llvm::StringLiteral kGpuConfigAttrName =
        "cnnc.gpu_config";
    /// On a dispatch group's function: the layer whose output it computes.
    static constexpr ::llvm::StringLiteral kLayerAttrName = "cnnc.layer";
    /// On a dispatch group's function: how many results it has.
    static constexpr ::llvm::StringLiteral kNumOutputsAttrName =
        "cnnc.num_outputs";
    /// On a dispatch group's function: the multiply-adds of its root, for
    /// the profile's GFLOP/s.
    static constexpr ::llvm::StringLiteral kMultiplyAddsAttrName =
        "cnnc.multiply_adds";
    /// On the declaration of a launch of parallel tiles: the function that
    /// runs a range of the tiles.
    static constexpr ::llvm::StringLiteral kParallelLaunchAttrName =
        "cnnc.parallel_launch";
    /// On an argument of `@forward`: the name of the tensor `@prepare`
    /// computes for it.
    static constexpr ::llvm::StringLiteral kPreparedAttrName = "cnnc.prepared";
    /// On the module: the `@forward` argument each `@prepare` argument is.
    static constexpr ::llvm::StringLiteral kPrepareArgumentsAttrName =
        "cnnc.prepare_arguments";
    /// On the module: name and shape of each result of `@prepare`.
    static constexpr ::llvm::StringLiteral kPreparedTensorsAttrName =
        "cnnc.prepared_tensors";
  }];
}

def Cnnc_Kernel : I32EnumAttr<"Kernel", "how the innermost tile is computed", [
  // Plain loops over scalars (linalg to loops): anything the others do not
  // cover yet.
  I32EnumAttrCase<"Loops", 0, "loops">,
  // The register tile of every op of the group vectorized as it stands
  // (element-wise ops, pooling, reductions).
  I32EnumAttrCase<"Vector", 1, "vector">,
  // A convolution as a register-blocked outer product: a block of output
  // channels x output rows x output columns held in vector registers,
  // vectors along the output columns, one broadcast filter tap times one
  // input row vector per fused multiply-add.
  I32EnumAttrCase<"DirectConv", 2, "direct_conv">,
  // The direct convolution of whole rows with stride 1, each output
  // channel's rows held as one flat vector that runs on through the
  // input's padding columns (computed and dropped), so that narrow layers
  // (7 or 14 columns) still fill the vector registers.
  I32EnumAttrCase<"DirectConvFlat", 3, "direct_conv_flat">,
  // A dense layer, out[n, m] = init[n, m] + sum_k in[n, k] * w[m, k]: each
  // output a dot product along the contiguous k, accumulated in vectors
  // and summed across the lanes at the end.
  I32EnumAttrCase<"Dot", 4, "dot">,
  // Max or sum pooling over NCHW rows held in vector registers: each output
  // row combined with the shifted input rows of its window.
  I32EnumAttrCase<"DirectPool", 5, "direct_pool">,
  // A convolution whose filters cnnc-pack-conv-filters packed with the
  // output channels innermost ([C, KH, KW, F]): a block of output channels
  // x output columns of one row held in vector registers, vectors along the
  // output channels, one filter vector times one broadcast input value per
  // fused multiply-add; the block is transposed into rows at the end. No
  // lane idles on narrow or strided layers. An input padded with zeros is
  // read unpadded, the taps on the padding left out.
  I32EnumAttrCase<"PackedConv", 6, "packed_conv">
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::codegen";
}

def Cnnc_LoweringConfigAttr : AttrDef<Cnnc_Dialect, "LoweringConfig"> {
  let mnemonic = "lowering_config";
  let summary = "How a dispatch group is tiled and which kernel computes a tile";
  let description = [{
    Tile sizes count elements of the root op's result dimensions (for an
    NCHW convolution: batch, output channels, output rows, output columns);
    0 leaves a dimension whole.

    - `cache_tile`: the outer tiles, sized so a tile's working set stays in
      the caches; the unit of work a thread takes.
    - `register_tile`: the tile one kernel invocation computes with its
      accumulators in registers. It divides `cache_tile`.
    - `loop_order`: the order of the tile loops, outermost first, as a
      permutation of the result dimensions (default: in order).
    - `vector_size`: elements of one vector register; a kernel holds a row of
      its tile in vectors of at most this size.

    ```mlir
    %2 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<
           kernel = direct_conv, cache_tile = [1, 64, 8, 56],
           register_tile = [1, 4, 1, 56], loop_order = [0, 2, 1, 3],
           vector_size = 16>} ...
    ```
  }];
  let parameters = (ins
    EnumParameter<Cnnc_Kernel>:$kernel,
    ArrayRefParameter<"int64_t", "outer tile sizes">:$cache_tile,
    ArrayRefParameter<"int64_t", "innermost tile sizes">:$register_tile,
    OptionalArrayRefParameter<"int64_t", "tile loop order">:$loop_order,
    "int64_t":$vector_size
  );
  let assemblyFormat = [{
    `<` `kernel` `=` $kernel `,` `cache_tile` `=` `[` $cache_tile `]` `,`
    `register_tile` `=` `[` $register_tile `]` `,`
    (`loop_order` `=` `[` $loop_order^ `]` `,`)? `vector_size` `=` $vector_size `>`
  }];
  let genVerifyDecl = 1;
}

def Cnnc_GpuConfigAttr : AttrDef<Cnnc_Dialect, "GpuConfig"> {
  let mnemonic = "gpu_config";
  let summary = "How a dispatch group is spread over GPU blocks and threads";
  let description = [{
    Tile sizes count elements of the result dimensions of the group's last
    op (for an NCHW convolution and its epilogue: batch, output channels,
    output rows, output columns); 0 leaves a dimension whole.

    - `block_tile`: the tile one thread block computes; the blocks of the
      grid take the tiles in parallel.
    - `thread_tile`: the tile one thread of the block computes, its
      reduction in a sequential loop. It divides `block_tile`, and the block
      has as many threads as `block_tile` has thread tiles (at most 1024).

    ```mlir
    %2 = linalg.conv_2d_nchw_fchw {cnnc.gpu_config = #cnnc.gpu_config<
           block_tile = [1, 16, 4, 32], thread_tile = [1, 4, 1, 1]>} ...
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "block tile sizes">:$block_tile,
    ArrayRefParameter<"int64_t", "thread tile sizes">:$thread_tile
  );
  let assemblyFormat = [{
    `<` `block_tile` `=` `[` $block_tile `]` `,`
    `thread_tile` `=` `[` $thread_tile `]` `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The threads of one block: the thread tiles in a block tile.
    int64_t getThreadsPerBlock() const;
  }];
}

#endif // CNNC_CODEGEN_DIALECT
