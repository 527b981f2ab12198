// RUN: cnnc-opt %s -split-input-file -cnnc-cpu-lower-parallel-launches -verify-diagnostics | FileCheck %s

// The launch puts its two buffers into an array on the stack and hands the
// entry of the tile function to the runtime, with the count.
// CHECK-LABEL: llvm.func internal @group_tiles_launch
// CHECK-SAME: (%[[COUNT:.*]]: i64, %[[A:.*]]: !llvm.ptr, %[[B:.*]]: !llvm.ptr)
// CHECK: %[[ARRAY:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: %[[SLOT0:.*]] = llvm.getelementptr %[[ARRAY]][0]
// CHECK: llvm.store %[[A]], %[[SLOT0]]
// CHECK: %[[SLOT1:.*]] = llvm.getelementptr %[[ARRAY]][1]
// CHECK: llvm.store %[[B]], %[[SLOT1]]
// CHECK: %[[ENTRY:.*]] = llvm.mlir.addressof @group_tiles_entry
// CHECK: llvm.call @cnnrt_parallel_for(%[[ENTRY]], %[[ARRAY]], %[[COUNT]])
// CHECK-NOT: cnnc.parallel_launch
// The entry has the runtime's signature and loads the buffers back.
// CHECK: llvm.func internal @group_tiles_entry(%[[BEGIN:.*]]: i64, %[[END:.*]]: i64, %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.load
// CHECK: %[[P1:.*]] = llvm.load
// CHECK: llvm.call @group_tiles(%[[BEGIN]], %[[END]], %[[P0]], %[[P1]])
// CHECK: llvm.func @cnnrt_parallel_for(!llvm.ptr, !llvm.ptr, i64)
llvm.func @group_tiles_launch(i64, !llvm.ptr, !llvm.ptr) attributes {cnnc.parallel_launch = @group_tiles}
llvm.func @group_tiles(%begin: i64, %end: i64, %a: !llvm.ptr, %b: !llvm.ptr) {
  llvm.return
}

// -----

// expected-error @+1 {{a parallel launch takes a count and pointers, and names its tile function}}
llvm.func @bad_launch(i64, f32) attributes {cnnc.parallel_launch = @tiles}
llvm.func @tiles(%begin: i64, %end: i64, %a: f32) {
  llvm.return
}
