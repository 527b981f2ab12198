//===- MacCountOpInterface.h - Arithmetic cost of a cnn op ------*- C++ -*-===//

#ifndef CNNC_DIALECTS_CNN_INTERFACES_MACCOUNTOPINTERFACE_H
#define CNNC_DIALECTS_CNN_INTERFACES_MACCOUNTOPINTERFACE_H

#include "mlir/IR/OpDefinition.h"

#include "dialects/Cnn/Interfaces/MacCountOpInterface.h.inc"

#endif // CNNC_DIALECTS_CNN_INTERFACES_MACCOUNTOPINTERFACE_H
