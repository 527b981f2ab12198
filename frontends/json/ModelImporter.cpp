//===- ModelImporter.cpp - JSON model file to the cnn dialect -------------===//

#include "frontends/json/ModelImporter.h"

#include "dialects/Cnn/IR/CnnDialect.h"
#include "frontends/json/BlockExpander.h"
#include "frontends/json/ImportError.h"
#include "frontends/json/KeyReader.h"
#include "frontends/json/LayerBuilder.h"
#include "frontends/json/Limits.h"
#include "frontends/json/SourcePositions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>

using namespace mlir;

namespace cnnc::json {

namespace {

class ModelImporter {
public:
  ModelImporter(MLIRContext &context, llvm::StringRef path,
                const ImportOptions &options, const SourcePositions &positions)
      : context(context), builder(&context), path(path), options(options),
        positions(positions) {}

  OwningOpRef<ModuleOp> run(const Json &model);

private:
  /// Where the object at `pointer` is in the file (line 0 if unknown).
  Location fileLocation(const std::string &pointer) {
    auto position = positions.find(pointer);
    return FileLineColLoc::get(&context, path, position ? position->first : 0,
                               position ? position->second : 0);
  }
  /// A layer's place in the file; inside blocks, called from where the
  /// calling layers are (innermost call first, as MLIR's call sites nest).
  Location layerLocation(const LayerInstance &layer) {
    if (layer.source.empty())
      return fileLocation("");
    Location loc = fileLocation(layer.source.back());
    for (auto caller = layer.source.rbegin() + 1; caller != layer.source.rend(); ++caller)
      loc = CallSiteLoc::get(loc, fileLocation(*caller));
    return loc;
  }

  Value addTensor(const std::string &name, ArrayRef<int64_t> shape,
                  TensorKind kind, const std::string &where);

  MLIRContext &context;
  OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  const SourcePositions &positions;
  Block *body = nullptr;
  /// The attributes of the arguments, in order; the inputs are last.
  SmallVector<NamedAttrList> argAttrs;
  unsigned numInputs = 0;
  std::map<std::string, std::string> tensorOwners;
};

Value ModelImporter::addTensor(const std::string &name, ArrayRef<int64_t> shape,
                               TensorKind kind, const std::string &where) {
  checkedElementCount(shape, where, "tensor '" + name + "'");
  if (!tensorOwners.emplace(name, where).second)
    throw ImportError{where, "parameter '" + name + "' is also created by " +
                                 tensorOwners[name] +
                                 "; give the layers different names"};
  Type type = RankedTensorType::get(shape, builder.getF32Type());
  unsigned index = body->getNumArguments() - numInputs;
  NamedAttrList attrs;
  attrs.append(kind.role == TensorRole::Parameter ? cnn::CnnDialect::kParamAttrName
                                                  : cnn::CnnDialect::kBufferAttrName,
               builder.getStringAttr(name));
  attrs.append(cnn::CnnDialect::kInitAttrName, builder.getStringAttr(kind.init));
  argAttrs.insert(argAttrs.begin() + index, attrs);
  return body->insertArgument(index, type,
                              NameLoc::get(builder.getStringAttr(name)));
}

OwningOpRef<ModuleOp> ModelImporter::run(const Json &model) {
  if (!model.is_object())
    throw ImportError{"", "expected a model object with 'input' and 'layers', got " +
                              describeValue(model)};
  KeyReader top(model, "");
  std::string modelName = top.string(
      "name", llvm::sys::path::stem(path == "-" ? "model" : path).str());
  (void)top.find("comment");
  (void)top.find("description");
  (void)top.find("blocks");
  (void)top.find("layers");
  (void)top.find("outputs");
  int64_t batch = top.positiveInt("batch", 1);
  if (options.batch)
    batch = *options.batch;

  // One input ("input": {...}) or several ("inputs": [{...}, ...]).
  const Json *inputSpec = top.find("input");
  const Json *inputList = top.find("inputs");
  if (inputSpec && inputList)
    top.fail("inputs", "a model has either 'input' or 'inputs', not both");
  if (!inputSpec && !inputList)
    top.fail("input", "missing; expected {\"shape\": [channels, height, width]} "
                      "(or \"inputs\": a list of {\"name\", \"shape\"})");
  if (inputSpec && !inputSpec->is_object())
    top.fail("input", "expected {\"shape\": [channels, height, width]}, got " +
                          describeValue(*inputSpec));
  if (inputList && (!inputList->is_array() || inputList->empty()))
    top.fail("inputs", "expected a non-empty list of {\"name\": ..., \"shape\": "
                       "[...]}, got " + describeValue(*inputList));
  if (options.inputShape && inputList && inputList->size() > 1)
    throw ImportError{"", "--input-shape applies to a model with one input; this "
                          "one has " + std::to_string(inputList->size())};

  std::vector<std::string> inputNames;
  std::vector<SmallVector<int64_t>> inputShapes;
  size_t count = inputSpec ? 1 : inputList->size();
  for (size_t i = 0; i < count; ++i) {
    const Json &spec = inputSpec ? *inputSpec : (*inputList)[i];
    std::string key = inputSpec ? "input" : "inputs[" + std::to_string(i) + "]";
    if (!spec.is_object())
      top.fail(key, "expected {\"name\": ..., \"shape\": [...]}, got " +
                        describeValue(spec));
    KeyReader input(spec, "", key + ".");
    std::string name = inputSpec ? input.string("name", "input") : input.string("name");
    if (llvm::is_contained(inputNames, name))
      input.fail("name", "the input '" + name + "' is declared twice");
    SmallVector<int64_t> shape{batch};
    for (int64_t dim : input.positiveInts("shape"))
      shape.push_back(dim);
    if (options.inputShape) {
      shape.assign({batch});
      shape.append(options.inputShape->begin(), options.inputShape->end());
    }
    if (shape.size() > 5)
      input.fail("shape", "expected at most 4 dimensions after the batch, got " +
                              std::to_string(shape.size() - 1));
    (void)input.choice("dtype", {{"f32", "f32"}, {"float32", "f32"}}, "f32");
    input.rejectUnknownKeys(inputSpec ? "the input" : "an input");
    checkedElementCount(shape, "key '" + key + "'", "tensor '" + name + "'");
    inputNames.push_back(name);
    inputShapes.push_back(shape);
  }
  top.rejectUnknownKeys("a model");

  ExpandedNetwork network = expandNetwork(model, inputNames);


  Location fileLoc = fileLocation("");
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc, modelName);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "forward",
                                   builder.getFunctionType({}, {}));
  body = func.addEntryBlock();
  std::map<std::string, Value> values;
  for (auto [name, shape] : llvm::zip_equal(inputNames, inputShapes)) {
    values[name] = body->addArgument(RankedTensorType::get(shape, builder.getF32Type()),
                                     NameLoc::get(builder.getStringAttr(name)));
    NamedAttrList inputAttrs;
    inputAttrs.append(cnn::CnnDialect::kInputAttrName, builder.getStringAttr(name));
    argAttrs.push_back(inputAttrs);
  }
  numInputs = inputNames.size();
  builder.setInsertionPointToEnd(body);
  for (const LayerInstance &layer : network.layers) {
    SmallVector<Value> inputs;
    for (const std::string &name : layer.inputs)
      inputs.push_back(values.at(name));
    TensorFactory makeTensor = [&](const std::string &name,
                                   ArrayRef<int64_t> tensorShape,
                                   TensorKind kind) {
      return addTensor(name, tensorShape, kind, layer.where);
    };
    try {
      values[layer.name] = buildLayer(builder, layer, inputs, makeTensor,
                                      layerLocation(layer));
    } catch (ImportError &error) {
      // [1, 3, 32, 32] as a "shape" is the commonest slip of all: the batch
      // written into the shape of one sample.
      for (auto [name, shape] : llvm::zip_equal(inputNames, inputShapes))
        if (shape.size() == 5 && llvm::is_contained(inputs, values[name]) &&
            error.message.find("5-D tensor") != std::string::npos)
          error.message += " (the input '" + name + "' is 5-D because its 'shape' " +
                           "excludes the batch dimension: write [C, H, W], and the " +
                           "batch size as \"batch\")";
      throw;
    }
  }
  SmallVector<Value> results;
  for (const std::string &name : network.outputs)
    results.push_back(values.at(name));
  func::ReturnOp::create(builder, fileLoc, results);

  func.setType(builder.getFunctionType(body->getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  for (auto [index, attrs] : llvm::enumerate(argAttrs))
    func.setArgAttrs(index, attrs.getDictionary(&context));
  for (auto [index, name] : llvm::enumerate(network.outputs))
    func.setResultAttr(index, cnn::CnnDialect::kOutputAttrName,
                       builder.getStringAttr(name));
  return module;
}

} // namespace

std::string escapeControlCharacters(const std::string &text) {
  std::string escaped;
  for (unsigned char c : text) {
    if (c == '\n')
      escaped += "\\n";
    else if (c == '\t')
      escaped += "\\t";
    else if (c == '\r')
      escaped += "\\r";
    else if (c < 0x20 || c == 0x7f)
      escaped += llvm::formatv("\\u{0:x-4}", unsigned(c)).str();
    else
      escaped += static_cast<char>(c);
  }
  return escaped;
}

OwningOpRef<ModuleOp> importModelFile(llvm::StringRef path, MLIRContext &context,
                                      const ImportOptions &options,
                                      llvm::raw_ostream &errors) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer) {
    errors << path << ": error: cannot read the model file: "
           << buffer.getError().message() << "\n";
    return nullptr;
  }
  return importModel((*buffer)->getBuffer(), path, context, options, errors);
}

OwningOpRef<ModuleOp> importModel(llvm::StringRef text, llvm::StringRef path,
                                  MLIRContext &context,
                                  const ImportOptions &options,
                                  llvm::raw_ostream &errors) {
  context.loadDialect<arith::ArithDialect, cnn::CnnDialect, func::FuncDialect>();
  try {
    SourcePositions positions;
    Json model = parseModelJson(text, positions);
    return ModelImporter(context, path, options, positions).run(model);
  } catch (const ImportError &error) {
    errors << path;
    if (error.line)
      errors << ":" << error.line << ":" << error.column;
    errors << ": error: ";
    if (!error.where.empty())
      errors << escapeControlCharacters(error.where) << ": ";
    errors << escapeControlCharacters(error.message) << "\n";
    return nullptr;
  } catch (const nlohmann::json::exception &error) {
    // Every value is type-checked before it is read, so this is a bug of
    // cnnc; it still gets a message rather than a crash.
    errors << path << ": error: unexpected JSON value (" << error.what() << ")\n";
    return nullptr;
  }
}

} // namespace cnnc::json
