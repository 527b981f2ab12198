// RUN: cnnc-opt %s -split-input-file -cnnc-outline-layers | FileCheck %s

// Each computing op moves into a noinline function named after its layer
// (and marked with it: cnnc.layer, and its number of results);
// constants are copied in, values read from above become arguments; empty
// tensors and reshapes stay.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[A:.*]] = call @forward_scale(%[[X]], %[[E]], %[[T]]) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[A]]
// CHECK: %[[P:.*]] = call @forward_op1(%[[R]]) : (tensor<8xf32>) -> tensor<10xf32>
// CHECK: return %[[P]]
// CHECK: func.func private @forward_scale(%{{.*}}: tensor<2x4xf32>, %{{.*}}: tensor<2x4xf32>, %[[TABLE:.*]]: tensor<4xf32>) -> tensor<2x4xf32> attributes {cnnc.layer = "scale", cnnc.num_outputs = 1 : i64, passthrough = ["noinline"]}
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: tensor.extract %[[TABLE]]
// CHECK: return
// CHECK: func.func private @forward_op1(%{{.*}}: tensor<8xf32>) -> tensor<10xf32> attributes {cnnc.layer = "forward_op1", cnnc.num_outputs = 1 : i64, passthrough = ["noinline"]}
// CHECK: tensor.pad
func.func @forward(%x: tensor<2x4xf32>, %table: tensor<4xf32>) -> tensor<10xf32> {
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %j = linalg.index 1 : index
    %t = tensor.extract %table[%j] : tensor<4xf32>
    %m = arith.mulf %in, %two : f32
    %s = arith.addf %m, %t : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32> loc("scale")
  %r = tensor.collapse_shape %a [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  %p = tensor.pad %r low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<8xf32> to tensor<10xf32>
  return %p : tensor<10xf32>
}

// -----

// Private functions are left alone.
// CHECK-LABEL: func.func private @helper
// CHECK: linalg.fill
// CHECK-NOT: call
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.fill ins(%zero : f32) outs(%x : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
