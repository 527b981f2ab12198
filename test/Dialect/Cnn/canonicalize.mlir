// The folders of the cnn dialect, through the canonicalizer.
// RUN: cnnc-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @dropout_rate_zero
// CHECK-SAME: (%[[X:.*]]: tensor<1x8xf32>)
// CHECK-NOT: cnn.dropout
// CHECK: return %[[X]]
func.func @dropout_rate_zero(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = cnn.dropout %x {rate = 0.0} : tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// A non-zero rate is kept: training needs it.
// CHECK-LABEL: func.func @dropout_kept
// CHECK: cnn.dropout %{{.*}} {rate = 1.000000e-01 : f64}
func.func @dropout_kept(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = cnn.dropout %x {rate = 0.1} : tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_of_flat
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>)
// CHECK-NOT: cnn.flatten
// CHECK: return %[[X]]
func.func @flatten_of_flat(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = cnn.flatten %x : tensor<4x10xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_kept
// CHECK: cnn.flatten %{{.*}} : tensor<4x2x5xf32> -> tensor<4x10xf32>
func.func @flatten_kept(%x: tensor<4x2x5xf32>) -> tensor<4x10xf32> {
  %0 = cnn.flatten %x : tensor<4x2x5xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x2x2xf32>)
// CHECK-NOT: cnn.concat
// CHECK: return %[[X]]
func.func @concat_single(%x: tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32> {
  %0 = cnn.concat %x : tensor<1x8x2x2xf32> -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// -----

// Ops without uses disappear: every cnn op is pure.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT: cnn.
// CHECK: return
func.func @dead_ops(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x4x6x6xf32>
  return
}

// -----

// A reshape to the same shape is its input; a reshape of a reshape is one
// reshape (only the row-major order counts).
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x3xf32>)
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %[[X]] {shape = array<i64: 6>} : tensor<2x1x3xf32> -> tensor<6xf32>
// CHECK-NEXT: return %[[R]], %[[X]]
func.func @reshape_chain(%x: tensor<2x1x3xf32>) -> (tensor<6xf32>, tensor<2x1x3xf32>) {
  %0 = cnn.reshape %x {shape = array<i64: 2, 3>} : tensor<2x1x3xf32> -> tensor<2x3xf32>
  %1 = cnn.reshape %0 {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
  %2 = cnn.reshape %x {shape = array<i64: 2, 1, 3>} : tensor<2x1x3xf32> -> tensor<2x1x3xf32>
  return %1, %2 : tensor<6xf32>, tensor<2x1x3xf32>
}
