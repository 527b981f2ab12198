// RUN: cnnc-opt %s -split-input-file -convert-cnn-to-linalg | FileCheck %s

// The bias seeds the accumulator of the named convolution.
// CHECK-LABEL: func.func @conv2d_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%{{.*}} : tensor<1x4x6x6xf32>) dimensions = [0, 2, 3]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<1x4x6x6xf32>)
// CHECK-NOT: cnn.
func.func @conv2d_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  %0 = cnn.conv2d %x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Zero padding is a tensor.pad; strides and dilations carry over.
// CHECK-LABEL: func.func @conv2d_zero_padding
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PADDED:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 2, 1]
// CHECK: tensor.yield %[[ZERO]]
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x11x9xf32>
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PADDED]],
func.func @conv2d_zero_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 1>, padding = array<i64: 1, 0, 2, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Replicate padding gathers with clamped indices.
// CHECK-LABEL: func.func @conv2d_replicate
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x10x10xf32>)
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv2d_replicate(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<replicate>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Circular padding gathers with wrapped indices.
// CHECK-LABEL: func.func @conv2d_circular
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: arith.addi
// CHECK: arith.remsi
// CHECK: tensor.extract
func.func @conv2d_circular(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<circular>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Groups split the channel dimensions for the grouped named convolution.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 3, 6, 6] : tensor<1x6x6x6xf32> into tensor<1x2x3x6x6xf32>
// CHECK: tensor.expand_shape %{{.*}} : tensor<1x4x8x8xf32> into tensor<1x2x2x8x8xf32>
// CHECK: tensor.expand_shape %{{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[CONV:.*]] = linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %[[CONV]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
func.func @conv2d_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = cnn.conv2d %x, %w {groups = 2} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// A connection table: the 3 filters are gathered into a dense 2x2 bank
// (filter index -1 reads as 0), then the ordinary convolution runs.
// CHECK-LABEL: func.func @conv2d_connections
// CHECK: %[[INDEX:.*]] = arith.constant dense<{{\[\[}}0, -1], [1, 2]]> : tensor<2x2xi32>
// CHECK: %[[BANK:.*]] = linalg.generic {{.*}} ins(%[[INDEX]] : tensor<2x2xi32>) outs(%{{.*}} : tensor<2x2x3x3xf32>)
// CHECK: arith.cmpi sge
// CHECK: tensor.extract %{{.*}} : tensor<3x1x3x3xf32>
// CHECK: arith.select
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[BANK]] : tensor<1x2x8x8xf32>, tensor<2x2x3x3xf32>)
func.func @conv2d_connections(%x: tensor<1x2x8x8xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = cnn.conv2d %x, %w {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<1x2x8x8xf32>, tensor<3x1x3x3xf32> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @dense
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @dense(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = cnn.dense %x, %w, %b : tensor<2x8xf32>, tensor<4x8xf32>, tensor<4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Per channel a = scale / sqrt(variance + epsilon), b = shift - mean * a;
// per element x * a + b.
// CHECK-LABEL: func.func @batch_norm
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[SCALE:.*]]: f32, %[[VAR:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[V:.*]] = arith.addf %[[VAR]], %{{.*}}
// CHECK: %[[S:.*]] = math.sqrt %[[V]]
// CHECK: arith.divf %[[SCALE]], %[[S]]
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[A]] : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[SHIFT:.*]]: f32, %[[MEAN:.*]]: f32, %[[AA:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[M:.*]] = arith.mulf %[[MEAN]], %[[AA]]
// CHECK: arith.subf %[[SHIFT]], %[[M]]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[A]], %[[B]] : tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[XA:.*]]: f32, %[[XB:.*]]: f32, %{{.*}}: f32):
// CHECK: math.fma %[[X]], %[[XA]], %[[XB]]
func.func @batch_norm(%x: tensor<1x4x2x2xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.batch_norm %x, %v, %v, %v, %v : tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// Folding a batch norm into a layer: the same per-channel scale a, the
// weight times a along its first dimension, (bias - mean) * a + shift.
// CHECK-LABEL: func.func @fold_batch_norm
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: %[[W:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[FIRST:.*]], #{{.*}}], {{.*}} ins(%{{.*}}, %[[A]] : tensor<4x2x3x3xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[A]], %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[BIAS:.*]]: f32, %[[MEAN:.*]]: f32, %[[AA:.*]]: f32, %[[SHIFT:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[D:.*]] = arith.subf %[[BIAS]], %[[MEAN]]
// CHECK: math.fma %[[D]], %[[AA]], %[[SHIFT]]
// CHECK: return %[[W]], %[[B]]
func.func @fold_batch_norm(%w: tensor<4x2x3x3xf32>, %v: tensor<4xf32>) -> (tensor<4x2x3x3xf32>, tensor<4xf32>) {
  %0:2 = cnn.fold_batch_norm %w, %v, %v, %v, %v, %v : tensor<4x2x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %0#0, %0#1 : tensor<4x2x3x3xf32>, tensor<4xf32>
}

// -----

// ReLU's maximum may return either zero for -0 (one x86 max), never drops a NaN.
// CHECK-LABEL: func.func @activations
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: math.tanh
// CHECK: math.exp
// CHECK-NOT: cnn.dropout
func.func @activations(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = cnn.relu %x : tensor<2x8xf32>
  %1 = cnn.leaky_relu %0 : tensor<2x8xf32>
  %2 = cnn.tanh %1 : tensor<2x8xf32>
  %3 = cnn.sigmoid %2 : tensor<2x8xf32>
  %4 = cnn.dropout %3 : tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// Softmax: the maximum, exp(x - max), the sum, the quotient.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x8xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.reduce
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = cnn.softmax %x : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Max pooling pads with -inf, ceil mode's extra row and column included.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_ceil(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pooling: a sum pool, then the divisor of each window from its
// position.
// CHECK-LABEL: func.func @avg_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.generic
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = cnn.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @shapes
// CHECK: linalg.reduce ins(%{{.*}} : tensor<1x4x3x3xf32>) outs(%{{.*}} : tensor<1x4xf32>) dimensions = [2, 3]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [1, 4, 1, 1]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<1x4x3x3xf32> into tensor<1x36xf32>
// CHECK: tensor.concat dim(1) %{{.*}}, %{{.*}} : (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) -> tensor<1x8x3x3xf32>
func.func @shapes(%x: tensor<1x4x3x3xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x36xf32>, tensor<1x8x3x3xf32>) {
  %0 = cnn.global_avg_pool %x : tensor<1x4x3x3xf32> -> tensor<1x4x1x1xf32>
  %1 = cnn.flatten %x : tensor<1x4x3x3xf32> -> tensor<1x36xf32>
  %2 = cnn.concat %x, %x : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32> -> tensor<1x8x3x3xf32>
  return %0, %1, %2 : tensor<1x4x1x1xf32>, tensor<1x36xf32>, tensor<1x8x3x3xf32>
}

// -----

// A transposed convolution: the input spread out by the stride, padded by the
// kernel's reach, convolved with the flipped kernel.
// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x5x5xf32>
// CHECK: %[[PADDED:.*]] = tensor.pad %[[SPREAD]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[KERNEL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x2x2xf32>)
// CHECK: arith.subi
// CHECK: tensor.extract
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PADDED]], %[[KERNEL]] : tensor<1x4x7x7xf32>, tensor<2x4x2x2xf32>) outs(%{{.*}} : tensor<1x2x6x6xf32>)
func.func @conv_transpose2d(%x: tensor<1x4x3x3xf32>, %w: tensor<4x2x2x2xf32>) -> tensor<1x2x6x6xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 2, 2>} : tensor<1x4x3x3xf32>, tensor<4x2x2x2xf32> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Of a 1x1 input (the input gradient of LeNet-5's C5): a dense layer of the
// transposed filters, not a convolution over a padded input of zeros.
// CHECK-LABEL: func.func @conv_transpose2d_pixel
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<8x4x1x1xf32> into tensor<8x4xf32>
// CHECK: %[[FILTERS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<4x3x5x5xf32> into tensor<4x75xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[FILTERS]] : tensor<4x75xf32>) outs(%{{.*}} : tensor<75x4xf32>) permutation = [1, 0]
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[ROWS]], %[[T]] : tensor<8x4xf32>, tensor<75x4xf32>) outs(%{{.*}} : tensor<8x75xf32>)
// CHECK: tensor.expand_shape %[[PRODUCT]] {{\[}}[0], [1, 2, 3]] output_shape [8, 3, 5, 5] : tensor<8x75xf32> into tensor<8x3x5x5xf32>
// CHECK-NOT: linalg.conv_2d
func.func @conv_transpose2d_pixel(%x: tensor<8x4x1x1xf32>, %w: tensor<4x3x5x5xf32>) -> tensor<8x3x5x5xf32> {
  %0 = cnn.conv_transpose2d %x, %w : tensor<8x4x1x1xf32>, tensor<4x3x5x5xf32> -> tensor<8x3x5x5xf32>
  return %0 : tensor<8x3x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @gathers
// Nearest upsampling divides the output index by the factor.
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x8x8xf32>)
// CHECK: arith.divui
// CHECK: tensor.extract
// Adaptive pooling: a sum over the widest window, masked, then the divisor.
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.cmpi ult
// CHECK: arith.select
// CHECK: arith.divf
// The crop is a slice.
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 0] [1, 2, 2, 3] [1, 1, 1, 1] : tensor<1x2x4x4xf32> to tensor<1x2x2x3xf32>
// The reshape collapses and expands.
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<1x2x4x4xf32> into tensor<32xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [4, 8] : tensor<32xf32> into tensor<4x8xf32>
func.func @gathers(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x3xf32>, tensor<4x8xf32>) {
  %0 = cnn.upsample %x {scale_factors = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x8x8xf32>
  %1 = cnn.adaptive_avg_pool2d %x {output_size = array<i64: 3, 3>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xf32>
  %2 = cnn.crop %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x3xf32>
  %3 = cnn.reshape %x {shape = array<i64: 4, 8>} : tensor<1x2x4x4xf32> -> tensor<4x8xf32>
  return %0, %1, %2, %3 : tensor<1x2x8x8xf32>, tensor<1x2x3x3xf32>, tensor<1x2x2x3xf32>, tensor<4x8xf32>
}

// -----

// x / (k + alpha / size * sum of squares) ^ beta
// CHECK-LABEL: func.func @lrn
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: math.powf
// CHECK: arith.divf
func.func @lrn(%x: tensor<1x6x2x2xf32>) -> tensor<1x6x2x2xf32> {
  %0 = cnn.local_response_norm %x {size = 5} : tensor<1x6x2x2xf32>
  return %0 : tensor<1x6x2x2xf32>
}

// -----

// A 1-D convolution runs as the 2-D one over a single row; true convolution
// first mirrors the kernel (index K - 1 - k).
// CHECK-LABEL: func.func @conv1d_true_convolution
// CHECK: %[[MIRRORED:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3xf32>)
// CHECK: %[[K:.*]] = linalg.index 2 : index
// CHECK: %[[REV:.*]] = arith.subi %c2, %[[K]] : index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %[[REV]]] : tensor<1x1x3xf32>
// CHECK: %[[ROW:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] {{.*}} : tensor<1x1x3xf32> into tensor<1x1x1x3xf32>
// CHECK: %[[PADDED:.*]] = tensor.pad %[[ROW]] low[0, 0, 0, 2] high[0, 0, 0, 2]
// CHECK: tensor.expand_shape %[[MIRRORED]] {{.*}} into tensor<1x1x1x3xf32>
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x1x1x5xf32>
// CHECK: tensor.collapse_shape %[[CONV]] {{\[\[}}0], [1], [2, 3]] : tensor<1x1x1x5xf32> into tensor<1x1x5xf32>
func.func @conv1d_true_convolution(%x: tensor<1x1x3xf32>, %w: tensor<1x1x3xf32>) -> tensor<1x1x5xf32> {
  %0 = cnn.conv1d %x, %w {padding = array<i64: 2, 2>, true_convolution = true} : tensor<1x1x3xf32>, tensor<1x1x3xf32> -> tensor<1x1x5xf32>
  return %0 : tensor<1x1x5xf32>
}


// -----

// A broadcast add reads each operand at its own dimensions, aligned at the
// last one; a dimension of size 1 that broadcasts is read at 0.
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[COLUMN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[OUT]], #[[CHANNEL]], #[[OUT]]]
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[COLUMN]], #[[OUT]]]
func.func @add_broadcast(%x: tensor<2x3x4x4xf32>, %c: tensor<1x3x1x1xf32>, %v: tensor<4xf32>) -> (tensor<2x3x4x4xf32>, tensor<1x3x1x4xf32>) {
  %0 = cnn.add %x, %c : tensor<2x3x4x4xf32>, tensor<1x3x1x1xf32> -> tensor<2x3x4x4xf32>
  %1 = cnn.add %v, %c : tensor<4xf32>, tensor<1x3x1x1xf32> -> tensor<1x3x1x4xf32>
  return %0, %1 : tensor<2x3x4x4xf32>, tensor<1x3x1x4xf32>
}

// -----

// The activations of ONNX's operator set, each one element-wise map: SELU
// as a scaled ELU, the hard sigmoid as a clamped fma, hard swish as x times
// it, clip as max then min; log-softmax as x - max - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @onnx_activations
// CHECK: linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: arith.select
// CHECK: arith.mulf
// CHECK: linalg.generic
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} fastmath<nsz> : f32
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : f32
// CHECK: linalg.generic
// CHECK: arith.constant 0.166666672 : f32
// CHECK: math.fma
// CHECK: arith.mulf %in
// CHECK: linalg.generic
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 6.000000e+00 : f32
// CHECK: arith.minimumf
// CHECK: linalg.reduce
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.reduce
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: math.log
// CHECK: arith.subf
func.func @onnx_activations(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = cnn.elu %x {alpha = 1.6732631921768188 : f64, scale = 1.0507010221481323 : f64} : tensor<2x8xf32>
  %1 = cnn.hard_sigmoid %0 : tensor<2x8xf32>
  %2 = cnn.hard_swish %1 : tensor<2x8xf32>
  %3 = cnn.clip %2 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x8xf32>
  %4 = cnn.log_softmax %3 : tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// sub, mul, div and prelu broadcast as add does: the [3, 1] operand is read
// at (d1, 0) of the [2, 3, 4] result.
// CHECK-DAG: #[[FULL:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SMALL:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @broadcast_arithmetic
// CHECK: linalg.generic {indexing_maps = [#[[FULL]], #[[SMALL]], #[[FULL]]]
// CHECK: arith.subf
// CHECK: linalg.generic {indexing_maps = [#[[FULL]], #[[SMALL]], #[[FULL]]]
// CHECK: arith.mulf
// CHECK: linalg.generic {indexing_maps = [#[[FULL]], #[[SMALL]], #[[FULL]]]
// CHECK: arith.divf
// CHECK: linalg.generic {indexing_maps = [#[[FULL]], #[[SMALL]], #[[FULL]]]
// CHECK: arith.cmpf ogt
// CHECK: arith.mulf
// CHECK: arith.select
func.func @broadcast_arithmetic(%x: tensor<2x3x4xf32>, %s: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = cnn.sub %x, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  %1 = cnn.mul %0, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  %2 = cnn.div %1, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  %3 = cnn.prelu %2, %s : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %3 : tensor<2x3x4xf32>
}
