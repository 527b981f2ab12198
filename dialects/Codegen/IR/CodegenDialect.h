//===- CodegenDialect.h - cnnc's code generation attributes -----*- C++ -*-===//

#ifndef CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H
#define CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

namespace cnnc::codegen {
/// The most threads a block of an NVIDIA GPU can have.
constexpr int64_t kMaxThreadsPerBlock = 1024;
} // namespace cnnc::codegen

#include "dialects/Codegen/IR/CodegenDialect.h.inc"
#include "dialects/Codegen/IR/CodegenEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Codegen/IR/CodegenAttrs.h.inc"

namespace mlir::linalg {
class LinalgOp;
} // namespace mlir::linalg

namespace cnnc::codegen {
/// A dense layer's contraction: out[n, m] += in[n, k] * w[m, k], the weights
/// row-major as PyTorch keeps them (what the dot kernel computes).
bool isDenseLayer(mlir::linalg::LinalgOp op);
} // namespace cnnc::codegen

#endif // CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H
