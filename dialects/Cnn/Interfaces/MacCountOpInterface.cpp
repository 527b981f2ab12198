//===- MacCountOpInterface.cpp - Arithmetic cost of a cnn op --------------===//

#include "dialects/Cnn/Interfaces/MacCountOpInterface.h"

#include "dialects/Cnn/Interfaces/MacCountOpInterface.cpp.inc"
