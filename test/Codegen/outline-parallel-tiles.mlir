// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-outline-parallel-tiles | FileCheck %s

// The 2 x 3 iterations of the loop become the range [begin, end) of a tile
// function, the linear index split back into the loop's two indices (the
// last one fastest); the loop becomes a launch of all six, declared for
// cnnc-cpu-lower-parallel-launches. Constants are copied, buffers passed.
// CHECK-LABEL: func.func private @group
// CHECK-SAME: (%[[IN:.*]]: memref<4x6xf32>, %[[OUT:.*]]: memref<4x6xf32>)
// CHECK: %[[SIX:.*]] = arith.constant 6 : index
// CHECK: call @group_tiles_launch(%[[SIX]], %[[IN]], %[[OUT]]) : (index, memref<4x6xf32>, memref<4x6xf32>) -> ()
// CHECK-NOT: scf.forall
// CHECK: func.func private @group_tiles(%[[BEGIN:.*]]: index, %[[END:.*]]: index, %[[A:.*]]: memref<4x6xf32>, %[[B:.*]]: memref<4x6xf32>)
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step %c1
// CHECK: %[[COLUMN:.*]] = arith.remui %[[I]], %c3
// CHECK: %[[ROW:.*]] = arith.divui %[[I]], %c3
// CHECK: memref.load %[[A]]
// CHECK: arith.mulf %{{.*}}, %[[TWO]]
// CHECK: memref.store %{{.*}}, %[[B]]
// CHECK: func.func private @group_tiles_launch(index, memref<4x6xf32>, memref<4x6xf32>) attributes {cnnc.parallel_launch = @group_tiles}
func.func private @group(%in: memref<4x6xf32>, %out: memref<4x6xf32>) {
  %two = arith.constant 2.0 : f32
  scf.forall (%i, %j) = (0, 0) to (4, 6) step (2, 2) {
    %x = memref.load %in[%i, %j] : memref<4x6xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %out[%i, %j] : memref<4x6xf32>
  }
  return
}

// -----

// A loop whose body allocates stays on the calling thread, as scf.for.
// CHECK-LABEL: func.func private @allocates
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: memref.alloca
// CHECK-NOT: _launch
func.func private @allocates(%out: memref<4xf32>) {
  scf.forall (%i) in (4) {
    %tmp = memref.alloca() : memref<1xf32>
    %c0 = arith.constant 0 : index
    %v = memref.load %tmp[%c0] : memref<1xf32>
    memref.store %v, %out[%i] : memref<4xf32>
  }
  return
}
