//===- Tensors.cpp - ONNX tensors known at import time --------------------===//

#include "frontends/onnx/Tensors.h"

#include "frontends/json/ImportError.h"
#include "frontends/json/Limits.h"

#include <cstring>

using namespace llvm;
using cnnc::json::ImportError;
using cnnc::json::checkedElementCount;
using cnnc::json::kMaxSize;

namespace cnnc::onnx_import {

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &where) {
  if (axis < -rank || axis >= rank)
    throw ImportError{where, "axis " + std::to_string(axis) + " is outside a tensor of " +
                                 std::to_string(rank) + " dimensions"};
  return axis < 0 ? axis + rank : axis;
}

Known readTensor(const onnx::TensorProto &tensor, const std::string &where) {
  std::string what = "tensor '" + tensor.name() + "'";
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    throw ImportError{where, what + " keeps its values in an external file, which cnnc "
                                    "does not read; save the model with its data inside"};
  Known known;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || dim > kMaxSize)
      throw ImportError{where, what + " has the dimension " + std::to_string(dim)};
    known.shape.push_back(dim);
  }
  int64_t count = checkedElementCount(known.shape, where, what);
  const std::string &raw = tensor.raw_data();
  // From the typed field when only it holds values, else from the raw
  // bytes, little-endian `Stored` values.
  auto read = [&](auto stored, auto &values, const auto &field) {
    using Stored = decltype(stored);
    if (raw.empty() && field.size() != 0) {
      if (field.size() != count)
        throw ImportError{where, what + " of shape " + shapeText(known.shape) + " holds " +
                                     std::to_string(field.size()) + " values"};
      values.assign(field.begin(), field.end());
      return;
    }
    if (raw.size() != size_t(count) * sizeof(Stored))
      throw ImportError{where, what + " of shape " + shapeText(known.shape) + " holds " +
                                   std::to_string(raw.size()) + " bytes, not " +
                                   std::to_string(count * sizeof(Stored))};
    values.resize(count);
    for (int64_t i = 0; i < count; ++i) {
      Stored value;
      std::memcpy(&value, raw.data() + i * sizeof(Stored), sizeof(Stored));
      values[i] = value;
    }
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    known.isFloat = true;
    read(float(), known.floats, tensor.float_data());
    break;
  case onnx::TensorProto::INT64:
    known.isFloat = false;
    read(int64_t(), known.ints, tensor.int64_data());
    break;
  case onnx::TensorProto::INT32:
    known.isFloat = false;
    read(int32_t(), known.ints, tensor.int32_data());
    break;
  default:
    throw ImportError{where, what + " has the element type " +
                                 onnx::TensorProto::DataType_Name(
                                     onnx::TensorProto::DataType(tensor.data_type())) +
                                 "; cnnc reads float32, int64 and int32 tensors"};
  }
  return known;
}

Known gathered(const Known &from, ArrayRef<int64_t> sources, SmallVector<int64_t> shape) {
  Known result;
  result.isFloat = from.isFloat;
  result.shape = std::move(shape);
  for (int64_t source : sources) {
    if (from.isFloat)
      result.floats.push_back(from.floats[source]);
    else
      result.ints.push_back(from.ints[source]);
  }
  return result;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

void forEachInBox(ArrayRef<int64_t> shape, ArrayRef<int64_t> starts, ArrayRef<int64_t> steps,
                  ArrayRef<int64_t> counts, llvm::function_ref<void(int64_t)> visit) {
  SmallVector<int64_t> strides = stridesOf(shape), index(shape.size(), 0);
  int64_t total = 1;
  for (int64_t count : counts)
    total *= count;
  for (int64_t i = 0; i < total; ++i) {
    int64_t flat = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      flat += (starts[d] + index[d] * steps[d]) * strides[d];
    visit(flat);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < counts[d])
        break;
      index[d] = 0;
    }
  }
}

} // namespace cnnc::onnx_import
