// Each verifier message of the cnn dialect, once. Ops whose result type is
// inferred report the rule they break, then the interface's summary "failed
// to infer returned types".
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @conv2d_dynamic_input(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped 4-D tensor of floats}}
  %0 = cnn.conv2d %x, %w : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @conv2d_weight_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+2 {{'cnn.conv2d' op weight has element type 'f16' but the input has 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op strides must have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_positive(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op strides must be positive, got [1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_dilations_positive(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op dilations must be positive, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {dilations = array<i64: 0, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_padding_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op padding [top, left, bottom, right] must have 4 entries, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv2d_padding_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op padding [top, left, bottom, right] must be non-negative, got [1, -1, 1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, -1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x7xf32>
  return
}

// -----

func.func @conv2d_groups_positive(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op groups must be from 1 to 2147483648, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {groups = 0} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_valid_with_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op padding mode 'valid' takes no padding, got [1, 1, 1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>, padding_mode = #cnn.padding_mode<valid>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv2d_groups_input_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op input channels (3) must be divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {groups = 2} : tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_output_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op output channels (3) must be divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {groups = 2} : tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv2d_weight_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op weight of shape 4x2x3x3 expects 2 input channels, but the input has 3 (shape 1x3x8x8, groups 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op bias must have 4 elements (one per channel), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_circular_too_wide(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op circular padding [3, 3, 3, 3] wraps around more than once on an input of 2x2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 3, 3, 3, 3>, padding_mode = #cnn.padding_mode<circular>} : tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x5x5xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op kernel height of extent 5 is larger than the padded input extent 4 (4 + padding 0 + 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w : tensor<1x3x4x4xf32>, tensor<4x3x5x5xf32> -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv2d_dilated_kernel_too_wide(%x: tensor<1x3x8x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op kernel width of extent 5 is larger than the padded input extent 4 (4 + padding 0 + 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {dilations = array<i64: 1, 2>} : tensor<1x3x8x4xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x1xf32>
  return
}

// -----

func.func @conv2d_wrong_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @dense_features(%x: tensor<2x100xf32>, %w: tensor<10x120xf32>) {
  // expected-error @+2 {{'cnn.dense' op weight of shape 10x120 expects 120 input features, but the input has 100}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %x, %w : tensor<2x100xf32>, tensor<10x120xf32> -> tensor<2x10xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<2x120xf32>, %w: tensor<10x120xf32>, %b: tensor<12xf32>) {
  // expected-error @+2 {{'cnn.dense' op bias must have 10 elements (one per channel), got 12}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.dense %x, %w, %b : tensor<2x120xf32>, tensor<10x120xf32>, tensor<12xf32> -> tensor<2x10xf32>
  return
}

// -----

func.func @dense_feature_map(%x: tensor<2x4x5x5xf32>, %w: tensor<10x100xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped 2-D tensor of floats}}
  %0 = cnn.dense %x, %w : tensor<2x4x5x5xf32>, tensor<10x100xf32> -> tensor<2x10xf32>
  return
}

// -----

func.func @batch_norm_channels(%x: tensor<1x8x4x4xf32>, %s: tensor<4xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op scale must have 8 elements (one per channel), got 4}}
  %0 = cnn.batch_norm %x, %s, %v, %v, %v : tensor<1x8x4x4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_statistics_type(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>, %h: tensor<8xf16>) {
  // expected-error @+1 {{'cnn.batch_norm' op variance has element type 'f16' but the input has 'f32'}}
  %0 = cnn.batch_norm %x, %v, %v, %v, %h : tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf16>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op epsilon must be a finite non-negative number, got -1.000000e-05}}
  %0 = cnn.batch_norm %x, %v, %v, %v, %v {epsilon = -1.0e-5} : tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @fold_batch_norm_channels(%w: tensor<8x3x3x3xf32>, %v: tensor<8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op mean must have 8 elements (one per channel), got 4}}
  %0:2 = cnn.fold_batch_norm %w, %v, %v, %v, %s, %v : tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @fold_batch_norm_rank(%w: tensor<8xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op weight must be [F, ...] (2-D to 4-D), got a 1-D tensor of shape 8}}
  %0:2 = cnn.fold_batch_norm %w, %v, %v, %v, %v, %v : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @fold_batch_norm_epsilon(%w: tensor<8x4xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.fold_batch_norm' op epsilon must be a finite non-negative number, got -1.000000e+00}}
  %0:2 = cnn.fold_batch_norm %w, %v, %v, %v, %v, %v {epsilon = -1.0} : tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<8xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.batch_norm' op input must be [N, C] or [N, C, ...] (2-D to 5-D), got a 1-D tensor of shape 8}}
  %0 = cnn.batch_norm %x, %v, %v, %v, %v : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @leaky_relu_slope(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.leaky_relu' op negative_slope must be finite, got nan}}
  %0 = cnn.leaky_relu %x {negative_slope = 0x7FF8000000000000 : f64} : tensor<1x8xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.softmax' op axis 2 is out of range for a 2-D input}}
  %0 = cnn.softmax %x {axis = 2} : tensor<1x8xf32>
  return
}

// -----

func.func @dropout_rate(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.dropout' op rate must be in [0, 1), got 1.000000e+00}}
  %0 = cnn.dropout %x {rate = 1.0} : tensor<1x8xf32>
  return
}

// -----

func.func @elementwise_result_type(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.relu' op failed to verify that all of {input, output} have same type}}
  %0 = "cnn.relu"(%x) : (tensor<1x8xf32>) -> tensor<1x9xf32>
  return
}

// -----

func.func @pool_kernel_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'cnn.max_pool2d' op kernel_size must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_kernel_missing(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d' op requires attribute 'kernel_size'}}
  %0 = cnn.max_pool2d %x : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_strides_positive(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'cnn.avg_pool2d' op strides must be positive, got [0, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 0, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_padding_half_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'cnn.max_pool2d' op padding [2, 2, 2, 2] must be at most half the kernel size 3x3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 2, 2, 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x10x10xf32>
  return
}

// -----

func.func @pool_window_too_large(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+2 {{'cnn.avg_pool2d' op window height of extent 3 is larger than the padded input extent 2 (2 + padding 0 + 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.avg_pool2d %x {kernel_size = array<i64: 3, 3>} : tensor<1x3x2x8xf32> -> tensor<1x3x1x6xf32>
  return
}

// -----

// Ceil mode takes a window beyond the input only while one window starts
// inside it: with stride 1 the window of 3 would start before a 1-row input.
func.func @pool_ceil_window_too_large(%x: tensor<1x3x1x8xf32>) {
  // expected-error @+2 {{'cnn.max_pool2d' op window height of extent 3 is larger than the padded input extent 1 (1 + padding 0 + 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.max_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, ceil_mode = true} : tensor<1x3x1x8xf32> -> tensor<1x3x1x6xf32>
  return
}

// -----

func.func @flatten_rank(%x: tensor<8xf32>) {
  // expected-error @+2 {{'cnn.flatten' op input must be [N, ...] of rank 2 to 5, got a 1-D tensor of shape 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.flatten %x : tensor<8xf32> -> tensor<8x1xf32>
  return
}

// -----

func.func @add_shapes(%x: tensor<1x8xf32>, %y: tensor<1x9xf32>) {
  // expected-error @+2 {{'cnn.add' op the first operand of shape 1x8 and the second of shape 1x9 do not broadcast: dimension 1 is 8 and 9 (sizes must be equal, or one of them 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "cnn.add"(%x, %y) : (tensor<1x8xf32>, tensor<1x9xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @add_broadcast_result(%x: tensor<2x3x4x4xf32>, %y: tensor<3x1x1xf32>) {
  // expected-error @+2 {{'cnn.add' op inferred type(s) 'tensor<2x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3x1x1xf32>'}}
  // expected-error @+1 {{'cnn.add' op failed to infer returned types}}
  %0 = "cnn.add"(%x, %y) : (tensor<2x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<2x3x1x1xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+2 {{'cnn.concat' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "cnn.concat"() : () -> tensor<1x8xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<1x8xf32>) {
  // expected-error @+2 {{'cnn.concat' op axis 2 is out of range for 2-D inputs}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %x, %x {axis = 2} : tensor<1x8xf32>, tensor<1x8xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<1x8xf32>, %y: tensor<1x8x1xf32>) {
  // expected-error @+2 {{'cnn.concat' op input 1 must be of the rank of input 0, got a 3-D tensor of shape 1x8x1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %x, %y : tensor<1x8xf32>, tensor<1x8x1xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @concat_shapes(%x: tensor<1x8x4x4xf32>, %y: tensor<1x8x5x4xf32>) {
  // expected-error @+2 {{'cnn.concat' op input 1 of shape 1x8x5x4 does not match input 0 of shape 1x8x4x4 outside the concatenation axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %x, %y : tensor<1x8x4x4xf32>, tensor<1x8x5x4xf32> -> tensor<1x16x4x4xf32>
  return
}

// -----

func.func @concat_element_type(%x: tensor<1x8xf32>, %y: tensor<1x8xf16>) {
  // expected-error @+2 {{'cnn.concat' op input 1 has element type 'f16' but the input has 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.concat %x, %y : tensor<1x8xf32>, tensor<1x8xf16> -> tensor<1x16xf32>
  return
}

// -----

// expected-error @+1 {{unknown cnn argument attribute 'cnn.weight'; expected 'cnn.param', 'cnn.buffer', 'cnn.input', 'cnn.state', 'cnn.output', 'cnn.updates' or 'cnn.init'}}
func.func @unknown_argument_attribute(%x: tensor<1x8xf32> {cnn.weight = "w"}) {
  return
}

// -----

// expected-error @+1 {{'cnn.param' of argument 0 must be a non-empty string naming the tensor}}
func.func @argument_name_not_string(%x: tensor<1x8xf32> {cnn.param = 3}) {
  return
}

// -----

func.func @unknown_padding_mode(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{expected ::cnnc::cnn::PaddingMode to be one of: zeros, replicate, circular, valid}}
  // expected-error @+1 {{failed to parse Cnn_PaddingModeAttr parameter 'value'}}
  %0 = cnn.conv2d %x, %w {padding_mode = #cnn.padding_mode<mirror>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// expected-error @+1 {{'cnn.init' of argument 0 must be "zeros", "ones", "he_uniform" or "glorot_uniform"}}
func.func @bad_init(%x: tensor<8xf32> {cnn.param = "b", cnn.init = "random"}) {
  return
}

// -----

func.func @conv2d_stride_too_large(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op strides must be at most 2147483648, got [1, 4294967296]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 4294967296>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x1xf32>
  return
}

// -----

func.func @conv2d_connections_rank(%x: tensor<1x2x8x8xf32>, %w: tensor<3x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op connections must be an [F, C] table, got shape 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {connections = dense<[true, false, true]> : tensor<3xi1>} : tensor<1x2x8x8xf32>, tensor<3x1x3x3xf32> -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv2d_connections_groups(%x: tensor<1x2x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op a convolution with a connection table has no groups, got groups 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {connections = dense<true> : tensor<2x1xi1>, groups = 2} : tensor<1x2x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv2d_connections_channels(%x: tensor<1x2x8x8xf32>, %w: tensor<3x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op connection table of shape 1x3 is for 3 input channels, but the input has 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {connections = dense<[[true, false, true]]> : tensor<1x3xi1>} : tensor<1x2x8x8xf32>, tensor<3x1x3x3xf32> -> tensor<1x1x6x6xf32>
  return
}

// -----

func.func @conv2d_connections_unread(%x: tensor<1x2x8x8xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op output channel 1 of the connection table reads no input channel}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {connections = dense<[[true, false], [false, false]]> : tensor<2x2xi1>} : tensor<1x2x8x8xf32>, tensor<1x1x3x3xf32> -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv2d_connections_weight(%x: tensor<1x2x8x8xf32>, %w: tensor<2x1x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op weight of shape 2x1x3x3 does not match the connection table: it needs [3, 1, KH, KW], one filter per connection}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<1x2x8x8xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @conv_transpose2d_channels(%x: tensor<1x8x5x5xf32>, %w: tensor<4x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.conv_transpose2d' op weight of shape 4x4x2x2 expects 4 input channels, but the input has 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w : tensor<1x8x5x5xf32>, tensor<4x4x2x2xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_transpose2d_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.conv_transpose2d' op output_padding must be smaller than the stride or the dilation, got [1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {output_padding = array<i64: 1, 0>} : tensor<1x4x5x5xf32>, tensor<4x4x2x2xf32> -> tensor<1x4x7x6xf32>
  return
}

// -----

func.func @conv_transpose2d_groups(%x: tensor<1x3x5x5xf32>, %w: tensor<3x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.conv_transpose2d' op input channels (3) must be divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {groups = 2} : tensor<1x3x5x5xf32>, tensor<3x4x2x2xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_transpose2d_no_output(%x: tensor<1x4x1x1xf32>, %w: tensor<4x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.conv_transpose2d' op padding [1, 1, 1, 1] leaves no output rows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x4x1x1xf32>, tensor<4x4x2x2xf32> -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @conv_transpose2d_groups_positive(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.conv_transpose2d' op groups must be from 1 to 2147483648, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv_transpose2d %x, %w {groups = 0} : tensor<1x4x5x5xf32>, tensor<4x4x2x2xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @lrn_size(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{'cnn.local_response_norm' op size must be positive, got 0}}
  %0 = cnn.local_response_norm %x {size = 0} : tensor<1x4x5x5xf32>
  return
}

// -----

func.func @lrn_k(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{'cnn.local_response_norm' op k must be positive, got 0.000000e+00}}
  %0 = cnn.local_response_norm %x {size = 3, k = 0.0} : tensor<1x4x5x5xf32>
  return
}

// -----

func.func @lrn_not_finite(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+1 {{'cnn.local_response_norm' op beta must be finite, got INF}}
  %0 = cnn.local_response_norm %x {size = 3, beta = 0x7FF0000000000000 : f64} : tensor<1x4x5x5xf32>
  return
}

// -----

func.func @adaptive_output_size(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.adaptive_avg_pool2d' op output_size must be positive, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.adaptive_avg_pool2d %x {output_size = array<i64: 0, 1>} : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @upsample_scale(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.upsample' op scale_factors must have 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.upsample %x {scale_factors = array<i64: 2>} : tensor<1x4x5x5xf32> -> tensor<1x4x10x10xf32>
  return
}

// -----

func.func @crop_outside(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.crop' op a window of 4x4 at [2, 0] does not fit an input of 5x5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.crop %x {offsets = array<i64: 2, 0>, sizes = array<i64: 4, 4>} : tensor<1x4x5x5xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @pad_valid(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.pad' op mode 'valid' does not pad; use zeros, replicate, reflect or circular}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.pad %x {padding = array<i64: 1, 1, 1, 1>, mode = #cnn.padding_mode<valid>} : tensor<1x4x5x5xf32> -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @pad_circular(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+2 {{'cnn.pad' op circular padding [3, 0, 0, 0] wraps around more than once on an input of 2x2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.pad %x {padding = array<i64: 3, 0, 0, 0>, mode = #cnn.padding_mode<circular>} : tensor<1x4x2x2xf32> -> tensor<1x4x5x2xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.reshape' op shape [1, 99] holds 99 elements, the input 100}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: 1, 99>} : tensor<1x4x5x5xf32> -> tensor<1x99xf32>
  return
}

// -----

func.func @reshape_rank(%x: tensor<1x4x5x5xf32>) {
  // expected-error @+2 {{'cnn.reshape' op shape must have 1 to 5 entries, got 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reshape %x {shape = array<i64: 1, 1, 1, 4, 5, 5>} : tensor<1x4x5x5xf32> -> tensor<1x1x1x4x5x5xf32>
  return
}

// -----

func.func @conv1d_input_rank(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped 3-D tensor of floats}}
  %0 = cnn.conv1d %x, %w : tensor<1x2x8x8xf32>, tensor<4x2x3xf32> -> tensor<1x4x6xf32>
  return
}

// -----

func.func @conv1d_padding_entries(%x: tensor<1x2x8xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{'cnn.conv1d' op padding [left, right] must have 2 entries, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv1d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x2x8xf32>, tensor<4x2x3xf32> -> tensor<1x4x8xf32>
  return
}

// -----

func.func @conv1d_kernel_too_long(%x: tensor<1x2x2xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{'cnn.conv1d' op kernel of extent 3 is larger than the padded input extent 2 (2 + padding 0 + 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv1d %x, %w : tensor<1x2x2xf32>, tensor<4x2x3xf32> -> tensor<1x4x1xf32>
  return
}

// -----

// expected-error @+1 {{unknown cnn result attribute 'cnn.result'; expected 'cnn.output' or 'cnn.updates'}}
func.func @unknown_result_attribute(%x: tensor<8xf32>) -> (tensor<8xf32> {cnn.result = "y"}) {
  return %x : tensor<8xf32>
}

// -----

// expected-error @+1 {{'cnn.output' of result 0 must be a non-empty string naming a tensor}}
func.func @empty_output_name(%x: tensor<8xf32>) -> (tensor<8xf32> {cnn.output = ""}) {
  return %x : tensor<8xf32>
}

// -----

func.func @lrn_rank(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'cnn.local_response_norm' op input must be [N, C, L] or [N, C, H, W], got a 2-D tensor of shape 4x5}}
  %0 = cnn.local_response_norm %x {size = 3} : tensor<4x5xf32>
  return
}

// -----

func.func @reflect_padding_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+2 {{'cnn.conv2d' op reflect padding [1, 4, 1, 1] must be less than the input's size on each side, 4x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.conv2d %x, %w {padding = array<i64: 1, 4, 1, 1>, padding_mode = #cnn.padding_mode<reflect>} : tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32> -> tensor<1x2x4x7xf32>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'cnn.transpose' op permutation [1, 1] is not a permutation of 0 to 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.transpose %x {permutation = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'cnn.transpose' op permutation must have 2 entries, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.transpose %x {permutation = array<i64: 1, 0, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @slice_out_of_bounds(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'cnn.slice' op the slice at offsets [0, 4] of sizes [2, 3] leaves the input of shape 2x6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.slice %x {offsets = array<i64: 0, 4>, sizes = array<i64: 2, 3>} : tensor<2x6xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_sum_axes(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'cnn.reduce_sum' op axes [2, 0] must be strictly increasing dimensions of the 3-D input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = cnn.reduce_sum %x {axes = array<i64: 2, 0>} : tensor<2x3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @softmax_grad_axis(%g: tensor<2x5xf32>, %y: tensor<2x5xf32>) {
  // expected-error @+1 {{'cnn.softmax_grad' op axis 2 is out of range for a 2-D input}}
  %0 = cnn.softmax_grad %g, %y {axis = 2} : tensor<2x5xf32>
  return
}

// -----

func.func @avg_pool2d_grad_shape(%g: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{'cnn.avg_pool2d_grad' op output_grad of shape 1x2x4x4 is not the 1x2x3x3 this window makes of an input of shape 1x2x6x6}}
  %0 = cnn.avg_pool2d_grad %g {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x6x6xf32>
  return
}

// -----

func.func @max_pool2d_grad_window(%g: tensor<1x2x3x3xf32>, %x: tensor<1x2x6x6xf32>) {
  // expected-error @+1 {{'cnn.max_pool2d_grad' op kernel_size must be positive, got [0, 2]}}
  %0 = cnn.max_pool2d_grad %g, %x {kernel_size = array<i64: 0, 2>} : tensor<1x2x3x3xf32>, tensor<1x2x6x6xf32>
  return
}

// -----

func.func @cross_entropy_labels(%z: tensor<4x10xf32>, %l: tensor<3xf32>) {
  // expected-error @+1 {{'cnn.softmax_cross_entropy' op labels must have one entry per row of the logits (4), got 3}}
  %0 = cnn.softmax_cross_entropy %z, %l : tensor<4x10xf32>, tensor<3xf32>
  return
}

// -----

func.func @cross_entropy_smoothing(%z: tensor<4x10xf32>, %l: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.softmax_cross_entropy' op label_smoothing must be in [0, 1], got 1.5}}
  %0 = cnn.softmax_cross_entropy %z, %l {label_smoothing = 1.5} : tensor<4x10xf32>, tensor<4xf32>
  return
}

// -----

func.func @cross_entropy_grad_labels(%z: tensor<4x10xf32>, %l: tensor<2xf32>, %one: tensor<1xf32>) {
  // expected-error @+1 {{'cnn.softmax_cross_entropy_grad' op labels must have one entry per row of the logits (4), got 2}}
  %0 = cnn.softmax_cross_entropy_grad %z, %l, %one : tensor<4x10xf32>, tensor<2xf32>
  return
}

// -----

func.func @correct_count_labels(%z: tensor<4x10xf32>, %l: tensor<5xf32>) {
  // expected-error @+1 {{'cnn.correct_count' op labels must have one entry per row of the logits (4), got 5}}
  %0 = cnn.correct_count %z, %l : tensor<4x10xf32>, tensor<5xf32>
  return
}

// -----

func.func @sgd_momentum_without_velocity(%p: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.sgd_update' op with momentum takes a velocity}}
  %0 = cnn.sgd_update %p, %g {learning_rate = 0.1, momentum = 0.9} : tensor<8xf32>
  return
}

// -----

func.func @sgd_velocity_without_momentum(%p: tensor<8xf32>, %g: tensor<8xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.sgd_update' op without momentum takes no velocity}}
  %0:2 = cnn.sgd_update %p, %g, %v {learning_rate = 0.1} : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @sgd_nesterov_without_momentum(%p: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.sgd_update' op nesterov needs momentum}}
  %0 = cnn.sgd_update %p, %g {learning_rate = 0.1, nesterov = true} : tensor<8xf32>
  return
}

// -----

func.func @sgd_negative_learning_rate(%p: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'cnn.sgd_update' op learning_rate must be a finite non-negative number, got -1.000000e-01}}
  %0 = cnn.sgd_update %p, %g {learning_rate = -0.1} : tensor<8xf32>
  return
}

// -----

func.func @adam_beta(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<1xf32>) {
  // expected-error @+1 {{'cnn.adam_update' op beta2 must be in [0, 1), got 1}}
  %0:3 = cnn.adam_update %p, %g, %m, %v, %t {learning_rate = 0.001, beta2 = 1.0} : tensor<8xf32>
  return
}

// -----

func.func @adam_step_shape(%p: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %t: tensor<2xf32>) {
  // expected-error @+1 {{'cnn.adam_update' op operand #4 must be tensor<1xf32>, but got 'tensor<2xf32>'}}
  %0:3 = "cnn.adam_update"(%p, %g, %m, %v, %t) {learning_rate = 0.001 : f64} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @batch_norm_train_one_value(%x: tensor<1x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op needs more than one value per channel to take the batch's statistics, got 1 (input of shape 1x4)}}
  %0:5 = cnn.batch_norm_train %x, %s, %s, %s, %s : tensor<1x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_train_momentum(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op momentum must be in [0, 1], got 1.5}}
  %0:5 = cnn.batch_norm_train %x, %s, %s, %s, %s {momentum = 1.5} : tensor<2x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_train_epsilon(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_train' op epsilon must be a finite non-negative number, got -1}}
  %0:5 = cnn.batch_norm_train %x, %s, %s, %s, %s {epsilon = -1.0} : tensor<2x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @batch_norm_grad_channels(%x: tensor<2x4x3x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'cnn.batch_norm_grad' op scale must have 4 elements (one per channel), got 3}}
  %0:3 = cnn.batch_norm_grad %x, %x, %s, %s, %s : tensor<2x4x3x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @dropout_train_rate(%x: tensor<2x4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'cnn.dropout_train' op rate must be in [0, 1), got 1}}
  %0 = cnn.dropout_train %x, %s, %s {rate = 1.0, stream = 0} : tensor<2x4xf32>
  return
}

// -----

func.func @dropout_train_stream(%x: tensor<2x4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{'cnn.dropout_train' op stream must be a 32-bit unsigned number, got -1}}
  %0 = cnn.dropout_train %x, %s, %s {rate = 0.5, stream = -1} : tensor<2x4xf32>
  return
}

// -----

func.func @local_response_norm_grad_size(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{'cnn.local_response_norm_grad' op size must be positive, got 0}}
  %0 = cnn.local_response_norm_grad %x, %x {size = 0} : tensor<1x4x2x2xf32>
  return
}

// -----

func.func @expand_connections_count(%w: tensor<2x1x3x3xf32>) {
  // expected-error @+1 {{'cnn.expand_connections' op weight of shape 2x1x3x3 does not match the connection table: it needs [3, 1, KH, KW]}}
  %0 = cnn.expand_connections %w {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<2x1x3x3xf32> -> tensor<2x2x3x3xf32>
  return
}

// -----

func.func @gather_connections_filters(%f: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{'cnn.gather_connections' op filters of shape 2x3x3x3 are not [2, 2, 3, 3]}}
  %0 = cnn.gather_connections %f {connections = dense<[[true, false], [true, true]]> : tensor<2x2xi1>} : tensor<2x3x3x3xf32> -> tensor<3x1x3x3xf32>
  return
}

// -----

func.func @elu_alpha(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.elu' op alpha must be finite, got INF}}
  %0 = cnn.elu %x {alpha = 0x7FF0000000000000 : f64} : tensor<1x8xf32>
  return
}

// -----

func.func @hard_sigmoid_beta(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.hard_sigmoid' op beta must be finite, got nan}}
  %0 = cnn.hard_sigmoid %x {beta = 0x7FF8000000000000 : f64} : tensor<1x8xf32>
  return
}

// -----

func.func @clip_bounds(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.clip' op needs min <= max, got min 6.000000e+00 and max 0.000000e+00}}
  %0 = cnn.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<1x8xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<1x8xf32>) {
  // expected-error @+1 {{'cnn.log_softmax' op axis -1 is out of range for a 2-D input}}
  %0 = cnn.log_softmax %x {axis = -1} : tensor<1x8xf32>
  return
}

// -----

func.func @sub_shapes(%x: tensor<1x8xf32>, %y: tensor<1x9xf32>) {
  // expected-error @+2 {{'cnn.sub' op the first operand of shape 1x8 and the second of shape 1x9 do not broadcast: dimension 1 is 8 and 9 (sizes must be equal, or one of them 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "cnn.sub"(%x, %y) : (tensor<1x8xf32>, tensor<1x9xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @prelu_slope(%x: tensor<1x8xf32>, %slope: tensor<2x8xf32>) {
  // expected-error @+2 {{'cnn.prelu' op the slope of shape 2x8 must broadcast to the input's shape 1x8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "cnn.prelu"(%x, %slope) : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}
