// RUN: cnnc-opt %s -split-input-file -cnnc-fold-pad-into-strided-insert | FileCheck %s
// What upstream's canonicalization makes of the same input (wrong, see
// docs/upstream-issues.md): the offset ignores the stride.
// RUN: cnnc-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=UPSTREAM

// A zero padding spread with stride 2 into zeros: x's first element lands
// at (1 * 2, 1 * 2), as the padded tensor's element (1, 1) did.
// CHECK-LABEL: func.func @strided
//  CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>)
//       CHECK: %[[FILL:.*]] = linalg.fill
//   CHECK-NOT: tensor.pad
//       CHECK: tensor.insert_slice %[[X]] into %[[FILL]][2, 2] [1, 3] [2, 2]
// UPSTREAM-LABEL: func.func @strided
//       UPSTREAM: tensor.insert_slice %{{.*}} into %{{.*}}[1, 1] [1, 3] [2, 2]
func.func @strided(%x: tensor<1x3xf32>) -> tensor<5x9xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<1x3xf32> to tensor<3x5xf32>
  %empty = tensor.empty() : tensor<5x9xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<5x9xf32>) -> tensor<5x9xf32>
  %spread = tensor.insert_slice %padded into %fill[0, 0] [3, 5] [2, 2] : tensor<3x5xf32> into tensor<5x9xf32>
  return %spread : tensor<5x9xf32>
}

// -----

// Offsets add up: an insert at (1, 0) with strides (3, 2) of a padding
// low (2, 1) puts x at (1 + 2 * 3, 0 + 1 * 2).
// CHECK-LABEL: func.func @offset_and_stride
//       CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[7, 2] [2, 2] [3, 2]
func.func @offset_and_stride(%x: tensor<2x2xf32>) -> tensor<20x12xf32> {
  %zero = arith.constant 0.0 : f32
  %zero2 = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[2, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x2xf32> to tensor<4x4xf32>
  %empty = tensor.empty() : tensor<20x12xf32>
  %fill = linalg.fill ins(%zero2 : f32) outs(%empty : tensor<20x12xf32>) -> tensor<20x12xf32>
  %spread = tensor.insert_slice %padded into %fill[1, 0] [4, 4] [3, 2] : tensor<4x4xf32> into tensor<20x12xf32>
  return %spread : tensor<20x12xf32>
}

// -----

// The padding value differs from the fill's (-0.0 is not 0.0): the border
// matters, nothing folds.
// CHECK-LABEL: func.func @different_values
//       CHECK: tensor.pad
//       CHECK: tensor.insert_slice
func.func @different_values(%x: tensor<1x3xf32>) -> tensor<5x9xf32> {
  %zero = arith.constant 0.0 : f32
  %negzero = arith.constant -0.0 : f32
  %padded = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %negzero : f32
  } : tensor<1x3xf32> to tensor<3x5xf32>
  %empty = tensor.empty() : tensor<5x9xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<5x9xf32>) -> tensor<5x9xf32>
  %spread = tensor.insert_slice %padded into %fill[0, 0] [3, 5] [2, 2] : tensor<3x5xf32> into tensor<5x9xf32>
  return %spread : tensor<5x9xf32>
}

// -----

// Unit strides are the canonicalizer's, which folds them right.
// CHECK-LABEL: func.func @unit_stride
//       CHECK: tensor.pad
//       CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [3, 5] [1, 1]
func.func @unit_stride(%x: tensor<1x3xf32>) -> tensor<5x9xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<1x3xf32> to tensor<3x5xf32>
  %empty = tensor.empty() : tensor<5x9xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<5x9xf32>) -> tensor<5x9xf32>
  %spread = tensor.insert_slice %padded into %fill[0, 0] [3, 5] [1, 1] : tensor<3x5xf32> into tensor<5x9xf32>
  return %spread : tensor<5x9xf32>
}
