// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-distribute | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-distribute -gpu-map-parallel-loops -convert-parallel-loops-to-gpu -canonicalize | FileCheck %s --check-prefix=LAUNCH

// Block and thread foralls become nested parallel loops; the op inside a
// thread's tile becomes sequential loops, its private buffer an alloca;
// the copy outside any tile becomes blocks of 256 threads over its
// elements, each thread the element at its linear index if there is one.
// Mapped, the tiles are one launch of 2 blocks x 4 threads, the copy one of
// 1 block x 256 threads.
// CHECK-LABEL: func.func @tiles
//       CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
//       CHECK:   scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
//       CHECK:     memref.alloca() : memref<1xf32>
//   CHECK-NOT:     memref.dealloc
//       CHECK:     scf.for
//       CHECK:       arith.mulf
//       CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%{{.*}}) step
//       CHECK:   scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%{{.*}}) step
//       CHECK:     %[[ROW:.*]] = arith.muli %[[B]], %{{.*}}
//       CHECK:     %[[I:.*]] = arith.addi %[[ROW]], %[[T]]
//       CHECK:     %[[IN:.*]] = arith.cmpi slt, %[[I]], %{{.*}}
//       CHECK:     scf.if %[[IN]]
//       CHECK:       affine.delinearize_index %[[I]] into (8)
//       CHECK:       memref.load
//       CHECK:       memref.store
//   CHECK-NOT: linalg.
// LAUNCH-LABEL: func.func @tiles
//   LAUNCH-DAG: %[[ONE:.*]] = arith.constant 1 : index
//   LAUNCH-DAG: %[[TWO:.*]] = arith.constant 2 : index
//   LAUNCH-DAG: %[[FOUR:.*]] = arith.constant 4 : index
//   LAUNCH-DAG: %[[THREADS:.*]] = arith.constant 256 : index
//       LAUNCH: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[TWO]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[FOUR]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
//       LAUNCH: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[THREADS]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
#id = affine_map<(i) -> (i)>
func.func @tiles(%x: memref<8xf32>, %y: memref<8xf32>, %z: memref<8xf32>) {
  scf.forall (%b) = (0) to (8) step (4) {
    scf.forall (%t) in (4) {
      %i = affine.apply affine_map<(b, t) -> (b + t)>(%b, %t)
      %in = memref.subview %x[%i] [1] [1] : memref<8xf32> to memref<1xf32, strided<[1], offset: ?>>
      %out = memref.subview %y[%i] [1] [1] : memref<8xf32> to memref<1xf32, strided<[1], offset: ?>>
      %tmp = memref.alloc() : memref<1xf32>
      linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%in : memref<1xf32, strided<[1], offset: ?>>) outs(%tmp : memref<1xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
      }
      linalg.copy ins(%tmp : memref<1xf32>) outs(%out : memref<1xf32, strided<[1], offset: ?>>)
      memref.dealloc %tmp : memref<1xf32>
    }
  }
  linalg.copy ins(%y : memref<8xf32>) outs(%z : memref<8xf32>)
  return
}

