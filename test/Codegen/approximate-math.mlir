// RUN: cnnc-opt %s -split-input-file -cnnc-approximate-math | FileCheck %s

// tanh and exp of f32, scalar or vector, become polynomials: no call to
// libm is left for LLVM to make element by element.
// CHECK-LABEL: func.func @transcendental
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: return
func.func @transcendental(%x: vector<16xf32>, %y: f32) -> (vector<16xf32>, f32) {
  %0 = math.tanh %x : vector<16xf32>
  %1 = math.exp %y : f32
  return %0, %1 : vector<16xf32>, f32
}

// -----

// sqrt has an instruction, and f64 no approximation: both stay.
// CHECK-LABEL: func.func @kept
// CHECK: math.sqrt
// CHECK: math.tanh {{.*}} : f64
func.func @kept(%x: vector<16xf32>, %y: f64) -> (vector<16xf32>, f64) {
  %0 = math.sqrt %x : vector<16xf32>
  %1 = math.tanh %y : f64
  return %0, %1 : vector<16xf32>, f64
}
