// Each verifier message of the cnnc dialect's attributes, once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{cache_tile has 2 sizes but register_tile has 1}}
#bad = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 2], register_tile = [1], vector_size = 4>

// -----

// expected-error @+1 {{register tile 3 does not divide cache tile 8 of dimension 1}}
#bad = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 8], register_tile = [1, 3], vector_size = 4>

// -----

// expected-error @+1 {{tile sizes must not be negative (dimension 0)}}
#bad = #cnnc.lowering_config<kernel = vector, cache_tile = [-1, 8], register_tile = [1, 8], vector_size = 4>

// -----

// expected-error @+1 {{loop_order must be a permutation of the 2 tiled dimensions}}
#bad = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 8], register_tile = [1, 8], loop_order = [0, 0], vector_size = 4>

// -----

// expected-error @+1 {{vector_size must be at least 1}}
#bad = #cnnc.lowering_config<kernel = vector, cache_tile = [1, 8], register_tile = [1, 8], vector_size = 0>

// -----

func.func @not_linalg(%x: f32) -> f32 {
  // expected-error @+1 {{'cnnc.lowering_config' belongs on a linalg op with one result}}
  %0 = arith.addf %x, %x {cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [1], register_tile = [1], vector_size = 4>} : f32
  return %0 : f32
}

// -----

func.func @rank(%a: tensor<2x3xf32>, %b: tensor<3x8xf32>, %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'cnnc.lowering_config' has 1 tile sizes for a result of rank 2}}
  %0 = linalg.matmul {cnnc.lowering_config = #cnnc.lowering_config<kernel = vector, cache_tile = [2], register_tile = [1], vector_size = 8>}
         ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @kernel(%a: tensor<2x3xf32>, %b: tensor<3x8xf32>, %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{the direct_conv kernel computes linalg.conv_2d_nchw_fchw only}}
  %0 = linalg.matmul {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv, cache_tile = [2, 8], register_tile = [1, 8], vector_size = 8>}
         ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @not_config(%x: f32) -> f32 {
  // expected-error @+1 {{'cnnc.lowering_config' must be a #cnnc.lowering_config}}
  %0 = arith.addf %x, %x {cnnc.lowering_config = 3 : i64} : f32
  return %0 : f32
}

// -----

// expected-error @+1 {{'cnnc.layer' must be a string}}
func.func private @layer() attributes {cnnc.layer = 3 : i64}

// -----

// expected-error @+1 {{'cnnc.num_outputs' must be an integer}}
func.func private @outputs() attributes {cnnc.num_outputs = "one"}

// -----

// expected-error @+1 {{'cnnc.multiply_adds' must be an integer}}
func.func private @macs() attributes {cnnc.multiply_adds = 1.5}

// -----

// expected-error @+1 {{unknown cnnc attribute 'cnnc.tile'}}
func.func private @unknown() attributes {cnnc.tile = 3 : i64}

// -----

func.func @flat_strided(%x: tensor<1x2x9x9xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{the direct_conv_flat kernel takes stride 1 and register tiles of whole rows}}
  %0 = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>, cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_conv_flat, cache_tile = [1, 4, 4, 4], register_tile = [1, 2, 4, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x2x9x9xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @dot_on_conv(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %acc: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{the dot kernel computes out[n, m] += in[n, k] * w[m, k] only}}
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = dot, cache_tile = [1, 4, 4, 4], register_tile = [1, 2, 4, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%acc : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

func.func @pool_on_matmul(%a: tensor<2x3xf32>, %b: tensor<3x8xf32>, %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{the direct_pool kernel computes linalg.pooling_nchw_max and _sum only}}
  %0 = linalg.matmul {cnnc.lowering_config = #cnnc.lowering_config<kernel = direct_pool, cache_tile = [2, 8], register_tile = [1, 8], vector_size = 8>}
         ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @packed_two_rows(%x: tensor<1x2x6x6xf32>, %w: tensor<16x2x3x3xf32>, %acc: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  // expected-error @+1 {{the packed_conv kernel takes register tiles [1, F, 1, W] with F a multiple of the vector size}}
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 16, 4, 4], register_tile = [1, 16, 2, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<16x2x3x3xf32>) outs(%acc : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

func.func @packed_partial_vector(%x: tensor<1x2x6x6xf32>, %w: tensor<8x2x3x3xf32>, %acc: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{the packed_conv kernel takes register tiles [1, F, 1, W] with F a multiple of the vector size}}
  %0 = linalg.conv_2d_nchw_fchw {cnnc.lowering_config = #cnnc.lowering_config<kernel = packed_conv, cache_tile = [1, 8, 4, 4], register_tile = [1, 8, 1, 4], vector_size = 16>}
         ins(%x, %w : tensor<1x2x6x6xf32>, tensor<8x2x3x3xf32>) outs(%acc : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// expected-error @+1 {{'cnnc.prepare_arguments' must be an array<i64> on a module}}
module attributes {cnnc.prepare_arguments = [0, 1]} {
}

// -----

// expected-error @+1 {{'cnnc.prepared_tensors' must be a list of {name, shape} on a module}}
module attributes {cnnc.prepared_tensors = [{name = "w.prepared"}]} {
}

// -----

// expected-error @+1 {{block_tile has 2 sizes but thread_tile has 1}}
#bad = #cnnc.gpu_config<block_tile = [1, 32], thread_tile = [1]>

// -----

// expected-error @+1 {{thread tile 3 does not divide block tile 32 of dimension 1}}
#bad = #cnnc.gpu_config<block_tile = [1, 32], thread_tile = [1, 3]>

// -----

// expected-error @+1 {{thread tile 1 does not divide block tile 0 of dimension 0}}
#bad = #cnnc.gpu_config<block_tile = [0, 32], thread_tile = [1, 1]>

// -----

// expected-error @+1 {{tile sizes must not be negative (dimension 1)}}
#bad = #cnnc.gpu_config<block_tile = [1, -32], thread_tile = [1, 1]>

// -----

// expected-error @+1 {{a block of 2048 threads exceeds the 1024 a GPU block can have}}
#bad = #cnnc.gpu_config<block_tile = [64, 32], thread_tile = [1, 1]>

// -----

func.func @gpu_config_rank(%a: tensor<2x3xf32>, %b: tensor<3x8xf32>, %c: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'cnnc.gpu_config' has 3 tile sizes for a result of rank 2}}
  %0 = linalg.matmul {cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1, 2, 8], thread_tile = [1, 1, 1]>}
         ins(%a, %b : tensor<2x3xf32>, tensor<3x8xf32>) outs(%c : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @gpu_config_not_linalg(%x: f32) -> f32 {
  // expected-error @+1 {{'cnnc.gpu_config' must be a #cnnc.gpu_config on a linalg op with one result}}
  %0 = arith.negf %x {cnnc.gpu_config = #cnnc.gpu_config<block_tile = [1], thread_tile = [1]>} : f32
  return %0 : f32
}
