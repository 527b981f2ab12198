// RUN: cnnc-opt %s -split-input-file -cnn-fold-batch-norm | FileCheck %s

// A convolution without a bias: the batch norm folds into its weight and a
// bias that starts from zeros; the convolution takes both.
// CHECK-LABEL: func.func @conv_bn
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %[[W]], %[[ZERO]], %[[G]], %[[B]], %[[M]], %[[V]] {epsilon = 1.000000e-03 : f64}
// CHECK: %[[Y:.*]] = cnn.conv2d %[[X]], %[[FW]], %[[FB]] {padding = array<i64: 1, 1, 1, 1>}
// CHECK-NOT: cnn.batch_norm
// CHECK: %[[R:.*]] = cnn.relu %[[Y]]
// CHECK: return %[[R]]
func.func @conv_bn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %g: tensor<4xf32>,
                   %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  %1 = cnn.batch_norm %0, %g, %b, %m, %v {epsilon = 1.0e-3 : f64} : tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  %2 = cnn.relu %1 : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// -----

// A dense layer's bias is folded with the rest.
// CHECK-LABEL: func.func @dense_bn
// CHECK-SAME: (%[[X:[a-z0-9]*]]: tensor<2x6xf32>, %[[W:[a-z0-9]*]]: tensor<4x6xf32>, %[[BIAS:[a-z0-9]*]]: tensor<4xf32>
// CHECK: %[[FW:.*]], %[[FB:.*]] = cnn.fold_batch_norm %[[W]], %[[BIAS]]
// CHECK: cnn.dense %[[X]], %[[FW]], %[[FB]]
// CHECK-NOT: cnn.batch_norm
func.func @dense_bn(%x: tensor<2x6xf32>, %w: tensor<4x6xf32>, %bias: tensor<4xf32>, %g: tensor<4xf32>,
                    %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = cnn.dense %x, %w, %bias : tensor<2x6xf32>, tensor<4x6xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %1 = cnn.batch_norm %0, %g, %b, %m, %v : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// A convolution whose output something else reads too keeps its weights:
// the batch norm stays.
// CHECK-LABEL: func.func @shared_output
// CHECK-NOT: cnn.fold_batch_norm
// CHECK: cnn.batch_norm
func.func @shared_output(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>, %g: tensor<4xf32>,
                         %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32> -> tensor<1x4x8x8xf32>
  %1 = cnn.batch_norm %0, %g, %b, %m, %v : tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %0, %1 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// -----

// A batch norm after something that is not a layer (a pooling) stays.
// CHECK-LABEL: func.func @after_pool
// CHECK-NOT: cnn.fold_batch_norm
// CHECK: cnn.batch_norm
func.func @after_pool(%x: tensor<1x4x8x8xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>,
                      %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %1 = cnn.batch_norm %0, %g, %b, %m, %v : tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %1 : tensor<1x4x4x4xf32>
}
