// RUN: cnnc-opt %s -split-input-file -convert-cnn-to-linalg -canonicalize | FileCheck %s

// An optimizer step is one element-wise generic that writes the parameter
// and its velocity together.
// CHECK-LABEL: func.func @sgd_momentum
// CHECK-SAME: (%[[P:.*]]: tensor<4xf32>, %[[G:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[LR:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-DAG: %[[M:.*]] = arith.constant 0.899999976 : f32
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[P]], %[[G]], %[[V]] : {{.*}}) outs(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[p:[^:]*]]: f32, %[[g:[^:]*]]: f32, %[[v:[^:]*]]: f32,
// CHECK: %[[MV:.*]] = arith.mulf %[[v]], %[[M]]
// CHECK: %[[NV:.*]] = arith.addf %[[MV]], %[[g]]
// CHECK: %[[STEP:.*]] = arith.mulf %[[NV]], %[[LR]]
// CHECK: %[[NP:.*]] = arith.subf %[[p]], %[[STEP]]
// CHECK: linalg.yield %[[NP]], %[[NV]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @sgd_momentum(%p: tensor<4xf32>, %g: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0:2 = cnn.sgd_update %p, %g, %v {learning_rate = 0.1, momentum = 0.9} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A bias gradient: a sum over batch and positions.
// CHECK-LABEL: func.func @bias_grad
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x3x4x4xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0, 2, 3]
// CHECK: arith.addf
func.func @bias_grad(%g: tensor<2x3x4x4xf32>) -> tensor<3xf32> {
  %0 = cnn.reduce_sum %g {axes = array<i64: 0, 2, 3>} : tensor<2x3x4x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Every axis: the [1] total through a 0-d sum.
// CHECK-LABEL: func.func @total
// CHECK: %[[S:.*]] = linalg.reduce ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// CHECK: tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
func.func @total(%g: tensor<2x3xf32>) -> tensor<1xf32> {
  %0 = cnn.reduce_sum %g {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// CHECK-LABEL: func.func @relu_grad
// CHECK-SAME: (%[[G:.*]]: tensor<2x3xf32>, %[[X:.*]]: tensor<2x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[G]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: ^bb0(%[[g:[^:]*]]: f32, %[[x:[^:]*]]: f32,
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[x]], %[[ZERO:.*]] : f32
// CHECK: arith.select %[[POS]], %[[g]], %[[ZERO]] : f32
func.func @relu_grad(%g: tensor<2x3xf32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.relu_grad %g, %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The loss reduces every row and class into one value, then takes the mean:
// the label picks its class by comparing with the class index.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[MAX:.*]] = linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.reduce {{.*}} dimensions = [1]
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%{{.*}}, %[[MAX]], %[[SUM]], %{{.*}} : {{.*}}) outs(%{{.*}} : tensor<1xf32>)
// CHECK: math.log
// CHECK: arith.fptosi
// CHECK: linalg.index 1
// CHECK: linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<1xf32>)
// CHECK: arith.mulf %{{.*}}, %[[HALF]]
func.func @cross_entropy(%z: tensor<2x5xf32>, %l: tensor<2xf32>) -> tensor<1xf32> {
  %0 = cnn.softmax_cross_entropy %z, %l : tensor<2x5xf32>, tensor<2xf32>
  return %0 : tensor<1xf32>
}

// -----

// Where the windows tile the input (stride = kernel, no padding), each
// input position has one window: the gradient is a map of the window's.
// CHECK-DAG: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 floordiv 2, d3 floordiv 2)>
// CHECK-LABEL: func.func @avg_pool2d_grad_tiled
// CHECK: linalg.generic {indexing_maps = [#[[WINDOW]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x6x6xf32>)
// CHECK: arith.mulf %{{.*}}, %cst
// CHECK-NOT: tensor.extract
func.func @avg_pool2d_grad_tiled(%g: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = cnn.avg_pool2d_grad %g {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x3x3xf32> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Overlapping windows: each input position gathers over the window offsets
// what the window that reads it there sends back.
// CHECK-LABEL: func.func @avg_pool2d_grad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<3x3xf32>) outs(%{{.*}} : tensor<1x2x7x7xf32>)
// CHECK: arith.remsi
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x3x3xf32>
// CHECK: arith.divf
func.func @avg_pool2d_grad(%g: tensor<1x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %0 = cnn.avg_pool2d_grad %g {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>} : tensor<1x2x3x3xf32> -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// Max pooling's gradient finds each window's first maximum as a flat index;
// where the windows tile the input, each position compares with its own
// window's.
// CHECK-LABEL: func.func @max_pool2d_grad_tiled
// CHECK: %[[ARG:.*]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[ARG]]#1, %{{.*}} : tensor<1x1x2x2xi64>, tensor<1x1x2x2xf32>) outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @max_pool2d_grad_tiled(%g: tensor<1x1x2x2xf32>, %x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %0 = cnn.max_pool2d_grad %g, %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Overlapping windows with padding (ResNet's stem): a gather over the
// window offsets.
// CHECK-LABEL: func.func @max_pool2d_grad
// CHECK: %[[ARG:.*]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: tensor.extract %[[ARG]]#1
// CHECK: arith.cmpi eq
func.func @max_pool2d_grad(%g: tensor<1x1x2x2xf32>, %x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %0 = cnn.max_pool2d_grad %g, %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Batch norm in training: the sum per channel, the squares about the mean
// (two passes over the input, as PyTorch), the normalisation as one
// multiply-add per element, and the running statistics with the variance
// unbiased (momentum 0.1 / (M - 1) = 0.1 / 17 on the sum of squares).
// CHECK-LABEL: func.func @batch_norm_train
// CHECK: arith.constant 0.00588235306 : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: math.sqrt
// CHECK: math.fma
func.func @batch_norm_train(%x: tensor<2x3x3x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>,
                            %m: tensor<3xf32>, %v: tensor<3xf32>)
    -> (tensor<2x3x3x3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv, %bm, %bi = cnn.batch_norm_train %x, %s, %b, %m, %v : tensor<2x3x3x3xf32>, tensor<3xf32>
  return %y, %rm, %rv : tensor<2x3x3x3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Its gradient: both sums in one pass (two results of one reduction), then
// the input gradient element by element.
// CHECK-LABEL: func.func @batch_norm_grad
// CHECK: %[[SUMS:.*]]:2 = linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: %[[DX:.*]] = linalg.generic {{.*}}ins({{.*}}%[[SUMS]]#0, %[[SUMS]]#1 :
// CHECK: return %[[DX]], %[[SUMS]]#1, %[[SUMS]]#0
func.func @batch_norm_grad(%dy: tensor<2x3x3x3xf32>, %x: tensor<2x3x3x3xf32>, %s: tensor<3xf32>,
                           %bm: tensor<3xf32>, %bi: tensor<3xf32>)
    -> (tensor<2x3x3x3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %dx, %ds, %db = cnn.batch_norm_grad %dy, %x, %s, %bm, %bi : tensor<2x3x3x3xf32>, tensor<3xf32>
  return %dx, %ds, %db : tensor<2x3x3x3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Dropout in training: one map whose mask is hashed from the seed, the
// stream, the step and the element's row-major index (n * 6 + c), kept
// where the hash is at least rate * 2^32 (0.25: 1073741824), scaled by
// 1 / (1 - rate).
// CHECK-LABEL: func.func @dropout_train
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 1.33333337 : f32
// CHECK-DAG: %[[THRESHOLD:.*]] = arith.constant 1073741824 : i32
// CHECK: linalg.generic
// CHECK: arith.fptoui %{{.*}} : f32 to i32
// CHECK: %[[N:.*]] = linalg.index 0 : index
// CHECK: arith.muli %[[N]], %{{.*}} : index
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %{{.*}}, %[[THRESHOLD]] : i32
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK: arith.select %[[KEEP]], %[[SCALED]], %{{.*}} : f32
func.func @dropout_train(%x: tensor<2x6xf32>, %seed: tensor<1xf32>, %step: tensor<1xf32>) -> tensor<2x6xf32> {
  %0 = cnn.dropout_train %x, %seed, %step {rate = 0.25, stream = 3} : tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// The gradient of a local response normalisation: the forward's window sum
// of squares (channels c - 1 .. c + 2 for size 4), then the sum of the
// terms over the mirrored window (channels i - 2 .. i + 1: offset 1).
// CHECK-LABEL: func.func @local_response_norm_grad
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subi %{{.*}}, %[[C2]] : index
// CHECK: math.powf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.subi %{{.*}}, %[[C1]] : index
// CHECK: arith.subf
func.func @local_response_norm_grad(%dy: tensor<1x6x2x2xf32>, %x: tensor<1x6x2x2xf32>) -> tensor<1x6x2x2xf32> {
  %0 = cnn.local_response_norm_grad %dy, %x {size = 4} : tensor<1x6x2x2xf32>
  return %0 : tensor<1x6x2x2xf32>
}

// -----

// The filter gradient of a table-connected convolution: filter k of the
// weight reads the dense gradient at the k-th true entry, whose rows and
// columns are constants.
// CHECK-LABEL: func.func @gather_connections
// CHECK-DAG: arith.constant dense<[0, 1, 1]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[0, 0, 1]> : tensor<3xi32>
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<2x2x3x3xf32>
func.func @gather_connections(%f: tensor<2x2x3x3xf32>) -> tensor<3x1x3x3xf32> {
  %0 = cnn.gather_connections %f {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<2x2x3x3xf32> -> tensor<3x1x3x3xf32>
  return %0 : tensor<3x1x3x3xf32>
}
