//===- MacCountOpInterface.td - Arithmetic cost of a cnn op --*- tablegen -*-===//
//
// Ops that perform multiply-accumulates (convolutions, dense layers) report
// how many, so that `cnnc summary` and later cost models read the count from
// the IR instead of re-deriving it from the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_MAC_COUNT_OP_INTERFACE
#define CNN_MAC_COUNT_OP_INTERFACE

include "mlir/IR/OpBase.td"

def Cnn_MacCountOpInterface : OpInterface<"MacCountOpInterface"> {
  let description = [{
    Reports the number of multiply-accumulate operations one execution of the
    op performs, for the static shapes it carries. Ops that only move data or
    apply element-wise functions do not implement it and count as zero.
  }];
  let cppNamespace = "::cnnc::cnn";
  let methods = [
    InterfaceMethod<
      /*desc=*/"Returns the multiply-accumulates of one execution.",
      /*retTy=*/"int64_t",
      /*methodName=*/"getMultiplyAccumulates">
  ];
}

#endif // CNN_MAC_COUNT_OP_INTERFACE
