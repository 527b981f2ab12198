//===- GraphCommand.cpp - cnnc graph --------------------------------------===//
//
// Draws a model as it was written (the cnn dialect straight from the
// frontend, before any rewriting): DOT text, or SVG, PNG or PDF through
// Graphviz's `dot`, which the picture formats need on the PATH.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/cnnc/Commands.h"
#include "compiler/tools/cnnc/ModelGraph.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class GraphFormat { FromExtension, Dot, Svg, Png, Pdf };

int fail(const llvm::Twine &message) {
  llvm::errs() << "cnnc graph: error: " << message << "\n";
  return 1;
}

/// Runs `dot -T<format>` on the DOT text into `outputPath`, whole or not at all.
int renderWithGraphviz(llvm::StringRef dotText, llvm::StringRef format,
                       llvm::StringRef outputPath) {
  llvm::ErrorOr<std::string> dot = llvm::sys::findProgramByName("dot");
  if (!dot)
    return fail("drawing " + format.upper() + " needs Graphviz's 'dot' on the PATH "
                "(Debian: apt install graphviz); -o FILE.dot writes the graph as DOT text");
  llvm::SmallString<128> source, log;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("cnnc-graph", "dot", source))
    return fail("cannot create a temporary file: " + ec.message());
  llvm::sys::fs::createTemporaryFile("cnnc-graph", "log", log);
  std::string temporary = (outputPath + ".tmp-dot").str();
  llvm::scope_exit cleanUp([&] {
    llvm::sys::fs::remove(source);
    llvm::sys::fs::remove(log);
    llvm::sys::fs::remove(temporary);
  });
  if (!cnnc::driver::writeOutput("graph", source, [&](llvm::raw_pwrite_stream &os) {
        os << dotText;
        return true;
      }))
    return 1;
  std::string formatFlag = ("-T" + format).str();
  llvm::StringRef args[] = {*dot, formatFlag, source, "-o", temporary};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*dot, args, std::nullopt, redirects, 0, 0, &message);
  if (status != 0) {
    std::string details = message;
    if (auto text = llvm::MemoryBuffer::getFile(log))
      details += (details.empty() ? "" : ": ") + (*text)->getBuffer().trim().str();
    return fail("Graphviz's dot failed" + (details.empty() ? "" : ": " + details));
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, outputPath))
    return fail("cannot write " + outputPath + ": " + ec.message());
  return 0;
}

} // namespace

int cnnc::driver::runGraph(int argc, char **argv) {
  ModelOptions model;
  cl::opt<std::string> output(
      "o", cl::desc("Output file ('-' for stdout, the default: DOT text); its "
                    "extension picks the format"),
      cl::value_desc("filename"), cl::init("-"), cl::cat(commandCategory()));
  cl::opt<GraphFormat, false, ListingParser<GraphFormat>> format(
      "format", cl::desc("What to write (default: from -o's extension, else dot)"),
      cl::init(GraphFormat::FromExtension),
      cl::values(clEnumValN(GraphFormat::Dot, "dot", "Graphviz's DOT text"),
                 clEnumValN(GraphFormat::Svg, "svg", "an SVG picture (needs Graphviz)"),
                 clEnumValN(GraphFormat::Png, "png", "a PNG picture (needs Graphviz)"),
                 clEnumValN(GraphFormat::Pdf, "pdf", "a PDF (needs Graphviz)")),
      cl::cat(commandCategory()));
  if (!parseCommandOptions(argc, argv, "graph",
                           "cnnc graph: draw a model's layers, shapes and parameters, "
                           "its blocks as boxes\n"))
    return 1;

  llvm::StringRef extension = llvm::sys::path::extension(output.getValue());
  GraphFormat chosen = format;
  if (chosen == GraphFormat::FromExtension) {
    chosen = llvm::StringSwitch<GraphFormat>(extension.lower())
                 .Case(".svg", GraphFormat::Svg)
                 .Case(".png", GraphFormat::Png)
                 .Case(".pdf", GraphFormat::Pdf)
                 .Case(".dot", GraphFormat::Dot)
                 .Case(".gv", GraphFormat::Dot)
                 .Case("", GraphFormat::Dot)
                 .Default(GraphFormat::FromExtension);
    if (chosen == GraphFormat::FromExtension)
      return fail("cannot tell the format of " + output + " from its extension; use "
                  ".svg, .png, .pdf or .dot, or give --format");
  }
  if (chosen != GraphFormat::Dot && output == "-")
    return fail("cannot write a picture to standard output; give -o FILE.svg");
  if (!checkOutputDirectory("graph", output))
    return 1;

  MLIRContext context;
  OwningOpRef<ModuleOp> module = model.load(context, "graph");
  if (!module)
    return 1;
  std::string dotText;
  llvm::raw_string_ostream os(dotText);
  if (failed(printModelGraph(*module, os)))
    return 1;
  if (chosen == GraphFormat::Dot)
    return writeOutput("graph", output, [&](llvm::raw_pwrite_stream &out) {
             out << dotText;
             return true;
           }) ? 0 : 1;
  llvm::StringRef formatName = chosen == GraphFormat::Svg   ? "svg"
                               : chosen == GraphFormat::Png ? "png"
                                                            : "pdf";
  return renderWithGraphviz(dotText, formatName, output);
}
