// RUN: cnnc-opt %s -split-input-file -cnnc-pack-conv-filters | FileCheck %s

// A packed_conv group takes its filter in blocks of the register tile's
// output channels, [F / 16, C, KH, KW, 16], and unpacks it for the
// convolution; its caller packs the filter it passes: its output channels
// split into blocks, each block's channels moved innermost.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x8xf32>, %[[W:.*]]: tensor<32x2x3x3xf32>)
// CHECK: %[[B:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 16, 2, 3, 3] : tensor<32x2x3x3xf32> into tensor<2x16x2x3x3xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x2x3x3x16xf32>
// CHECK: %[[P:.*]] = linalg.transpose ins(%[[B]] : tensor<2x16x2x3x3xf32>) outs(%[[E]] : tensor<2x2x3x3x16xf32>) permutation = [0, 2, 3, 4, 1]
// CHECK: call @conv(%[[X]], %[[P]]) : (tensor<1x2x8x8xf32>, tensor<2x2x3x3x16xf32>) -> tensor<1x32x6x6xf32>
// CHECK-LABEL: func.func private @conv
// CHECK-SAME: (%[[GX:.*]]: tensor<1x2x8x8xf32>, %[[GW:.*]]: tensor<2x2x3x3x16xf32>)
// CHECK: %[[U:.*]] = linalg.unpack %[[GW]] inner_dims_pos = [0] inner_tiles = [16] into %{{.*}} : tensor<2x2x3x3x16xf32> -> tensor<32x2x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[GX]], %[[U]] : tensor<1x2x8x8xf32>, tensor<32x2x3x3xf32>)
func.func @forward(%x: tensor<1x2x8x8xf32>, %w: tensor<32x2x3x3xf32>) -> tensor<1x32x6x6xf32> {
  %y = call @conv(%x, %w) : (tensor<1x2x8x8xf32>, tensor<32x2x3x3xf32>) -> tensor<1x32x6x6xf32>
  return %y : tensor<1x32x6x6xf32>
}
func.func private @conv(%x: tensor<1x2x8x8xf32>, %w: tensor<32x2x3x3xf32>) -> tensor<1x32x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32x6x6xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x6x6xf32>) -> tensor<1x32x6x6xf32>
  %y = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 32, 6, 6], register_tile = [1, 16, 1, 6], vector_size = 16>}
         ins(%x, %w : tensor<1x2x8x8xf32>, tensor<32x2x3x3xf32>) outs(%acc : tensor<1x32x6x6xf32>) -> tensor<1x32x6x6xf32>
  return %y : tensor<1x32x6x6xf32>
}

// -----

// Other kernels keep their filters as they are.
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.transpose
// CHECK: call @conv(%{{.*}}, %{{.*}}) : (tensor<1x2x8x8xf32>, tensor<16x2x3x3xf32>)
func.func @forward(%x: tensor<1x2x8x8xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<1x16x6x6xf32> {
  %y = call @conv(%x, %w) : (tensor<1x2x8x8xf32>, tensor<16x2x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %y : tensor<1x16x6x6xf32>
}
func.func private @conv(%x: tensor<1x2x8x8xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<1x16x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x6x6xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  %y = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 16, 6, 6], register_tile = [1, 4, 1, 6], vector_size = 8>}
         ins(%x, %w : tensor<1x2x8x8xf32>, tensor<16x2x3x3xf32>) outs(%acc : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  return %y : tensor<1x16x6x6xf32>
}
