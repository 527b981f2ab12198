// RUN: cnnc-opt %s -split-input-file -cnnc-bufferize | FileCheck %s

// The result becomes an out-parameter that the computation writes into
// directly: no allocation, no copy.
// CHECK-LABEL: func.func @result_to_out_param
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.generic {{.*}} ins(%[[X]] : memref<4xf32>) outs(%[[OUT]] : memref<4xf32>)
// CHECK-NOT: copy
// CHECK: return
// CHECK-NOT: %
func.func @result_to_out_param(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.negf %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Copies into strided views (here: concatenation) are linalg.copy, which
// lowers to loops, never memref.copy, which would call a runtime helper.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: memref<1x2xf32>, %[[B:.*]]: memref<1x3xf32>, %[[OUT:.*]]: memref<1x5xf32>)
// CHECK: %[[FIRST:.*]] = memref.subview %[[OUT]][0, 0] [1, 2] [1, 1]
// CHECK: linalg.copy ins(%[[A]] : memref<1x2xf32>) outs(%[[FIRST]]
// CHECK: %[[SECOND:.*]] = memref.subview %[[OUT]][0, 2] [1, 3] [1, 1]
// CHECK: linalg.copy ins(%[[B]] : memref<1x3xf32>) outs(%[[SECOND]]
// CHECK-NOT: memref.copy
func.func @concat(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>) -> tensor<1x5xf32> {
  %e = tensor.empty() : tensor<1x5xf32>
  %0 = tensor.insert_slice %a into %e[0, 0] [1, 2] [1, 1] : tensor<1x2xf32> into tensor<1x5xf32>
  %1 = tensor.insert_slice %b into %0[0, 2] [1, 3] [1, 1] : tensor<1x3xf32> into tensor<1x5xf32>
  return %1 : tensor<1x5xf32>
}

// -----

// A model that returns its input copies it into the out-parameter.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: memref<2x2xf32>, %[[OUT:.*]]: memref<2x2xf32>)
// CHECK: linalg.copy ins(%[[X]] : memref<2x2xf32>) outs(%[[OUT]] : memref<2x2xf32>)
// CHECK-NOT: memref.copy
func.func @identity(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  return %x : tensor<2x2xf32>
}

// -----

// A function that returns what it calls computes: the callee writes into
// the caller's out-parameter, with no buffer between and no copy.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>)
// CHECK-NEXT: call @layer(%[[X]], %[[OUT]])
// CHECK-NEXT: return
// A loop that carries its buffer returns it unchanged: the layer computes
// into its out-parameter too.
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: (%[[IN:.*]]: memref<4xf32>, %[[RESULT:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: memref.store %{{.*}}, %[[RESULT]]
// CHECK-NOT: copy
func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = call @layer(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func private @layer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<4xf32>
  %0 = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %e) -> (tensor<4xf32>) {
    %v = tensor.extract %x[%i] : tensor<4xf32>
    %w = arith.negf %v : f32
    %1 = tensor.insert %w into %acc[%i] : tensor<4xf32>
    scf.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}
