//===- ModelEntryPoint.h - The C interface of a compiled model --*- C++ -*-===//
//
// Adds to the LLVM module of a lowered model what the runtime and embedders
// call: `<prefix>_run(float *const *buffers)`, which calls the model's
// forward function with one buffer per tensor, and `<prefix>_model`, a
// cnnrt_model (runtime/cnnrt.h) describing every tensor: name, role, shape,
// initialisation and, for a self-contained binary, the embedded weights.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_TARGET_MODELENTRYPOINT_H
#define CNNC_COMPILER_TARGET_MODELENTRYPOINT_H

#include "compiler/Target/ModelSignature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/Module.h"

#include <optional>

namespace cnnc {

/// Adds the entry point and descriptor. `embedded`, when not empty, holds
/// for each tensor of `signature` the float32 bytes to embed (or nothing).
/// The module's `forward` becomes internal. Returns false with `error` set
/// when the module does not match the signature.
bool addModelEntryPoint(llvm::Module &module, const ModelSignature &signature,
                        llvm::StringRef prefix,
                        llvm::ArrayRef<std::optional<llvm::ArrayRef<char>>> embedded,
                        std::string &error);

} // namespace cnnc

#endif // CNNC_COMPILER_TARGET_MODELENTRYPOINT_H
