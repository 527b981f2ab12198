//===- GradientOpInterface.td - Reverse-mode rule of a cnn op -*- tablegen -*-===//
//
// An op that can be differentiated says how: from the gradients of the loss
// with respect to its results, it builds the gradients with respect to its
// operands, as ops of the cnn dialect. cnn-differentiate walks a function
// backwards and asks each op; the rules themselves live in their own
// library (GradientRules.cpp), attached to the ops as external models, so
// the dialect does not depend on them.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_GRADIENT_OP_INTERFACE
#define CNN_GRADIENT_OP_INTERFACE

include "mlir/IR/OpBase.td"

def Cnn_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let description = [{
    Reverse-mode differentiation of one op. Rules build ops without side
    effects only: an operand gradient that nothing reads (the gradient of a
    model's input) is removed by the canonicalizer afterwards.
  }];
  let cppNamespace = "::cnnc::cnn";
  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        Builds, with `builder` (placed after the op), the gradients with
        respect to the op's operands from `resultGradients`, one per result.
        Appends one value per operand to `operandGradients`: its gradient,
        or a null value for an operand without one (labels, an index).
        Reports an error on the op and fails where the op's attributes are
        beyond the rule (a padding mode it does not handle).
      }],
      /*retTy=*/"::llvm::LogicalResult",
      /*methodName=*/"buildGradients",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::mlir::ValueRange":$resultGradients,
                    "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

#endif // CNN_GRADIENT_OP_INTERFACE
