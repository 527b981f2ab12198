// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-apply-strategy -canonicalize -cse | FileCheck %s

// The group's last op is tiled into blocks, then threads, the convolution
// and its accumulator's fill fused into each thread's tile; the loops run
// columns first (x), then rows, then channels (a loop of one block along
// the columns folds away). The padding stays before the tiles.
// CHECK-LABEL: func.func private @forward_conv
//       CHECK: tensor.pad
//       CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 8) step (4, 4)
//       CHECK:   scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (8, 4, 4) step (1, 1, 2)
//       CHECK:     linalg.fill {{.*}} -> tensor<1x2x1x1xf32>
//       CHECK:     linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x2x1x1xf32>
//       CHECK:     linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x1x1xf32>)
//       CHECK:     scf.forall.in_parallel
//       CHECK:   scf.forall.in_parallel
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func private @forward_conv(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32> attributes {cnnc.layer = "conv"} {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %e = tensor.empty() : tensor<1x8x8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %c = linalg.conv_2d_nchw_fchw ins(%p, %w : tensor<1x3x10x10xf32>, tensor<8x3x3x3xf32>) outs(%acc : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x8x8x8xf32>) outs(%e : tensor<1x8x8x8xf32>) attrs = {cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 4, 4, 8], thread_tile = [1, 2, 1, 1]>} {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}
