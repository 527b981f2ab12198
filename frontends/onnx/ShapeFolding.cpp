//===- ShapeFolding.cpp - Shape computations folded at import --------------===//
//
// Exporters compute shapes, pads and axes with small integer graphs (Shape,
// Gather, Unsqueeze, Concat, Cast, Slice, ...). With static shapes their
// values are known at import, so they are computed here and never reach
// the compiled model.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "dialects/Cnn/IR/CnnOps.h"
#include "frontends/json/LayerBuilder.h"
#include "frontends/json/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <climits>

using namespace mlir;
using cnnc::json::ImportError;
using cnnc::json::checkedElementCount;
using cnnc::json::kMaxSize;

namespace cnnc::onnx_import {

/// Reshape's target: its known shape input, 0 copying the input's size
/// (unless allowzero) and one -1 taking what is left.
std::vector<int64_t> Importer::reshapeTarget(NodeContext &n, ArrayRef<int64_t> in) {
  std::vector<int64_t> target = requireKnown(n.node.input(1), n.where, "shape").asInts();
  bool allowZero = n.attributes.integer("allowzero", 0);
  int64_t known = 1, inferred = -1;
  for (auto [d, dim] : llvm::enumerate(target)) {
    if (dim == 0 && !allowZero) {
      if (d >= in.size())
        throw ImportError{n.where, "the shape copies dimension " + std::to_string(d) +
                                       " of a tensor of " + std::to_string(in.size())};
      dim = in[d];
    }
    if (dim == -1) {
      if (inferred >= 0)
        throw ImportError{n.where, "the shape " + shapeText(target) + " has two -1"};
      inferred = d;
      continue;
    }
    if (dim < 0)
      throw ImportError{n.where, "the shape " + shapeText(target) + " has a negative size"};
    if (__builtin_mul_overflow(known, dim, &known))
      throw ImportError{n.where, "the shape " + shapeText(target) + " is too large"};
  }
  int64_t total = ShapedType::getNumElements(in);
  if (inferred >= 0) {
    if (known == 0 || total % known)
      throw ImportError{n.where, "cannot reshape " + shapeText(in) + " to " + shapeText(target)};
    target[inferred] = total / known;
  } else if (known != total) {
    throw ImportError{n.where, "cannot reshape " + shapeText(in) + " to " + shapeText(target)};
  }
  return target;
}

/// The shape after an Unsqueeze or a Squeeze (axes as the attribute before
/// opset 13, as a known input after; Squeeze without axes drops every 1).
SmallVector<int64_t> Importer::squeezedShape(NodeContext &n, ArrayRef<int64_t> shape) {
  std::vector<int64_t> axes;
  if (auto given = n.attributes.integers("axes"))
    axes.assign(given->begin(), given->end());
  else if (hasInput(n, 1))
    axes = requireKnown(n.node.input(1), n.where, "'axes' input").asInts();
  SmallVector<int64_t> result(shape);
  if (n.node.op_type() == "Unsqueeze") {
    int64_t rank = shape.size() + axes.size();
    for (int64_t &axis : axes)
      axis = normalizeAxis(axis, rank, n.where);
    llvm::sort(axes);
    for (int64_t axis : axes)
      result.insert(result.begin() + axis, 1);
    return result;
  }
  int64_t rank = shape.size();
  for (int64_t &axis : axes) {
    axis = normalizeAxis(axis, rank, n.where);
    if (shape[axis] != 1)
      throw ImportError{n.where, "squeezes dimension " + std::to_string(axis) + " of " +
                                     shapeText(shape) + ", which is not 1"};
  }
  result.clear();
  for (int64_t d = 0; d < rank; ++d)
    if (!(axes.empty() ? shape[d] == 1 : llvm::is_contained(axes, d)))
      result.push_back(shape[d]);
  return result;
}

/// The integer computations on shapes that exporters emit (Shape, Gather,
/// Unsqueeze, Concat, Cast, ...), folded when every input is known.
bool Importer::fold(NodeContext &n) {
  const std::string &op = n.node.op_type();
  if (op == "Constant") {
    Known value;
    if (std::optional<Known> tensor = n.attributes.tensor("value")) {
      value = std::move(*tensor);
    } else if (n.attributes.has("value_float")) {
      value.floats = {n.attributes.number("value_float", 0)};
    } else if (std::optional<SmallVector<int64_t>> ints = n.attributes.integers("value_ints")) {
      value.isFloat = false;
      value.ints.assign(ints->begin(), ints->end());
      value.shape = {int64_t(ints->size())};
    } else if (n.attributes.has("value_int")) {
      value.isFloat = false;
      value.ints = {n.attributes.integer("value_int", 0)};
    } else {
      throw ImportError{n.where, "cnnc implements Constant with 'value', 'value_float', "
                                 "'value_int' or 'value_ints'"};
    }
    defineKnown(n, std::move(value));
    return true;
  }
  if (op == "Shape") {
    auto found = values.find(n.node.input(0));
    ArrayRef<int64_t> shape = found != values.end() ? shapeOf(found->second)
                                                    : ArrayRef<int64_t>(requireKnown(
                                                          n.node.input(0), n.where, "input").shape);
    int64_t rank = shape.size();
    int64_t start = n.attributes.integer("start", 0), end = n.attributes.integer("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    Known result;
    result.isFloat = false;
    for (int64_t d = start; d < end; ++d)
      result.ints.push_back(shape[d]);
    result.shape = {int64_t(result.ints.size())};
    defineKnown(n, std::move(result));
    return true;
  }
  // torch.onnx shares one initializer among parameters of equal values (a
  // fresh network's batch norms) and gives each its name by an Identity:
  // each stays a weight of its own name, as in the state_dict it came from,
  // so that other values bind to it.
  if (op == "Identity" && known(n.node.input(0)) && known(n.node.input(0))->isWeight()) {
    expectOutputs(n, 1);
    constants[n.node.output(0)] = *known(n.node.input(0));
    return true;
  }
  // The rest fold only when all their inputs are known and not weights.
  for (const std::string &name : n.node.input())
    if (!name.empty() && (!known(name) || known(name)->isWeight()))
      return false;
  auto in = [&](int index) -> const Known & { return *known(n.node.input(index)); };
  Known result;
  if (op == "Identity" || op == "Cast") {
    result = in(0);
    if (op == "Cast") {
      int64_t to = n.attributes.integer("to", onnx::TensorProto::FLOAT);
      if (to == onnx::TensorProto::FLOAT) {
        result.floats = result.asFloats();
        result.isFloat = true;
      } else if (to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32) {
        result.ints = result.asInts();
        result.isFloat = false;
      } else {
        return false;
      }
    }
  } else if (op == "ConstantOfShape") {
    std::vector<int64_t> shape = in(0).asInts();
    result.shape.assign(shape.begin(), shape.end());
    for (int64_t dim : shape)
      if (dim < 0 || dim > kMaxSize)
        throw ImportError{n.where, "the shape " + shapeText(shape) + " has the size " +
                                       std::to_string(dim)};
    int64_t count = checkedElementCount(result.shape, n.where, "its output");
    if (count > (int64_t(1) << 24))
      return false;
    Known fill;
    if (std::optional<Known> value = n.attributes.tensor("value"))
      fill = std::move(*value);
    else
      fill.floats = {0.0f};
    if (fill.count() != 1)
      throw ImportError{n.where, "its value needs one element"};
    result.isFloat = fill.isFloat;
    if (fill.isFloat)
      result.floats.assign(count, fill.floats[0]);
    else
      result.ints.assign(count, fill.ints[0]);
  } else if (op == "Reshape") {
    result = in(0);
    std::vector<int64_t> target = reshapeTarget(n, in(0).shape);
    result.shape.assign(target.begin(), target.end());
  } else if (op == "Transpose") {
    const Known &data = in(0);
    int64_t rank = data.shape.size();
    SmallVector<int64_t> shape, strides = stridesOf(data.shape), permutedStrides;
    for (int64_t axis : permutation(n, rank)) {
      shape.push_back(data.shape[axis]);
      permutedStrides.push_back(strides[axis]);
    }
    // Each output element, in order, read at the permuted strides.
    SmallVector<int64_t> sources, outStrides = stridesOf(shape);
    for (int64_t flat = 0; flat < data.count(); ++flat) {
      int64_t source = 0, rest = flat;
      for (int64_t d = 0; d < rank; ++d) {
        source += (rest / outStrides[d]) * permutedStrides[d];
        rest %= outStrides[d];
      }
      sources.push_back(source);
    }
    result = gathered(data, sources, shape);
  } else if (op == "Slice") {
    const Known &data = in(0);
    int64_t rank = data.shape.size();
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      auto read = [&](StringRef name) {
        SmallVector<int64_t> values = n.attributes.integers(name).value_or(SmallVector<int64_t>{});
        return std::vector<int64_t>(values.begin(), values.end());
      };
      starts = read("starts");
      ends = read("ends");
      axes = read("axes");
    } else {
      starts = in(1).asInts();
      ends = in(2).asInts();
      if (hasInput(n, 3))
        axes = in(3).asInts();
      if (hasInput(n, 4))
        steps = in(4).asInts();
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(i);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      throw ImportError{n.where, "starts, ends, axes and steps need as many values each"};
    SmallVector<int64_t> first(rank, 0), step(rank, 1), count(data.shape);
    for (size_t i = 0; i < starts.size(); ++i) {
      int64_t axis = normalizeAxis(axes[i], rank, n.where), size = data.shape[axis];
      if (steps[i] == 0)
        throw ImportError{n.where, "a step is 0"};
      // ONNX's clamping: negative positions count from the end; a
      // positive step runs in [0, size], a negative one in [-1, size - 1].
      auto position = [&](int64_t value) {
        value = std::clamp<int64_t>(value, -kMaxSize, kMaxSize);
        return value < 0 ? value + size : value;
      };
      int64_t begin = position(starts[i]), end = position(ends[i]);
      if (steps[i] > 0) {
        begin = std::clamp<int64_t>(begin, 0, size);
        end = std::clamp<int64_t>(end, 0, size);
        count[axis] = std::max<int64_t>(0, (end - begin + steps[i] - 1) / steps[i]);
      } else {
        begin = std::clamp<int64_t>(begin, -1, size - 1);
        end = std::clamp<int64_t>(end, -1, size - 1);
        count[axis] = std::max<int64_t>(0, (begin - end - steps[i] - 1) / -steps[i]);
      }
      first[axis] = begin;
      step[axis] = std::clamp<int64_t>(steps[i], -kMaxSize, kMaxSize);
    }
    SmallVector<int64_t> sources;
    forEachInBox(data.shape, first, step, count, [&](int64_t flat) { sources.push_back(flat); });
    result = gathered(data, sources, count);
  } else if (op == "Gather") {
    const Known &data = in(0), &indices = in(1);
    if (data.shape.size() != 1 || n.attributes.integer("axis", 0) != 0)
      return false;
    result.isFloat = data.isFloat;
    result.shape = indices.shape;
    for (int64_t index : indices.asInts()) {
      index = normalizeAxis(index, data.count(), n.where);
      if (data.isFloat)
        result.floats.push_back(data.floats[index]);
      else
        result.ints.push_back(data.ints[index]);
    }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    result = in(0);
    result.shape = squeezedShape(n, result.shape);
  } else if (op == "Concat") {
    int64_t axis = n.attributes.integer("axis", 0);
    if (in(0).shape.size() != 1 || (axis != 0 && axis != -1))
      return false;
    result.isFloat = in(0).isFloat;
    for (int i = 0; i < n.node.input_size(); ++i) {
      if (in(i).shape.size() != 1)
        return false;
      if (result.isFloat) {
        std::vector<float> part = in(i).asFloats();
        result.floats.insert(result.floats.end(), part.begin(), part.end());
      } else {
        std::vector<int64_t> part = in(i).asInts();
        result.ints.insert(result.ints.end(), part.begin(), part.end());
      }
    }
    result.shape = {result.count()};
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const Known &a = in(0), &b = in(1);
    if (a.isFloat || b.isFloat || (a.count() != b.count() && b.count() != 1 && a.count() != 1))
      return false;
    result.isFloat = false;
    result.shape = a.count() >= b.count() ? a.shape : b.shape;
    for (int64_t i = 0; i < std::max(a.count(), b.count()); ++i) {
      int64_t x = a.ints[a.count() == 1 ? 0 : i], y = b.ints[b.count() == 1 ? 0 : i], z;
      bool overflow = op == "Add"   ? __builtin_add_overflow(x, y, &z)
                      : op == "Sub" ? __builtin_sub_overflow(x, y, &z)
                      : op == "Mul" ? __builtin_mul_overflow(x, y, &z)
                                    : (y == 0 || (x == INT64_MIN && y == -1));
      if (overflow)
        throw ImportError{n.where, "its integer arithmetic overflows or divides by zero"};
      if (op == "Div")
        z = x / y;
      result.ints.push_back(z);
    }
  } else {
    return false;
  }
  defineKnown(n, std::move(result));
  return true;
}

} // namespace cnnc::onnx_import
