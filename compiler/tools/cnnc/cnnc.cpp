//===- cnnc.cpp - The cnnc compiler driver --------------------------------===//
//
// cnnc <command> [options] MODEL.json
//
// Each command parses its own options with LLVM's command-line library, so
// `cnnc <command> --help` lists exactly what that command accepts, with
// mlir-opt's conventions (-o, --mlir-print-ir-*, --mlir-timing).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "compiler/tools/cnnc/ModelSummary.h"
#include "dialects/Cnn/IR/CnnDialect.h"
#include "frontends/json/ModelImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

constexpr const char *kUsage =
    "OVERVIEW: cnnc compiles convolutional networks described in JSON\n"
    "\n"
    "USAGE: cnnc <command> [options] MODEL.json\n"
    "\n"
    "COMMANDS:\n"
    "  compile   translate a model; --emit=cnn prints the cnn-dialect module\n"
    "  summary   print one row per layer: output shape, parameters and\n"
    "            multiply-accumulates, with the totals\n"
    "\n"
    "Run 'cnnc <command> --help' for the options of one command.\n";

/// Parses the options of one command; argv[0] becomes "cnnc <command>".
void parseCommandOptions(int argc, char **argv, const char *command,
                         const char *overview) {
  std::string program = std::string("cnnc ") + command;
  std::vector<const char *> args{program.c_str()};
  args.insert(args.end(), argv + 1, argv + argc);
  cl::ParseCommandLineOptions(args.size(), args.data(), overview);
}

cl::OptionCategory commandCategory("cnnc options");

/// The model file and batch size that every command takes.
struct ModelOptions {
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.json>"),
                             cl::Required, cl::cat(commandCategory)};
  cl::opt<int64_t> batch{"batch",
                         cl::desc("Use this batch size instead of the model "
                                  "file's"),
                         cl::value_desc("N"), cl::cat(commandCategory)};

  /// Imports the model once the options are parsed; prints the problem and
  /// returns null on failure.
  OwningOpRef<ModuleOp> load(MLIRContext &context, StringRef command) const {
    cnnc::json::ImportOptions options;
    if (batch.getNumOccurrences()) {
      if (batch < 1) {
        llvm::errs() << "cnnc " << command
                     << ": error: --batch must be positive, got " << batch
                     << "\n";
        return nullptr;
      }
      options.batch = batch;
    }
    return cnnc::json::importModelFile(input, context, options, llvm::errs());
  }
};

enum class EmitKind { Cnn };

int runCompile(int argc, char **argv) {
  ModelOptions model;
  cl::opt<std::string> output("o", cl::desc("Output file ('-' for stdout)"),
                              cl::value_desc("filename"), cl::init("-"),
                              cl::cat(commandCategory));
  cl::opt<EmitKind> emit(
      "emit", cl::desc("What to produce"), cl::init(EmitKind::Cnn),
      cl::values(clEnumValN(EmitKind::Cnn, "cnn",
                            "the model in the cnn dialect (MLIR text)")),
      cl::cat(commandCategory));
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  parseCommandOptions(argc, argv, "compile",
                      "cnnc compile: compile a JSON model\n");
  MLIRContext context;
  OwningOpRef<ModuleOp> module = model.load(context, "compile");
  if (!module)
    return 1;

  // The graph-level clean-up every target starts from.
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope timingScope = timing.getRootScope();
  pm.enableTiming(timingScope);
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return 1;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(output, &error);
  if (!file) {
    llvm::errs() << "cnnc compile: error: " << error << "\n";
    return 1;
  }
  module->print(file->os());
  file->keep();
  return 0;
}

int runSummary(int argc, char **argv) {
  ModelOptions model;
  parseCommandOptions(argc, argv, "summary",
                      "cnnc summary: per-layer shapes, parameters and "
                      "multiply-accumulates of a JSON model\n");
  MLIRContext context;
  OwningOpRef<ModuleOp> module = model.load(context, "summary");
  if (!module)
    return 1;
  return succeeded(cnnc::printModelSummary(*module, llvm::outs())) ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  if (argc < 2) {
    llvm::errs() << kUsage;
    return 1;
  }
  llvm::StringRef command = argv[1];
  if (command == "--help" || command == "-help" || command == "-h") {
    llvm::outs() << kUsage;
    return 0;
  }
  if (command == "--version") {
    llvm::outs() << "cnnc 0.1 (MLIR " << LLVM_VERSION_STRING << ")\n";
    return 0;
  }
  if (command == "compile")
    return runCompile(argc - 1, argv + 1);
  if (command == "summary")
    return runSummary(argc - 1, argv + 1);
  llvm::errs() << "cnnc: error: unknown command '" << command
               << "'; expected 'compile' or 'summary' (see cnnc --help)\n";
  return 1;
}
