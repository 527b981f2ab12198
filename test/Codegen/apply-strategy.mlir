// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-apply-strategy -canonicalize -cse | FileCheck %s

// A conv + ReLU group, its accumulator filled with zeros: the ReLU is tiled
// by the cache tile (two rows of all channels; an scf.forall, since cache
// tiles are independent) and then by the register tile (two channels of one
// row), in the config's loop order (rows outside channels), with the
// convolution and the fill fused into each tile. The
// direct_conv kernel holds the tile's two rows of four columns in vector
// registers across the input channels and filter rows, the filter columns
// unrolled; the ReLU reads them as values: no linalg op is left and no
// accumulator goes through memory. The tile leaves as one write of both
// rows, not a chain of row writes.
// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (4) step (2)
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[CH:.*]] = %c0 to %c4 step %c2
// CHECK: %[[ACC:.*]]:2 = scf.for %[[C:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]]) -> (vector<4xf32>, vector<4xf32>)
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK-COUNT-3: vector.transfer_read {{.*}} : tensor<1x2x3x6xf32>, vector<4xf32>
// CHECK: vector.fma {{.*}} : vector<4xf32>
// CHECK: arith.maximumf %[[ACC]]#0, %[[ZERO]] : vector<4xf32>
// CHECK: arith.maximumf %[[ACC]]#1, %[[ZERO]] : vector<4xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: vector.transfer_write {{.*}} : vector<1x2x1x4xf32>, tensor<1x2x1x4xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: tensor.insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.
// CHECK: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_relu(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 4, 2, 4], register_tile = [1, 2, 1, 4], loop_order = [0, 2, 1, 3], vector_size = 4>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x4x4x4xf32>) outs(%e : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

// A strided convolution, its accumulator the bias: each input row vector is
// loaded whole (eight columns for four outputs two apart) and every second
// column picked; the bias rows seed the accumulators.
// CHECK-LABEL: func.func @strided_conv
// CHECK: vector.transfer_read {{.*}} : tensor<1x2x3x9xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6] : vector<8xf32>, vector<8xf32>
// CHECK: vector.fma
// CHECK-NOT: linalg.
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @strided_conv(%x: tensor<1x2x9x9xf32>, %w: tensor<2x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %bias = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<1x2x4x4xf32>) dimensions = [0, 2, 3]
  %c = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>, cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 2, 4, 4], register_tile = [1, 2, 1, 4], vector_size = 8>}
         ins(%x, %w : tensor<1x2x9x9xf32>, tensor<2x2x3x3xf32>) outs(%bias : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// -----

// The loops kernel leaves the group as it is.
// CHECK-LABEL: func.func @loops
// CHECK-NOT: scf.for
// CHECK: linalg.conv_2d_nchw_fchw
func.func @loops(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %c = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = loops, cache_tile = [1, 4, 2, 4], register_tile = [1, 2, 1, 4], vector_size = 4>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// -----

// The flat kernel: the tile's six rows of one channel are one line of
// 46 columns through the input's padding (rows 8 apart in the input), held
// as vectors of 16 + 16 + 8 + 4 + 2; the input is read as flat rows, each
// tap (kh, kw) at kh * 8 + kw; each output row is cut back out of the line.
// CHECK-LABEL: func.func @flat_conv
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<1x3x8x8xf32> into tensor<1x3x64xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<8xf32>, vector<4xf32>, vector<2xf32>, vector<16xf32>
// CHECK: vector.transfer_read %collapsed{{.*}} : tensor<1x3x64xf32>, vector<16xf32>
// CHECK: vector.fma {{.*}} : vector<2xf32>
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [40], sizes = [6], strides = [1]} : vector<46xf32> to vector<6xf32>
// CHECK-NOT: linalg.conv
func.func @flat_conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %acc: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv_flat, cache_tile = [1, 4, 6, 6], register_tile = [1, 2, 6, 6], vector_size = 16>}
         ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%acc : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// The packed kernel reads the filter packed as [F / B, C, KH, KW, B]
// through its linalg.unpack, which is never computed: per input channel and
// tap, one vector of 16 output channels times each of the row's four input
// values, broadcast; then the 16 x 4 accumulators are transposed by
// shuffles into the four-column rows of the 16 channels, written as one
// vector.
// CHECK-LABEL: func.func @packed_conv
// CHECK-SAME: %[[P:[a-z0-9]+]]: tensor<1x3x3x3x16xf32>
// CHECK-NOT: linalg.unpack
// CHECK: scf.for
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.transfer_read %[[P]][%c0, {{.*}}, %c0], {{.*}} : tensor<1x3x3x3x16xf32>, vector<16xf32>
// CHECK: tensor.extract
// CHECK: vector.broadcast
// CHECK: vector.fma
// CHECK: vector.shuffle
// CHECK-NOT: vector.transfer_write
// CHECK: vector.transfer_write {{.*}} : vector<1x16x1x4xf32>, tensor<1x16x1x4xf32>
// CHECK: tensor.insert_slice {{.*}} into tensor<1x16x2x4xf32>
// CHECK-NOT: linalg.conv
func.func @packed_conv(%x: tensor<1x3x4x6xf32>, %p: tensor<1x3x3x3x16xf32>, %acc: tensor<1x16x2x4xf32>) -> tensor<1x16x2x4xf32> {
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x3x4x6xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x2x4xf32>) -> tensor<1x16x2x4xf32>
  return %0 : tensor<1x16x2x4xf32>
}

// -----

// A bias broadcast over rows and columns seeds the accumulators as one
// vector of 16 channels: no initial rows, no add after the transposition,
// and the broadcast is gone.
// CHECK-LABEL: func.func @packed_conv_bias
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<16xf32>
// CHECK-NOT: linalg.broadcast
// CHECK: %[[SEED:.*]] = vector.transfer_read %[[B]][%c0], %{{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]]) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: arith.addf
// CHECK: vector.transfer_write {{.*}} : vector<1x16x1x4xf32>, tensor<1x16x1x4xf32>
// CHECK-NOT: linalg.
func.func @packed_conv_bias(%x: tensor<1x3x4x6xf32>, %p: tensor<1x3x3x3x16xf32>, %b: tensor<16xf32>) -> tensor<1x16x2x4xf32> {
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %o = tensor.empty() : tensor<1x16x2x4xf32>
  %acc = linalg.broadcast ins(%b : tensor<16xf32>) outs(%o : tensor<1x16x2x4xf32>) dimensions = [0, 2, 3]
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x3x4x6xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x2x4xf32>) -> tensor<1x16x2x4xf32>
  return %0 : tensor<1x16x2x4xf32>
}

// -----

// A fill seeds the accumulators with its value.
// CHECK-LABEL: func.func @packed_conv_fill
// CHECK: %[[SEED:.*]] = arith.constant dense<5.000000e-01> : vector<16xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]], %{{.*}} = %[[SEED]]) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: arith.addf
// CHECK-NOT: linalg.
func.func @packed_conv_fill(%x: tensor<1x3x4x6xf32>, %p: tensor<1x3x3x3x16xf32>) -> tensor<1x16x2x4xf32> {
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %o = tensor.empty() : tensor<1x16x2x4xf32>
  %half = arith.constant 0.5 : f32
  %acc = linalg.fill ins(%half : f32) outs(%o : tensor<1x16x2x4xf32>) -> tensor<1x16x2x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x3x4x6xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x2x4xf32>) -> tensor<1x16x2x4xf32>
  return %0 : tensor<1x16x2x4xf32>
}

// -----

// A register tile of two blocks of 16 filters, packed 16 to a block: each
// tile reads its slice of two blocks, block j's vector at [j, c, kh, kw, 0].
// CHECK-LABEL: func.func @packed_conv_blocks
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %{{.*}} [2, 3, 3, 3, 16] [1, 1, 1, 1, 1] : tensor<4x3x3x3x16xf32> to tensor<2x3x3x3x16xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.transfer_read %[[SLICE]][%c0, {{.*}}, %c0], {{.*}} : tensor<2x3x3x3x16xf32>, vector<16xf32>
// CHECK: vector.transfer_read %[[SLICE]][%c1, {{.*}}, %c0], {{.*}} : tensor<2x3x3x3x16xf32>, vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x32x1x2xf32>, tensor<1x32x1x2xf32>
// CHECK-NOT: linalg.
func.func @packed_conv_blocks(%x: tensor<1x3x4x4xf32>, %p: tensor<4x3x3x3x16xf32>, %acc: tensor<1x64x2x2xf32>) -> tensor<1x64x2x2xf32> {
  %e = tensor.empty() : tensor<64x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<4x3x3x3x16xf32> -> tensor<64x3x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 32, 2, 2], register_tile = [1, 32, 1, 2], vector_size = 16>}
         ins(%x, %w : tensor<1x3x4x4xf32>, tensor<64x3x3x3xf32>) outs(%acc : tensor<1x64x2x2xf32>) -> tensor<1x64x2x2xf32>
  return %0 : tensor<1x64x2x2xf32>
}

// -----

// The input a window of a zero padding: the kernel reads the unpadded
// tensor and the padding is never made. The filter rows inside the input
// are a range per tile (row 1 - r on); one loop over them per filter
// column, which the whole-row tile reads only where it is inside: column
// -1 (p = 0 at kw = 0) and column 4 (p = 3 at kw = 2) are left out.
// CHECK-LABEL: func.func @packed_conv_padded
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x4x4xf32>
// CHECK-NOT: tensor.pad
// CHECK: %[[ROW:.*]] = arith.addi
// CHECK: %[[BEFORE:.*]] = arith.subi %c1, %[[ROW]]
// CHECK: %[[FIRST:.*]] = arith.maxsi %[[BEFORE]], %c0
// CHECK: %[[END:.*]] = arith.minsi {{.*}}, %c3
// CHECK-NOT: scf.index_switch
// CHECK: scf.for %[[C:.*]] = %c0 to %c3 step %c1
// CHECK: scf.for %[[KH:.*]] = %[[FIRST]] to %[[END]] step %c1
// CHECK: vector.transfer_read %{{.*}}[%c0, %[[C]], %[[KH]], %c0, %c0]
// CHECK-COUNT-3: tensor.extract %[[X]][%{{.*}}, %[[C]], %{{.*}}, %c{{[012]}}]
// CHECK-NOT: tensor.extract
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c1
// CHECK: vector.transfer_read %{{.*}}[%c0, %[[C]], %{{.*}}, %c1, %c0]
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK-NOT: tensor.extract
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %[[END]] step %c1
// CHECK: vector.transfer_read %{{.*}}[%c0, %[[C]], %{{.*}}, %c2, %c0]
// CHECK-COUNT-3: tensor.extract %[[X]][%{{.*}}, %[[C]], %{{.*}}, %c{{[123]}}]
// CHECK-NOT: tensor.extract
// CHECK: vector.shuffle
// CHECK-NOT: tensor.pad
func.func @packed_conv_padded(%x: tensor<1x3x4x4xf32>, %p: tensor<1x3x3x3x16xf32>, %acc: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %zero : f32
  } : tensor<1x3x4x4xf32> to tensor<1x3x6x6xf32>
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 4], vector_size = 16>}
         ins(%xp, %w : tensor<1x3x6x6xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// Register tiles of two of the eight columns: the tile at the left edge
// (window at column 0) and the one at the right (6) each get their own
// accumulation, the two between share the default one, which reads every
// tap at the window's column.
// CHECK-LABEL: func.func @packed_conv_padded_tiles
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x4x8xf32>
// CHECK: scf.index_switch %[[COLUMN:[0-9]+]] -> vector<16xf32>, vector<16xf32>
// CHECK: case 0 {
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %c0]
// CHECK-NOT: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %c-1]
// CHECK: case 6 {
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %c5]
// CHECK: default {
// CHECK: %[[LEFT:.*]] = arith.addi %[[COLUMN]], %c-1
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %[[LEFT]]]
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %{{.*}}, %[[COLUMN]]]
// CHECK-NOT: tensor.pad
func.func @packed_conv_padded_tiles(%x: tensor<1x3x4x8xf32>, %p: tensor<1x3x3x3x16xf32>, %acc: tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %zero : f32
  } : tensor<1x3x4x8xf32> to tensor<1x3x6x10xf32>
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 2], vector_size = 16>}
         ins(%xp, %w : tensor<1x3x6x10xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32>
  return %0 : tensor<1x16x4x8xf32>
}

// -----

// A padding by another value than zero stays, and the kernel reads it.
// CHECK-LABEL: func.func @packed_conv_padded_by_one
// CHECK: %[[P:.*]] = tensor.pad
// CHECK: %[[W:.*]] = tensor.extract_slice %[[P]]
// CHECK: tensor.extract %{{.*}}[%c0, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x3x3x6xf32>
func.func @packed_conv_padded_by_one(%x: tensor<1x3x4x4xf32>, %p: tensor<1x3x3x3x16xf32>, %acc: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %one = arith.constant 1.0 : f32
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %one : f32
  } : tensor<1x3x4x4xf32> to tensor<1x3x6x6xf32>
  %e = tensor.empty() : tensor<16x3x3x3xf32>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf32> -> tensor<16x3x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 2, 4], register_tile = [1, 16, 1, 4], vector_size = 16>}
         ins(%xp, %w : tensor<1x3x6x6xf32>, tensor<16x3x3x3xf32>) outs(%acc : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// A packed_conv tile the kernel does not cover (f64) stays a convolution,
// and its filter is unpacked for it: a transpose and a reshape.
// CHECK-LABEL: func.func @packed_conv_uncovered
// CHECK-NOT: linalg.unpack
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x3x3x3x16xf64>) outs(%{{.*}} : tensor<1x16x3x3x3xf64>) permutation = [0, 4, 1, 2, 3]
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] : tensor<1x16x3x3x3xf64> into tensor<16x3x3x3xf64>
// CHECK: linalg.conv_2d_nchw_fchw
func.func @packed_conv_uncovered(%x: tensor<1x3x3x7xf64>, %p: tensor<1x3x3x3x16xf64>, %acc: tensor<1x16x1x5xf64>) -> tensor<1x16x1x5xf64> {
  %e = tensor.empty() : tensor<16x3x3x3xf64>
  %w = linalg.unpack %p inner_dims_pos = [0] inner_tiles = [16] into %e : tensor<1x3x3x3x16xf64> -> tensor<16x3x3x3xf64>
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 1, 5], register_tile = [1, 16, 1, 5], vector_size = 16>}
         ins(%x, %w : tensor<1x3x3x7xf64>, tensor<16x3x3x3xf64>) outs(%acc : tensor<1x16x1x5xf64>) -> tensor<1x16x1x5xf64>
  return %0 : tensor<1x16x1x5xf64>
}

// -----

// A dense layer, 40 inputs to 4 outputs with a bias: two dot products per
// register tile, k in vectors of 16 (32 of the 40), the tail of 8 apart,
// the lanes summed and added to the bias.
// CHECK-LABEL: func.func @dense
// CHECK: scf.forall
// CHECK: %[[SUMS:.*]]:2 = scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-3: vector.transfer_read {{.*}} vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.reduction <add>, %[[SUMS]]#0 : vector<16xf32> into f32
// CHECK: vector.reduction <add>, %[[SUMS]]#1 : vector<16xf32> into f32
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK: vector.from_elements {{.*}} : vector<2xf32>
// CHECK-NOT: linalg.generic
#in = affine_map<(n, m, k) -> (n, k)>
#w = affine_map<(n, m, k) -> (m, k)>
#out = affine_map<(n, m, k) -> (n, m)>
func.func @dense(%x: tensor<1x40xf32>, %w: tensor<4x40xf32>, %b: tensor<4xf32>) -> tensor<1x4xf32> {
  %e = tensor.empty() : tensor<1x4xf32>
  %bias = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<1x4xf32>) dimensions = [0]
  %0 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "reduction"],
                       cnnc.lowering_config = #cnnc.lowering_config<kernel = dot, cache_tile = [1, 2], register_tile = [1, 2], vector_size = 16>}
         ins(%x, %w : tensor<1x40xf32>, tensor<4x40xf32>) outs(%bias : tensor<1x4xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %p = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Max pooling 2x2, stride 2: each output row of 4 columns is the maximum of
// the window's input rows, every second column picked from a load of 8;
// the accumulators start at the fill's -inf.
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<4xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[NEGINF]], %{{.*}} = %[[NEGINF]]) -> (vector<4xf32>, vector<4xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<1x2x2x8xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6]
// CHECK: arith.maximumf {{.*}} : vector<4xf32>
// CHECK-NOT: linalg.pooling
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %neginf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %w = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%neginf : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %0 = linalg.pooling_nchw_max {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>,
         cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_pool, cache_tile = [1, 2, 4, 4], register_tile = [1, 2, 1, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x2x8x8xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// An element-wise op alone (kernel = vector): cache tiles of two channels
// in an scf.forall, then each row of one channel vectorized whole, the
// channel's scale broadcast into a vector, the ReLU keeping its nsz.
// CHECK-LABEL: func.func @elementwise_vector
// CHECK: scf.forall (%{{.*}}) = (0) to (4) step (2)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[ROW:.*]] = vector.transfer_read {{.*}} : tensor<1x1x1x24xf32>, vector<24xf32>
// CHECK: %[[SCALE:.*]] = vector.transfer_read {{.*}} permutation_map = {{.*}} : tensor<1xf32>, vector<24xf32>
// CHECK: %[[PRODUCT:.*]] = arith.mulf %[[ROW]], %[[SCALE]] : vector<24xf32>
// CHECK: arith.maximumf %[[PRODUCT]], %{{.*}} fastmath<nsz> : vector<24xf32>
// CHECK: vector.transfer_write {{.*}} : vector<24xf32>, tensor<1x1x1x24xf32>
// CHECK-NOT: linalg.generic
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>
func.func @elementwise_vector(%x: tensor<1x4x2x24xf32>, %s: tensor<4xf32>) -> tensor<1x4x2x24xf32> {
  %e = tensor.empty() : tensor<1x4x2x24xf32>
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#nchw, #channel, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<1x4x2x24xf32>, tensor<4xf32>) outs(%e : tensor<1x4x2x24xf32>)
      attrs = {cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 2, 2, 24], register_tile = [1, 1, 1, 24], vector_size = 16>} {
  ^bb0(%in: f32, %scale: f32, %out: f32):
    %1 = arith.mulf %in, %scale : f32
    %2 = arith.maximumf %1, %zero fastmath<nsz> : f32
    linalg.yield %2 : f32
  } -> tensor<1x4x2x24xf32>
  return %0 : tensor<1x4x2x24xf32>
}
