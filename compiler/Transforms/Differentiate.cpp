//===- Differentiate.cpp - Training and evaluation steps from @forward ----===//
//
// Reverse mode on the cnn dialect: the forward ops are cloned into
// @train_step, the loss is appended, and the ops are visited last to first,
// each building its operands' gradients from its result's through its
// GradientOpInterface rule. Backward ops are appended in that order, so they
// only read forward values and gradients built before them. An optimizer
// step per parameter ends the function.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/Cnn/Interfaces/GradientOpInterface.h"
#include "dialects/Cnn/Interfaces/GradientRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNDIFFERENTIATE
#include "compiler/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// A function argument of a step: its type and its cnn.* attributes.
struct StepArgument {
  Type type;
  SmallVector<NamedAttribute> attributes;
};

struct StepResult {
  Value value;
  NamedAttribute name;
};

class CnnDifferentiatePass
    : public cnnc::impl::CnnDifferentiateBase<CnnDifferentiatePass> {
public:
  using CnnDifferentiateBase::CnnDifferentiateBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    CnnDifferentiateBase::getDependentDialects(registry);
    // The rules come with the pass that needs them.
    registerGradientRules(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal()) {
      module.emitError("cnn-differentiate needs a @forward function");
      return signalPassFailure();
    }
    for (StringRef name : {"train_step", "evaluate"})
      if (module.lookupSymbol(name)) {
        module.emitError("the module already has a @") << name << " function";
        return signalPassFailure();
      }
    if (failed(checkOptions(forward)))
      return signalPassFailure();
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(forward);
    if (failed(buildEvaluate(b, forward)) || failed(buildTrainStep(b, forward)))
      return signalPassFailure();
  }

private:
  bool crossEntropy() const { return loss == "cross-entropy"; }

  LogicalResult checkOptions(func::FuncOp forward) {
    if (loss != "cross-entropy" && loss != "mse")
      return forward.emitError("cnn-differentiate: unknown loss '")
             << loss << "'; expected cross-entropy or mse";
    if (optimizer != "sgd" && optimizer != "adam" && optimizer != "adamw")
      return forward.emitError("cnn-differentiate: unknown optimizer '")
             << optimizer << "'; expected sgd, adam or adamw";
    if (forward.getNumResults() == 0)
      return forward.emitError("cnn-differentiate needs a @forward with an output");
    if (crossEntropy() && forward.getNumResults() != 1)
      return forward.emitError("the cross-entropy loss needs a @forward with one "
                               "output, got ")
             << forward.getNumResults() << "; train it with --loss=mse";
    if (crossEntropy() &&
        cast<RankedTensorType>(forward.getResultTypes()[0]).getRank() != 2)
      return forward.emitError("the cross-entropy loss needs [N, classes] logits, got ")
             << forward.getResultTypes()[0];
    return success();
  }

  /// The labels' type: class indices [N], or targets of the output's shape.
  Type labelsType(func::FuncOp forward, unsigned index) const {
    auto output = cast<RankedTensorType>(forward.getResultTypes()[index]);
    if (!crossEntropy())
      return output;
    return RankedTensorType::get({output.getDimSize(0)}, output.getElementType());
  }

  /// The name of the forward's output `index`: its cnn.output, else the
  /// layer that computes it, as the model's signature names it.
  static std::string outputName(func::FuncOp forward, unsigned index) {
    if (auto name = forward.getResultAttrOfType<StringAttr>(index, CnnDialect::kOutputAttrName))
      return name.str();
    auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
    if (Operation *producer = ret.getOperand(index).getDefiningOp())
      if (auto location = dyn_cast<NameLoc>(producer->getLoc()))
        return location.getName().str();
    return "output" + std::to_string(index);
  }

  /// A new function after `forward` with the forward's arguments then
  /// `extra`, whose body holds a copy of the forward's ops. Returns the
  /// function and, through `outputs`, the copied forward results.
  func::FuncOp cloneForward(OpBuilder &b, func::FuncOp forward, StringRef name,
                            ArrayRef<StepArgument> extra, SmallVectorImpl<Value> &outputs) {
    SmallVector<Type> types(forward.getArgumentTypes());
    for (const StepArgument &argument : extra)
      types.push_back(argument.type);
    auto function = func::FuncOp::create(b, forward.getLoc(), name,
                                         b.getFunctionType(types, {}));
    Block *body = function.addEntryBlock();
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      function.setArgAttrs(i, forward.getArgAttrDict(i));
    for (auto [i, argument] : llvm::enumerate(extra))
      function.setArgAttrs(forward.getNumArguments() + i, argument.attributes);
    IRMapping mapping;
    mapping.map(forward.getArguments(),
                body->getArguments().take_front(forward.getNumArguments()));
    OpBuilder inner = OpBuilder::atBlockEnd(body);
    for (Operation &op : forward.getBody().front().without_terminator())
      inner.clone(op, mapping);
    auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
    for (Value result : ret.getOperands())
      outputs.push_back(mapping.lookup(result));
    return function;
  }

  /// The loss and, for cross-entropy, the count of correct predictions.
  /// The squared error of several outputs is the sum of each one's mean.
  std::pair<Value, Value> buildLoss(OpBuilder &b, Location loc, ValueRange outputs,
                                    ValueRange labels) {
    if (!crossEntropy()) {
      Value total;
      for (auto [output, target] : llvm::zip_equal(outputs, labels)) {
        Value term = MseLossOp::create(b, loc, output, target);
        total = total ? Value(AddOp::create(b, loc, total, term)) : term;
      }
      return {total, Value()};
    }
    Value lossValue = SoftmaxCrossEntropyOp::create(
        b, loc, outputs[0], labels[0], b.getF64FloatAttr(labelSmoothing));
    return {lossValue, CorrectCountOp::create(b, loc, outputs[0], labels[0])};
  }

  /// One labels argument per output: `labels`, or `labels.NAME` for the
  /// output NAME of a model with several.
  SmallVector<StepArgument> labelsArguments(OpBuilder &b, func::FuncOp forward) {
    SmallVector<StepArgument> arguments;
    for (unsigned i = 0; i < forward.getNumResults(); ++i) {
      std::string name =
          forward.getNumResults() == 1 ? "labels" : "labels." + outputName(forward, i);
      arguments.push_back({labelsType(forward, i),
                           {b.getNamedAttr(CnnDialect::kInputAttrName, b.getStringAttr(name))}});
    }
    return arguments;
  }

  /// Finishes `function` with a return of `results`, named as they say.
  void finish(OpBuilder &b, func::FuncOp function, ArrayRef<StepResult> results) {
    OpBuilder inner = OpBuilder::atBlockEnd(&function.getBody().front());
    SmallVector<Value> values;
    for (const StepResult &result : results)
      values.push_back(result.value);
    func::ReturnOp::create(inner, function.getLoc(), values);
    function.setFunctionType(b.getFunctionType(function.getArgumentTypes(),
                                               ValueRange(values).getTypes()));
    for (auto [index, result] : llvm::enumerate(results))
      function.setResultAttrs(index, ArrayRef<NamedAttribute>{result.name});
  }

  SmallVector<StepResult> metrics(OpBuilder &b, Value lossValue, Value correct) {
    SmallVector<StepResult> results = {
        {lossValue, b.getNamedAttr(CnnDialect::kOutputAttrName, b.getStringAttr("loss"))}};
    if (correct)
      results.push_back(
          {correct, b.getNamedAttr(CnnDialect::kOutputAttrName, b.getStringAttr("correct"))});
    return results;
  }

  LogicalResult buildEvaluate(OpBuilder &b, func::FuncOp forward) {
    SmallVector<Value> outputs;
    func::FuncOp function =
        cloneForward(b, forward, "evaluate", labelsArguments(b, forward), outputs);
    OpBuilder inner = OpBuilder::atBlockEnd(&function.getBody().front());
    auto [lossValue, correct] =
        buildLoss(inner, forward.getLoc(), outputs,
                  function.getArguments().take_back(forward.getNumResults()));
    finish(b, function, metrics(b, lossValue, correct));
    b.setInsertionPointAfter(function);
    return success();
  }

  /// The state tensors the optimizer keeps per parameter, by PyTorch's names.
  SmallVector<StringRef> stateNames() const {
    if (optimizer != "sgd")
      return {"exp_avg", "exp_avg_sq"};
    if (momentum != 0.0)
      return {"momentum_buffer"};
    return {};
  }

  LogicalResult buildTrainStep(OpBuilder &b, func::FuncOp forward) {
    Location loc = forward.getLoc();
    SmallVector<unsigned> params;
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      if (forward.getArgAttr(i, CnnDialect::kParamAttrName))
        params.push_back(i);

    // Arguments: the forward's, the labels, then the optimizer state.
    SmallVector<StepArgument> extra = labelsArguments(b, forward);
    auto stateArgument = [&](Type type, const Twine &name) {
      extra.push_back({type,
                       {b.getNamedAttr(CnnDialect::kStateAttrName,
                                       b.getStringAttr(name)),
                        b.getNamedAttr(CnnDialect::kInitAttrName,
                                       b.getStringAttr("zeros"))}});
    };
    SmallVector<StringRef> states = stateNames();
    for (unsigned index : params)
      for (StringRef state : states)
        stateArgument(forward.getArgumentTypes()[index], paramName(forward, index) + "." + state);
    // The count of steps taken: Adam's bias correction and the dropout
    // masks' counter. The seed of the masks is state the step only reads;
    // the training loop sets it.
    bool adam = optimizer != "sgd";
    bool dropout = !forward.getOps<DropoutOp>().empty();
    auto scalarType = RankedTensorType::get({1}, b.getF32Type());
    unsigned stepIndex = forward.getNumArguments() + extra.size();
    if (adam || dropout)
      stateArgument(scalarType, "step");
    if (dropout)
      stateArgument(scalarType, "dropout_seed");

    SmallVector<Value> outputs;
    func::FuncOp function = cloneForward(b, forward, "train_step", extra, outputs);
    Value step = adam || dropout ? function.getArgument(stepIndex) : Value();
    SmallVector<StepResult> bufferUpdates = trainBatchNorms(function, outputs);
    if (dropout)
      trainDropouts(function, function.getArgument(stepIndex + 1), step, outputs);
    Block &body = function.getBody().front();
    SmallVector<Operation *> forwardOps =
        llvm::map_to_vector(body.getOperations(), [](Operation &op) { return &op; });
    OpBuilder inner = OpBuilder::atBlockEnd(&body);
    ValueRange labels =
        function.getArguments().slice(forward.getNumArguments(), forward.getNumResults());
    auto [lossValue, correct] = buildLoss(inner, loc, outputs, labels);

    // The backward pass, seeded with d loss / d loss = 1.
    Value one = arith::ConstantOp::create(
        inner, loc, DenseElementsAttr::get(scalarType, inner.getF32FloatAttr(1.0f)));
    llvm::DenseMap<Value, Value> gradients;
    for (auto [output, target] : llvm::zip_equal(outputs, labels)) {
      Value seed = crossEntropy()
                       ? Value(SoftmaxCrossEntropyGradOp::create(
                             inner, loc, output, target, one,
                             inner.getF64FloatAttr(labelSmoothing)))
                       : Value(MseLossGradOp::create(inner, loc, output, target, one));
      Value &sum = gradients[output];
      sum = sum ? Value(AddOp::create(inner, loc, sum, seed)) : seed;
    }
    for (Operation *op : llvm::reverse(forwardOps)) {
      if (op->getNumResults() == 0 || isa<arith::ConstantOp>(op))
        continue;
      SmallVector<Value> resultGradients;
      for (Value result : op->getResults())
        resultGradients.push_back(gradients.lookup(result));
      if (llvm::all_of(resultGradients, [](Value v) { return !v; }))
        continue;
      auto rule = dyn_cast<GradientOpInterface>(op);
      if (!rule)
        return op->emitError() << op->getName().stripDialect()
                               << " has no gradient rule: cnnc cannot train a "
                                  "model with it";
      SmallVector<Value> operandGradients;
      if (failed(rule.buildGradients(inner, resultGradients, operandGradients)))
        return failure();
      for (auto [operand, gradient] : llvm::zip_equal(op->getOperands(), operandGradients)) {
        if (!gradient)
          continue;
        Value &sum = gradients[operand];
        sum = sum ? Value(AddOp::create(inner, op->getLoc(), sum, gradient)) : gradient;
      }
    }

    // One optimizer step per parameter that the loss depends on.
    SmallVector<StepResult> updates;
    unsigned stateIndex = forward.getNumArguments() + forward.getNumResults();
    auto updatesName = [&](StringRef name) {
      return inner.getNamedAttr(CnnDialect::kUpdatesAttrName, inner.getStringAttr(name));
    };
    for (unsigned index : params) {
      Value param = function.getArgument(index);
      std::string name = paramName(forward, index);
      Value gradient = gradients.lookup(param);
      ValueRange state = function.getArguments().slice(stateIndex, states.size());
      stateIndex += states.size();
      if (!gradient)
        continue;
      Location paramLoc = NameLoc::get(inner.getStringAttr(name + ".update"));
      Operation *update;
      if (!adam) {
        Value velocity = state.empty() ? Value() : state.front();
        update = SgdUpdateOp::create(
            inner, paramLoc, param.getType(), velocity ? velocity.getType() : Type(),
            param, gradient, velocity, inner.getF64FloatAttr(learningRate),
            inner.getF64FloatAttr(momentum), inner.getF64FloatAttr(weightDecay),
            inner.getBoolAttr(nesterov));
      } else {
        update = AdamUpdateOp::create(
            inner, paramLoc, param, gradient, state[0], state[1], step,
            inner.getF64FloatAttr(learningRate), inner.getF64FloatAttr(beta1),
            inner.getF64FloatAttr(beta2), inner.getF64FloatAttr(epsilon),
            inner.getF64FloatAttr(weightDecay), inner.getBoolAttr(optimizer == "adamw"));
      }
      // The new parameter, then the new state in the order of its arguments.
      updates.push_back({update->getResult(0), updatesName(name)});
      for (auto [result, stateName] :
           llvm::zip_equal(update->getResults().drop_front(), states))
        updates.push_back({result, updatesName(name + "." + stateName.str())});
    }
    llvm::append_range(updates, bufferUpdates);
    if (step)
      updates.push_back({AddOp::create(inner, loc, step, one), updatesName("step")});
    llvm::append_range(updates, metrics(b, lossValue, correct));
    finish(b, function, updates);
    return success();
  }

  /// Training normalises with the batch's statistics (PyTorch's train
  /// mode): each batch_norm of the step becomes a batch_norm_train, and the
  /// running statistics that are buffers of the model are updated by the
  /// step. `outputs`, the forward results, follow the replacement.
  SmallVector<StepResult> trainBatchNorms(func::FuncOp function,
                                          SmallVectorImpl<Value> &outputs) {
    SmallVector<StepResult> updates;
    SmallVector<BatchNormOp> norms;
    function.walk([&](BatchNormOp norm) { norms.push_back(norm); });
    for (BatchNormOp norm : norms) {
      OpBuilder b(norm);
      auto train = BatchNormTrainOp::create(
          b, norm.getLoc(), norm.getInput(), norm.getScale(), norm.getShift(),
          norm.getMean(), norm.getVariance(), norm.getEpsilonAttr(),
          b.getF64FloatAttr(0.1));
      llvm::replace(outputs, Value(norm.getOutput()), Value(train.getOutput()));
      norm.getOutput().replaceAllUsesWith(train.getOutput());
      for (auto [running, updated] :
           {std::pair{norm.getMean(), train.getNewRunningMean()},
            {norm.getVariance(), train.getNewRunningVariance()}}) {
        auto argument = dyn_cast<BlockArgument>(running);
        if (!argument)
          continue;
        if (auto name = function.getArgAttrOfType<StringAttr>(argument.getArgNumber(),
                                                              CnnDialect::kBufferAttrName))
          updates.push_back(
              {updated, b.getNamedAttr(CnnDialect::kUpdatesAttrName, name)});
      }
      norm.erase();
    }
    return updates;
  }

  /// Dropout drops in training: each dropout of the step becomes a
  /// dropout_train with its own stream, keyed by the seed and the step.
  void trainDropouts(func::FuncOp function, Value seed, Value step,
                     SmallVectorImpl<Value> &outputs) {
    SmallVector<DropoutOp> dropouts;
    function.walk([&](DropoutOp dropout) { dropouts.push_back(dropout); });
    for (auto [stream, dropout] : llvm::enumerate(dropouts)) {
      OpBuilder b(dropout);
      auto train = DropoutTrainOp::create(b, dropout.getLoc(), dropout.getInput(), seed, step,
                                          dropout.getRateAttr(), b.getI64IntegerAttr(stream));
      llvm::replace(outputs, Value(dropout.getOutput()), Value(train.getOutput()));
      dropout.getOutput().replaceAllUsesWith(train.getOutput());
      dropout.erase();
    }
  }

  static std::string paramName(func::FuncOp forward, unsigned index) {
    return forward.getArgAttrOfType<StringAttr>(index, CnnDialect::kParamAttrName)
        .getValue()
        .str();
  }
};

} // namespace
