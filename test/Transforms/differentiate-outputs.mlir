// RUN: cnnc-opt %s -split-input-file -cnn-differentiate="loss=mse" | FileCheck %s
// RUN: not cnnc-opt %s -cnn-differentiate -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENTROPY

// With the squared error, a model with several outputs trains on the sum of
// each output's loss: one labels argument per output, named after it, and
// each output's gradient seeded by its own loss.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[TA:[^:]*]]: tensor<2x3xf32> {cnn.input = "labels.head_a"}, %[[TB:[^:]*]]: tensor<2x2xf32> {cnn.input = "labels.head_b"}
// CHECK: %[[A:.*]] = cnn.dense %{{.*}} -> tensor<2x3xf32>
// CHECK: %[[B:.*]] = cnn.dense %{{.*}} -> tensor<2x2xf32>
// CHECK: %[[LA:.*]] = cnn.mse_loss %[[A]], %[[TA]]
// CHECK: %[[LB:.*]] = cnn.mse_loss %[[B]], %[[TB]]
// CHECK: %[[L:.*]] = cnn.add %[[LA]], %[[LB]]
// CHECK: cnn.mse_loss_grad %[[A]], %[[TA]]
// CHECK: cnn.mse_loss_grad %[[B]], %[[TB]]
// CHECK: return {{.*}}, %[[L]] : {{.*}}
func.func @forward(%wa: tensor<3x4xf32> {cnn.param = "a.weight"}, %wb: tensor<2x4xf32> {cnn.param = "b.weight"},
                   %x: tensor<2x4xf32> {cnn.input = "input"})
    -> (tensor<2x3xf32> {cnn.output = "head_a"}, tensor<2x2xf32> {cnn.output = "head_b"}) {
  %a = cnn.dense %x, %wa : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
  %b = cnn.dense %x, %wb : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x2xf32>
  return %a, %b : tensor<2x3xf32>, tensor<2x2xf32>
}

// The cross-entropy loss takes the logits of one output.
// ENTROPY: error: the cross-entropy loss needs a @forward with one output, got 2; train it with --loss=mse
