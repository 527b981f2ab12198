// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-launch-to-loops -verify-diagnostics | FileCheck %s

// A launch of 3 x 1 x 1 blocks of 4 x 2 x 1 threads: loops over the blocks
// (z, y, x), then the threads (z, y, x); the body reads the ids and sizes
// from the loops, through the region's arguments and through id ops alike.
// CHECK-LABEL: func.func @launch
//   CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
//   CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
//   CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
//   CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
//       CHECK: scf.for %{{.*}} = %{{.*}} to %[[C1]]
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %[[C1]]
//       CHECK:     scf.for %[[BX:.*]] = %{{.*}} to %[[C3]]
//       CHECK:       scf.for %{{.*}} = %{{.*}} to %[[C1]]
//       CHECK:         scf.for %[[TY:.*]] = %{{.*}} to %[[C2]]
//       CHECK:           scf.for %[[TX:.*]] = %{{.*}} to %[[C4]]
//       CHECK:             %[[ROW:.*]] = arith.muli %[[BX]], %[[C4]]
//       CHECK:             %[[I:.*]] = arith.addi %[[ROW]], %[[TX]]
//       CHECK:             memref.store %{{.*}}, %{{.*}}[%[[I]], %[[TY]]]
//   CHECK-NOT: gpu.
func.func @launch(%out: memref<12x2xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %v = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c3, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c2, %sz = %c1) {
    %dim = gpu.block_dim x
    %row = arith.muli %bx, %dim : index
    %i = arith.addi %row, %tx : index
    %j = gpu.thread_id y
    memref.store %v, %out[%i, %j] : memref<12x2xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @barrier() {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    // expected-error@+1 {{cannot run a launch with barriers as loops}}
    gpu.barrier
    gpu.terminator
  }
  return
}
