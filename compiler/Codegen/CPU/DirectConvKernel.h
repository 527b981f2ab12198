//===- DirectConvKernel.h - The register-blocked direct convolution -*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_CPU_DIRECTCONVKERNEL_H
#define CNNC_COMPILER_CODEGEN_CPU_DIRECTCONVKERNEL_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc {

/// The vectors a row of `width` f32 columns is held in: powers of two, at
/// most `lanes` each, largest first (56 with 16 lanes: 16, 16, 16, 8).
llvm::SmallVector<int64_t> rowChunks(int64_t width, int64_t lanes);

/// Rewrites a register tile of `linalg.conv_2d_nchw_fchw` whose lowering
/// config says `direct_conv` or `direct_conv_flat` (its result is one
/// register tile: static, batch 1) into the direct convolution kernel in the
/// vector dialect, its rows in vectors of at most the config's vector_size;
/// and likewise a tile of `linalg.pooling_nchw_max` or `_sum` whose config
/// says `direct_pool`.
void populateDirectConvKernelPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_CPU_DIRECTCONVKERNEL_H
