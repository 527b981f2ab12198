// RUN: cnnc-opt %s -split-input-file -cnn-differentiate="learning-rate=0.5 loss=mse" -canonicalize | FileCheck %s

// A reflecting padding copies rows and columns: its gradient sums each
// copy's gradient back into the position it copied, as two dense layers by
// the constant transposed maps (R^T: rows 0, 1, 2 of the input were output
// rows 2, then 1 and 3, then 0 and 4; C^T: column 0 was columns 0 and 2).
// CHECK-LABEL: func.func @train_step
// CHECK-DAG: %[[RT:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00, 1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<3x5xf32>
// CHECK-DAG: %[[CT:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[DY:.*]] = cnn.mse_loss_grad
// CHECK: %[[ROWS:.*]] = cnn.reshape %[[DY]] {shape = array<i64: 5, 3>}
// CHECK: %[[BYCOL:.*]] = cnn.dense %[[ROWS]], %[[CT]] : tensor<5x3xf32>, tensor<2x3xf32> -> tensor<5x2xf32>
// CHECK: %[[T:.*]] = cnn.transpose %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<1x5x2xf32> -> tensor<1x2x5xf32>
// CHECK: %[[COLS:.*]] = cnn.reshape %[[T]] {shape = array<i64: 2, 5>}
// CHECK: cnn.dense %[[COLS]], %[[RT]] : tensor<2x5xf32>, tensor<3x5xf32> -> tensor<2x3xf32>
// CHECK: %[[DX:.*]] = cnn.reshape %{{.*}} {shape = array<i64: 1, 1, 3, 2>}
// CHECK: cnn.sgd_update %{{.*}}, %[[DX]]
func.func @forward(%p: tensor<1x1x3x2xf32> {cnn.param = "shift"},
                   %x: tensor<1x1x3x2xf32> {cnn.input = "input"}) -> (tensor<1x1x5x3xf32> {cnn.output = "pad"}) {
  %s = cnn.add %x, %p : tensor<1x1x3x2xf32>, tensor<1x1x3x2xf32> -> tensor<1x1x3x2xf32>
  %y = cnn.pad %s {mode = #cnn.padding_mode<reflect>, padding = array<i64: 2, 0, 0, 1>} : tensor<1x1x3x2xf32> -> tensor<1x1x5x3xf32>
  return %y : tensor<1x1x5x3xf32>
}

// -----

// A convolution with circular padding: the rules of the same convolution
// without padding over the padded input (recomputed), and the padding's
// gradient on its input gradient; one wrap-around map serves both axes.
// CHECK-LABEL: func.func @train_step
// CHECK: %[[WRAP:.*]] = arith.constant dense<{{.*}}> : tensor<4x6xf32>
// CHECK: %[[S:.*]] = cnn.add
// CHECK: %[[DY:.*]] = cnn.mse_loss_grad
// CHECK: %[[PADDED:.*]] = cnn.pad %[[S]] {mode = #cnn.padding_mode<circular>, padding = array<i64: 1, 1, 1, 1>}
// CHECK: %[[DPADDED:.*]] = cnn.conv_transpose2d %[[DY]], %{{.*}} : tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32> -> tensor<1x1x6x6xf32>
// CHECK: cnn.transpose %[[PADDED]] {permutation = array<i64: 1, 0, 2, 3>}
// CHECK: %[[DW:.*]] = cnn.conv2d %{{.*}}, %{{.*}} : tensor<1x1x6x6xf32>, tensor<2x1x4x4xf32> -> tensor<1x2x3x3xf32>
// CHECK: cnn.reshape %[[DPADDED]] {shape = array<i64: 6, 6>}
// CHECK: cnn.dense %{{.*}}, %[[WRAP]] : tensor<6x6xf32>, tensor<4x6xf32> -> tensor<6x4xf32>
// CHECK: cnn.dense %{{.*}}, %[[WRAP]] : tensor<4x6xf32>, tensor<4x6xf32> -> tensor<4x4xf32>
func.func @forward(%w: tensor<2x1x3x3xf32> {cnn.param = "conv.weight"}, %p: tensor<1x1x4x4xf32> {cnn.param = "shift"},
                   %x: tensor<1x1x4x4xf32> {cnn.input = "input"}) -> (tensor<1x2x4x4xf32> {cnn.output = "conv"}) {
  %s = cnn.add %x, %p : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %y = cnn.conv2d %s, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<circular>} : tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A 1-D true convolution: the 2-D rules over one row, the kernel mirrored
// (a dense layer by the exchange matrix) before and the gradient after.
// CHECK-LABEL: func.func @train_step
// CHECK: %[[J:.*]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 1.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00], [1.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK: %[[ROW:.*]] = cnn.reshape %{{.*}} {shape = array<i64: 1, 1, 1, 5>}
// CHECK: %[[DW4:.*]] = cnn.conv2d %{{.*}}, %{{.*}} : tensor<1x1x1x5xf32>, tensor<2x1x1x3xf32> -> tensor<1x2x1x3xf32>
// CHECK: %[[T:.*]] = cnn.transpose %[[DW4]]
// CHECK: %[[FLAT:.*]] = cnn.reshape %[[T]] {shape = array<i64: 2, 3>}
// CHECK: %[[MIRRORED:.*]] = cnn.dense %[[FLAT]], %[[J]]
// CHECK: %[[DW:.*]] = cnn.reshape %[[MIRRORED]] {shape = array<i64: 2, 1, 3>}
// CHECK: cnn.sgd_update %{{.*}}, %[[DW]]
func.func @forward(%w: tensor<2x1x3xf32> {cnn.param = "conv.weight"},
                   %x: tensor<1x1x5xf32> {cnn.input = "input"}) -> (tensor<1x2x3xf32> {cnn.output = "conv"}) {
  %y = cnn.conv1d %x, %w {true_convolution = true} : tensor<1x1x5xf32>, tensor<2x1x3xf32> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}
