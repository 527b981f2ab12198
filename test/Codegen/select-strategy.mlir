// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-select-strategy=target=avx512 | FileCheck %s --check-prefix=AVX512
// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-select-strategy=target=avx2 | FileCheck %s --check-prefix=AVX2
// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-select-strategy="target=avx512 packed-conv=false" | FileCheck %s --check-prefix=DIRECT512
// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-select-strategy="target=avx2 packed-conv=false" | FileCheck %s --check-prefix=DIRECT2
// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-select-strategy="target=avx512 strategy-file=%S/Inputs/strategies.txt" | FileCheck %s --check-prefix=FILE
// RUN: not cnnc-opt %s -cnnc-cpu-select-strategy=target=neon 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not cnnc-opt %s -cnnc-cpu-select-strategy="strategy-file=%S/Inputs/bad-strategies.txt" 2>&1 | FileCheck %s --check-prefix=BADFILE
// RUN: not cnnc-opt %s -cnnc-cpu-select-strategy="strategy-file=%S/Inputs/none.txt" 2>&1 | FileCheck %s --check-prefix=NOFILE

// TARGET: error: unknown CPU target 'neon'; expected host, avx512, avx2 or sse
// BADFILE: error: {{.*}}bad-strategies.txt:1: expected 'LAYER = #cnnc.lowering_config<...>'
// NOFILE: error: cannot read the strategy file {{.*}}none.txt

// ResNet's 3x3 convolution on 56x56, its filter an argument (as in a
// group): the packed kernel, with 16 accumulators on AVX-512: two vectors
// of 16 output channels times eight columns of one row (each filter vector
// serves eight multiply-adds, each input value two). The cache tiles are
// cut to eight (seven output rows each) for the threads to share.
// AVX512-LABEL: func.func @resnet_conv
// AVX512: linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 64, 7, 56], register_tile = [1, 32, 1, 8], loop_order = [0, 2, 1, 3], vector_size = 16>
// With AVX2's 16 registers, eight accumulators: one vector of 8 channels
// times eight columns.
// AVX2-LABEL: func.func @resnet_conv
// AVX2: cache_tile = [1, 64, 7, 56], register_tile = [1, 8, 1, 8], loop_order = [0, 2, 1, 3], vector_size = 8>
// Without packing, the direct kernel: a row of 56 columns is four vectors
// (16 + 16 + 16 + 8 lanes with AVX-512); four output channels of one row
// make 16 accumulators, and each loaded input vector serves four
// multiply-adds.
// DIRECT512-LABEL: func.func @resnet_conv
// DIRECT512: linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 64, 7, 56], register_tile = [1, 4, 1, 56], loop_order = [0, 2, 1, 3], vector_size = 16>
// With AVX2, 16 registers of 8 lanes: 56 columns would be seven vectors, so
// the tile takes 8 of them (no lane wasted) and seven rows of two channels.
// DIRECT2-LABEL: func.func @resnet_conv
// DIRECT2: cache_tile = [1, 64, 7, 56], register_tile = [1, 2, 7, 8], loop_order = [0, 2, 1, 3], vector_size = 8>
func.func @resnet_conv(%x: tensor<1x64x58x58xf32>, %w: tensor<64x64x3x3xf32>, %acc: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x58x58xf32>, tensor<64x64x3x3xf32>) outs(%acc : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// A late layer, 7x7, whose filters (9 MiB) outweigh its input. With
// AVX-512 the packed kernel's tile is two vectors of channels times the
// row's seven columns: 14 accumulators, more than the multiply-add latency
// needs, so filter vectors that come from L2 for every row do not stall
// it. The filters are what must stream from memory once: each cache tile
// takes all seven rows and 64 filters (eight tiles), filters outside rows.
// AVX512-LABEL: func.func @late_conv
// AVX512: kernel = packed_conv, cache_tile = [1, 64, 7, 7], register_tile = [1, 32, 1, 7], loop_order = [0, 1, 2, 3]
// With AVX2 a packed tile would hold 7 accumulators, no slack for filter
// vectors that come from L2 for every row: the direct kernels. A row of 7
// columns would be three vectors (4 + 2 + 1) for 7 outputs; the flat kernel
// holds a channel's seven rows as one line of 61 columns through the
// input's padding (eight vectors for 49 outputs), one channel at a time.
// AVX2-LABEL: func.func @late_conv
// AVX2: kernel = direct_conv_flat, cache_tile = [1, 64, 7, 7], register_tile = [1, 1, 7, 7], loop_order = [0, 1, 2, 3]
// DIRECT512-LABEL: func.func @late_conv
// DIRECT512: kernel = direct_conv_flat, cache_tile = [1, 64, 7, 7], register_tile = [1, 4, 7, 7], loop_order = [0, 1, 2, 3]
// The first layer's filters are small: packed, a vector of 16 channels
// times 16 columns.
// AVX512-LABEL: func.func @wide_conv
// AVX512: kernel = packed_conv, cache_tile = [1, 16, 14, 112], register_tile = [1, 16, 1, 16], loop_order = [0, 2, 1, 3], vector_size = 16>
// Without packing, a width above four vectors is tiled by the divisor that
// wastes the fewest lanes, the largest of those: 16 of 112, with seven
// rows of four channels.
// DIRECT512-LABEL: func.func @wide_conv
// DIRECT512: register_tile = [1, 4, 7, 16], loop_order = [0, 2, 1, 3], vector_size = 16>
// The strategy file's choice for the layer named "wide" wins.
// FILE-LABEL: func.func @wide_conv
// FILE: cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 8, 4, 16], register_tile = [1, 2, 2, 16], vector_size = 8>
func.func @late_conv(%x: tensor<1x512x9x9xf32>, %w: tensor<512x512x3x3xf32>, %acc: tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x512x9x9xf32>, tensor<512x512x3x3xf32>) outs(%acc : tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  return %0 : tensor<1x512x7x7xf32>
}
func.func @wide_conv(%x: tensor<1x3x114x114xf32>, %w: tensor<16x3x3x3xf32>, %acc: tensor<1x16x112x112xf32>) -> tensor<1x16x112x112xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x3x114x114xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x112x112xf32>) -> tensor<1x16x112x112xf32> loc("wide")
  return %0 : tensor<1x16x112x112xf32>
}

// -----

// 1024 channels on 28x28, filters (36 MiB) outweighing the input: a block
// of filters read for every row must stay in L2 (2 MiB for avx512). Four
// vectors of channels (2.25 MiB) would not; of the two 14-accumulator
// shapes left the widest wins: one vector of channels times 14 columns.
// AVX512-LABEL: func.func @deep_wide_conv
// AVX512: kernel = packed_conv, cache_tile = [1, 128, 28, 28], register_tile = [1, 16, 1, 14], loop_order = [0, 1, 2, 3]
func.func @deep_wide_conv(%x: tensor<1x1024x30x30xf32>, %w: tensor<1024x1024x3x3xf32>, %acc: tensor<1x1024x28x28xf32>) -> tensor<1x1024x28x28xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x1024x30x30xf32>, tensor<1024x1024x3x3xf32>) outs(%acc : tensor<1x1024x28x28xf32>) -> tensor<1x1024x28x28xf32>
  return %0 : tensor<1x1024x28x28xf32>
}

// -----

// Roots without a kernel yet keep no config (they become loops).
// AVX512-LABEL: func.func @matmul
// AVX512-NOT: cnnc.lowering_config
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%c : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A dense layer of 4096 outputs at batch 1: eight weight rows a register
// tile (eight accumulators and their loads), 512 rows a cache tile: eight
// for the threads.
// AVX512-LABEL: func.func @dense
// AVX512: cnnc.lowering_config = #cnnc.lowering_config<kernel = dot, cache_tile = [1, 512], register_tile = [1, 8], vector_size = 16>
#in = affine_map<(n, m, k) -> (n, k)>
#w = affine_map<(n, m, k) -> (m, k)>
#out = affine_map<(n, m, k) -> (n, m)>
func.func @dense(%x: tensor<1x256xf32>, %w: tensor<4096x256xf32>, %acc: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %0 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%x, %w : tensor<1x256xf32>, tensor<4096x256xf32>) outs(%acc : tensor<1x4096xf32>) {
  ^bb0(%a: f32, %c: f32, %s: f32):
    %p = arith.mulf %a, %c : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x4096xf32>
  return %0 : tensor<1x4096xf32>
}

// -----

// ResNet-18's classifier, 512 -> 1000 at batch 1: fewer multiply-adds than
// make a layer parallel, but a weight read from memory per multiply-add,
// so its rows are cut for the threads all the same (ten cache tiles of 100
// rows); a small one (LeNet-5's 120 -> 84) stays one tile.
// AVX512-LABEL: func.func @dense_streaming
// AVX512: cnnc.lowering_config = #cnnc.lowering_config<kernel = dot, cache_tile = [1, 100], register_tile = [1, 10], vector_size = 16>
// AVX512: cnnc.lowering_config = #cnnc.lowering_config<kernel = dot, cache_tile = [1, 84], register_tile = [1, 14], vector_size = 16>
#stream_in = affine_map<(n, m, k) -> (n, k)>
#stream_w = affine_map<(n, m, k) -> (m, k)>
#stream_out = affine_map<(n, m, k) -> (n, m)>
func.func @dense_streaming(%x: tensor<1x512xf32>, %w: tensor<1000x512xf32>, %acc: tensor<1x1000xf32>,
                           %y: tensor<1x120xf32>, %v: tensor<84x120xf32>, %acc2: tensor<1x84xf32>) -> (tensor<1x1000xf32>, tensor<1x84xf32>) {
  %0 = linalg.generic {indexing_maps = [#stream_in, #stream_w, #stream_out], iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%x, %w : tensor<1x512xf32>, tensor<1000x512xf32>) outs(%acc : tensor<1x1000xf32>) {
  ^bb0(%a: f32, %c: f32, %s: f32):
    %p = arith.mulf %a, %c : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x1000xf32>
  %1 = linalg.generic {indexing_maps = [#stream_in, #stream_w, #stream_out], iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%y, %v : tensor<1x120xf32>, tensor<84x120xf32>) outs(%acc2 : tensor<1x84xf32>) {
  ^bb0(%a: f32, %c: f32, %s: f32):
    %p = arith.mulf %a, %c : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x84xf32>
  return %0, %1 : tensor<1x1000xf32>, tensor<1x84xf32>
}

// -----

// ResNet's max pooling, 112x112 to 56x56: a row of 56 columns is four
// vectors, two channels of one row a register tile; eight cache tiles of
// eight channels.
// AVX512-LABEL: func.func @max_pool
// AVX512: cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_pool, cache_tile = [1, 8, 56, 56], register_tile = [1, 2, 1, 56], vector_size = 16>
func.func @max_pool(%x: tensor<1x64x113x113xf32>, %acc: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = tensor.empty() : tensor<3x3xf32>
  %0 = linalg.pooling_nchw_max {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x64x113x113xf32>, tensor<3x3xf32>) outs(%acc : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// A batch norm and ReLU alone in their group (DenseNet's, before each 1x1
// convolution): one row of one channel a register tile, in vectors; one
// cache tile, as waking the threads would cost more than they save.
// AVX512-LABEL: func.func @bn_relu_alone
// AVX512: linalg.generic {{.*}}cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 480, 28, 28], register_tile = [1, 1, 1, 28], vector_size = 16>
// From 2 Mi elements on, the channels are cut for the threads (eight
// tiles of 32); a row of 112 columns is seven register tiles of 16.
// AVX512-LABEL: func.func @bn_relu_large
// AVX512: linalg.generic {{.*}}cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 32, 112, 112], register_tile = [1, 1, 1, 16], vector_size = 16>
// An element-wise op beside a root is the root's epilogue: no config.
// AVX512-LABEL: func.func @epilogue
// AVX512: linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv
// AVX512-NOT: cnnc.lowering_config
// AVX512: return
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>
func.func @bn_relu_alone(%x: tensor<1x480x28x28xf32>, %s: tensor<480xf32>, %b: tensor<480xf32>) -> tensor<1x480x28x28xf32> {
  %e = tensor.empty() : tensor<1x480x28x28xf32>
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#nchw, #channel, #channel, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s, %b : tensor<1x480x28x28xf32>, tensor<480xf32>, tensor<480xf32>) outs(%e : tensor<1x480x28x28xf32>) {
  ^bb0(%in: f32, %scale: f32, %shift: f32, %out: f32):
    %1 = math.fma %in, %scale, %shift : f32
    %2 = arith.maximumf %1, %zero fastmath<nsz> : f32
    linalg.yield %2 : f32
  } -> tensor<1x480x28x28xf32>
  return %0 : tensor<1x480x28x28xf32>
}
func.func @bn_relu_large(%x: tensor<1x256x112x112xf32>) -> tensor<1x256x112x112xf32> {
  %e = tensor.empty() : tensor<1x256x112x112xf32>
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x256x112x112xf32>) outs(%e : tensor<1x256x112x112xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.maximumf %in, %zero fastmath<nsz> : f32
    linalg.yield %1 : f32
  } -> tensor<1x256x112x112xf32>
  return %0 : tensor<1x256x112x112xf32>
}
func.func @epilogue(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x1x1xf32>, %acc: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x16x8x8xf32>, tensor<16x16x1x1xf32>) outs(%acc : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %0 = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x16x8x8xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.maximumf %in, %zero fastmath<nsz> : f32
    linalg.yield %1 : f32
  } -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}
