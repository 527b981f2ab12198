//===- GradientRules.h - Reverse-mode rules of the cnn ops ------*- C++ -*-===//

#ifndef CNNC_DIALECTS_CNN_INTERFACES_GRADIENTRULES_H
#define CNNC_DIALECTS_CNN_INTERFACES_GRADIENTRULES_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace cnnc::cnn {

/// Attaches the GradientOpInterface rules to the cnn ops that have one.
void registerGradientRules(mlir::DialectRegistry &registry);

} // namespace cnnc::cnn

#endif // CNNC_DIALECTS_CNN_INTERFACES_GRADIENTRULES_H
