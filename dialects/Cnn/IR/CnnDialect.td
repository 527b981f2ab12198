//===- CnnDialect.td - The cnn dialect ---------------------*- tablegen -*-===//
//
// The cnn dialect is the graph level of cnnc: value-semantic ops on statically
// shaped tensors in NCHW layout, one op per layer kind of a convolutional
// network. Every op infers its result type from its operands and attributes,
// so the verifier is the single place where a layer's shape rules live.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_DIALECT
#define CNN_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnnc::cnn";
  let summary = "Convolutional network layers on NCHW tensors";
  let description = [{
    Ops of this dialect mirror the layers of a convolutional network as a
    user writes them: convolution, batch normalisation, activations, pooling,
    dense layers and the graph ops (add, concat) that residual and inception
    style networks need. A model is a `func.func @forward(params..., input)`
    whose parameter arguments carry a `cnn.param` (learned) or `cnn.buffer`
    (running statistics) name, whose input carries a `cnn.input` name and
    whose results a `cnn.output` name;
    parameters and buffers also say by `cnn.init` how they are initialised
    when no weights are given. A training step (`@train_step`, made by
    cnn-differentiate) also takes optimizer state (`cnn.state`) and returns
    the next value of each parameter and state tensor (`cnn.updates` names
    the argument it replaces).
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Names a learned parameter argument of a model function.
    static constexpr ::llvm::StringLiteral kParamAttrName = "cnn.param";
    /// Names a non-learned state argument (batch norm running statistics).
    static constexpr ::llvm::StringLiteral kBufferAttrName = "cnn.buffer";
    /// Names the data input argument of a model function.
    static constexpr ::llvm::StringLiteral kInputAttrName = "cnn.input";
    /// How a parameter or buffer argument is initialised when the user gives
    /// no weights: "zeros", "ones", "he_uniform" or "glorot_uniform".
    static constexpr ::llvm::StringLiteral kInitAttrName = "cnn.init";
    /// Names a result of a model function: the layer that computes it, so
    /// that outputs keep their names through a printed and re-read module.
    static constexpr ::llvm::StringLiteral kOutputAttrName = "cnn.output";
    /// Names optimizer state, an argument of a training step that only the
    /// optimizer reads and writes ("c1.weight.momentum_buffer", "step").
    static constexpr ::llvm::StringLiteral kStateAttrName = "cnn.state";
    /// On a result of a training step: the argument (parameter, buffer or
    /// optimizer state) whose next value it is.
    static constexpr ::llvm::StringLiteral kUpdatesAttrName = "cnn.updates";
  }];
}

def Cnn_PaddingMode : I32EnumAttr<"PaddingMode",
    "how a convolution treats positions outside its input", [
  // Positions outside read as 0.
  I32EnumAttrCase<"Zeros", 0, "zeros">,
  // The border value extends outwards ("extended" boundary).
  I32EnumAttrCase<"Replicate", 1, "replicate">,
  // The input wraps around ("cyclic" boundary).
  I32EnumAttrCase<"Circular", 2, "circular">,
  // No output where the kernel leaves the input ("undefined" boundary);
  // such a convolution carries no padding.
  I32EnumAttrCase<"Valid", 3, "valid">,
  // The input mirrored at its border, the border itself not repeated
  // (PyTorch's "reflect"): at most the input size minus one.
  I32EnumAttrCase<"Reflect", 4, "reflect">
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::cnn";
}

def Cnn_PaddingModeAttr : EnumAttr<Cnn_Dialect, Cnn_PaddingMode, "padding_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

def Cnn_UpsampleMode : I32EnumAttr<"UpsampleMode",
    "how an upsampling computes the new pixels", [
  // Each output pixel repeats the input pixel it falls in.
  I32EnumAttrCase<"Nearest", 0, "nearest">,
  // Interpolates the four nearest input pixels, with pixel centres at
  // half-integer positions (PyTorch's align_corners=False).
  I32EnumAttrCase<"Bilinear", 1, "bilinear">
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::cnnc::cnn";
}

def Cnn_UpsampleModeAttr : EnumAttr<Cnn_Dialect, Cnn_UpsampleMode, "upsample_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // CNN_DIALECT
