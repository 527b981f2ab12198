// RUN: cnnc-opt %s -split-input-file -cnn-differentiate="learning-rate=0.5" -canonicalize | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnn-differentiate="optimizer=sgd momentum=0.9 nesterov=true" | FileCheck %s --check-prefix=MOMENTUM
// RUN: cnnc-opt %s -split-input-file -cnn-differentiate="optimizer=adamw learning-rate=0.001 weight-decay=0.01" | FileCheck %s --check-prefix=ADAM

// A dense layer: the evaluation step appends the loss and the count; the
// training step the backward pass and one update per parameter. The input's
// gradient is built and, read by nothing, removed.
// CHECK-LABEL: func.func @forward
// CHECK-LABEL: func.func @evaluate
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x3xf32> {cnn.input = "input"}, %[[L:[^:]*]]: tensor<2xf32> {cnn.input = "labels"})
// CHECK-SAME: -> (tensor<1xf32> {cnn.output = "loss"}, tensor<1xf32> {cnn.output = "correct"})
// CHECK: %[[Y:.*]] = cnn.dense %[[X]]
// CHECK: cnn.softmax_cross_entropy %[[Y]], %[[L]]
// CHECK: cnn.correct_count %[[Y]], %[[L]]
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[W:[^:]*]]: tensor<4x3xf32> {cnn.param = "fc.weight"}, %[[B:[^:]*]]: tensor<4xf32> {cnn.param = "fc.bias"}, %[[X2:[^:]*]]: tensor<2x3xf32> {cnn.input = "input"}, %[[L2:[^:]*]]: tensor<2xf32> {cnn.input = "labels"})
// CHECK-SAME: -> (tensor<4x3xf32> {cnn.updates = "fc.weight"}, tensor<4xf32> {cnn.updates = "fc.bias"}, tensor<1xf32> {cnn.output = "loss"}, tensor<1xf32> {cnn.output = "correct"})
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK: %[[Y2:.*]] = cnn.dense %[[X2]], %[[W]], %[[B]]
// CHECK: %[[LOSS:.*]] = cnn.softmax_cross_entropy %[[Y2]], %[[L2]]
// CHECK: %[[COUNT:.*]] = cnn.correct_count %[[Y2]], %[[L2]]
// CHECK: %[[DY:.*]] = cnn.softmax_cross_entropy_grad %[[Y2]], %[[L2]], %[[ONE]]
// CHECK: %[[DYT:.*]] = cnn.transpose %[[DY]] {permutation = array<i64: 1, 0>} : tensor<2x4xf32> -> tensor<4x2xf32>
// CHECK: %[[XT:.*]] = cnn.transpose %[[X2]] {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK: %[[DW:.*]] = cnn.dense %[[DYT]], %[[XT]] : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
// CHECK: %[[DB:.*]] = cnn.reduce_sum %[[DY]] {axes = array<i64: 0>} : tensor<2x4xf32> -> tensor<4xf32>
// CHECK: %[[W2:.*]] = cnn.sgd_update %[[W]], %[[DW]] {learning_rate = 5.000000e-01 : f64} : tensor<4x3xf32>
// CHECK: %[[B2:.*]] = cnn.sgd_update %[[B]], %[[DB]]
// CHECK: return %[[W2]], %[[B2]], %[[LOSS]], %[[COUNT]]

// With momentum, each parameter has a velocity, named as PyTorch's state.
// MOMENTUM-LABEL: func.func @train_step
// MOMENTUM-SAME: %{{[^:]*}}: tensor<4x3xf32> {cnn.init = "zeros", cnn.state = "fc.weight.momentum_buffer"}, %{{[^:]*}}: tensor<4xf32> {cnn.init = "zeros", cnn.state = "fc.bias.momentum_buffer"})
// MOMENTUM-SAME: tensor<4x3xf32> {cnn.updates = "fc.weight.momentum_buffer"}
// MOMENTUM: cnn.sgd_update %{{.*}}, %{{.*}}, %{{.*}} {{{.*}}momentum = 9.000000e-01 : f64, nesterov = true{{.*}}} : tensor<4x3xf32>, tensor<4x3xf32> -> tensor<4x3xf32>

// Adam keeps two moments per parameter and one step count.
// ADAM-LABEL: func.func @train_step
// ADAM-SAME: cnn.state = "fc.weight.exp_avg"
// ADAM-SAME: cnn.state = "fc.weight.exp_avg_sq"
// ADAM-SAME: %[[STEP:[^:]*]]: tensor<1xf32> {cnn.init = "zeros", cnn.state = "step"})
// ADAM: cnn.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[STEP]] {{{.*}}decoupled_weight_decay = true{{.*}}}
// ADAM: %[[NEXT:.*]] = cnn.add %[[STEP]], %{{.*}} : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
// ADAM: return {{.*}}%[[NEXT]]
func.func @forward(%w: tensor<4x3xf32> {cnn.param = "fc.weight"}, %b: tensor<4xf32> {cnn.param = "fc.bias"},
                   %x: tensor<2x3xf32> {cnn.input = "input"}) -> (tensor<2x4xf32> {cnn.output = "fc"}) {
  %y = cnn.dense %x, %w, %b : tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A value read twice (a residual connection) gets the sum of both
// gradients; a convolution's input gradient is a transposed convolution and
// its filter gradient a convolution of the transposed input by the
// transposed output gradient.
// CHECK-LABEL: func.func @train_step
// CHECK: %[[C:.*]] = cnn.conv2d %[[X:[^,]*]], %[[W:[^ ]*]] {padding = array<i64: 1, 1, 1, 1>}
// CHECK: %[[R:.*]] = cnn.relu %[[C]]
// CHECK: %[[S:.*]] = cnn.add %[[R]], %[[C]]
// CHECK: %[[DF:.*]] = cnn.reshape %{{.*}} {shape = array<i64: 1, 2, 3, 3>}
// CHECK: %[[DR:.*]] = cnn.relu_grad %[[DF]], %[[C]] : tensor<1x2x3x3xf32>
// CHECK: %[[DC:.*]] = cnn.add %[[DF]], %[[DR]]
// CHECK: %[[XT:.*]] = cnn.transpose %[[X]] {permutation = array<i64: 1, 0, 2, 3>} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>
// CHECK: %[[DCT:.*]] = cnn.transpose %[[DC]] {permutation = array<i64: 1, 0, 2, 3>} : tensor<1x2x3x3xf32> -> tensor<2x1x3x3xf32>
// CHECK: %[[G:.*]] = cnn.conv2d %[[XT]], %[[DCT]] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x3x3xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x3x3xf32>
// CHECK: %[[DW:.*]] = cnn.transpose %[[G]] {permutation = array<i64: 1, 0, 2, 3>} : tensor<1x2x3x3xf32> -> tensor<2x1x3x3xf32>
// CHECK: cnn.sgd_update %[[W]], %[[DW]]
func.func @forward(%w: tensor<2x1x3x3xf32> {cnn.param = "conv.weight"}, %fw: tensor<3x18xf32> {cnn.param = "fc.weight"},
                   %x: tensor<1x1x3x3xf32> {cnn.input = "input"}) -> tensor<1x3xf32> {
  %c = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x3x3xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x3x3xf32>
  %r = cnn.relu %c : tensor<1x2x3x3xf32>
  %s = cnn.add %r, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  %f = cnn.flatten %s : tensor<1x2x3x3xf32> -> tensor<1x18xf32>
  %y = cnn.dense %f, %fw : tensor<1x18xf32>, tensor<3x18xf32> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// A stride that skips input rows makes the filter gradient's convolution
// larger than the kernel: a crop keeps the kernel's window, and the input
// gradient's transposed convolution gets the skipped rows as output padding.
// CHECK-LABEL: func.func @train_step
// CHECK: cnn.conv_transpose2d %{{.*}}, %{{.*}} {{{.*}}output_padding = array<i64: 2, 2>, {{.*}}strides = array<i64: 3, 3>} : tensor<1x2x2x2xf32>, tensor<2x1x3x3xf32> -> tensor<1x1x8x8xf32>
// CHECK: %[[G:.*]] = cnn.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 3, 3>} : tensor<1x1x8x8xf32>, tensor<2x1x2x2xf32> -> tensor<1x2x5x5xf32>
// CHECK: cnn.crop %[[G]] {offsets = array<i64: 0, 0>, sizes = array<i64: 3, 3>} : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
func.func @forward(%w0: tensor<1x1x1x1xf32> {cnn.param = "first.weight"},
                   %w: tensor<2x1x3x3xf32> {cnn.param = "conv.weight"}, %fw: tensor<3x8xf32> {cnn.param = "fc.weight"},
                   %x0: tensor<1x1x8x8xf32> {cnn.input = "input"}) -> tensor<1x3xf32> {
  // A learned layer before the convolution, so that its input gradient is read.
  %x = cnn.conv2d %x0, %w0 : tensor<1x1x8x8xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x8x8xf32>
  %c = cnn.conv2d %x, %w {strides = array<i64: 3, 3>} : tensor<1x1x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x2x2xf32>
  %f = cnn.flatten %c : tensor<1x2x2x2xf32> -> tensor<1x8xf32>
  %y = cnn.dense %f, %fw : tensor<1x8xf32>, tensor<3x8xf32> -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// A batch norm trains with the batch's statistics: batch_norm_train in the
// step, whose running statistics (buffers) the step returns as updates, and
// batch_norm_grad for the input, scale and shift. @evaluate keeps the
// inference form with the running statistics.
// CHECK-LABEL: func.func @evaluate
// CHECK: cnn.batch_norm %
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xf32> {cnn.param = "bn.weight"}, %[[B:[^:]*]]: tensor<2xf32> {cnn.param = "bn.bias"}, %[[M:[^:]*]]: tensor<2xf32> {cnn.buffer = "bn.running_mean"}, %[[V:[^:]*]]: tensor<2xf32> {cnn.buffer = "bn.running_var"}
// CHECK-SAME: tensor<2xf32> {cnn.updates = "bn.running_mean"}, tensor<2xf32> {cnn.updates = "bn.running_var"}, tensor<1xf32> {cnn.output = "loss"}
// CHECK-NOT: cnn.batch_norm %
// CHECK: %[[Y:.*]], %[[RM:.*]], %[[RV:.*]], %[[BM:.*]], %[[BI:.*]] = cnn.batch_norm_train %[[X:[^,]*]], %[[S]], %[[B]], %[[M]], %[[V]] {epsilon = 1.000000e-03 : f64} : tensor<4x2x3x3xf32>, tensor<2xf32>
// CHECK: %[[DX:.*]], %[[DS:.*]], %[[DB:.*]] = cnn.batch_norm_grad %{{.*}}, %[[X]], %[[S]], %[[BM]], %[[BI]] : tensor<4x2x3x3xf32>, tensor<2xf32>
// CHECK-DAG: %[[NS:.*]] = cnn.sgd_update %[[S]], %[[DS]]
// CHECK-DAG: %[[NB:.*]] = cnn.sgd_update %[[B]], %[[DB]]
// CHECK: return %{{.*}}, %[[NS]], %[[NB]], %{{.*}}, %[[RM]], %[[RV]],
func.func @forward(%w: tensor<2x1x1x1xf32> {cnn.param = "conv.weight"},
                   %s: tensor<2xf32> {cnn.param = "bn.weight"}, %b: tensor<2xf32> {cnn.param = "bn.bias"},
                   %m: tensor<2xf32> {cnn.buffer = "bn.running_mean"}, %v: tensor<2xf32> {cnn.buffer = "bn.running_var"},
                   %fw: tensor<3x18xf32> {cnn.param = "fc.weight"},
                   %x0: tensor<4x1x3x3xf32> {cnn.input = "input"}) -> tensor<4x3xf32> {
  %x = cnn.conv2d %x0, %w : tensor<4x1x3x3xf32>, tensor<2x1x1x1xf32> -> tensor<4x2x3x3xf32>
  %n = cnn.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3} : tensor<4x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  %f = cnn.flatten %n : tensor<4x2x3x3xf32> -> tensor<4x18xf32>
  %y = cnn.dense %f, %fw : tensor<4x18xf32>, tensor<3x18xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Dropout drops in training: dropout_train with the step count and the seed
// as state (the seed read, the step incremented), one stream per layer; its
// gradient is the same op on the output gradient, hence the same mask.
// @evaluate keeps the inference form.
// CHECK-LABEL: func.func @evaluate
// CHECK: cnn.dropout %
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<1xf32> {cnn.init = "zeros", cnn.state = "step"}, %[[SEED:[^:]*]]: tensor<1xf32> {cnn.init = "zeros", cnn.state = "dropout_seed"})
// CHECK-SAME: tensor<1xf32> {cnn.updates = "step"}
// CHECK: %[[D0:.*]] = cnn.dropout_train %{{.*}}, %[[SEED]], %[[STEP]] {rate = 5.000000e-01 : f64, stream = 0 : i64} : tensor<2x6xf32>
// CHECK: %[[D1:.*]] = cnn.dropout_train %{{.*}}, %[[SEED]], %[[STEP]] {rate = 2.000000e-01 : f64, stream = 1 : i64} : tensor<2x3xf32>
// CHECK: cnn.dropout_train %{{.*}}, %[[SEED]], %[[STEP]] {rate = 2.000000e-01 : f64, stream = 1 : i64} : tensor<2x3xf32>
// CHECK: cnn.dropout_train %{{.*}}, %[[SEED]], %[[STEP]] {rate = 5.000000e-01 : f64, stream = 0 : i64} : tensor<2x6xf32>
// CHECK: cnn.add %[[STEP]], %{{.*}} : tensor<1xf32>, tensor<1xf32> -> tensor<1xf32>
func.func @forward(%w0: tensor<6x4xf32> {cnn.param = "fc0.weight"}, %w1: tensor<3x6xf32> {cnn.param = "fc1.weight"},
                   %x: tensor<2x4xf32> {cnn.input = "input"}) -> tensor<2x3xf32> {
  %h = cnn.dense %x, %w0 : tensor<2x4xf32>, tensor<6x4xf32> -> tensor<2x6xf32>
  %d = cnn.dropout %h {rate = 0.5} : tensor<2x6xf32>
  %y = cnn.dense %d, %w1 : tensor<2x6xf32>, tensor<3x6xf32> -> tensor<2x3xf32>
  %o = cnn.dropout %y {rate = 0.2} : tensor<2x3xf32>
  return %o : tensor<2x3xf32>
}
