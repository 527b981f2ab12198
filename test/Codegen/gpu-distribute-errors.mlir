// RUN: cnnc-opt %s -split-input-file -cnnc-gpu-distribute -verify-diagnostics

// A thread's private buffer is kept to what registers can hold.
func.func @too_large(%x: memref<4096xf32>) {
  scf.forall (%t) in (4) {
    // expected-error@+1 {{a tile needs a buffer of 'memref<512xf32>', too large for a thread's registers}}
    %tmp = memref.alloc() : memref<512xf32>
    linalg.copy ins(%tmp : memref<512xf32>) outs(%tmp : memref<512xf32>)
    memref.dealloc %tmp : memref<512xf32>
  }
  return
}
