//===- Tensors.h - ONNX tensors known at import time ------------*- C++ -*-===//
//
// The values the importer knows before run time: initializers, Constant
// nodes and the folded shape computations, with the index arithmetic that
// folding them needs.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_ONNX_TENSORS_H
#define CNNC_FRONTENDS_ONNX_TENSORS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

/// A tensor whose values are known at import time: an initializer, a
/// Constant node, or a folded shape computation.
struct Known {
  llvm::SmallVector<int64_t> shape;
  bool isFloat = true;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  /// An initializer is a weight of the model: a layer that reads it as a
  /// tensor gets a function argument, which a weight file can replace.
  bool isInitializer = false;

  int64_t count() const { return isFloat ? floats.size() : ints.size(); }
  /// A float initializer: read as a tensor, it is a weight of the model,
  /// never folded.
  bool isWeight() const { return isInitializer && isFloat; }
  /// The values as integers (shapes, axes, pads), whatever their type.
  std::vector<int64_t> asInts() const {
    if (!isFloat)
      return ints;
    // Beyond any size cnnc accepts, a value is clamped (NaN to 0), and the
    // checks of sizes refuse it later; the conversion itself stays defined.
    std::vector<int64_t> result;
    for (float value : floats)
      result.push_back(std::isnan(value) ? 0
                                         : int64_t(std::clamp(value, -0x1p62f, 0x1p62f)));
    return result;
  }
  std::vector<float> asFloats() const {
    if (isFloat)
      return floats;
    return std::vector<float>(ints.begin(), ints.end());
  }
};

/// "[1, 3, 224, 224]".
std::string shapeText(llvm::ArrayRef<int64_t> shape);

/// A possibly negative axis of a tensor of `rank` dimensions, made
/// non-negative; throws an ImportError for `where` outside the rank.
int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &where);

/// The values of a TensorProto, from its typed fields or its little-endian
/// raw bytes; throws an ImportError for `where` on what cnnc cannot read.
Known readTensor(const onnx::TensorProto &tensor, const std::string &where);

/// The elements of `from` at `sources` (flat indices), in a tensor of `shape`.
Known gathered(const Known &from, llvm::ArrayRef<int64_t> sources,
               llvm::SmallVector<int64_t> shape);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Calls `visit(flat index of the source)` for each element of a box of a
/// tensor of `shape`, starting at `starts` with `steps` and `counts` per
/// dimension, in row-major order.
void forEachInBox(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> starts,
                  llvm::ArrayRef<int64_t> steps, llvm::ArrayRef<int64_t> counts,
                  llvm::function_ref<void(int64_t)> visit);

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTENDS_ONNX_TENSORS_H
