//===- GradientOpInterface.h - Reverse-mode rule of a cnn op ----*- C++ -*-===//

#ifndef CNNC_DIALECTS_CNN_INTERFACES_GRADIENTOPINTERFACE_H
#define CNNC_DIALECTS_CNN_INTERFACES_GRADIENTOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "dialects/Cnn/Interfaces/GradientOpInterface.h.inc"

#endif // CNNC_DIALECTS_CNN_INTERFACES_GRADIENTOPINTERFACE_H
