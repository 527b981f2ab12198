//===- CombineRowWrites.h - One write for a tile written row by row -*- C++ -*-===//

#ifndef CNNC_COMPILER_CODEGEN_CPU_COMBINEROWWRITES_H
#define CNNC_COMPILER_CODEGEN_CPU_COMBINEROWWRITES_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc {

/// Rewrites a chain of `vector.transfer_write`s of whole rows into a static
/// tensor, each writing the previous one's result at constant indices and
/// together writing every row once, into the rows' insertion into one
/// vector of the tensor's shape and one write of it.
void populateCombineRowWritesPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_CPU_COMBINEROWWRITES_H
