// The named CPU pipelines, stage by stage.
// RUN: cnnc-opt %s -cnnc-graph-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: cnnc-opt %s -cnnc-cpu=target=avx512 | FileCheck %s --check-prefix=LLVM
// RUN: cnnc-opt %s -cnnc-graph-to-linalg | cnnc-opt -cnnc-linalg-to-llvm-cpu=target=avx512 | FileCheck %s --check-prefix=LLVM
// RUN: cnnc-opt %s -cnnc-cpu="tile=false" | FileCheck %s --check-prefix=LOOPS

// Structured ops on tensors; nothing of the cnn dialect is left.
// LINALG-LABEL: func.func @forward
// LINALG: linalg.conv_2d_nchw_fchw
// LINALG: linalg.generic
// LINALG: math.tanh
// LINALG-NOT: cnn.

// One pointer per tensor: parameters, the input, then the output. Each
// dispatch group (the convolution with its tanh; the pooling) is a function
// of its own (cnnc-form-dispatch-groups) that @forward calls on buffers it
// allocates and frees; the convolution's tiles are vector code.
// LLVM-LABEL: llvm.func @forward
// LLVM-SAME: (%{{.*}}: !llvm.ptr {cnn.init = "he_uniform", cnn.param = "conv.weight"}, %{{.*}}: !llvm.ptr {cnn.input = "input"}, %{{.*}}: !llvm.ptr)
// LLVM: llvm.call @_mlir_memref_to_llvm_alloc
// LLVM: llvm.call @forward_op{{[0-9]+}}(
// LLVM: llvm.call @_mlir_memref_to_llvm_free
// LLVM: llvm.return
// LLVM: llvm.func @forward_op{{[0-9]+}}({{.*}}) attributes {passthrough = ["noinline"]
// Rows of six columns are a vector of 4 and one of 2.
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<4xf32>, vector<4xf32>, vector<4xf32>) -> vector<4xf32>
// LLVM: llvm.intr.fmuladd({{.*}}) : (vector<2xf32>, vector<2xf32>, vector<2xf32>) -> vector<2xf32>
// tanh is a polynomial (cnnc-approximate-math), not a call per element.
// LLVM-NOT: tanh
// LLVM-NOT: memrefCopy

// Without tiling, plain scalar loops.
// LOOPS-LABEL: llvm.func @forward_op{{[0-9]+}}
// LOOPS-NOT: vector<
// LOOPS: llvm.intr.fma({{.*}}) : (f32, f32, f32) -> f32
module {
  func.func @forward(%w: tensor<4x3x3x3xf32> {cnn.param = "conv.weight", cnn.init = "he_uniform"},
                     %x: tensor<1x3x8x8xf32> {cnn.input = "input"}) -> tensor<1x4x3x3xf32> {
    %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
    %1 = cnn.tanh %0 : tensor<1x4x6x6xf32>
    %2 = cnn.max_pool2d %1 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x6x6xf32> -> tensor<1x4x3x3xf32>
    return %2 : tensor<1x4x3x3xf32>
  }
}
