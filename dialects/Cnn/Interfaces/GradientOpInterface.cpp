//===- GradientOpInterface.cpp - Reverse-mode rule of a cnn op ------------===//

#include "dialects/Cnn/Interfaces/GradientOpInterface.h"

#include "dialects/Cnn/Interfaces/GradientOpInterface.cpp.inc"
