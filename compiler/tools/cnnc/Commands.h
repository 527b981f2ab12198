//===- Commands.h - The commands of the cnnc driver -------------*- C++ -*-===//

#ifndef CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H
#define CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace cnnc::driver {

/// The category every command's own options belong to.
llvm::cl::OptionCategory &commandCategory();

/// Parses the options of one command; argv[0] is taken to be "cnnc <command>".
void parseCommandOptions(int argc, char **argv, llvm::StringRef command,
                         llvm::StringRef overview);

/// The model file and batch size that every command takes.
struct ModelOptions {
  llvm::cl::opt<std::string> input{
      llvm::cl::Positional, llvm::cl::desc("<model.json>"), llvm::cl::Required,
      llvm::cl::cat(commandCategory())};
  llvm::cl::opt<int64_t> batch{
      "batch", llvm::cl::desc("Use this batch size instead of the model file's"),
      llvm::cl::value_desc("N"), llvm::cl::cat(commandCategory())};
  llvm::cl::opt<std::string> inputShape{
      "input-shape",
      llvm::cl::desc("Use this input shape (without the batch, e.g. 3x64x64) "
                     "instead of the model file's"),
      llvm::cl::value_desc("CxHxW"), llvm::cl::cat(commandCategory())};

  /// Imports the model once the options are parsed; prints the problem and
  /// returns null on failure.
  mlir::OwningOpRef<mlir::ModuleOp> load(mlir::MLIRContext &context,
                                         llvm::StringRef command) const;
};

int runCompile(int argc, char **argv);
int runSummary(int argc, char **argv);

} // namespace cnnc::driver

#endif // CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H
