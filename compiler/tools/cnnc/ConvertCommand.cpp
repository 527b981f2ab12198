//===- ConvertCommand.cpp - cnnc convert ----------------------------------===//
//
// An ONNX model as the readable format: MODEL.json, and its weights under
// the JSON model's names in MODEL.safetensors beside it, so that a user can
// read and edit an imported network and run it with --weights.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/Commands.h"
#include "frontends/json/ModelExporter.h"
#include "cnnrt.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "cnnc convert: error: " << message << "\n";
  return 1;
}

} // namespace

int cnnc::driver::runConvert(int argc, char **argv) {
  ModelOptions model;
  cl::opt<std::string> output("o", cl::desc("The JSON model to write (required)"),
                              cl::value_desc("model.json"), cl::cat(commandCategory()));
  cl::opt<std::string> weightsPath(
      "weights-out",
      cl::desc("Where to write the weights (default: the -o file with .safetensors)"),
      cl::value_desc("file"), cl::cat(commandCategory()));
  if (!parseCommandOptions(argc, argv, "convert",
                           "cnnc convert: an ONNX model as a JSON model file and a "
                           "safetensors file of its weights\n"))
    return 1;
  if (!llvm::StringRef(model.input).ends_with(".onnx"))
    return fail("cnnc convert reads ONNX models (.onnx); " + model.input +
                " is in cnnc's own formats already");
  if (output.empty() || output == "-")
    return fail("give the JSON file to write with -o model.json");
  std::string weightsFile = weightsPath;
  if (weightsFile.empty()) {
    llvm::SmallString<256> path(output.getValue());
    llvm::sys::path::replace_extension(path, "safetensors");
    weightsFile = path.str().str();
  }
  if (weightsFile == output)
    return fail("the weights and the model would both be written to " + output);
  if (!checkOutputDirectory("convert", output) || !checkOutputDirectory("convert", weightsFile))
    return 1;

  MLIRContext context;
  OwningOpRef<ModuleOp> module = model.load(context, "convert");
  if (!module)
    return 1;
  auto weightValues = [&](llvm::StringRef name) -> std::optional<llvm::ArrayRef<float>> {
    if (const onnx_import::Weight *weight = model.importedWeight(name))
      return llvm::ArrayRef<float>(weight->values);
    return std::nullopt;
  };
  std::string text, error;
  std::vector<json::ExportedTensor> tensors;
  if (!json::exportModelJson(*module, weightValues, text, tensors, error))
    return fail(model.input + ": " + error);

  // The weights first: the model file appears only when both are written.
  std::vector<const char *> names;
  std::vector<const int64_t *> shapes;
  std::vector<int32_t> ranks;
  std::vector<const float *> data;
  for (const json::ExportedTensor &tensor : tensors) {
    names.push_back(tensor.name.c_str());
    shapes.push_back(tensor.shape.data());
    ranks.push_back(tensor.shape.size());
    data.push_back(tensor.values.data());
  }
  std::string source = llvm::sys::path::filename(model.input).str();
  const char *metadata[] = {"converted_from", source.c_str(), nullptr};
  char message[512];
  if (cnnrt_safetensors_write(weightsFile.c_str(), names.size(), names.data(), shapes.data(),
                              ranks.data(), data.data(), metadata, message, sizeof message))
    return fail(weightsFile + ": " + message);
  if (!writeOutput("convert", output, [&](llvm::raw_pwrite_stream &os) {
        os << text;
        return true;
      })) {
    llvm::sys::fs::remove(weightsFile);
    return 1;
  }
  return 0;
}
