// The lowering and GPU configs print as they parse, the loop order optional.
// RUN: cnnc-opt %s | cnnc-opt | FileCheck %s

// CHECK-LABEL: func.func @configs
// CHECK: cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 64, 8, 56], register_tile = [1, 4, 1, 56], loop_order = [0, 2, 1, 3], vector_size = 16>
// CHECK: cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [0, 0], register_tile = [1, 8], vector_size = 8>
func.func @configs(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>,
                   %a: tensor<2x3xf32>, %b: tensor<3x8xf32>, %c: tensor<2x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<2x8xf32>) {
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [1, 64, 8, 56], register_tile = [1, 4, 1, 56], loop_order = [0, 2, 1, 3], vector_size = 16>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %1 = linalg.matmul {cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [0, 0], register_tile = [1, 8], vector_size = 8>}
         ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<2x8xf32>
}

// CHECK-LABEL: func.func @gpu_configs
// CHECK: cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 4, 4, 4], thread_tile = [1, 2, 1, 1]>
func.func @gpu_configs(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = linalg.conv_2d_nchw_fchw {cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 4, 4, 4], thread_tile = [1, 2, 1, 1]>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}
