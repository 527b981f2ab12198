//===- TargetModel.cpp - What the CPU strategies know of the target -------===//

#include "compiler/Codegen/CPU/TargetModel.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

#include <unistd.h>

using namespace cnnc;

CpuTargetModel CpuTargetModel::host() {
  CpuTargetModel model;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  model.vectorBits = features.lookup("avx512f") ? 512 : features.lookup("avx2") ? 256 : 128;
  model.vectorRegisters = model.vectorBits >= 512 ? 32 : 16;
  // glibc reads the sizes from the CPU; 0 or -1 where it does not know.
  long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l1 > 0)
    model.l1Bytes = l1;
  if (l2 > 0)
    model.l2Bytes = l2;
  return model;
}

std::optional<CpuTargetModel> CpuTargetModel::named(llvm::StringRef name) {
  if (name == "host")
    return host();
  if (name == "avx512")
    return CpuTargetModel{512, 32, 48 * 1024, 2048 * 1024};
  if (name == "avx2")
    return CpuTargetModel{256, 16, 32 * 1024, 1024 * 1024};
  if (name == "sse")
    return CpuTargetModel{128, 16, 32 * 1024, 256 * 1024};
  return std::nullopt;
}
