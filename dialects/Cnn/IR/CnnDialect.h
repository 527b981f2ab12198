//===- CnnDialect.h - The cnn dialect ---------------------------*- C++ -*-===//

#ifndef CNNC_DIALECTS_CNN_IR_CNNDIALECT_H
#define CNNC_DIALECTS_CNN_IR_CNNDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/Cnn/IR/CnnOpsDialect.h.inc"
#include "dialects/Cnn/IR/CnnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Cnn/IR/CnnAttrs.h.inc"

#endif // CNNC_DIALECTS_CNN_IR_CNNDIALECT_H
