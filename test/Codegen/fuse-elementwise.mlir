// RUN: cnnc-opt %s -split-input-file -cnnc-fuse-elementwise | FileCheck %s

// Batch norm's scale and the ReLU after it become one element-wise op; the
// ReLU in front of the dense layer does not move into the reduction.
// CHECK-LABEL: func.func @chain
// CHECK: %[[ACT:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[ACT]],
// CHECK-NOT: arith.maximumf
// CHECK: return
#id = affine_map<(d0, d1) -> (d0, d1)>
#in = affine_map<(n, m, k) -> (n, k)>
#w = affine_map<(n, m, k) -> (m, k)>
#out = affine_map<(n, m, k) -> (n, m)>
func.func @chain(%x: tensor<1x8xf32>, %w: tensor<4x8xf32>, %acc: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1x8xf32>) outs(%e : tensor<1x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<1x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<1x8xf32>) outs(%e : tensor<1x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8xf32>
  %d = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r, %w : tensor<1x8xf32>, tensor<4x8xf32>) outs(%acc : tensor<1x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %p = arith.mulf %a, %c : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
