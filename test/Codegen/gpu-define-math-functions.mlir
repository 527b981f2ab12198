// RUN: cnnc-opt %s -split-input-file --pass-pipeline="builtin.module(gpu.module(cnnc-gpu-define-math-functions))" -verify-diagnostics | FileCheck %s

// The libdevice declarations the NVVM lowering left get bodies of one
// intrinsic each; other functions stay as they are.
// CHECK-LABEL: gpu.module @kernels
//       CHECK: llvm.func internal @__nv_sqrtf(%[[X:.*]]: f32) -> f32
//  CHECK-NEXT:   %[[R:.*]] = llvm.intr.sqrt(%[[X]]) : (f32) -> f32
//  CHECK-NEXT:   llvm.return %[[R]] : f32
//       CHECK: llvm.func internal @__nv_fabsf(
//  CHECK-NEXT:   llvm.intr.fabs
//       CHECK: llvm.func internal @__nv_fmaf(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32) -> f32
//  CHECK-NEXT:   llvm.intr.fma(%[[A]], %[[B]], %[[C]])
//       CHECK: llvm.func internal @__nv_floor(
//  CHECK-NEXT:   llvm.intr.floor({{.*}}) : (f64) -> f64
//       CHECK: llvm.func @helper(f32) -> f32
gpu.module @kernels {
  llvm.func @__nv_sqrtf(f32) -> f32
  llvm.func @__nv_fabsf(f32) -> f32
  llvm.func @__nv_fmaf(f32, f32, f32) -> f32
  llvm.func @__nv_floor(f64) -> f64
  llvm.func @helper(f32) -> f32
}

// -----

gpu.module @kernels {
  // expected-error@+1 {{a kernel calls libdevice's '__nv_expf', which cnnc does not define}}
  llvm.func @__nv_expf(f32) -> f32
}
