//===- TargetModel.h - What the CPU strategies know of the target -*- C++ -*-===//
//
// The few numbers of the target machine that the CPU strategy selection
// reasons with (docs/performance.md explains each choice).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_CODEGEN_CPU_TARGETMODEL_H
#define CNNC_COMPILER_CODEGEN_CPU_TARGETMODEL_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace cnnc {

struct CpuTargetModel {
  /// Width of a vector register: 512 with AVX-512, 256 with AVX2, else 128.
  unsigned vectorBits = 128;
  /// Architectural vector registers: 32 with AVX-512, 16 otherwise.
  unsigned vectorRegisters = 16;
  /// Data cache sizes of one core, in bytes.
  uint64_t l1Bytes = 32 * 1024;
  uint64_t l2Bytes = 1024 * 1024;

  /// f32 lanes of a vector register.
  int64_t f32Lanes() const { return vectorBits / 32; }

  /// The machine cnnc runs on.
  static CpuTargetModel host();
  /// "host", or a named target with fixed numbers, so that a choice can be
  /// reproduced on any machine: "avx512" (512 bits, 32 registers, 48 KiB
  /// L1, 2 MiB L2), "avx2" (256 bits, 16 registers, 32 KiB, 1 MiB), "sse"
  /// (128 bits, 16 registers, 32 KiB, 256 KiB).
  static std::optional<CpuTargetModel> named(llvm::StringRef name);
};

} // namespace cnnc

#endif // CNNC_COMPILER_CODEGEN_CPU_TARGETMODEL_H
