//===- TileAndFuse.h - Tiling a dispatch group with its producers -*- C++ -*-===//
//
// The tiling that the CPU and GPU strategies share: a dispatch group is tiled
// at its last op, and the ops it reads from inside the group are fused into
// each tile.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_CODEGEN_TILEANDFUSE_H
#define CNNC_COMPILER_CODEGEN_TILEANDFUSE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace cnnc {

/// The last op of the group around `root`: the end of the chain of
/// element-wise ops each of which is the only user of the one before
/// (cnnc-form-dispatch-groups put that chain beside the root).
mlir::linalg::LinalgOp groupEnd(mlir::linalg::LinalgOp root);

/// Tiles `last` by `resultSizes` (over its result's dimensions, in the
/// order `resultOrder`, or in order when it is empty), fusing the
/// structured ops it reads (the root, and the producer of the root's
/// accumulator) into the tile; a padding is not fused: the padded input is
/// computed once, before the tiles. Returns the tiled ops, the tiled `last`
/// first.
mlir::FailureOr<llvm::SmallVector<mlir::Operation *>>
tileAndFuse(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp last,
            llvm::ArrayRef<int64_t> resultSizes, llvm::ArrayRef<int64_t> resultOrder,
            mlir::scf::SCFTilingOptions::LoopType loops,
            llvm::ArrayRef<mlir::Attribute> mapping = {});

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_TILEANDFUSE_H
