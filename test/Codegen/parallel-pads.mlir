// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-parallel-pads | FileCheck %s

// A convolution's zero padding of rows and columns: one iteration per
// channel fills the border of the channel's padded plane (the row above and
// the row below, whole; then the two columns left and the column right,
// beside the source's five rows) and copies the channel's plane into its
// interior, at the low padding (1, 2), one row a vector.
// CHECK-LABEL: func.func @pad_rows_and_columns
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x5x6xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x8x7x9xf32>
// CHECK: %[[P:.*]] = scf.forall (%[[C:.*]]) in (8) shared_outs(%[[OUT:.*]] = %[[E]]) -> (tensor<1x8x7x9xf32>)
// CHECK: %[[TILE:.*]] = tensor.extract_slice %[[OUT]][0, %[[C]], 0, 0] [1, 1, 7, 9] [1, 1, 1, 1]
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[TILE]][0, 0, 0, 0] [1, 1, 1, 9] [1, 1, 1, 1]
// CHECK: %[[TOPF:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[TOP]] : tensor<1x1x1x9xf32>)
// CHECK: %[[T1:.*]] = tensor.insert_slice %[[TOPF]] into %[[TILE]][0, 0, 0, 0] [1, 1, 1, 9] [1, 1, 1, 1]
// CHECK: %[[BOTTOM:.*]] = tensor.extract_slice %[[T1]][0, 0, 6, 0] [1, 1, 1, 9] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[BOTTOM]] : tensor<1x1x1x9xf32>)
// CHECK: %[[T2:.*]] = tensor.insert_slice {{.*}} into %[[T1]][0, 0, 6, 0] [1, 1, 1, 9] [1, 1, 1, 1]
// CHECK: %[[LEFT:.*]] = tensor.extract_slice %[[T2]][0, 0, 1, 0] [1, 1, 5, 2] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[LEFT]] : tensor<1x1x5x2xf32>)
// CHECK: %[[T3:.*]] = tensor.insert_slice {{.*}} into %[[T2]][0, 0, 1, 0] [1, 1, 5, 2] [1, 1, 1, 1]
// CHECK: %[[RIGHT:.*]] = tensor.extract_slice %[[T3]][0, 0, 1, 8] [1, 1, 5, 1] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%[[ZERO]] : f32) outs(%[[RIGHT]] : tensor<1x1x5x1xf32>)
// CHECK: %[[FILLED:.*]] = tensor.insert_slice {{.*}} into %[[T3]][0, 0, 1, 8] [1, 1, 5, 1] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[SRC:.*]] = tensor.extract_slice %[[X]][0, %[[C]], 0, 0] [1, 1, 5, 6] [1, 1, 1, 1]
// CHECK: %[[WINDOW:.*]] = tensor.extract_slice %[[FILLED]][0, 0, 1, 2] [1, 1, 5, 6] [1, 1, 1, 1]
// CHECK: %[[COPY:.*]] = scf.for %[[ROW:.*]] = %{{.*}} to %c5 step %{{.*}} iter_args(%[[ACC:.*]] = %[[WINDOW]]) -> (tensor<1x1x5x6xf32>)
// CHECK: %[[LINE:.*]] = vector.transfer_read %[[SRC]][%{{.*}}, %{{.*}}, %[[ROW]], %{{.*}}], %[[ZERO]] {in_bounds = [true]} : tensor<1x1x5x6xf32>, vector<6xf32>
// CHECK: vector.transfer_write %[[LINE]], %[[ACC]][%{{.*}}, %{{.*}}, %[[ROW]], %{{.*}}] {in_bounds = [true]} : vector<6xf32>, tensor<1x1x5x6xf32>
// CHECK-NOT: linalg.copy
// CHECK: %[[DONE:.*]] = tensor.insert_slice %[[COPY]] into %[[FILLED]][0, 0, 1, 2] [1, 1, 5, 6] [1, 1, 1, 1]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[DONE]] into %[[OUT]][0, %[[C]], 0, 0] [1, 1, 7, 9] [1, 1, 1, 1]
// CHECK: return %[[P]]
func.func @pad_rows_and_columns(%x: tensor<1x8x5x6xf32>) -> tensor<1x8x7x9xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 2] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %zero : f32
  } : tensor<1x8x5x6xf32> to tensor<1x8x7x9xf32>
  return %p : tensor<1x8x7x9xf32>
}

// -----

// A batch larger than the channels: the iterations go over the batch, the
// largest dimension left unpadded; each fills the border of its two
// channels.
// CHECK-LABEL: func.func @pad_batch
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x1x5xf32>)
// CHECK-COUNT-2: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x1xf32>)
func.func @pad_batch(%x: tensor<4x2x3x3xf32>) -> tensor<4x2x5x5xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %ninf : f32
  } : tensor<4x2x3x3xf32> to tensor<4x2x5x5xf32>
  return %p : tensor<4x2x5x5xf32>
}

// -----

// Every dimension larger than 1 padded, or a dynamic shape: the pad stays.
// CHECK-LABEL: func.func @pads_that_stay
// CHECK-NOT: scf.forall
// CHECK-COUNT-2: tensor.pad
func.func @pads_that_stay(%x: tensor<1x1x3x3xf32>, %y: tensor<1x2x?x3xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x2x?x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %zero : f32
  } : tensor<1x1x3x3xf32> to tensor<1x1x5x5xf32>
  %b = tensor.pad %y low[0, 0, 0, 1] high[0, 0, 0, 1] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %zero : f32
  } : tensor<1x2x?x3xf32> to tensor<1x2x?x5xf32>
  return %a, %b : tensor<1x1x5x5xf32>, tensor<1x2x?x5xf32>
}

// -----

// Only rows padded, the columns the largest dimension left: the iterations
// go over the columns, and each copies its one-column slice a value a row.
// CHECK-LABEL: func.func @pad_rows_only
// CHECK: scf.forall (%{{.*}}) in (5) shared_outs
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x2x1x1xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<2x2x2x1xf32>, vector<1xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1xf32>, tensor<2x2x2x1xf32>
func.func @pad_rows_only(%x: tensor<2x2x2x5xf32>) -> tensor<2x2x3x5xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %p = tensor.pad %x low[0, 0, 0, 0] high[0, 0, 1, 0] {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    tensor.yield %ninf : f32
  } : tensor<2x2x2x5xf32> to tensor<2x2x3x5xf32>
  return %p : tensor<2x2x3x5xf32>
}
