//===- CodegenDialect.h - cnnc's code generation attributes -----*- C++ -*-===//

#ifndef CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H
#define CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/Codegen/IR/CodegenDialect.h.inc"
#include "dialects/Codegen/IR/CodegenEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Codegen/IR/CodegenAttrs.h.inc"

#endif // CNNC_DIALECTS_CODEGEN_IR_CODEGENDIALECT_H
