// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-select-strategy | FileCheck %s

// A convolution's group: the config goes on its last op (the ReLU). A
// block takes 32 columns x 4 rows and, with 256 threads, 2 threads along
// the channels; a thread computes 4 output channels of one pixel, so a
// block 8 channels.
// CHECK-LABEL: func.func private @forward_conv
//       CHECK: linalg.conv_2d_nchw_fchw
//   CHECK-NOT: cnnc.gpu_config
//       CHECK: linalg.generic
//  CHECK-SAME: cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 8, 4, 32], thread_tile = [1, 4, 1, 1]>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func private @forward_conv(%x: tensor<1x8x58x58xf32>, %w: tensor<64x8x3x3xf32>) -> tensor<1x64x56x56xf32> attributes {cnnc.layer = "conv"} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %c = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x8x58x58xf32>, tensor<64x8x3x3xf32>) outs(%acc : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x56x56xf32>
  return %r : tensor<1x64x56x56xf32>
}

// -----

// Without a reduction (an element-wise group) a thread takes one element;
// 6 channels: the channel threads (256 / (7 * 4) = 9) drop to 6, a divisor.
// CHECK-LABEL: func.func private @forward_act
//       CHECK: cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 6, 4, 7], thread_tile = [1, 1, 1, 1]>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func private @forward_act(%x: tensor<2x6x7x7xf32>) -> tensor<2x6x7x7xf32> attributes {cnnc.layer = "act"} {
  %e = tensor.empty() : tensor<2x6x7x7xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x6x7x7xf32>) outs(%e : tensor<2x6x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = math.tanh %in : f32
    linalg.yield %m : f32
  } -> tensor<2x6x7x7xf32>
  return %r : tensor<2x6x7x7xf32>
}

// -----

// A dense layer: blocks of 4 rows x 64 columns, a thread an element. A
// function that is not a dispatch group (no cnnc.layer) gets nothing.
// CHECK-LABEL: func.func private @forward_fc
//       CHECK: linalg.matmul {cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 64], thread_tile = [1, 1]>}
// CHECK-LABEL: func.func @forward
//   CHECK-NOT: cnnc.gpu_config
func.func private @forward_fc(%a: tensor<1x512xf32>, %b: tensor<512x1000xf32>, %c: tensor<1x1000xf32>) -> tensor<1x1000xf32> attributes {cnnc.layer = "fc"} {
  %0 = linalg.matmul ins(%a, %b : tensor<1x512xf32>, tensor<512x1000xf32>) outs(%c : tensor<1x1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}
func.func @forward(%a: tensor<1x512xf32>, %b: tensor<512x1000xf32>, %c: tensor<1x1000xf32>) -> tensor<1x1000xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<1x512xf32>, tensor<512x1000xf32>) outs(%c : tensor<1x1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}
