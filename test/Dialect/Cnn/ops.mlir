// Every op of the cnn dialect parses, verifies and prints back in the same
// form, in the custom and in the generic syntax.
// RUN: cnnc-opt %s -split-input-file | cnnc-opt -split-input-file | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -mlir-print-op-generic | cnnc-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @conv2d_defaults
// CHECK: cnn.conv2d %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x3x32x32xf32>, tensor<8x3x5x5xf32>, tensor<8xf32> -> tensor<1x8x28x28xf32>
func.func @conv2d_defaults(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x5x5xf32>, %b: tensor<8xf32>) -> tensor<1x8x28x28xf32> {
  %0 = cnn.conv2d %x, %w, %b : tensor<1x3x32x32xf32>, tensor<8x3x5x5xf32>, tensor<8xf32> -> tensor<1x8x28x28xf32>
  return %0 : tensor<1x8x28x28xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_all_attributes
// CHECK: cnn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 1>, groups = 2 : i64, padding = array<i64: 1, 0, 2, 1>, padding_mode = #cnn.padding_mode<circular>, strides = array<i64: 2, 3>} : tensor<2x4x9x10xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x4x3xf32>
func.func @conv2d_all_attributes(%x: tensor<2x4x9x10xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x4x3xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 3>, padding = array<i64: 1, 0, 2, 1>, dilations = array<i64: 2, 1>, groups = 2, padding_mode = #cnn.padding_mode<circular>} : tensor<2x4x9x10xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x4x3xf32>
  return %0 : tensor<2x6x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_padding_modes
// CHECK: padding_mode = #cnn.padding_mode<replicate>
// CHECK: padding_mode = #cnn.padding_mode<valid>
// CHECK-NOT: padding_mode = #cnn.padding_mode<zeros>
func.func @conv2d_padding_modes(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x1x6x6xf32>, tensor<1x1x8x8xf32>) {
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<replicate>} : tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32> -> tensor<1x1x8x8xf32>
  %1 = cnn.conv2d %x, %w {padding_mode = #cnn.padding_mode<valid>} : tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32> -> tensor<1x1x6x6xf32>
  %2 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<zeros>} : tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32> -> tensor<1x1x8x8xf32>
  return %0, %1, %2 : tensor<1x1x8x8xf32>, tensor<1x1x6x6xf32>, tensor<1x1x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @dense
// CHECK: cnn.dense %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x120xf32>, tensor<84x120xf32>, tensor<84xf32> -> tensor<4x84xf32>
// CHECK: cnn.dense %{{.*}}, %{{.*}} : tensor<4x84xf32>, tensor<10x84xf32> -> tensor<4x10xf32>
func.func @dense(%x: tensor<4x120xf32>, %w: tensor<84x120xf32>, %b: tensor<84xf32>, %w2: tensor<10x84xf32>) -> tensor<4x10xf32> {
  %0 = cnn.dense %x, %w, %b : tensor<4x120xf32>, tensor<84x120xf32>, tensor<84xf32> -> tensor<4x84xf32>
  %1 = cnn.dense %0, %w2 : tensor<4x84xf32>, tensor<10x84xf32> -> tensor<4x10xf32>
  return %1 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<2x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
// CHECK: cnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16xf32>
func.func @batch_norm(%x: tensor<2x16x7x7xf32>, %f: tensor<2x16xf32>, %s: tensor<16xf32>, %t: tensor<16xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) -> (tensor<2x16x7x7xf32>, tensor<2x16xf32>) {
  %0 = cnn.batch_norm %x, %s, %t, %m, %v {epsilon = 1.0e-3} : tensor<2x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  %1 = cnn.batch_norm %f, %s, %t, %m, %v : tensor<2x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  return %0, %1 : tensor<2x16x7x7xf32>, tensor<2x16xf32>
}

// -----

// CHECK-LABEL: func.func @fold_batch_norm
// CHECK: %folded_weight, %folded_bias = cnn.fold_batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<16x8x3x3xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
func.func @fold_batch_norm(%w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>, %s: tensor<16xf32>, %t: tensor<16xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) -> (tensor<16x8x3x3xf32>, tensor<16xf32>) {
  %0:2 = cnn.fold_batch_norm %w, %b, %s, %t, %m, %v {epsilon = 1.0e-3} : tensor<16x8x3x3xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  return %0#0, %0#1 : tensor<16x8x3x3xf32>, tensor<16xf32>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK: cnn.relu %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.leaky_relu %{{.*}} {negative_slope = 1.000000e-01 : f64} : tensor<1x8x4x4xf32>
// CHECK: cnn.leaky_relu %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.tanh %{{.*}} : tensor<1x8x4x4xf32>
// CHECK: cnn.sigmoid %{{.*}} : tensor<1x8x4x4xf16>
func.func @activations(%x: tensor<1x8x4x4xf32>, %h: tensor<1x8x4x4xf16>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf16>) {
  %0 = cnn.relu %x : tensor<1x8x4x4xf32>
  %1 = cnn.leaky_relu %0 {negative_slope = 0.1} : tensor<1x8x4x4xf32>
  %2 = cnn.leaky_relu %1 : tensor<1x8x4x4xf32>
  %3 = cnn.tanh %2 : tensor<1x8x4x4xf32>
  %4 = cnn.sigmoid %h : tensor<1x8x4x4xf16>
  return %3, %4 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf16>
}

// -----

// CHECK-LABEL: func.func @softmax_dropout
// CHECK: cnn.softmax %{{.*}} : tensor<4x10xf32>
// CHECK: cnn.softmax %{{.*}} {axis = 0 : i64} : tensor<4x10xf32>
// CHECK: cnn.dropout %{{.*}} : tensor<4x10xf32>
// CHECK: cnn.dropout %{{.*}} {rate = 2.000000e-01 : f64} : tensor<4x10xf32>
func.func @softmax_dropout(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = cnn.softmax %x : tensor<4x10xf32>
  %1 = cnn.softmax %0 {axis = 0} : tensor<4x10xf32>
  %2 = cnn.dropout %1 : tensor<4x10xf32>
  %3 = cnn.dropout %2 {rate = 0.2} : tensor<4x10xf32>
  return %3 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @pools
// CHECK: cnn.max_pool2d %{{.*}} {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
// CHECK: cnn.max_pool2d %{{.*}} {ceil_mode = true, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x64x56x56xf32> -> tensor<1x64x28x28xf32>
// CHECK: cnn.avg_pool2d %{{.*}} {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x64x28x28xf32> -> tensor<1x64x28x28xf32>
// CHECK: cnn.global_avg_pool %{{.*}} : tensor<1x64x28x28xf32> -> tensor<1x64x1x1xf32>
func.func @pools(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32> {
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  %1 = cnn.max_pool2d %0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x64x56x56xf32> -> tensor<1x64x28x28xf32>
  %2 = cnn.avg_pool2d %1 {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<1x64x28x28xf32> -> tensor<1x64x28x28xf32>
  %3 = cnn.global_avg_pool %2 : tensor<1x64x28x28xf32> -> tensor<1x64x1x1xf32>
  return %3 : tensor<1x64x1x1xf32>
}

// -----

// A ceil-mode window that would start in the trailing padding is dropped:
// 5 rows, kernel 2, stride 2, padding 1 give 3 rows, not 4.
// CHECK-LABEL: func.func @pool_ceil_mode_edge
// CHECK: -> tensor<1x1x3x3xf32>
func.func @pool_ceil_mode_edge(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// NumPy broadcasting: a per-channel term, and a shorter shape.
// CHECK-LABEL: func.func @add_broadcast
// CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>, tensor<1x3x1x1xf32> -> tensor<2x3x4x4xf32>
// CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<2x3x4x1xf32> -> tensor<2x3x4x4xf32>
func.func @add_broadcast(%x: tensor<2x3x4x4xf32>, %c: tensor<1x3x1x1xf32>, %v: tensor<4xf32>, %w: tensor<2x3x4x1xf32>) -> (tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>) {
  %0 = cnn.add %x, %c : tensor<2x3x4x4xf32>, tensor<1x3x1x1xf32> -> tensor<2x3x4x4xf32>
  %1 = cnn.add %v, %w : tensor<4xf32>, tensor<2x3x4x1xf32> -> tensor<2x3x4x4xf32>
  return %0, %1 : tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @graph_ops
// CHECK: cnn.flatten %{{.*}} : tensor<2x16x5x5xf32> -> tensor<2x400xf32>
// CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<2x16x5x5xf32>, tensor<2x16x5x5xf32> -> tensor<2x16x5x5xf32>
// CHECK: cnn.concat %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x5x5xf32>, tensor<2x8x5x5xf32>, tensor<2x16x5x5xf32> -> tensor<2x40x5x5xf32>
// CHECK: cnn.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<2x400xf32>, tensor<2x400xf32> -> tensor<4x400xf32>
func.func @graph_ops(%x: tensor<2x16x5x5xf32>, %y: tensor<2x8x5x5xf32>) -> (tensor<2x40x5x5xf32>, tensor<4x400xf32>) {
  %0 = cnn.flatten %x : tensor<2x16x5x5xf32> -> tensor<2x400xf32>
  %1 = cnn.add %x, %x : tensor<2x16x5x5xf32>, tensor<2x16x5x5xf32> -> tensor<2x16x5x5xf32>
  %2 = cnn.concat %x, %y, %1 : tensor<2x16x5x5xf32>, tensor<2x8x5x5xf32>, tensor<2x16x5x5xf32> -> tensor<2x40x5x5xf32>
  %3 = cnn.concat %0, %0 {axis = 0} : tensor<2x400xf32>, tensor<2x400xf32> -> tensor<4x400xf32>
  return %2, %3 : tensor<2x40x5x5xf32>, tensor<4x400xf32>
}

// -----

// CHECK-LABEL: func.func @model_arguments
// CHECK-SAME: {cnn.param = "c1.weight"}
// CHECK-SAME: {cnn.buffer = "bn1.running_mean"}
// CHECK-SAME: {cnn.input = "image"}
func.func @model_arguments(%w: tensor<8x3x3x3xf32> {cnn.param = "c1.weight"}, %m: tensor<8xf32> {cnn.buffer = "bn1.running_mean"}, %x: tensor<1x3x8x8xf32> {cnn.input = "image"}) {
  return
}

// -----

// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: cnn.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>} : tensor<1x8x5x6xf32>, tensor<8x4x2x2xf32>, tensor<4xf32> -> tensor<1x4x10x12xf32>
// CHECK: cnn.conv_transpose2d %{{.*}}, %{{.*}} {groups = 2 : i64, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x5x6xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x10x12xf32>
func.func @conv_transpose2d(%x: tensor<1x8x5x6xf32>, %w: tensor<8x4x2x2xf32>, %b: tensor<4xf32>, %g: tensor<8x2x3x3xf32>) -> (tensor<1x4x10x12xf32>, tensor<1x4x10x12xf32>) {
  %0 = cnn.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>} : tensor<1x8x5x6xf32>, tensor<8x4x2x2xf32>, tensor<4xf32> -> tensor<1x4x10x12xf32>
  %1 = cnn.conv_transpose2d %x, %g {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2} : tensor<1x8x5x6xf32>, tensor<8x2x3x3xf32> -> tensor<1x4x10x12xf32>
  return %0, %1 : tensor<1x4x10x12xf32>, tensor<1x4x10x12xf32>
}

// -----

// CHECK-LABEL: func.func @later_architectures
// CHECK: cnn.silu %{{.*}} : tensor<1x8x6x6xf32>
// CHECK: cnn.local_response_norm %{{.*}} {k = 2.000000e+00 : f64, size = 5 : i64} : tensor<1x8x6x6xf32>
// CHECK: cnn.adaptive_avg_pool2d %{{.*}} {output_size = array<i64: 4, 4>} : tensor<1x8x6x6xf32> -> tensor<1x8x4x4xf32>
// CHECK: cnn.upsample %{{.*}} {scale_factors = array<i64: 2, 2>} : tensor<1x8x4x4xf32> -> tensor<1x8x8x8xf32>
// CHECK: cnn.upsample %{{.*}} {mode = #cnn.upsample_mode<bilinear>, scale_factors = array<i64: 1, 3>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x12xf32>
// CHECK: cnn.crop %{{.*}} {offsets = array<i64: 1, 1>, sizes = array<i64: 4, 4>} : tensor<1x8x6x6xf32> -> tensor<1x8x4x4xf32>
// CHECK: cnn.pad %{{.*}} {mode = #cnn.padding_mode<replicate>, padding = array<i64: 1, 0, 1, 0>} : tensor<1x8x4x4xf32> -> tensor<1x8x6x4xf32>
// CHECK: cnn.pad %{{.*}} {padding = array<i64: 1, 1, 1, 1>, value = -1.000000e+00 : f64} : tensor<1x8x4x4xf32> -> tensor<1x8x6x6xf32>
// CHECK: cnn.reshape %{{.*}} {shape = array<i64: 1, 2, 64>} : tensor<1x8x4x4xf32> -> tensor<1x2x64xf32>
func.func @later_architectures(%x: tensor<1x8x6x6xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x4x12xf32>, tensor<1x8x6x4xf32>, tensor<1x8x6x6xf32>, tensor<1x2x64xf32>) {
  %0 = cnn.silu %x : tensor<1x8x6x6xf32>
  %1 = cnn.local_response_norm %0 {size = 5, k = 2.0} : tensor<1x8x6x6xf32>
  %2 = cnn.adaptive_avg_pool2d %1 {output_size = array<i64: 4, 4>} : tensor<1x8x6x6xf32> -> tensor<1x8x4x4xf32>
  %3 = cnn.upsample %2 {scale_factors = array<i64: 2, 2>} : tensor<1x8x4x4xf32> -> tensor<1x8x8x8xf32>
  %4 = cnn.upsample %2 {scale_factors = array<i64: 1, 3>, mode = #cnn.upsample_mode<bilinear>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x12xf32>
  %5 = cnn.crop %x {offsets = array<i64: 1, 1>, sizes = array<i64: 4, 4>} : tensor<1x8x6x6xf32> -> tensor<1x8x4x4xf32>
  %6 = cnn.pad %5 {padding = array<i64: 1, 0, 1, 0>, mode = #cnn.padding_mode<replicate>} : tensor<1x8x4x4xf32> -> tensor<1x8x6x4xf32>
  %7 = cnn.pad %5 {padding = array<i64: 1, 1, 1, 1>, value = -1.0} : tensor<1x8x4x4xf32> -> tensor<1x8x6x6xf32>
  %8 = cnn.reshape %5 {shape = array<i64: 1, 2, 64>} : tensor<1x8x4x4xf32> -> tensor<1x2x64xf32>
  return %3, %4, %6, %7, %8 : tensor<1x8x8x8xf32>, tensor<1x8x4x12xf32>, tensor<1x8x6x4xf32>, tensor<1x8x6x6xf32>, tensor<1x2x64xf32>
}

// -----

// CHECK-LABEL: func.func @conv1d_defaults
// CHECK: cnn.conv1d %{{.*}}, %{{.*}} : tensor<1x2x16xf32>, tensor<4x2x3xf32> -> tensor<1x4x14xf32>
func.func @conv1d_defaults(%x: tensor<1x2x16xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x14xf32> {
  %0 = cnn.conv1d %x, %w : tensor<1x2x16xf32>, tensor<4x2x3xf32> -> tensor<1x4x14xf32>
  return %0 : tensor<1x4x14xf32>
}

// -----

// CHECK-LABEL: func.func @conv1d_full_true_convolution
// CHECK: cnn.conv1d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2>, padding = array<i64: 4, 4>, strides = array<i64: 2>, true_convolution = true} : tensor<1x1x3xf32>, tensor<2x1x3xf32>, tensor<2xf32> -> tensor<1x2x4xf32>
func.func @conv1d_full_true_convolution(%x: tensor<1x1x3xf32>, %w: tensor<2x1x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x4xf32> {
  %0 = cnn.conv1d %x, %w, %b {strides = array<i64: 2>, padding = array<i64: 4, 4>, dilations = array<i64: 2>, true_convolution = true} : tensor<1x1x3xf32>, tensor<2x1x3xf32>, tensor<2xf32> -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}


// -----

// The ops of a training step.
// CHECK-LABEL: func.func @training_ops
// CHECK: cnn.transpose %{{.*}} {permutation = array<i64: 1, 0, 2, 3>} : tensor<2x3x4x4xf32> -> tensor<3x2x4x4xf32>
// CHECK: cnn.slice %{{.*}} {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: 2, 2, 4, 4>} : tensor<2x3x4x4xf32> -> tensor<2x2x4x4xf32>
// CHECK: cnn.reduce_sum %{{.*}} {axes = array<i64: 0, 2, 3>} : tensor<2x3x4x4xf32> -> tensor<3xf32>
// CHECK: cnn.relu_grad %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>
// CHECK: cnn.leaky_relu_grad %{{.*}}, %{{.*}} {negative_slope = 2.000000e-01 : f64} : tensor<2x3x4x4xf32>
// CHECK: cnn.tanh_grad %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>
// CHECK: cnn.sigmoid_grad %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>
// CHECK: cnn.silu_grad %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>
// CHECK: cnn.softmax_grad %{{.*}}, %{{.*}} : tensor<2x3x4x4xf32>
// CHECK: cnn.avg_pool2d_grad %{{.*}} {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x2x2xf32> -> tensor<2x3x4x4xf32>
// CHECK: cnn.max_pool2d_grad %{{.*}}, %{{.*}} {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x2x2xf32>, tensor<2x3x4x4xf32>
// CHECK: cnn.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : tensor<2x5xf32>, tensor<2xf32>
// CHECK: cnn.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5xf32>, tensor<2xf32>
// CHECK: cnn.mse_loss %{{.*}}, %{{.*}} : tensor<2x5xf32>
// CHECK: cnn.mse_loss_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x5xf32>
// CHECK: cnn.correct_count %{{.*}}, %{{.*}} : tensor<2x5xf32>, tensor<2xf32>
// CHECK: cnn.sgd_update %{{.*}}, %{{.*}} {learning_rate = 1.000000e-01 : f64} : tensor<2x5xf32>
// CHECK: cnn.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {learning_rate = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true} : tensor<2x5xf32>, tensor<2x5xf32> -> tensor<2x5xf32>
// CHECK: cnn.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {decoupled_weight_decay = true, learning_rate = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64} : tensor<2x5xf32>
func.func @training_ops(%x: tensor<2x3x4x4xf32>, %p: tensor<2x3x2x2xf32>, %z: tensor<2x5xf32>, %l: tensor<2xf32>, %one: tensor<1xf32>) {
  %0 = cnn.transpose %x {permutation = array<i64: 1, 0, 2, 3>} : tensor<2x3x4x4xf32> -> tensor<3x2x4x4xf32>
  %1 = cnn.slice %x {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: 2, 2, 4, 4>} : tensor<2x3x4x4xf32> -> tensor<2x2x4x4xf32>
  %2 = cnn.reduce_sum %x {axes = array<i64: 0, 2, 3>} : tensor<2x3x4x4xf32> -> tensor<3xf32>
  %3 = cnn.relu_grad %x, %x : tensor<2x3x4x4xf32>
  %4 = cnn.leaky_relu_grad %x, %x {negative_slope = 0.2} : tensor<2x3x4x4xf32>
  %5 = cnn.tanh_grad %x, %x : tensor<2x3x4x4xf32>
  %6 = cnn.sigmoid_grad %x, %x : tensor<2x3x4x4xf32>
  %7 = cnn.silu_grad %x, %x : tensor<2x3x4x4xf32>
  %8 = cnn.softmax_grad %x, %x : tensor<2x3x4x4xf32>
  %9 = cnn.avg_pool2d_grad %p {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x2x2xf32> -> tensor<2x3x4x4xf32>
  %10 = cnn.max_pool2d_grad %p, %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x2x2xf32>, tensor<2x3x4x4xf32>
  %11 = cnn.softmax_cross_entropy %z, %l {label_smoothing = 0.1} : tensor<2x5xf32>, tensor<2xf32>
  %12 = cnn.softmax_cross_entropy_grad %z, %l, %one : tensor<2x5xf32>, tensor<2xf32>
  %13 = cnn.mse_loss %z, %z : tensor<2x5xf32>
  %14 = cnn.mse_loss_grad %z, %z, %one : tensor<2x5xf32>
  %15 = cnn.correct_count %z, %l : tensor<2x5xf32>, tensor<2xf32>
  %16 = cnn.sgd_update %z, %z {learning_rate = 0.1} : tensor<2x5xf32>
  %17:2 = cnn.sgd_update %z, %z, %z {learning_rate = 0.1, momentum = 0.9, nesterov = true} : tensor<2x5xf32>, tensor<2x5xf32> -> tensor<2x5xf32>
  %18:3 = cnn.adam_update %z, %z, %z, %z, %one {learning_rate = 0.001, weight_decay = 0.01, decoupled_weight_decay = true} : tensor<2x5xf32>
  return
}

// -----

// CHECK-LABEL: func.func @batch_norm_training
// CHECK: %[[Y:[^,]*]], %{{.*}}, %{{.*}}, %[[M:[^,]*]], %[[I:[^ ]*]] = cnn.batch_norm_train %{{.*}} {momentum = 2.000000e-01 : f64} : tensor<2x4x3x3xf32>, tensor<4xf32>
// CHECK: cnn.batch_norm_grad %[[Y]], %{{.*}}, %{{.*}}, %[[M]], %[[I]] : tensor<2x4x3x3xf32>, tensor<4xf32>
func.func @batch_norm_training(%x: tensor<2x4x3x3xf32>, %s: tensor<4xf32>) -> (tensor<2x4x3x3xf32>, tensor<4xf32>) {
  %0:5 = cnn.batch_norm_train %x, %s, %s, %s, %s {momentum = 0.2} : tensor<2x4x3x3xf32>, tensor<4xf32>
  %1:3 = cnn.batch_norm_grad %0#0, %x, %s, %0#3, %0#4 : tensor<2x4x3x3xf32>, tensor<4xf32>
  return %1#0, %1#1 : tensor<2x4x3x3xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @dropout_training
// CHECK: cnn.dropout_train %{{.*}}, %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f64, stream = 2 : i64} : tensor<2x4xf32>
func.func @dropout_training(%x: tensor<2x4xf32>, %seed: tensor<1xf32>, %step: tensor<1xf32>) -> tensor<2x4xf32> {
  %0 = cnn.dropout_train %x, %seed, %step {rate = 0.5, stream = 2} : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @connections
// CHECK: cnn.expand_connections %{{.*}} {connections = dense<{{\[\[}}true, false], [true, true]]> : tensor<2x2xi1>} : tensor<3x1x3x3xf32> -> tensor<2x2x3x3xf32>
// CHECK: cnn.gather_connections %{{.*}} {connections = dense<{{\[\[}}true, false], [true, true]]> : tensor<2x2xi1>} : tensor<2x2x3x3xf32> -> tensor<3x1x3x3xf32>
func.func @connections(%w: tensor<3x1x3x3xf32>) -> tensor<3x1x3x3xf32> {
  %0 = cnn.expand_connections %w {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<3x1x3x3xf32> -> tensor<2x2x3x3xf32>
  %1 = cnn.gather_connections %0 {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<2x2x3x3xf32> -> tensor<3x1x3x3xf32>
  return %1 : tensor<3x1x3x3xf32>
}

// -----

// The activations and broadcast arithmetic of ONNX's operator set; default
// attributes are not printed.
// CHECK-LABEL: func.func @onnx_ops
// CHECK: cnn.elu %{{.*}} {alpha = 1.673200e+00 : f64, scale = 1.050700e+00 : f64} : tensor<2x3x4xf32>
// CHECK: cnn.hard_sigmoid %{{.*}} : tensor<2x3x4xf32>
// CHECK: cnn.hard_swish %{{.*}} : tensor<2x3x4xf32>
// CHECK: cnn.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x3x4xf32>
// CHECK: cnn.clip %{{.*}} : tensor<2x3x4xf32>
// CHECK: cnn.log_softmax %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf32>
// CHECK: cnn.sub %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
// CHECK: cnn.mul %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
// CHECK: cnn.div %{{.*}}, %{{.*}} : tensor<1xf32>, tensor<2x3x4xf32> -> tensor<2x3x4xf32>
// CHECK: cnn.prelu %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
func.func @onnx_ops(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>, %s: tensor<3x1xf32>, %one: tensor<1xf32>) -> tensor<2x3x4xf32> {
  %0 = cnn.elu %x {alpha = 1.6732 : f64, scale = 1.0507 : f64} : tensor<2x3x4xf32>
  %1 = cnn.hard_sigmoid %0 {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<2x3x4xf32>
  %2 = cnn.hard_swish %1 : tensor<2x3x4xf32>
  %3 = cnn.clip %2 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3x4xf32>
  %4 = cnn.clip %3 : tensor<2x3x4xf32>
  %5 = cnn.log_softmax %4 {axis = 2} : tensor<2x3x4xf32>
  %6 = cnn.sub %5, %v : tensor<2x3x4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
  %7 = cnn.mul %6, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  %8 = cnn.div %one, %7 : tensor<1xf32>, tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %9 = cnn.prelu %8, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %9 : tensor<2x3x4xf32>
}
