//===- Limits.h - The bounds a model file must stay within ------*- C++ -*-===//
//
// Model files are untrusted input: these bounds keep every size product in
// 64-bit arithmetic and every import in bounded time and memory.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_LIMITS_H
#define CNNC_FRONTENDS_JSON_LIMITS_H

#include "frontends/json/ImportError.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>

namespace cnnc::json {

/// The largest size of one dimension, kernel, stride or padding.
constexpr int64_t kMaxSize = int64_t(1) << 31;
/// The most elements of one tensor (4 TiB of float32).
constexpr int64_t kMaxElements = int64_t(1) << 40;
/// How deeply JSON values may nest.
constexpr int kMaxJsonDepth = 64;
/// How many layers the network may expand to, blocks and repetitions included.
constexpr int64_t kMaxLayers = 100000;
/// The most entries (output channels x input channels) of a connection table.
constexpr int64_t kMaxConnectionTable = int64_t(1) << 24;

/// The number of elements of `shape`; throws ImportError at `where` naming
/// the tensor `what` when it exceeds kMaxElements.
inline int64_t checkedElementCount(llvm::ArrayRef<int64_t> shape,
                                   const std::string &where,
                                   const std::string &what) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (__builtin_mul_overflow(count, dim, &count) || count > kMaxElements)
      throw ImportError{where, what + " would have more than " +
                                   std::to_string(kMaxElements) + " elements"};
  return count;
}

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_LIMITS_H
