//===- Linker.h - Executables and libraries from a model object -*- C++ -*-===//

#ifndef CNNC_COMPILER_TARGET_LINKER_H
#define CNNC_COMPILER_TARGET_LINKER_H

#include "compiler/Target/ModelSignature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace cnnc {

/// Where the runtime that compiled models link against lives.
struct RuntimeLocation {
  std::string libraryDir; // libcnnrt.a, libcnnrt_main.a
  std::string includeDir; // cnnrt.h
};

/// Finds the runtime beside the running compiler (<bin>/../lib and
/// <bin>/../include), or fails with `error`.
bool findRuntime(const char *argv0, RuntimeLocation &runtime, std::string &error);

/// Links the model's `objects` with the runtime and its main() into an
/// executable at `output` through the system's C compiler driver. The
/// executable appears only when linking succeeds.
bool linkExecutable(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                    const RuntimeLocation &runtime, std::string &error);

/// Links the model's `objects` and the whole runtime into a shared library
/// at `output` that exports the model's descriptor and every cnnrt_*
/// function, for programs that load models at run time (Python's ctypes).
bool linkSharedLibrary(llvm::ArrayRef<std::string> objects, llvm::StringRef output,
                       const RuntimeLocation &runtime, std::string &error);

/// Writes `base`.a (the model's objects alone), `base`.h declaring
/// `<prefix>_model`, `<prefix>_prepare` and `<prefix>_forward` with the
/// tensor table, and the runtime (libcnnrt.a, cnnrt.h) beside them.
bool writeModelLibrary(llvm::ArrayRef<std::string> objects, llvm::StringRef base,
                       llvm::StringRef prefix, const ModelSignature &signature,
                       const RuntimeLocation &runtime, std::string &error);

} // namespace cnnc

#endif // CNNC_COMPILER_TARGET_LINKER_H
