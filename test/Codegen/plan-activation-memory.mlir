// RUN: cnnc-opt %s -split-input-file -cnnc-plan-activation-memory | FileCheck %s

// A chain of layers: %a dies when %b is computed from it, so %c takes %a's
// place; %b (1,024 bytes, placed first as the largest) sits at 0, %a and %c
// after it. The arena is the two largest buffers alive at once.
// CHECK-LABEL: func.func @chain
//       CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1280xi8>
//       CHECK: %[[OFF_A:.*]] = arith.constant 1024 : index
//       CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[OFF_A]]][] : memref<1280xi8> to memref<64xf32>
//       CHECK: call @layer(%{{.*}}, %[[A]])
//       CHECK: %[[OFF_B:.*]] = arith.constant 0 : index
//       CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[OFF_B]]][] : memref<1280xi8> to memref<256xf32>
//       CHECK: call @widen(%[[A]], %[[B]])
//       CHECK: %[[OFF_C:.*]] = arith.constant 1024 : index
//       CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[OFF_C]]][] : memref<1280xi8> to memref<64xf32>
//       CHECK: call @narrow(%[[B]], %[[C]])
//       CHECK: call @layer(%[[C]], %{{.*}})
//   CHECK-NOT: memref.dealloc
//       CHECK: memref.dealloc %[[ARENA]] : memref<1280xi8>
//  CHECK-NEXT: return
func.func private @layer(memref<64xf32>, memref<64xf32>)
func.func private @widen(memref<64xf32>, memref<256xf32>)
func.func private @narrow(memref<256xf32>, memref<64xf32>)
func.func @chain(%x: memref<64xf32>, %y: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  call @layer(%x, %a) : (memref<64xf32>, memref<64xf32>) -> ()
  %b = memref.alloc() : memref<256xf32>
  call @widen(%a, %b) : (memref<64xf32>, memref<256xf32>) -> ()
  %c = memref.alloc() : memref<64xf32>
  call @narrow(%b, %c) : (memref<256xf32>, memref<64xf32>) -> ()
  call @layer(%c, %y) : (memref<64xf32>, memref<64xf32>) -> ()
  memref.dealloc %a : memref<64xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<64xf32>
  return
}

// -----

// A view of a buffer (a flatten) and a pointer taken from it keep it alive:
// %a is read through %flat by the last call, so %b cannot take its place.
// CHECK-LABEL: func.func @through_views
//       CHECK: memref.alloc() {alignment = 64 : i64} : memref<128xi8>
//       CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<2x8xf32>
//       CHECK: %[[OFF_B:.*]] = arith.constant 64 : index
//       CHECK: memref.view %{{.*}}[%[[OFF_B]]][] : memref<128xi8> to memref<16xf32>
func.func private @fill(memref<2x8xf32>)
func.func private @use(memref<16xf32>)
func.func private @read(memref<16xf32>, memref<16xf32>)
func.func @through_views() {
  %a = memref.alloc() : memref<2x8xf32>
  call @fill(%a) : (memref<2x8xf32>) -> ()
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  call @use(%b) : (memref<16xf32>) -> ()
  call @read(%flat, %b) : (memref<16xf32>, memref<16xf32>) -> ()
  memref.dealloc %a : memref<2x8xf32>
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// Left alone: a buffer the function returns (never freed here), one of
// dynamic shape, and one freed inside a region. Only %kept and %other are
// planned, and as one dies before the other is allocated, they share.
// CHECK-LABEL: func.func @left_alone
//       CHECK: memref.alloc() {alignment = 64 : i64} : memref<64xi8>
//       CHECK: %[[OUT:.*]] = memref.alloc() : memref<4xf32>
//       CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
//       CHECK: %[[COND:.*]] = memref.alloc() : memref<4xf32>
//       CHECK: arith.constant 0 : index
//       CHECK: memref.view
//       CHECK: arith.constant 0 : index
//       CHECK: memref.view
//       CHECK: scf.if
//  CHECK-NEXT: memref.dealloc %[[COND]]
//       CHECK: return %[[OUT]]
func.func private @make(memref<4xf32>)
func.func private @make_dynamic(memref<?xf32>)
func.func @left_alone(%n: index, %flag: i1) -> memref<4xf32> {
  %out = memref.alloc() : memref<4xf32>
  call @make(%out) : (memref<4xf32>) -> ()
  %dynamic = memref.alloc(%n) : memref<?xf32>
  call @make_dynamic(%dynamic) : (memref<?xf32>) -> ()
  %cond = memref.alloc() : memref<4xf32>
  call @make(%cond) : (memref<4xf32>) -> ()
  %kept = memref.alloc() : memref<4xf32>
  call @make(%kept) : (memref<4xf32>) -> ()
  %other = memref.alloc() : memref<4xf32>
  call @make(%other) : (memref<4xf32>) -> ()
  memref.dealloc %dynamic : memref<?xf32>
  scf.if %flag {
    memref.dealloc %cond : memref<4xf32>
  }
  memref.dealloc %kept : memref<4xf32>
  memref.dealloc %other : memref<4xf32>
  return %out : memref<4xf32>
}

// -----

// One buffer alone is left as it is.
// CHECK-LABEL: func.func @single
//       CHECK: memref.alloc() : memref<4xf32>
//   CHECK-NOT: memref.view
func.func private @make(memref<4xf32>)
func.func @single() {
  %a = memref.alloc() : memref<4xf32>
  call @make(%a) : (memref<4xf32>) -> ()
  memref.dealloc %a : memref<4xf32>
  return
}
