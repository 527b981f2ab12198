//===- ModelEntryPoint.h - The C interface of a compiled model --*- C++ -*-===//
//
// Gives the LLVM module of a lowered model the interface of runtime/cnnrt.h:
// `PREFIX_prepare` and `PREFIX_forward(cnnrt_context *, float *const
// *buffers)`, which run the model's prepare and forward functions through
// the runtime (statuses, allocations) with one buffer per tensor of the
// table, and `PREFIX_model`, the cnnrt_model descriptor: ABI version, every
// tensor (name, role, shape, initialisation and, for a self-contained
// binary, the embedded weights) and the entry points. These are the
// module's only global definitions; everything else becomes internal, so
// that any number of models live in one program.
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
/// `device`: the module's host side launches GPU kernels, and its entry
/// points run through cnnrt_device_invoke. Returns false with `error` set
/// when the module does not match the signature.
bool addModelEntryPoint(llvm::Module &module, const ModelSignature &signature,
                        llvm::StringRef prefix,
                        llvm::ArrayRef<std::optional<llvm::ArrayRef<char>>> embedded,
                        bool device, std::string &error);

} // namespace cnnc

#endif // CNNC_COMPILER_TARGET_MODELENTRYPOINT_H
