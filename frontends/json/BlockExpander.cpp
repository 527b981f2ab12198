//===- BlockExpander.cpp - Blocks, repetition and references --------------===//

#include "frontends/json/BlockExpander.h"

#include "frontends/json/SourcePositions.h"

#include "frontends/json/ImportError.h"
#include "frontends/json/KeyReader.h"
#include "frontends/json/Limits.h"
#include "frontends/json/StandardBlocks.h"

#include <algorithm>
#include <map>

namespace cnnc::json {

namespace {

/// Keys every layer may have, whatever it computes.
const char *const kStructuralKeys[] = {"name", "op", "block", "inputs", "repeat",
                                       "if", "args", "first_args", "comment"};

/// Repetition beyond this is almost certainly a typo.
constexpr int64_t kMaxRepeat = 10000;

bool isValidName(const std::string &name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-';
         });
}

std::string quoteList(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "'" : ", '") + name + "'";
  return text;
}

/// The names visible to the layers of one layer list: its inputs and the
/// layers defined so far, each mapped to the full name of its value.
struct Scope {
  std::string prefix;            // "layer1.0." inside a block, "" at the top
  std::string where;             // prefix of messages for layers of this list
  std::string pointer;           // JSON pointer of the list, "" if not in the file
  std::vector<std::string> callers; // JSON pointers of the calling layers
  ParamValues params;            // the block's parameter values
  std::map<std::string, std::string> values;
};

class Expander {
public:
  explicit Expander(const Json &model) {
    if (const auto it = model.find("blocks"); it != model.end()) {
      if (!it->is_object())
        throw ImportError{"key 'blocks'",
                          "expected an object mapping block names to block "
                          "definitions, got " + describeValue(*it)};
      blocks = &*it;
      for (const auto &item : blocks->items())
        if (isStandardBlockName(item.key()))
          throw ImportError{"key 'blocks'",
                            "block '" + item.key() + "': names starting with '" +
                                kStandardBlockPrefix +
                                "' belong to the standard block library"};
    }
  }

  /// Expands `layers` in `scope`; returns the full name of the last value.
  std::string expandList(const Json &layers, Scope &scope,
                         const std::string &listKey, std::string current);

  std::vector<LayerInstance> result;

private:
  std::string expandBlock(const std::string &blockName, const Json &args,
                          const Json *firstArgs, bool first,
                          const std::vector<std::string> &inputs,
                          const Scope &caller, const std::string &prefix,
                          const std::string &callWhere, const std::string &callPointer);

  /// The definition of `name`: a standard block for "std.<name>", else one
  /// of the model's; null if there is none.
  const Json *findBlock(const std::string &name) const {
    if (isStandardBlockName(name)) {
      auto it = standardBlocks().find(name.substr(sizeof(kStandardBlockPrefix) - 1));
      return it == standardBlocks().end() ? nullptr : &*it;
    }
    if (!blocks)
      return nullptr;
    auto it = blocks->find(name);
    return it == blocks->end() ? nullptr : &*it;
  }

  const Json *blocks = nullptr;
  std::vector<std::string> blockStack;
  /// Counts one more layer visited (each repetition, switched-off layers
  /// included): the bound on the work that nested repetitions can ask for.
  void countLayer(const std::string &where) {
    if (++visited > kMaxLayers)
      throw ImportError{where, "the network expands to more than " +
                                   std::to_string(kMaxLayers) +
                                   " layers; check the 'repeat' counts"};
  }
  int64_t visited = 0;
};

std::string Expander::expandList(const Json &layers, Scope &scope,
                                 const std::string &listKey,
                                 std::string current) {
  if (!layers.is_array() || layers.empty())
    throw ImportError{scope.where + "key '" + listKey + "'",
                      "expected a non-empty list of layers, got " +
                          describeValue(layers)};

  // Every name of this list, to tell a forward reference from a typo.
  std::vector<std::string> laterNames;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Json &layer = layers[i];
    auto name = layer.is_object() ? layer.find("name") : layer.end();
    laterNames.push_back(layer.is_object() && name != layer.end() &&
                                 name->is_string()
                             ? name->get<std::string>()
                             : std::to_string(i));
  }

  for (size_t i = 0; i < layers.size(); ++i) {
    const Json &layer = layers[i];
    std::string head = scope.where + "layer " + std::to_string(i);
    countLayer(head);
    if (!layer.is_object())
      throw ImportError{head, "expected a layer object, got " + describeValue(layer)};
    std::string name = KeyReader(layer, head).string("name", std::to_string(i));
    head += " '" + name + "'";
    KeyReader reader(layer, head);
    (void)reader.find("name");
    (void)reader.find("comment");
    if (!isValidName(name))
      reader.fail("name", "a layer name may contain only letters, digits, "
                          "'_' and '-' (a '.' separates the parts of "
                          "parameter names), got '" + name + "'");
    if (scope.values.count(name))
      reader.fail("name", "the name '" + name + "' is already used by an "
                          "earlier layer or an input of this " +
                              (scope.prefix.empty() ? std::string("network")
                                                    : std::string("block")));

    const Json *op = reader.find("op");
    const Json *block = reader.find("block");
    if (!op == !block)
      reader.fail("", op ? "has both 'op' and 'block'; a layer is one or the other"
                         : "needs an 'op' (what it computes) or a 'block' "
                           "(a block defined under 'blocks')");
    if (op && !op->is_string())
      reader.fail("op", "expected the name of an op, got " + describeValue(*op));
    if (block && !block->is_string())
      reader.fail("block", "expected the name of a block, got " + describeValue(*block));

    // Inputs: the previous layer by default, else names of earlier values.
    std::vector<std::string> inputs;
    if (const Json *names = reader.find("inputs")) {
      Json list = names->is_string() ? Json::array({*names}) : *names;
      if (!list.is_array() || list.empty())
        reader.fail("inputs", "expected a layer name or a non-empty list of "
                              "them, got " + describeValue(*names));
      for (const Json &ref : list) {
        if (!ref.is_string())
          reader.fail("inputs", "expected layer names, got " + describeValue(ref));
        const std::string &refName = ref.get_ref<const std::string &>();
        auto it = scope.values.find(refName);
        if (it != scope.values.end()) {
          inputs.push_back(it->second);
          continue;
        }
        bool later = std::find(laterNames.begin() + i, laterNames.end(),
                               refName) != laterNames.end();
        std::vector<std::string> visible;
        for (const auto &[known, full] : scope.values)
          visible.push_back(known);
        reader.fail("inputs",
                    later ? "'" + refName + "' is this layer or a later one; a "
                            "layer may only read earlier layers, so the graph "
                            "has no cycles"
                          : "'" + refName + "' does not name an earlier layer "
                            "or an input here (known names: " +
                                quoteList(visible) + ")");
      }
    } else {
      inputs.push_back(current);
    }

    // "if": false drops the layer; its name then stands for its first input
    // (for a residual "add", the branch that is not the shortcut).
    bool enabled = true;
    if (const Json *condition = reader.find("if")) {
      Json value = substituteExpressions(*condition, scope.params, head + ", key 'if'");
      if (!value.is_boolean())
        reader.fail("if", "expected true or false, got " + describeValue(value));
      enabled = value.get<bool>();
    }
    const Json *repeatValue = reader.find("repeat");
    int64_t repeat = 1;
    if (repeatValue) {
      Json value = substituteExpressions(*repeatValue, scope.params, head + ", key 'repeat'");
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > kMaxRepeat)
        reader.fail("repeat", "expected an integer from 1 to " +
                                  std::to_string(kMaxRepeat) + ", got " +
                                  describeValue(value));
      repeat = value.get<int64_t>();
      if (repeat > 1 && inputs.size() != 1)
        reader.fail("repeat", "a repeated layer chains its copies, so it "
                              "takes one input, not " +
                                  std::to_string(inputs.size()));
    }
    const Json *args = reader.find("args");
    const Json *firstArgs = reader.find("first_args");
    if (op && (args || firstArgs))
      reader.fail(args ? "args" : "first_args",
                  "arguments are for block layers; an op layer sets its keys directly");

    if (!enabled) {
      if (!op)
        reader.rejectUnknownKeys("a block layer");
      scope.values[name] = inputs.front();
      current = inputs.front();
      continue;
    }

    std::string value;
    for (int64_t r = 0; r < repeat; ++r) {
      if (r > 0)
        countLayer(head);
      std::string fullName = scope.prefix + name;
      std::string where = head;
      if (repeatValue) {
        fullName += "." + std::to_string(r);
        where += " repetition " + std::to_string(r);
      }
      const std::vector<std::string> &layerInputs =
          r == 0 ? inputs : std::vector<std::string>{value};
      if (block) {
        if (r == 0)
          reader.rejectUnknownKeys("a block layer");
        value = expandBlock(block->get<std::string>(),
                            args ? *args : Json::object(), firstArgs, r == 0,
                            layerInputs, scope, fullName + ".", where,
                            scope.pointer.empty() ? "" : scope.pointer + "/" + std::to_string(i));
        continue;
      }
      // An op layer: its own keys, expressions evaluated.
      Json attributes = Json::object();
      for (const auto &item : layer.items()) {
        if (std::find(std::begin(kStructuralKeys), std::end(kStructuralKeys),
                      item.key()) != std::end(kStructuralKeys))
          continue;
        attributes[item.key()] = substituteExpressions(
            item.value(), scope.params, head + ", key '" + item.key() + "'");
      }
      std::string opName = op->get<std::string>();
      std::vector<std::string> source;
      if (!scope.pointer.empty()) {
        source = scope.callers;
        source.push_back(scope.pointer + "/" + std::to_string(i));
      }
      result.push_back(LayerInstance{fullName, where + " (" + opName + ")", opName,
                                     std::move(attributes), layerInputs,
                                     std::move(source)});
      value = fullName;
    }
    scope.values[name] = value;
    current = value;
  }
  return current;
}

std::string Expander::expandBlock(const std::string &blockName,
                                  const Json &args, const Json *firstArgs,
                                  bool first,
                                  const std::vector<std::string> &inputs,
                                  const Scope &caller,
                                  const std::string &prefix,
                                  const std::string &callWhere,
                                  const std::string &callPointer) {
  const Json *definition = findBlock(blockName);
  if (!definition) {
    bool standard = isStandardBlockName(blockName);
    const Json *known = standard ? &standardBlocks() : blocks;
    std::vector<std::string> names;
    if (known)
      for (const auto &item : known->items())
        names.push_back((standard ? kStandardBlockPrefix : "") + item.key());
    throw ImportError{callWhere + ", key 'block'",
                      "no block named '" + blockName + "' " +
                          (standard ? "in the standard library"
                                    : "is defined under 'blocks'") +
                          (names.empty() ? std::string()
                                         : " (" + std::string(standard ? "it has: " : "defined: ") +
                                               quoteList(names) + ")")};
  }
  if (std::find(blockStack.begin(), blockStack.end(), blockName) != blockStack.end())
    throw ImportError{callWhere + ", key 'block'",
                      "block '" + blockName + "' uses itself, which would never end"};

  std::string defWhere = "block '" + blockName + "'";
  if (!definition->is_object())
    throw ImportError{defWhere, "expected a block definition object, got " +
                                    describeValue(*definition)};
  KeyReader def(*definition, defWhere);
  (void)def.find("comment");
  const Json *params = def.find("params");
  const Json *inputNames = def.find("inputs");
  const Json *layers = def.find("layers");
  const Json *output = def.find("output");
  def.rejectUnknownKeys("a block definition");
  if (!layers)
    def.fail("layers", "missing; expected the block's list of layers");
  if (params && !params->is_object())
    def.fail("params", "expected an object mapping each parameter to its "
                       "default value (null when required), got " +
                           describeValue(*params));

  // Bind the parameters: defaults, then args, then first_args on the first copy.
  Scope scope;
  scope.prefix = prefix;
  scope.where = callWhere + " > block '" + blockName + "' ";
  // A block of the file (not of the standard library) has its layers there.
  if (!callPointer.empty() && !isStandardBlockName(blockName)) {
    scope.callers = caller.callers;
    scope.callers.push_back(callPointer);
    scope.pointer = "/blocks/" + jsonPointerComponent(blockName) + "/layers";
  }
  std::map<std::string, bool> given;
  auto bind = [&](const Json &values, const std::string &key) {
    if (!values.is_object())
      throw ImportError{callWhere + ", key '" + key + "'",
                        "expected an object of parameter values, got " +
                            describeValue(values)};
    for (const auto &item : values.items()) {
      if (!params || !params->contains(item.key())) {
        std::vector<std::string> names;
        if (params)
          for (const auto &p : params->items())
            names.push_back(p.key());
        throw ImportError{callWhere + ", key '" + key + "'",
                          "block '" + blockName + "' has no parameter '" +
                              item.key() + "'" +
                              (names.empty() ? std::string(" (it has none)")
                                             : " (parameters: " + quoteList(names) + ")")};
      }
      scope.params[item.key()] = substituteExpressions(
          item.value(), caller.params,
          callWhere + ", key '" + key + "', parameter '" + item.key() + "'");
      given[item.key()] = true;
    }
  };
  bind(args, "args");
  if (first && firstArgs)
    bind(*firstArgs, "first_args");
  // Defaults, in declaration order; an expression default is computed from
  // the parameters declared before it ("padding": "$kernel / 2").
  if (params) {
    ParamValues earlier;
    for (const auto &item : params->items()) {
      std::string where = defWhere + ", key 'params', parameter '" + item.key() + "'";
      if (!given.count(item.key()) && !item.value().is_null()) {
        try {
          scope.params[item.key()] = substituteExpressions(item.value(), earlier, where);
        } catch (const ImportError &) {
          for (const auto &later : params->items())
            if (!earlier.count(later.key()) && item.value().is_string() &&
                item.value().get<std::string>().find("$" + later.key()) != std::string::npos)
              throw ImportError{where, "its default " + describeValue(item.value()) +
                                           " uses '" + later.key() +
                                           "', which is declared after it; a default "
                                           "may use only the parameters before it"};
          throw;
        }
      }
      if (scope.params.count(item.key()))
        earlier[item.key()] = scope.params[item.key()];
    }
  }
  if (params)
    for (const auto &item : params->items())
      if (item.value().is_null() && !given.count(item.key()))
        throw ImportError{callWhere + ", key 'args'",
                          "block '" + blockName + "' needs a value for its "
                          "parameter '" + item.key() + "'"};

  // The block's inputs, by the names it declares ("input" by default).
  std::vector<std::string> names{"input"};
  if (inputNames) {
    if (!inputNames->is_array() || inputNames->empty() ||
        !std::all_of(inputNames->begin(), inputNames->end(),
                     [](const Json &n) { return n.is_string() && isValidName(n.get<std::string>()); }))
      def.fail("inputs", "expected a non-empty list of input names, got " +
                             describeValue(*inputNames));
    names = inputNames->get<std::vector<std::string>>();
  }
  if (names.size() != inputs.size())
    throw ImportError{callWhere + ", key 'inputs'",
                      "block '" + blockName + "' takes " + std::to_string(names.size()) +
                          " input(s) (" + quoteList(names) + "), but the layer gives it " +
                          std::to_string(inputs.size())};
  for (size_t i = 0; i < names.size(); ++i)
    scope.values[names[i]] = inputs[i];

  blockStack.push_back(blockName);
  std::string last = expandList(*layers, scope, "layers", inputs.front());
  blockStack.pop_back();
  if (!output)
    return last;
  if (!output->is_string() || !scope.values.count(output->get<std::string>()))
    def.fail("output", "expected the name of one of the block's layers or "
                       "inputs, got " + describeValue(*output));
  return scope.values[output->get<std::string>()];
}

} // namespace

ExpandedNetwork expandNetwork(const Json &model,
                              const std::vector<std::string> &inputNames) {
  Expander expander(model);
  Scope top;
  top.pointer = "/layers";
  for (const std::string &name : inputNames)
    top.values[name] = name;
  auto layers = model.find("layers");
  if (layers == model.end())
    throw ImportError{"key 'layers'", "missing; expected the list of layers"};
  std::string last = expander.expandList(*layers, top, "layers", inputNames.front());

  ExpandedNetwork network{std::move(expander.result), {}};
  auto outputs = model.find("outputs");
  if (outputs == model.end()) {
    network.outputs.push_back(last);
    return network;
  }
  if (!outputs->is_array() || outputs->empty())
    throw ImportError{"key 'outputs'", "expected a non-empty list of layer "
                                       "names, got " + describeValue(*outputs)};
  for (const Json &name : *outputs) {
    auto it = name.is_string() ? top.values.find(name.get<std::string>())
                               : top.values.end();
    if (it == top.values.end()) {
      std::string known;
      for (const auto &entry : top.values)
        known += (known.empty() ? "" : ", ") + entry.first;
      throw ImportError{"key 'outputs'", "expected names of layers of the "
                                         "network (" + known + "), got " +
                                         describeValue(name)};
    }
    network.outputs.push_back(it->second);
  }
  return network;
}

} // namespace cnnc::json
