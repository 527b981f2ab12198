//===- CompileCommand.cpp - cnnc compile ----------------------------------===//
//
// Runs a model down the stages of docs/design.md and stops where --emit says:
// the cnn dialect, linalg, LLVM IR, assembly, an object, an executable
// linked with the runtime, or a library with its C header. Every file is
// written whole or not at all.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Transforms/Passes.h"
#include "compiler/Target/Linker.h"
#include "compiler/Target/ModelEntryPoint.h"
#include "compiler/Target/ModelSignature.h"
#include "compiler/Target/ObjectEmitter.h"
#include "compiler/tools/cnnc/Commands.h"
#include "cnnrt.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class EmitKind {
  Cnn,
  Linalg,
  Gpu,
  Ptx,
  LLVMIR,
  Assembly,
  Object,
  Executable,
  Library,
  Shared
};

enum class TargetKind { Cpu, Nvptx };

bool isText(EmitKind emit) {
  return emit == EmitKind::Cnn || emit == EmitKind::Linalg || emit == EmitKind::Gpu ||
         emit == EmitKind::Ptx || emit == EmitKind::LLVMIR ||
         emit == EmitKind::Assembly;
}

/// The GPUs the nvptx target generates code for.
constexpr llvm::StringLiteral kGpuArchs[] = {"sm_80", "sm_86", "sm_89", "sm_90"};

/// The PTX of every kernel, which cnnc-gpu-to-nvvm left in @cnnc_kernels.
FailureOr<StringRef> kernelsPtx(ModuleOp module) {
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      if (auto ptx = dyn_cast<gpu::ObjectAttr>(object);
          ptx && ptx.getFormat() == gpu::CompilationTarget::Assembly)
        return ptx.getObject().getValue();
  return failure();
}

/// A C identifier from a model name: "resnet-18" -> "resnet_18".
std::string symbolPrefix(llvm::StringRef name) {
  std::string prefix;
  for (char c : name)
    prefix += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (prefix.empty() || std::isdigit(static_cast<unsigned char>(prefix[0])))
    prefix = "model_" + prefix;
  return prefix;
}

bool isCIdentifier(llvm::StringRef name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
         llvm::all_of(name, [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

/// Prints an error of the compilation as "FILE:LINE:COL: error: layer
/// 'NAME': message": a layer's ops carry its name and its place in the
/// model file.
LogicalResult printLayerDiagnostic(Diagnostic &diagnostic) {
  auto print = [](Location loc, llvm::StringRef severity, const llvm::Twine &message) {
    std::string layer;
    if (auto name = dyn_cast<NameLoc>(loc)) {
      layer = name.getName().str();
      loc = name.getChildLoc();
    }
    // A layer of a block: where the model uses the block.
    while (auto call = dyn_cast<CallSiteLoc>(loc))
      loc = call.getCaller();
    if (auto file = dyn_cast<FileLineColLoc>(loc))
      llvm::errs() << file.getFilename().getValue() << ":" << file.getLine() << ":"
                   << file.getColumn() << ": ";
    llvm::errs() << severity << ": ";
    if (!layer.empty())
      llvm::errs() << "layer '" << layer << "': ";
    llvm::errs() << message << "\n";
  };
  // Errors only, as MLIR's default: the warnings of the lowering (an
  // attribute the LLVM IR translation passes over) are not the user's.
  if (diagnostic.getSeverity() != DiagnosticSeverity::Error)
    return success();
  print(diagnostic.getLocation(), "error", diagnostic.str());
  for (Diagnostic &note : diagnostic.getNotes())
    print(note.getLocation(), "note", note.str());
  return success();
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "cnnc compile: error: " << message << "\n";
  return 1;
}

/// Reads the weights to embed, checked against the model's parameters by
/// the runtime's rules (runtime/weights.c): each one present as float32 of
/// its shape, no tensor the model does not have unless `allowExtra`, a
/// warning for NaN and infinite values.
bool readEmbeddedWeights(llvm::StringRef path,
                         const cnnc::ModelSignature &signature, bool allowExtra,
                         cnnrt_safetensors &file,
                         std::vector<std::optional<llvm::ArrayRef<char>>> &data) {
  char message[2048];
  auto error = [&] {
    llvm::errs() << path << ": error: " << message << "\n";
    return false;
  };
  if (cnnrt_safetensors_read(path.str().c_str(), &file, message, sizeof message))
    return error();
  std::vector<const char *> names;
  for (const cnnc::TensorSignature &tensor : signature.tensors)
    if (tensor.isWeight())
      names.push_back(tensor.name.c_str());
  if (!allowExtra && cnnrt_check_unexpected_weights(&file, names.data(), names.size(),
                                                    message, sizeof message))
    return error();
  for (const cnnc::TensorSignature &tensor : signature.tensors) {
    if (!tensor.isWeight()) {
      data.push_back(std::nullopt);
      continue;
    }
    const cnnrt_file_tensor *found;
    if (cnnrt_match_weight(tensor.name.c_str(), tensor.shape.data(), tensor.shape.size(),
                           &file, &found, message, sizeof message))
      return error();
    int64_t nans, infinite = cnnrt_count_nonfinite(found, &nans);
    if (nans || infinite)
      llvm::errs() << path << ": warning: tensor '" << tensor.name << "' has " << nans
                   << " NaN and " << infinite << " infinite values\n";
    data.push_back(llvm::ArrayRef<char>(reinterpret_cast<const char *>(found->data),
                                        found->nbytes));
  }
  return true;
}

/// An ONNX model's initializers, embedded as --embed-weights would embed a
/// file of them; a weight file given at run time still replaces them.
void embedImportedWeights(const cnnc::ModelSignature &signature,
                          const cnnc::driver::ModelOptions &model,
                          std::vector<std::optional<llvm::ArrayRef<char>>> &data) {
  for (const cnnc::TensorSignature &tensor : signature.tensors) {
    const cnnc::onnx_import::Weight *found =
        tensor.isWeight() ? model.importedWeight(tensor.name) : nullptr;
    if (!found) {
      data.push_back(std::nullopt);
      continue;
    }
    data.push_back(llvm::ArrayRef<char>(reinterpret_cast<const char *>(found->values.data()),
                                        found->values.size() * sizeof(float)));
  }
}

/// Executables, libraries and shared libraries: the module compiled (in
/// parts on every core, but for a library) into objects in temporary
/// files, then linked with the runtime or archived.
/// Returns the command's exit status.
int linkModel(llvm::Module &module, const cnnc::TargetSpec &target, const char *argv0,
              llvm::StringRef outputPath, llvm::StringRef prefix,
              const cnnc::ModelSignature &signature, EmitKind emit) {
  bool library = emit == EmitKind::Library;
  std::string error;
  cnnc::RuntimeLocation runtime;
  std::vector<llvm::SmallString<0>> objects;
  // A library in one object: in parts, the model's internal symbols would
  // be global (hidden) ones of the archive's members. An executable in four
  // parts a core, so that no core waits for one big part (DenseNet-121: 33 s
  // against 40 s in one part a core).
  unsigned parts = library ? 1 : 4 * llvm::hardware_concurrency().compute_thread_count();
  if (!findRuntime(argv0, runtime, error) ||
      !emitObjectsInParallel(module, target, parts, objects, error))
    return fail(error);
  std::vector<std::string> paths;
  llvm::scope_exit removeObjects([&] {
    for (const std::string &path : paths)
      llvm::sys::fs::remove(path);
  });
  for (const llvm::SmallString<0> &object : objects) {
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("cnnc", "o", path))
      return fail("cannot create a temporary file: " + ec.message());
    paths.push_back(path.str().str());
    if (!cnnc::driver::writeOutput("compile", path, [&](llvm::raw_pwrite_stream &os) {
          os << object.str();
          return true;
        }))
      return 1;
  }
  bool linked =
      library ? writeModelLibrary(paths, outputPath, prefix, signature, runtime, error)
      : emit == EmitKind::Shared ? linkSharedLibrary(paths, outputPath, runtime, error)
                                 : linkExecutable(paths, outputPath, runtime, error);
  return linked ? 0 : fail(error);
}

} // namespace

int cnnc::driver::runCompile(int argc, char **argv) {
  ModelOptions model;
  cl::opt<std::string> output(
      "o", cl::desc("Output file: '-' for stdout; for an executable or library "
                    "the model's name by default"),
      cl::value_desc("filename"), cl::cat(commandCategory()));
  cl::opt<EmitKind, false, ListingParser<EmitKind>> emit(
      "emit", cl::desc("What to produce"), cl::init(EmitKind::Executable),
      cl::values(
          clEnumValN(EmitKind::Cnn, "cnn", "the model in the cnn dialect"),
          clEnumValN(EmitKind::Linalg, "linalg", "linalg on tensors"),
          clEnumValN(EmitKind::Gpu, "gpu",
                     "with --target=nvptx: the kernels mapped to blocks and "
                     "threads, and their launches"),
          clEnumValN(EmitKind::Ptx, "ptx",
                     "with --target=nvptx: one PTX module of every kernel"),
          clEnumValN(EmitKind::LLVMIR, "llvm", "optimised LLVM IR"),
          clEnumValN(EmitKind::Assembly, "asm", "assembly for the target"),
          clEnumValN(EmitKind::Object, "obj", "an object file"),
          clEnumValN(EmitKind::Executable, "exe",
                     "an executable linked with the runtime (the default)"),
          clEnumValN(EmitKind::Library, "lib",
                     "NAME.a and NAME.h, with the runtime (libcnnrt.a, cnnrt.h) "
                     "beside them, to embed the model in a C or C++ program"),
          clEnumValN(EmitKind::Shared, "shared",
                     "a shared library holding the model (PREFIX_model) and the "
                     "runtime, to load at run time (Python's cnnc package)")),
      cl::cat(commandCategory()));
  cl::opt<TargetKind, false, ListingParser<TargetKind>> target(
      "target", cl::desc("The processor to compile for"), cl::init(TargetKind::Cpu),
      cl::values(clEnumValN(TargetKind::Cpu, "cpu", "the host's CPU (the default)"),
                 clEnumValN(TargetKind::Nvptx, "nvptx",
                            "NVIDIA GPUs, through PTX (--gpu-arch)")),
      cl::cat(commandCategory()));
  cl::opt<std::string> gpuArch(
      "gpu-arch",
      cl::desc("With --target=nvptx: the GPU to generate code for: sm_80, "
               "sm_86, sm_89 or sm_90 (the default)"),
      cl::init("sm_90"), cl::value_desc("sm_XY"), cl::cat(commandCategory()));
  cl::opt<bool> emulateGpu(
      "emulate-gpu",
      cl::desc("Run the kernels of --target=nvptx, mapped to blocks and "
               "threads, as loops on this CPU: slow, a check of the GPU "
               "mapping where no GPU is"),
      cl::cat(commandCategory()));
  cl::opt<std::string> triple("target-triple",
                              cl::desc("Generate code for this triple (default: the host)"),
                              cl::value_desc("triple"), cl::cat(commandCategory()));
  cl::opt<std::string> cpu("cpu", cl::desc("Generate code for this CPU (default: the host's)"),
                           cl::value_desc("name"), cl::cat(commandCategory()));
  cl::opt<std::string> strategyFile(
      "strategy-file",
      cl::desc("Tile and kernel choices per layer (LAYER = "
               "#cnnc.lowering_config<...> lines) instead of cnnc's own"),
      cl::value_desc("file"), cl::cat(commandCategory()));
  cl::opt<bool> foldBatchNorm(
      "fold-batch-norm",
      cl::desc("Fold inference batch norms into the convolution or dense layer "
               "before them (default: on)"),
      cl::init(true), cl::cat(commandCategory()));
  cl::opt<bool> fuseEpilogues(
      "fuse-epilogues",
      cl::desc("Compute batch norms, activations and residual adds on the tiles "
               "of the layer before them (default: on)"),
      cl::init(true), cl::cat(commandCategory()));
  cl::opt<bool> packedConv(
      "packed-conv",
      cl::desc("Let convolutions use the packed-filter kernel (default: on; "
               "--packed-conv=false keeps to the direct kernels)"),
      cl::init(true), cl::cat(commandCategory()));
  cl::opt<std::string> name(
      "name",
      cl::desc("Prefix of the entry points of a library or shared library: PREFIX_model, "
               "PREFIX_prepare, PREFIX_forward (default: the model's name)"),
      cl::value_desc("prefix"), cl::cat(commandCategory()));
  cl::opt<std::string> embedWeights(
      "embed-weights",
      cl::desc("Embed these weights (safetensors) for a self-contained binary"),
      cl::value_desc("file"), cl::cat(commandCategory()));
  cl::opt<bool> allowExtraWeights(
      "allow-extra-weights",
      cl::desc("Ignore tensors of the --embed-weights file that the model does not have"),
      cl::cat(commandCategory()));
  cl::opt<bool> train(
      "train",
      cl::desc("Also compile a training step and an evaluation step "
               "(entry points train_step and evaluate; docs/training.md)"),
      cl::cat(commandCategory()));
  cl::opt<std::string> loss("loss",
                            cl::desc("With --train: cross-entropy (the default) or mse"),
                            cl::init("cross-entropy"), cl::cat(commandCategory()));
  TrainingOptions training;
  // --mlir-print-ir-after=PASS and its kin name passes by their registered
  // arguments, as in mlir-opt.
  registerAllPasses();
  cnnc::registerCnnTransformsPasses();
  cnnc::registerCnnConversionPasses();
  cnnc::registerCnncCodegenPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  if (!parseCommandOptions(argc, argv, "compile",
                           "cnnc compile: compile a model (JSON, ONNX, or the cnn "
                           "dialect as .mlir)\n\nLLVM's own code generation options go "
                           "after -mllvm, as with clang (--help-hidden lists them).\n"))
    return 1;

  if (!llvm::is_contained(kGpuArchs, gpuArch))
    return fail("--gpu-arch '" + gpuArch + "' is not a GPU cnnc compiles for; "
                "expected sm_80, sm_86, sm_89 or sm_90");
  bool gpu = target == TargetKind::Nvptx;
  if (!gpu && (emit == EmitKind::Gpu || emit == EmitKind::Ptx))
    return fail(llvm::Twine("--emit=") + (emit == EmitKind::Gpu ? "gpu" : "ptx") +
                " needs --target=nvptx");
  if (gpu && emulateGpu)
    return fail("--emulate-gpu runs the GPU's kernels on the CPU: it takes "
                "--target=cpu");
  if (emulateGpu && !strategyFile.empty())
    return fail("--strategy-file chooses the CPU's strategies, which "
                "--emulate-gpu does not use");
  if (!training.verify("compile"))
    return 1;
  if (loss != "cross-entropy" && loss != "mse")
    return fail("--loss '" + loss + "' is not one cnnc has; expected cross-entropy or mse");
  if (train && (gpu || emulateGpu))
    return fail("--train compiles for --target=cpu; cnnc does not train on the GPU yet");
  if (!train && (loss.getNumOccurrences() || training.anyGiven()))
    return fail("--loss, --optimizer, --lr, --momentum, --nesterov, --weight-decay and "
                "--label-smoothing set up training: they need --train");
  if (gpu && (!strategyFile.empty() || !embedWeights.empty()))
    return fail(llvm::Twine(strategyFile.empty() ? "--embed-weights" : "--strategy-file") +
                " is for --target=cpu");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates the kernels to LLVM IR itself.
  registerAllToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module = model.load(context, "compile");
  if (!module)
    return 1;

  // An executable's main() finds its model as cnnc_model.
  if (!name.empty() && emit == EmitKind::Executable)
    return fail("--name names the entry points of a library or object; an "
                "executable has none (use --emit=lib)");
  if (!name.empty() && !isCIdentifier(name))
    return fail("--name '" + name + "' is not a C identifier (letters, digits "
                "and '_', not starting with a digit)");
  std::string prefix = emit == EmitKind::Executable ? std::string("cnnc")
                       : !name.empty()
                           ? name.getValue()
                           : symbolPrefix(module->getSymName().value_or("model"));
  std::string outputPath = output;
  if (outputPath.empty())
    outputPath = isText(emit) ? "-"
                 : emit == EmitKind::Object
                     ? module->getSymName().value_or("model").str() + ".o"
                 : emit == EmitKind::Shared
                     ? module->getSymName().value_or("model").str() + ".so"
                     : module->getSymName().value_or("model").str();
  if (!isText(emit) && outputPath == "-")
    return fail("cannot write a binary to standard output; give -o FILE");
  // Said before compiling, and once, rather than by the linker afterwards.
  if (!cnnc::driver::checkOutputDirectory("compile", outputPath))
    return 1;

  ScopedDiagnosticHandler layerDiagnostics(&context, printLayerDiagnostic);
  // The message names the layer; the op's generic form would only confuse.
  context.printOpOnDiagnostic(false);
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope timingScope = timing.getRootScope();
  pm.enableTiming(timingScope);
  auto printModule = [&](llvm::raw_pwrite_stream &os) {
    module->print(os);
    return true;
  };

  // The graph-level clean-up every target starts from.
  pm.addPass(createCanonicalizerPass());
  if (train) {
    CnnDifferentiateOptions differentiate;
    differentiate.loss = loss;
    differentiate.optimizer = training.optimizer;
    differentiate.learningRate = training.learningRate;
    differentiate.momentum = training.momentum;
    differentiate.nesterov = training.nesterov;
    differentiate.weightDecay = training.weightDecay;
    differentiate.labelSmoothing = training.labelSmoothing;
    pm.addPass(createCnnDifferentiate(differentiate));
    // The gradients nothing reads (of the model's input) go.
    pm.addPass(createCanonicalizerPass());
  }
  if (failed(pm.run(*module)))
    return 1;
  if (emit == EmitKind::Cnn)
    return cnnc::driver::writeOutput("compile", outputPath, printModule) ? 0 : 1;

  FailureOr<ModelSignature> signature = getModelSignature(*module);
  if (failed(signature))
    return 1;
  std::vector<std::optional<llvm::ArrayRef<char>>> embedded;
  cnnrt_safetensors weights{};
  llvm::scope_exit releaseWeights([&] { cnnrt_safetensors_free(&weights); });
  if (!embedWeights.empty() &&
      !readEmbeddedWeights(embedWeights, *signature, allowExtraWeights, weights,
                           embedded))
    return 1;
  if (embedWeights.empty() && !model.importedWeights.empty())
    embedImportedWeights(*signature, model, embedded);

  pm.clear();
  GraphToLinalgOptions graphOptions;
  graphOptions.foldBatchNorm = foldBatchNorm;
  buildGraphToLinalgPipeline(pm, graphOptions);
  if (emit == EmitKind::Linalg) {
    if (failed(pm.run(*module)))
      return 1;
    return cnnc::driver::writeOutput("compile", outputPath, printModule) ? 0 : 1;
  }
  GpuPipelineOptions gpuOptions;
  gpuOptions.chip = gpuArch;
  gpuOptions.fuseEpilogues = fuseEpilogues;
  if (gpu && (emit == EmitKind::Gpu || emit == EmitKind::Ptx)) {
    buildLinalgToGpuPipeline(pm, gpuOptions);
    if (emit == EmitKind::Ptx)
      buildGpuToNvvmPipeline(pm, gpuOptions);
    if (failed(pm.run(*module)))
      return 1;
    if (emit == EmitKind::Gpu)
      return cnnc::driver::writeOutput("compile", outputPath, printModule) ? 0 : 1;
    FailureOr<StringRef> ptx = kernelsPtx(*module);
    if (failed(ptx))
      return fail("the model has no kernels to write as PTX");
    return cnnc::driver::writeOutput("compile", outputPath, [&](llvm::raw_pwrite_stream &os) {
             os << *ptx;
             return true;
           }) ? 0 : 1;
  }
  std::string error;
  // The host side of a GPU model runs on the machine's processor.
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine({triple, cpu, ""}, error);
  if (!machine)
    return fail(error);
  if (gpu) {
    buildLinalgToGpuPipeline(pm, gpuOptions);
    buildGpuToNvvmPipeline(pm, gpuOptions);
  } else if (emulateGpu) {
    buildEmulatedGpuPipeline(pm, gpuOptions);
  } else {
    CpuPipelineOptions cpuOptions;
    // The strategies are chosen for the processor the code is for.
    if (!triple.empty() || !cpu.empty())
      cpuOptions.target = cpuStrategyTarget(*machine);
    cpuOptions.strategyFile = strategyFile;
    cpuOptions.packedConv = packedConv;
    cpuOptions.fuseEpilogues = fuseEpilogues;
    buildLinalgToLLVMCpuPipeline(pm, cpuOptions);
  }
  if (failed(pm.run(*module)) || failed(addPreparedTensors(*module, *signature)))
    return 1;

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(*module, llvmContext, *machine);
  if (!llvmModule)
    return fail("cannot translate the model to LLVM IR");
  if (!addModelEntryPoint(*llvmModule, *signature, prefix, embedded, gpu, error))
    return fail(error);
  if (emit == EmitKind::Executable || emit == EmitKind::Library ||
      emit == EmitKind::Shared)
    return linkModel(*llvmModule, {triple, cpu, ""}, argv[0], outputPath, prefix,
                     *signature, emit);
  if (!optimizeLLVMModule(*llvmModule, *machine, error))
    return fail(error);

  auto emitCode = [&](llvm::CodeGenFileType type) {
    return [&, type](llvm::raw_pwrite_stream &os) {
      bool ok = emitMachineCode(*llvmModule, *machine, type, os, error);
      if (!ok)
        fail(error);
      return ok;
    };
  };
  switch (emit) {
  case EmitKind::LLVMIR:
    return cnnc::driver::writeOutput("compile", outputPath, [&](llvm::raw_pwrite_stream &os) {
             llvmModule->print(os, nullptr);
             return true;
           }) ? 0 : 1;
  case EmitKind::Assembly:
    return cnnc::driver::writeOutput("compile", outputPath, emitCode(llvm::CodeGenFileType::AssemblyFile)) ? 0 : 1;
  case EmitKind::Object:
    return cnnc::driver::writeOutput("compile", outputPath, emitCode(llvm::CodeGenFileType::ObjectFile)) ? 0 : 1;
  default:
    break;
  }

  llvm_unreachable("executables and libraries are linked above");
}
