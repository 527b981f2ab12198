//===- Passes.td - Conversions out of the cnn dialect ------*- tablegen -*-===//

#ifndef CNNC_CONVERSION_PASSES
#define CNNC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertCnnToLinalg : Pass<"convert-cnn-to-linalg"> {
  let summary = "Lower cnn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Each cnn op becomes structured ops on tensors: convolutions and pooling
    become linalg's named convolution and pooling ops over an explicitly
    padded input (tensor.pad for zero padding, a gathering linalg.generic for
    replicate and circular padding), with the bias as the accumulator's
    initial value; dense layers, batch norm, activations and softmax become
    linalg.generic and linalg.reduce; flatten and concat become tensor ops.
    Dropout is the identity.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // CNNC_CONVERSION_PASSES
