// RUN: cnnc-opt %s -split-input-file -cnnc-deduplicate-functions | FileCheck %s

// Two layers with equal bodies (locations aside) become one function; a
// third with another constant stays, and so does a public function.
// CHECK-LABEL: func.func @forward
//       CHECK: call @forward_a(%{{.*}}, %{{.*}})
//       CHECK: call @forward_a(%{{.*}}, %{{.*}})
//       CHECK: call @forward_c(%{{.*}}, %{{.*}})
//       CHECK: call @public_twin(%{{.*}}, %{{.*}})
//       CHECK: func.func private @forward_a
//   CHECK-NOT: func.func private @forward_b
//       CHECK: func.func private @forward_c
//       CHECK: func.func @public_twin
func.func @forward(%x: memref<4xf32>, %y: memref<4xf32>, %z: memref<4xf32>) {
  call @forward_a(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  call @forward_b(%y, %z) : (memref<4xf32>, memref<4xf32>) -> ()
  call @forward_c(%z, %x) : (memref<4xf32>, memref<4xf32>) -> ()
  call @public_twin(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func private @forward_a(%in: memref<4xf32>, %out: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%in : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } loc("a")
  return
}
func.func private @forward_b(%in: memref<4xf32>, %out: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%in : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } loc("b")
  return
}
func.func private @forward_c(%in: memref<4xf32>, %out: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %three = arith.constant 3.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%in : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %three : f32
    linalg.yield %m : f32
  }
  return
}
func.func @public_twin(%in: memref<4xf32>, %out: memref<4xf32>) attributes {passthrough = ["noinline"]} {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%in : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Equal bodies but different attributes (one may be inlined) stay apart; so
// do bodies that use their arguments in another order.
// CHECK-LABEL: func.func @forward
//       CHECK: call @forward_a
//       CHECK: call @forward_b
//       CHECK: call @forward_c
func.func @forward(%x: f32, %y: f32) -> (f32, f32, f32) {
  %0 = call @forward_a(%x, %y) : (f32, f32) -> f32
  %1 = call @forward_b(%x, %y) : (f32, f32) -> f32
  %2 = call @forward_c(%x, %y) : (f32, f32) -> f32
  return %0, %1, %2 : f32, f32, f32
}
func.func private @forward_a(%a: f32, %b: f32) -> f32 attributes {passthrough = ["noinline"]} {
  %d = arith.subf %a, %b : f32
  return %d : f32
}
func.func private @forward_b(%a: f32, %b: f32) -> f32 {
  %d = arith.subf %a, %b : f32
  return %d : f32
}
func.func private @forward_c(%a: f32, %b: f32) -> f32 attributes {passthrough = ["noinline"]} {
  %d = arith.subf %b, %a : f32
  return %d : f32
}
