// RUN: cnnc-opt %s -split-input-file -cnnc-hoist-weight-transforms | FileCheck %s

// The packing of a filter and a group call on weights alone move into
// @prepare; @forward takes their results as its last arguments, named
// after the weight they come from. The group that reads the input stays.
// CHECK-LABEL: module attributes
// CHECK-SAME: cnnc.prepare_arguments = array<i64: 1, 2, 3>
// CHECK-SAME: cnnc.prepared_tensors = [{name = "conv.weight.prepared", shape = array<i64: 2, 3, 3, 16>}, {name = "bn.scale.prepared", shape = array<i64: 16>}]
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x8xf32> {cnn.input = "x"}, %{{.*}}: tensor<16x2x3x3xf32> {cnn.param = "conv.weight"}, %{{.*}}: tensor<16xf32> {cnn.param = "bn.scale"}, %{{.*}}: tensor<16xf32> {cnn.buffer = "bn.var"}, %[[PACKED:.*]]: tensor<2x3x3x16xf32> {cnnc.prepared = "conv.weight.prepared"}, %[[SCALE:.*]]: tensor<16xf32> {cnnc.prepared = "bn.scale.prepared"})
// CHECK-NOT: linalg.transpose
// CHECK: %[[Y:.*]] = call @conv(%[[X]], %[[PACKED]], %[[SCALE]])
// CHECK: return %[[Y]]
// CHECK-LABEL: func.func @prepare
// CHECK-SAME: (%[[W:.*]]: tensor<16x2x3x3xf32>, %[[G:.*]]: tensor<16xf32>, %[[V:.*]]: tensor<16xf32>) -> (tensor<2x3x3x16xf32>, tensor<16xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3x3x16xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<16x2x3x3xf32>) outs(%[[E]] : tensor<2x3x3x16xf32>) permutation = [1, 2, 3, 0]
// CHECK: %[[S:.*]] = call @bn_scale(%[[G]], %[[V]])
// CHECK: return %[[T]], %[[S]]
module {
func.func @forward(%x: tensor<1x2x8x8xf32> {cnn.input = "x"},
                   %w: tensor<16x2x3x3xf32> {cnn.param = "conv.weight"},
                   %gamma: tensor<16xf32> {cnn.param = "bn.scale"},
                   %var: tensor<16xf32> {cnn.buffer = "bn.var"}) -> tensor<1x16x6x6xf32> {
  %e = tensor.empty() : tensor<2x3x3x16xf32>
  %packed = linalg.transpose ins(%w : tensor<16x2x3x3xf32>) outs(%e : tensor<2x3x3x16xf32>) permutation = [1, 2, 3, 0]
  %scale = call @bn_scale(%gamma, %var) : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %y = call @conv(%x, %packed, %scale) : (tensor<1x2x8x8xf32>, tensor<2x3x3x16xf32>, tensor<16xf32>) -> tensor<1x16x6x6xf32>
  return %y : tensor<1x16x6x6xf32>
}
func.func private @bn_scale(%g: tensor<16xf32>, %v: tensor<16xf32>) -> tensor<16xf32> {
  return %g : tensor<16xf32>
}
func.func private @conv(%x: tensor<1x2x8x8xf32>, %w: tensor<2x3x3x16xf32>, %s: tensor<16xf32>) -> tensor<1x16x6x6xf32> {
  %e = tensor.empty() : tensor<1x16x6x6xf32>
  return %e : tensor<1x16x6x6xf32>
}
}

// -----

// What would make a weight larger (a bias broadcast to the whole output)
// stays, and so does a reshape of a weight alone: nothing to prepare, no
// @prepare.
// CHECK-LABEL: module {
// CHECK-LABEL: func.func @forward
// CHECK: tensor.expand_shape
// CHECK: call @broadcast
// CHECK-NOT: func.func @prepare
module {
func.func @forward(%x: tensor<1x4x2x2xf32> {cnn.input = "x"},
                   %bias: tensor<4xf32> {cnn.param = "bias"}) -> tensor<1x4x2x2xf32> {
  %b = tensor.expand_shape %bias [[0, 1, 2, 3]] output_shape [1, 4, 1, 1] : tensor<4xf32> into tensor<1x4x1x1xf32>
  %full = call @broadcast(%bias) : (tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %y = call @add(%x, %full, %b) : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}
func.func private @broadcast(%b: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %e = tensor.empty() : tensor<1x4x2x2xf32>
  return %e : tensor<1x4x2x2xf32>
}
func.func private @add(%x: tensor<1x4x2x2xf32>, %f: tensor<1x4x2x2xf32>, %b: tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  return %x : tensor<1x4x2x2xf32>
}
}
