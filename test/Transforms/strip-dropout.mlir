// RUN: cnnc-opt %s -split-input-file -cnn-strip-dropout | FileCheck %s

// CHECK-LABEL: func.func @classifier
// CHECK-SAME: (%[[X:.*]]: tensor<1x4096xf32>
// CHECK-NOT: cnn.dropout
// CHECK: %[[R:.*]] = cnn.relu %[[X]] : tensor<1x4096xf32>
// CHECK: return %[[R]]
func.func @classifier(%x: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %0 = cnn.dropout %x : tensor<1x4096xf32>
  %1 = cnn.relu %0 : tensor<1x4096xf32>
  return %1 : tensor<1x4096xf32>
}

// -----

// Chains of dropouts all go; a dropout that is returned is replaced too.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NOT: cnn.dropout
// CHECK: return %[[X]], %[[X]]
func.func @chain(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = cnn.dropout %x {rate = 0.2} : tensor<2x8xf32>
  %1 = cnn.dropout %0 {rate = 0.7} : tensor<2x8xf32>
  return %1, %0 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Nothing else changes.
// CHECK-LABEL: func.func @no_dropout
// CHECK: cnn.tanh
// CHECK: cnn.sigmoid
func.func @no_dropout(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = cnn.tanh %x : tensor<2x8xf32>
  %1 = cnn.sigmoid %0 : tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}
