// RUN: cnnc-opt %s -split-input-file -cnnc-form-dispatch-groups | FileCheck %s
// RUN: cnnc-opt %s -split-input-file -cnnc-form-dispatch-groups=fuse-epilogues=false | FileCheck %s --check-prefix=APART

// Without a root (an op that reduces), each computing op is a group of its
// own: a noinline function named after its layer (and marked with it:
// cnnc.layer, and its number of results); constants and empty tensors are
// copied in (an empty tensor passed in would be a buffer of the caller's,
// copied into the result), values read from above become arguments;
// reshapes stay.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[T:.*]]: tensor<4xf32>)
// CHECK: %[[A:.*]] = call @forward_scale(%[[X]], %[[T]]) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[A]]
// CHECK: %[[P:.*]] = call @forward_op1(%[[R]]) : (tensor<8xf32>) -> tensor<10xf32>
// CHECK: return %[[P]]
// CHECK: func.func private @forward_scale(%{{.*}}: tensor<2x4xf32>, %[[TABLE:.*]]: tensor<4xf32>) -> tensor<2x4xf32> attributes {cnnc.layer = "scale", cnnc.num_outputs = 1 : i64, passthrough = ["noinline"]}
// CHECK: tensor.empty() : tensor<2x4xf32>
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: tensor.extract %[[TABLE]]
// CHECK: return
// CHECK: func.func private @forward_op1(%{{.*}}: tensor<8xf32>) -> tensor<10xf32> attributes {cnnc.layer = "forward_op1", cnnc.num_outputs = 1 : i64, passthrough = ["noinline"]}
// CHECK: tensor.pad
func.func @forward(%x: tensor<2x4xf32>, %table: tensor<4xf32>) -> tensor<10xf32> {
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %j = linalg.index 1 : index
    %t = tensor.extract %table[%j] : tensor<4xf32>
    %m = arith.mulf %in, %two : f32
    %s = arith.addf %m, %t : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32> loc("scale")
  %r = tensor.collapse_shape %a [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  %p = tensor.pad %r low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<8xf32> to tensor<10xf32>
  return %p : tensor<10xf32>
}

// -----

// Private functions are left alone.
// CHECK-LABEL: func.func private @helper
// CHECK: linalg.fill
// CHECK-NOT: call
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.fill ins(%zero : f32) outs(%x : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A convolution is a root: the padding of its input and the fill of its
// accumulator, which nothing else uses, and the chain of element-wise ops
// after it, each used only by the next, join it in one function. The
// function is named after the root's layer and labelled with every layer it
// computes.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[S:.*]]: tensor<3xf32>)
// CHECK: %[[G:.*]] = call @forward_conv(%[[X]], %[[W]], %[[S]])
// CHECK-NOT: linalg.
// CHECK: return %[[G]]
// CHECK: func.func private @forward_conv({{.*}}) -> tensor<1x3x4x4xf32> attributes {cnnc.layer = "conv + bn + relu", cnnc.multiply_adds = 864 : i64, cnnc.num_outputs = 1 : i64, passthrough = ["noinline"]}
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: tensor.pad
// CHECK: linalg.fill
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: return
// CHECK-NOT: func.func
// With fuse-epilogues=false the convolution keeps its padding and fill;
// the batch norm and the ReLU are groups of their own.
// APART-LABEL: func.func @forward
// APART: %[[C:.*]] = call @forward_conv(
// APART: %[[B:.*]] = call @forward_bn(%[[C]]
// APART: %[[R:.*]] = call @forward_relu(%[[B]])
// APART: return %[[R]]
// APART: func.func private @forward_conv({{.*}}cnnc.layer = "conv"
// APART: linalg.fill
// APART: linalg.conv_2d_nchw_fchw
// APART-NOT: linalg.generic
// APART: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @forward(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>, %scale: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32> loc("conv")
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  %c = linalg.conv_2d_nchw_fchw ins(%p, %w : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  %b = linalg.generic {indexing_maps = [#id, #channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %scale : tensor<1x3x4x4xf32>, tensor<3xf32>) outs(%e : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %m = arith.mulf %in, %s : f32
    linalg.yield %m : f32
  } -> tensor<1x3x4x4xf32> loc("bn")
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<1x3x4x4xf32>) outs(%e : tensor<1x3x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x3x4x4xf32> loc("relu")
  return %r : tensor<1x3x4x4xf32>
}

// -----

// A zero fill that three roots share (as CSE leaves it) becomes one fill in
// each root's group, named after the root alone, and the shared one goes.
// An element-wise op that reads two roots joins the one that comes first
// (b), so that the other (c) ends its group there; a group's call is where
// its last op was.
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.fill
// CHECK: %[[C:.*]] = call @forward_c(%{{.*}}, %{{.*}})
// CHECK: %[[S:.*]] = call @forward_b(%{{.*}}, %{{.*}}, %[[C]])
// CHECK: %[[T:.*]] = call @forward_a(%{{.*}}, %{{.*}}, %[[S]])
// CHECK: return %[[T]]
// CHECK-NOT: @forward_zeros
// CHECK: func.func private @forward_c({{.*}}cnnc.layer = "c"
// CHECK: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK-NEXT: return
// CHECK: func.func private @forward_b({{.*}}cnnc.layer = "b + add"
// CHECK: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK-NEXT: linalg.add
// CHECK-NEXT: return
// CHECK: func.func private @forward_a({{.*}}cnnc.layer = "a + sum"
// CHECK: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK-NEXT: linalg.add
// CHECK-NEXT: return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32> loc("zeros")
  %a = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32> loc("a")
  %b = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32> loc("b")
  %c = linalg.matmul ins(%x, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32> loc("c")
  %s = linalg.add ins(%c, %b : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32> loc("add")
  %t = linalg.add ins(%a, %s : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32> loc("sum")
  return %t : tensor<2x4xf32>
}

