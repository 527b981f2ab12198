//===- Commands.h - The commands of the cnnc driver -------------*- C++ -*-===//

#ifndef CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H
#define CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H

#include "frontends/onnx/OnnxImporter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"

#include <string>
#include <vector>

namespace cnnc::driver {

/// The category every command's own options belong to.
llvm::cl::OptionCategory &commandCategory();

/// The category of MLIR's IR printing and timing options that commands
/// accept (--mlir-print-ir-after-all, --mlir-timing, ...).
llvm::cl::OptionCategory &mlirCategory();

/// Parses the options of one command; argv[0] is taken to be "cnnc <command>".
/// A command accepts its own options (commandCategory), MLIR's
/// (mlirCategory) and the help options; `--help` shows only those. LLVM's
/// other options, which do nothing a user of cnnc asked for, are refused
/// unless passed as `-mllvm OPTION`, and `--help-hidden` lists them. An
/// unknown option gets the nearest of the command's as a suggestion.
/// Returns false when the arguments are refused (the message is printed).
bool parseCommandOptions(int argc, char **argv, llvm::StringRef command,
                         llvm::StringRef overview);

/// A parser for options with a fixed set of values that, given another
/// value, lists the valid ones (LLVM's says only "Cannot find option").
template <typename T>
struct ListingParser : llvm::cl::parser<T> {
  using llvm::cl::parser<T>::parser;
  bool parse(llvm::cl::Option &option, llvm::StringRef name, llvm::StringRef arg,
             T &value) {
    std::string valid;
    for (const auto &info : this->Values) {
      if (info.Name == arg) {
        value = info.V.getValue();
        return false;
      }
      valid += (valid.empty() ? "" : ", ") + info.Name.str();
    }
    return option.error("'" + arg + "' is not a valid value; expected one of " + valid);
  }
};

/// The model file and batch size that every command takes.
struct ModelOptions {
  llvm::cl::opt<std::string> input{
      llvm::cl::Positional, llvm::cl::desc("<model.json, model.onnx or model.mlir>"), llvm::cl::Required,
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

  /// The weights an ONNX model carries (its initializers), once loaded.
  mutable std::vector<cnnc::onnx_import::Weight> importedWeights;
  /// The imported weight of this name, or null.
  const cnnc::onnx_import::Weight *importedWeight(llvm::StringRef name) const;
};

/// The training settings that `compile --train` and `train` share.
struct TrainingOptions {
  llvm::cl::opt<std::string> optimizer{
      "optimizer", llvm::cl::desc("sgd (the default), adam or adamw"),
      llvm::cl::init("sgd"), llvm::cl::cat(commandCategory())};
  llvm::cl::opt<double> learningRate{"lr", llvm::cl::desc("The learning rate (0.01)"),
                                     llvm::cl::init(0.01),
                                     llvm::cl::cat(commandCategory())};
  llvm::cl::opt<double> momentum{"momentum",
                                 llvm::cl::desc("With --optimizer=sgd: momentum (0)"),
                                 llvm::cl::init(0.0), llvm::cl::cat(commandCategory())};
  llvm::cl::opt<bool> nesterov{"nesterov",
                               llvm::cl::desc("With --optimizer=sgd: Nesterov momentum"),
                               llvm::cl::cat(commandCategory())};
  llvm::cl::opt<double> weightDecay{
      "weight-decay",
      llvm::cl::desc("L2 penalty (sgd, adam) or decoupled decay (adamw) (0)"),
      llvm::cl::init(0.0), llvm::cl::cat(commandCategory())};
  llvm::cl::opt<double> labelSmoothing{
      "label-smoothing", llvm::cl::desc("Of the cross-entropy loss (0)"),
      llvm::cl::init(0.0), llvm::cl::cat(commandCategory())};

  /// Whether any of them is on the command line.
  bool anyGiven() const;
  /// Prints the problem and returns false when the optimizer is not one
  /// cnnc has.
  bool verify(llvm::StringRef command) const;
  /// The options as `cnnc compile` takes them, those given only.
  std::vector<std::string> arguments() const;
};

/// Writes to `path` ("-": standard output) through a temporary file that is
/// renamed over it only once `write` succeeded; a failure is printed as
/// "cnnc COMMAND: error: ...".
bool writeOutput(llvm::StringRef command, llvm::StringRef path,
                 llvm::function_ref<bool(llvm::raw_pwrite_stream &)> write);

/// Refuses an output path ("-" aside) whose directory does not exist, with
/// "cnnc COMMAND: error: cannot write PATH: the directory DIR does not
/// exist", before anything is computed.
bool checkOutputDirectory(llvm::StringRef command, llvm::StringRef path);

int runCompile(int argc, char **argv);
int runSummary(int argc, char **argv);
int runGraph(int argc, char **argv);
int runConvert(int argc, char **argv);
int runTrain(int argc, char **argv);

} // namespace cnnc::driver

#endif // CNNC_COMPILER_TOOLS_CNNC_COMMANDS_H
