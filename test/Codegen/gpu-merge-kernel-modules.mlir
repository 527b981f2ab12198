// RUN: cnnc-opt %s -cnnc-gpu-merge-kernel-modules | FileCheck %s

// Three outlined kernels, two of them named alike in their own modules,
// become one module; the clash is renamed and every launch follows.
// CHECK-LABEL: func.func @forward
//       CHECK: gpu.launch_func @cnnc_kernels::@conv_kernel
//       CHECK: gpu.launch_func @cnnc_kernels::@conv_kernel_0
//       CHECK: gpu.launch_func @cnnc_kernels::@relu_kernel
//       CHECK: gpu.module @cnnc_kernels
//   CHECK-DAG: gpu.func @conv_kernel(
//   CHECK-DAG: gpu.func @conv_kernel_0(
//   CHECK-DAG: gpu.func @relu_kernel(
//   CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @forward(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @conv_kernel::@conv_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @conv_kernel_0::@conv_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @relu_kernel::@relu_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @conv_kernel {
    gpu.func @conv_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @conv_kernel_0 {
    gpu.func @conv_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @relu_kernel {
    gpu.func @relu_kernel(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
