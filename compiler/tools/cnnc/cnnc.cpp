//===- cnnc.cpp - The cnnc compiler driver --------------------------------===//
//
// cnnc <command> [options] MODEL.json|MODEL.onnx|MODEL.mlir
//
// Each command parses its own options with LLVM's command-line library, so
// `cnnc <command> --help` lists exactly what that command accepts, with
// mlir-opt's conventions (-o, --mlir-print-ir-*, --mlir-timing).
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/Commands.h"
#include "compiler/tools/cnnc/ModelSummary.h"
#include "frontends/json/ModelImporter.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
using llvm::SmallVector;
namespace cl = llvm::cl;

namespace {

constexpr const char *kUsage =
    "OVERVIEW: cnnc compiles convolutional networks described in JSON or ONNX\n"
    "\n"
    "USAGE: cnnc <command> [options] MODEL.json|MODEL.onnx|MODEL.mlir\n"
    "\n"
    "COMMANDS:\n"
    "  compile   compile a model: an executable by default, or a library,\n"
    "            an object, assembly, or the IR of one stage (--emit)\n"
    "  summary   print one row per layer: output shape, parameters and\n"
    "            multiply-accumulates, with the totals\n"
    "  graph     draw the network (layers, shapes, parameters; blocks as\n"
    "            boxes) as SVG, PNG or PDF with Graphviz, or as DOT\n"
    "  convert   write an ONNX model as a JSON model and a safetensors\n"
    "            file of its weights\n"
    "  train     train a model on MNIST or Fashion-MNIST and write its\n"
    "            weights\n"
    "\n"
    "Run 'cnnc <command> --help' for the options of one command.\n";

} // namespace

cl::OptionCategory &cnnc::driver::commandCategory() {
  // Listed first in --help: LLVM sorts the categories by name.
  static cl::OptionCategory category("Command options");
  return category;
}

cl::OptionCategory &cnnc::driver::mlirCategory() {
  static cl::OptionCategory category("IR printing and timing options (as mlir-opt's)");
  return category;
}

namespace {

/// LLVM's own options that every command keeps.
bool isHelpOption(llvm::StringRef name) {
  return llvm::is_contained({"help", "help-hidden", "help-list", "help-list-hidden",
                             "print-options", "print-all-options", "version"},
                            name);
}

bool isCommandOption(const cl::Option &option) {
  return llvm::any_of(option.Categories, [](const cl::OptionCategory *category) {
    return category == &cnnc::driver::commandCategory() ||
           category == &cnnc::driver::mlirCategory();
  });
}

/// The command's option nearest to `name`, as "--name", or "": one a few
/// edits away, else the shortest that contains it (--weights finds
/// --embed-weights).
std::string nearestOption(llvm::StringRef name) {
  llvm::StringRef closest, containing;
  unsigned bestDistance = std::max<size_t>(2, name.size() / 3) + 1;
  for (auto &entry : cl::getRegisteredOptions()) {
    llvm::StringRef candidate = entry.first;
    if (!isCommandOption(*entry.second) ||
        entry.second->getOptionHiddenFlag() != cl::NotHidden)
      continue;
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      closest = candidate;
      bestDistance = distance;
    }
    if (name.size() >= 3 && candidate.contains(name) &&
        (containing.empty() || candidate.size() < containing.size()))
      containing = candidate;
  }
  llvm::StringRef best = closest.empty() ? containing : closest;
  return best.empty() ? "" : "--" + best.str();
}

} // namespace

bool cnnc::driver::parseCommandOptions(int argc, char **argv,
                                       llvm::StringRef command,
                                       llvm::StringRef overview) {
  auto &options = cl::getRegisteredOptions();
  for (auto &entry : options) {
    cl::Option &option = *entry.second;
    if (entry.first.starts_with("mlir-") && !isCommandOption(option))
      option.addCategory(mlirCategory());
    if (!isCommandOption(option) && !isHelpOption(entry.first) &&
        option.getOptionHiddenFlag() == cl::NotHidden)
      option.setHiddenFlag(cl::Hidden);
  }

  std::string program = ("cnnc " + command).str();
  std::vector<const char *> args{program.c_str()};
  auto refuse = [&](const llvm::Twine &message) {
    llvm::errs() << program << ": error: " << message << "\n";
    return false;
  };
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--") {
      args.insert(args.end(), argv + i, argv + argc);
      break;
    }
    if (arg == "-mllvm") {
      if (i + 1 == argc)
        return refuse("-mllvm needs an LLVM option after it");
      args.push_back(argv[++i]);
      continue;
    }
    args.push_back(argv[i]);
    if (!arg.starts_with("-") || arg == "-")
      continue;
    llvm::StringRef name = arg.drop_while([](char c) { return c == '-'; });
    auto [key, value] = name.split('=');
    auto found = options.find(key);
    if (found == options.end() ||
        (!isCommandOption(*found->second) && !isHelpOption(key))) {
      std::string nearest = nearestOption(key);
      return refuse("unknown option '" + arg.split('=').first + "'" +
                    (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                    " (see '" + program + " --help')");
    }
    // The value of `--option VALUE` is not an option.
    if (!name.contains('=') && i + 1 < argc &&
        found->second->getValueExpectedFlag() == cl::ValueRequired)
      args.push_back(argv[++i]);
  }
  return cl::ParseCommandLineOptions(args.size(), args.data(), overview, &llvm::errs());
}

/// A module in the cnn dialect, as `cnnc compile --emit=cnn` writes it.
static OwningOpRef<ModuleOp> loadMlirModel(llvm::StringRef path,
                                           MLIRContext &context,
                                           llvm::StringRef command) {
  context.loadDialect<arith::ArithDialect, cnnc::cnn::CnnDialect, func::FuncDialect>();
  // Parse errors are printed with their file, line and column.
  llvm::SourceMgr sources;
  SourceMgrDiagnosticHandler handler(sources, &context, llvm::errs());
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &message);
  if (!file) {
    llvm::errs() << path << ": error: " << message << "\n";
    return nullptr;
  }
  sources.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sources, &context);
  if (!module)
    return nullptr;
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal()) {
    llvm::errs() << path << ": error: the module has no func.func @forward; "
                 << "'cnnc " << command << "' takes a model as 'cnnc compile --emit=cnn' "
                 << "writes it\n";
    return nullptr;
  }
  if (!module->getSymName())
    module->setSymName(llvm::sys::path::stem(path));
  return module;
}

OwningOpRef<ModuleOp>
cnnc::driver::ModelOptions::load(MLIRContext &context,
                                 llvm::StringRef command) const {
  if (llvm::StringRef(input).ends_with(".mlir")) {
    if (batch.getNumOccurrences() || inputShape.getNumOccurrences()) {
      llvm::errs() << "cnnc " << command << ": error: --batch and --input-shape "
                   << "apply to JSON models; a .mlir module has its shapes written in it\n";
      return nullptr;
    }
    return loadMlirModel(input, context, command);
  }
  if (batch.getNumOccurrences() && batch < 1) {
    llvm::errs() << "cnnc " << command << ": error: --batch must be positive, got " << batch
                 << "\n";
    return nullptr;
  }
  if (llvm::StringRef(input).ends_with(".onnx")) {
    if (inputShape.getNumOccurrences()) {
      llvm::errs() << "cnnc " << command << ": error: --input-shape applies to JSON "
                   << "models; an ONNX model has its input shapes written in it\n";
      return nullptr;
    }
    cnnc::onnx_import::ImportOptions options;
    if (batch.getNumOccurrences())
      options.batch = batch;
    return cnnc::onnx_import::importOnnxFile(input, context, options, importedWeights,
                                             llvm::errs());
  }
  cnnc::json::ImportOptions options;
  if (batch.getNumOccurrences())
    options.batch = batch;
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

const cnnc::onnx_import::Weight *
cnnc::driver::ModelOptions::importedWeight(llvm::StringRef name) const {
  auto found = llvm::find_if(importedWeights, [&](const cnnc::onnx_import::Weight &weight) {
    return weight.name == name;
  });
  return found == importedWeights.end() ? nullptr : &*found;
}

bool cnnc::driver::writeOutput(llvm::StringRef command, llvm::StringRef path,
                               llvm::function_ref<bool(llvm::raw_pwrite_stream &)> write) {
  if (path == "-")
    return write(llvm::outs());
  std::string temporary =
      (path + ".tmp-" + llvm::Twine(llvm::sys::Process::getProcessId())).str();
  std::error_code ec;
  bool ok;
  {
    llvm::raw_fd_ostream os(temporary, ec);
    if (ec) {
      llvm::errs() << "cnnc " << command << ": error: cannot write " << path << ": "
                   << ec.message() << "\n";
      return false;
    }
    ok = write(os);
    os.close();
    if (os.has_error()) {
      ec = os.error();
      os.clear_error();
    }
  }
  if (ok && !ec)
    ec = llvm::sys::fs::rename(temporary, path);
  if (!ok || ec) {
    llvm::sys::fs::remove(temporary);
    if (ec)
      llvm::errs() << "cnnc " << command << ": error: cannot write " << path << ": "
                   << ec.message() << "\n";
    return false;
  }
  return true;
}

bool cnnc::driver::checkOutputDirectory(llvm::StringRef command, llvm::StringRef path) {
  llvm::StringRef directory = llvm::sys::path::parent_path(path);
  if (path == "-" || directory.empty() || llvm::sys::fs::is_directory(directory))
    return true;
  llvm::errs() << "cnnc " << command << ": error: cannot write " << path << ": the directory "
               << directory << " does not exist\n";
  return false;
}

int cnnc::driver::runSummary(int argc, char **argv) {
  ModelOptions model;
  if (!parseCommandOptions(argc, argv, "summary",
                           "cnnc summary: per-layer shapes, parameters and "
                           "multiply-accumulates of a JSON or ONNX model\n"))
    return 1;
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
  if (command == "graph")
    return cnnc::driver::runGraph(argc - 1, argv + 1);
  if (command == "convert")
    return cnnc::driver::runConvert(argc - 1, argv + 1);
  if (command == "train")
    return cnnc::driver::runTrain(argc - 1, argv + 1);
  llvm::errs() << "cnnc: error: unknown command '" << command
               << "'; expected 'compile', 'summary', 'graph', 'convert' or 'train' (see cnnc --help)\n";
  return 1;
}
