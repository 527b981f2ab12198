//===- BlockExpander.h - Blocks, repetition and references -------*- C++ -*-===//
//
// Flattens the "layers" of a model file into the list of layers the network
// computes, in order: block layers are replaced by the block's layers with its
// parameters substituted, repeated layers are chained, layers whose "if" is
// false are dropped, and every input reference is resolved to the full name
// of an earlier layer.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTENDS_JSON_BLOCKEXPANDER_H
#define CNNC_FRONTENDS_JSON_BLOCKEXPANDER_H

#include "frontends/json/Expression.h"

#include <string>
#include <vector>

namespace cnnc::json {

/// One layer of the flattened network.
struct LayerInstance {
  /// Full dotted name, the prefix of its parameters: "layer1.0.conv1".
  std::string name;
  /// Where it comes from, for messages:
  /// "layer 4 'layer1' repetition 0 > block 'basic' layer 1 'conv1' (conv2d)".
  std::string where;
  std::string op;
  /// The op's own keys, with expressions evaluated.
  Json attributes;
  /// Full names of the values it reads (earlier layers or the model input).
  std::vector<std::string> inputs;
  /// Where it is written in the model file, as JSON pointers: the layer
  /// object itself last, the layers that call the blocks it comes from
  /// before it ("/layers/4", "/blocks/basic/layers/1"). Empty for a layer
  /// of the standard block library, which is not in the file.
  std::vector<std::string> source;
};

struct ExpandedNetwork {
  std::vector<LayerInstance> layers;
  /// Full names of the values the network returns.
  std::vector<std::string> outputs;
};

/// Expands `model` (the parsed file, already checked to be an object) whose
/// input values are called `inputNames` (at least one; the first layer reads
/// the first by default). Throws ImportError.
ExpandedNetwork expandNetwork(const Json &model,
                              const std::vector<std::string> &inputNames);

} // namespace cnnc::json

#endif // CNNC_FRONTENDS_JSON_BLOCKEXPANDER_H
