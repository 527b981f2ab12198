//===- PackedConvKernel.h - Convolution over packed filters -----*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_CPU_PACKEDCONVKERNEL_H
#define CNNC_COMPILER_CODEGEN_CPU_PACKEDCONVKERNEL_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc {

/// Rewrites a register tile of `linalg.conv_2d_nchw_fchw` whose lowering
/// config says `packed_conv` (its result one static register tile [1, F, 1,
/// W] of batch 1, its filter the `linalg.unpack` of a slice of filters
/// packed as [F / B, C, KH, KW, B]) into the packed convolution kernel in
/// the vector dialect.
void populatePackedConvKernelPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_CPU_PACKEDCONVKERNEL_H
