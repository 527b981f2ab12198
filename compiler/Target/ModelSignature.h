//===- ModelSignature.h - The tensors a compiled model takes ----*- C++ -*-===//
//
// The list of tensors of a model in the order its compiled entry points take
// them (parameters and buffers, the input, the outputs, then the prepared
// tensors), read from the cnn-level `@forward` before lowering erases names
// and roles, and from what the lowering recorded of `@prepare`.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_TARGET_MODELSIGNATURE_H
#define CNNC_COMPILER_TARGET_MODELSIGNATURE_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace cnnc {

/// Mirrors cnnrt_role and cnnrt_init of the runtime.
enum class TensorRole : int32_t {
  Param = 0,
  Buffer = 1,
  Input = 2,
  Output = 3,
  Prepared = 4,
  State = 5
};
enum class TensorInit : int32_t { Zeros = 0, Ones = 1, HeUniform = 2, GlorotUniform = 3 };

struct TensorSignature {
  std::string name;
  TensorRole role;
  TensorInit init;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  /// A parameter or buffer: what a weight file binds.
  bool isWeight() const { return role == TensorRole::Param || role == TensorRole::Buffer; }
};

/// A training or evaluation step (`@train_step`, `@evaluate`): the tensors
/// of the table its arguments and results are, in order. A result that
/// updates a tensor the step also reads (a parameter, optimizer state) is
/// `inPlace`.
struct StepFunction {
  std::string name;
  std::vector<unsigned> arguments;
  std::vector<unsigned> results;
  std::vector<bool> inPlace;
};

struct ModelSignature {
  std::string modelName;
  std::vector<TensorSignature> tensors;
  /// The first tensors of the table are `@forward`'s arguments and results.
  unsigned numForwardTensors = 0;
  /// The tensors the lowered `@prepare` reads, in its argument order.
  std::vector<unsigned> prepareArguments;
  /// The steps cnn-differentiate added, if it ran.
  std::vector<StepFunction> steps;
};

/// Reads the signature of `@forward` in a cnn-dialect module, and of the
/// training and evaluation steps where it has them.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::ModuleOp module);

/// Appends the tensors that the lowered `module`'s `@prepare` computes from
/// the weights (cnnc-hoist-weight-transforms records them on the module).
mlir::LogicalResult addPreparedTensors(mlir::ModuleOp lowered,
                                       ModelSignature &signature);

} // namespace cnnc

#endif // CNNC_COMPILER_TARGET_MODELSIGNATURE_H
