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

// -----

// A per-channel producer that the consumer broadcasts stays apart: fused,
// its division would run for every element of the image.
// CHECK-LABEL: func.func @broadcast_producer
// CHECK: %[[A:.*]] = linalg.generic {{.*}}ins(%{{.*}} : tensor<4xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}}ins(%{{.*}}, %[[A]] : tensor<1x4x2x2xf32>, tensor<4xf32>)
// CHECK-NOT: arith.divf
// CHECK: math.fma
// CHECK-NOT: arith.divf
// CHECK: return
#c1 = affine_map<(d0) -> (d0)>
#x4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>
func.func @broadcast_producer(%x: tensor<1x4x2x2xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#c1, #c1], iterator_types = ["parallel"]} ins(%v : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %o: f32):
    %d = arith.divf %one, %in : f32
    linalg.yield %d : f32
  } -> tensor<4xf32>
  %ex = tensor.empty() : tensor<1x4x2x2xf32>
  %y = linalg.generic {indexing_maps = [#x4, #ch, #x4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %a : tensor<1x4x2x2xf32>, tensor<4xf32>) outs(%ex : tensor<1x4x2x2xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %f = math.fma %in, %s, %s : f32
    linalg.yield %f : f32
  } -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}
