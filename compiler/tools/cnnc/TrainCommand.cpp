//===- TrainCommand.cpp - cnnc train --------------------------------------===//
//
// Trains a model on an IDX dataset (MNIST, Fashion-MNIST): compiles it with
// `cnnc compile --train` into a temporary executable and runs that
// executable's training loop (runtime/train.c), which writes the checkpoint,
// the log and the plot. The checks that need no compilation come first, so
// that a mistyped path is reported at once rather than after the build.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/Commands.h"
#include "cnnrt.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

using namespace cnnc::driver;
namespace cl = llvm::cl;

bool TrainingOptions::anyGiven() const {
  return optimizer.getNumOccurrences() || learningRate.getNumOccurrences() ||
         momentum.getNumOccurrences() || nesterov.getNumOccurrences() ||
         weightDecay.getNumOccurrences() || labelSmoothing.getNumOccurrences();
}

bool TrainingOptions::verify(llvm::StringRef command) const {
  if (optimizer == "sgd" || optimizer == "adam" || optimizer == "adamw")
    return true;
  llvm::errs() << "cnnc " << command << ": error: --optimizer '" << optimizer
               << "' is not one cnnc has; expected sgd, adam or adamw\n";
  return false;
}

std::vector<std::string> TrainingOptions::arguments() const {
  // %.17g: the value the user gave, to the last bit.
  auto number = [](const char *name, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "--%s=%.17g", name, value);
    return std::string(text);
  };
  std::vector<std::string> args;
  if (optimizer.getNumOccurrences())
    args.push_back("--optimizer=" + optimizer.getValue());
  if (learningRate.getNumOccurrences())
    args.push_back(number("lr", learningRate));
  if (momentum.getNumOccurrences())
    args.push_back(number("momentum", momentum));
  if (nesterov.getNumOccurrences())
    args.push_back(nesterov ? "--nesterov" : "--nesterov=false");
  if (weightDecay.getNumOccurrences())
    args.push_back(number("weight-decay", weightDecay));
  if (labelSmoothing.getNumOccurrences())
    args.push_back(number("label-smoothing", labelSmoothing));
  return args;
}

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "cnnc train: error: " << message << "\n";
  return 1;
}

/// The files the training loop reads from DIR, each as is or gzip'ed.
constexpr const char *kDatasetFiles[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

/// Says what is missing from the dataset directory, or "".
std::string missingDatasetFile(llvm::StringRef directory) {
  if (!llvm::sys::fs::is_directory(directory))
    return "--data " + directory.str() + ": no such directory";
  for (const char *name : kDatasetFiles) {
    llvm::SmallString<256> path(directory);
    llvm::sys::path::append(path, name);
    if (!llvm::sys::fs::exists(path) && !llvm::sys::fs::exists(path + ".gz"))
      return "--data " + directory.str() + ": no " + name + " (nor " + name +
             ".gz); the directory needs MNIST's four IDX files";
  }
  return "";
}

/// Refuses a path whose directory does not exist, before anything is built.
bool inExistingDirectory(llvm::StringRef option, llvm::StringRef path) {
  llvm::StringRef directory = llvm::sys::path::parent_path(path);
  if (directory.empty() || llvm::sys::fs::is_directory(directory))
    return true;
  fail(option + " " + path + ": the directory " + directory + " does not exist");
  return false;
}

int run(llvm::StringRef program, llvm::ArrayRef<std::string> args) {
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0, 0, &message);
  if (status < 0)
    return fail("cannot run " + program + ": " + message);
  return status;
}

} // namespace

int cnnc::driver::runTrain(int argc, char **argv) {
  ModelOptions model;
  TrainingOptions training;
  cl::opt<std::string> data(
      "data",
      cl::desc("The dataset: a directory with MNIST's four IDX files "
               "(train-/t10k-{images-idx3,labels-idx1}-ubyte, .gz or not)"),
      cl::value_desc("dir"), cl::Required, cl::cat(commandCategory()));
  cl::opt<int> epochs("epochs", cl::desc("Train until this many epochs are done (1)"),
                      cl::init(1), cl::value_desc("N"), cl::cat(commandCategory()));
  cl::opt<int> seed("seed",
                    cl::desc("The order of the images in each epoch (default 1, or "
                             "the checkpoint's with --resume)"),
                    cl::value_desc("S"), cl::cat(commandCategory()));
  cl::opt<std::string> output(
      "o",
      cl::desc("The checkpoint, written after every epoch: the weights and "
               "the optimizer state as safetensors (default: MODEL.safetensors)"),
      cl::value_desc("file"), cl::cat(commandCategory()));
  cl::opt<bool> resume(
      "resume", cl::desc("Go on from the checkpoint -o names, where it stopped"),
      cl::cat(commandCategory()));
  cl::opt<std::string> weights(
      "weights", cl::desc("Start from these weights (safetensors) instead of cnnc's "
                          "initialisation"),
      cl::value_desc("file"), cl::cat(commandCategory()));
  cl::opt<std::string> log("log", cl::desc("Write the loss and accuracy of every epoch"),
                           cl::value_desc("file.csv"), cl::cat(commandCategory()));
  cl::opt<std::string> plot("plot", cl::desc("Draw the loss and accuracy per epoch"),
                            cl::value_desc("file.svg"), cl::cat(commandCategory()));
  if (!parseCommandOptions(argc, argv, "train",
                           "cnnc train: train a model on MNIST or Fashion-MNIST "
                           "(docs/training.md)\n"))
    return 1;
  if (!training.verify("train"))
    return 1;
  if (epochs < 1 || epochs > 1000000)
    return fail("--epochs takes a number from 1 to 1000000, got " + llvm::Twine(epochs));
  if (seed.getNumOccurrences() && (seed < 1 || seed > 1000000))
    return fail("--seed takes a number from 1 to 1000000, got " + llvm::Twine(seed));
  if (std::string missing = missingDatasetFile(data); !missing.empty())
    return fail(missing);

  std::string checkpoint = output;
  if (checkpoint.empty())
    checkpoint = llvm::sys::path::stem(model.input).str() + ".safetensors";
  if (resume && !weights.empty())
    return fail("--resume goes on from the checkpoint " + checkpoint +
                "; --weights starts afresh from other weights: give one of them");
  if (resume && !llvm::sys::fs::exists(checkpoint))
    return fail("--resume: there is no checkpoint " + checkpoint +
                " to go on from (leave out --resume to start)");
  if (resume) {
    // A finished run is said so before anything is compiled.
    cnnrt_safetensors file{};
    char message[2048];
    llvm::scope_exit release([&] { cnnrt_safetensors_free(&file); });
    if (cnnrt_safetensors_read(checkpoint.c_str(), &file, message, sizeof message))
      return fail(checkpoint + ": " + message);
    const char *trained = cnnrt_safetensors_metadata(&file, "epoch");
    if (!trained)
      return fail("--resume: " + checkpoint + " is not a checkpoint of 'cnnc train' "
                  "(its metadata has no epoch); pass it as --weights to start from it");
    if (std::atol(trained) >= epochs) {
      llvm::outs() << checkpoint << " has trained " << trained
                   << " epochs; --epochs " << epochs << " asks for no more\n";
      return 0;
    }
  }
  if (!weights.empty() && !llvm::sys::fs::exists(weights))
    return fail("--weights " + weights + ": no such file");
  if (!inExistingDirectory("-o", checkpoint) ||
      (!log.empty() && !inExistingDirectory("--log", log)) ||
      (!plot.empty() && !inExistingDirectory("--plot", plot)))
    return 1;

  std::string self = llvm::sys::fs::getMainExecutable(
      argv[0], reinterpret_cast<void *>(&cnnc::driver::runTrain));
  llvm::SmallString<128> executable;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("cnnc-train", "", executable))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::scope_exit removeExecutable([&] { llvm::sys::fs::remove(executable); });

  std::vector<std::string> compile{self, "compile", model.input, "--train",
                                   "-o", executable.str().str()};
  if (model.batch.getNumOccurrences())
    compile.push_back("--batch=" + std::to_string(model.batch));
  if (model.inputShape.getNumOccurrences())
    compile.push_back("--input-shape=" + model.inputShape.getValue());
  for (std::string &arg : training.arguments())
    compile.push_back(std::move(arg));
  if (int status = run(self, compile))
    return status;

  // Its messages read as the command's, not the temporary file's.
  std::vector<std::string> train{"cnnc train", "--train-data", data,
                                 "--epochs", std::to_string(epochs),
                                 "--save-weights", checkpoint};
  if (seed.getNumOccurrences())
    train.insert(train.end(), {"--seed", std::to_string(seed)});
  if (resume)
    train.insert(train.end(), {"--weights", checkpoint});
  else if (!weights.empty())
    train.insert(train.end(), {"--weights", weights});
  if (!log.empty())
    train.insert(train.end(), {"--log", log});
  if (!plot.empty())
    train.insert(train.end(), {"--plot", plot});
  return run(executable, train);
}
