//===- cnnc.cpp - The cnnc compiler driver --------------------------------===//
//
// cnnc <command> [options] MODEL.json
//
// Each command parses its own options with LLVM's command-line library, so
// `cnnc <command> --help` lists exactly what that command accepts, with
// mlir-opt's conventions (-o, --mlir-print-ir-*, --mlir-timing).
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/Commands.h"
#include "compiler/tools/cnnc/ModelSummary.h"
#include "frontends/json/ModelImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
using llvm::SmallVector;
namespace cl = llvm::cl;

namespace {

constexpr const char *kUsage =
    "OVERVIEW: cnnc compiles convolutional networks described in JSON\n"
    "\n"
    "USAGE: cnnc <command> [options] MODEL.json\n"
    "\n"
    "COMMANDS:\n"
    "  compile   compile a model: an executable by default, or a library,\n"
    "            an object, assembly, or the IR of one stage (--emit)\n"
    "  summary   print one row per layer: output shape, parameters and\n"
    "            multiply-accumulates, with the totals\n"
    "\n"
    "Run 'cnnc <command> --help' for the options of one command.\n";

} // namespace

cl::OptionCategory &cnnc::driver::commandCategory() {
  static cl::OptionCategory category("cnnc options");
  return category;
}

void cnnc::driver::parseCommandOptions(int argc, char **argv,
                                       llvm::StringRef command,
                                       llvm::StringRef overview) {
  std::string program = ("cnnc " + command).str();
  std::vector<const char *> args{program.c_str()};
  args.insert(args.end(), argv + 1, argv + argc);
  cl::ParseCommandLineOptions(args.size(), args.data(), overview);
}

OwningOpRef<ModuleOp>
cnnc::driver::ModelOptions::load(MLIRContext &context,
                                 llvm::StringRef command) const {
  cnnc::json::ImportOptions options;
  if (batch.getNumOccurrences()) {
    if (batch < 1) {
      llvm::errs() << "cnnc " << command
                   << ": error: --batch must be positive, got " << batch << "\n";
      return nullptr;
    }
    options.batch = batch;
  }
  if (inputShape.getNumOccurrences()) {
    SmallVector<llvm::StringRef> parts;
    llvm::StringRef(inputShape).split(parts, 'x');
    std::vector<int64_t> shape;
    for (llvm::StringRef part : parts) {
      int64_t dim;
      if (part.getAsInteger(10, dim) || dim < 1 || dim > (int64_t(1) << 31)) {
        llvm::errs() << "cnnc " << command
                     << ": error: --input-shape takes sizes like 3x224x224, got '"
                     << inputShape << "'\n";
        return nullptr;
      }
      shape.push_back(dim);
    }
    if (shape.empty() || shape.size() > 4) {
      llvm::errs() << "cnnc " << command
                   << ": error: --input-shape takes 1 to 4 sizes, got '"
                   << inputShape << "'\n";
      return nullptr;
    }
    options.inputShape = std::move(shape);
  }
  return cnnc::json::importModelFile(input, context, options, llvm::errs());
}

int cnnc::driver::runSummary(int argc, char **argv) {
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
    llvm::outs() << "cnnc 0.1 (LLVM/MLIR " << LLVM_VERSION_STRING << ")\n";
    return 0;
  }
  // The command's own argv[0] keeps the path of the executable, which the
  // compile command needs to find the runtime.
  argv[1] = argv[0];
  if (command == "compile")
    return cnnc::driver::runCompile(argc - 1, argv + 1);
  if (command == "summary")
    return cnnc::driver::runSummary(argc - 1, argv + 1);
  llvm::errs() << "cnnc: error: unknown command '" << command
               << "'; expected 'compile' or 'summary' (see cnnc --help)\n";
  return 1;
}
