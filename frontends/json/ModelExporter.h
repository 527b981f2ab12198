//===- ModelExporter.h - A cnn-dialect model as a JSON model file -*- C++ -*-===//
//
// The inverse of the JSON frontend, for models that came from elsewhere (an
// ONNX file): one JSON layer per cnn op of @forward, with its keys written
// out, and its weights named as the JSON frontend names them
// ("LAYER.weight", "LAYER.bias", "LAYER.running_mean", ...) so that a
// safetensors file of them binds to the JSON model.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_MODELEXPORTER_H
#define CNNC_FRONTENDS_JSON_MODELEXPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc::json {

/// A weight of the exported model, under its JSON name.
struct ExportedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// The values of a weight argument of @forward (by its cnn.param or
/// cnn.buffer name), or nothing when they are not known.
using WeightValues =
    llvm::function_ref<std::optional<llvm::ArrayRef<float>>(llvm::StringRef name)>;

/// Writes `module` as a JSON model into `text` and its weights (arguments
/// with known values, and constants) into `tensors`. Layer names are the
/// ops' names made valid for the JSON format (letters, digits, '_', '-'),
/// unique. Returns false with `error` ("layer 'NAME' (op): ...") when an op
/// has no JSON form.
bool exportModelJson(mlir::ModuleOp module, WeightValues weightValues, std::string &text,
                     std::vector<ExportedTensor> &tensors, std::string &error);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_MODELEXPORTER_H
