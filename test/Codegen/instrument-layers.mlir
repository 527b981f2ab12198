// RUN: cnnc-opt %s -split-input-file -cnnc-instrument-layers | FileCheck %s

// After each call to a layer function, every output buffer it wrote (its
// last num_outputs arguments) goes to the runtime's check with the layer's
// name; in @forward, the layer's end is marked for the profile, with its
// multiply-adds (0 where it has none); the marks are removed.
// CHECK-LABEL: func.func @forward
//  CHECK-SAME: (%[[X:.*]]: memref<2x4xf32>, %[[Y:.*]]: memref<2x4xf32>)
//       CHECK: %[[BUF:.*]] = memref.alloc() : memref<2x4xf32>
//       CHECK: call @forward_scale(%[[X]], %[[BUF]])
//       CHECK: %[[NAME:.*]] = llvm.mlir.addressof @cnnc_layer_name_scale
//       CHECK: %[[MACS:.*]] = arith.constant 96 : i64
//       CHECK: call @cnnrt_profile_layer(%[[NAME]], %[[MACS]]) : (!llvm.ptr, i64) -> ()
//       CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[BUF]]
//       CHECK: %[[A:.*]] = arith.index_cast %[[P]] : index to i64
//       CHECK: %[[N:.*]] = arith.constant 8 : i64
//       CHECK: call @cnnrt_check_finite(%[[A]], %[[N]], %[[NAME]]) : (i64, i64, !llvm.ptr) -> ()
//       CHECK: call @forward_act(%[[BUF]], %[[Y]])
//       CHECK: llvm.mlir.addressof @cnnc_layer_name_act
//       CHECK: arith.constant 0 : i64
//       CHECK: call @cnnrt_profile_layer
//       CHECK: memref.extract_aligned_pointer_as_index %[[Y]]
//       CHECK: call @cnnrt_check_finite
//       CHECK: func.func private @forward_scale
//   CHECK-NOT: cnnc.layer
//   CHECK-NOT: cnnc.multiply_adds
//       CHECK: func.func private @cnnrt_check_finite(i64, i64, !llvm.ptr)
//       CHECK: func.func private @cnnrt_profile_layer(!llvm.ptr, i64)
//       CHECK: llvm.mlir.global internal constant @cnnc_layer_name_scale("scale\00")
func.func @forward(%x: memref<2x4xf32>, %y: memref<2x4xf32>) {
  %buffer = memref.alloc() : memref<2x4xf32>
  call @forward_scale(%x, %buffer) : (memref<2x4xf32>, memref<2x4xf32>) -> ()
  call @forward_act(%buffer, %y) : (memref<2x4xf32>, memref<2x4xf32>) -> ()
  memref.dealloc %buffer : memref<2x4xf32>
  return
}
func.func private @forward_scale(%in: memref<2x4xf32>, %out: memref<2x4xf32>) attributes {cnnc.layer = "scale", cnnc.multiply_adds = 96 : i64, cnnc.num_outputs = 1 : i64} {
  return
}
func.func private @forward_act(%in: memref<2x4xf32>, %out: memref<2x4xf32>) attributes {cnnc.layer = "act", cnnc.num_outputs = 1 : i64} {
  return
}

// -----

// Calls to functions that are not layers are left alone.
// CHECK-LABEL: func.func @other_calls
//   CHECK-NOT: cnnrt_check_finite
func.func @other_calls(%x: memref<4xf32>) {
  call @helper(%x) : (memref<4xf32>) -> ()
  return
}
func.func private @helper(%x: memref<4xf32>)

// -----

// Outside @forward (in @prepare), layers are checked but not timed.
// CHECK-LABEL: func.func @prepare
//       CHECK: call @cnnrt_check_finite
//   CHECK-NOT: cnnrt_profile_layer
//       CHECK: return
func.func @prepare(%x: memref<4xf32>, %y: memref<4xf32>) {
  call @prepare_scale(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}
func.func private @prepare_scale(%in: memref<4xf32>, %out: memref<4xf32>) attributes {cnnc.layer = "scale", cnnc.num_outputs = 1 : i64} {
  return
}
