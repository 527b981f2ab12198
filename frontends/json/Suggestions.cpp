//===- Suggestions.cpp - Hints for unknown keys and op names --------------===//

#include "frontends/json/Suggestions.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace cnnc::json {

namespace {

/// Lower case without '_' and '-': "BatchNorm2d", "batch_norm2d" and
/// "batchnorm2d" are one spelling.
std::string normalize(const std::string &name) {
  std::string result;
  for (char c : name)
    if (c != '_' && c != '-')
      result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

/// A PyTorch spelling: cnnc's name for it, or why cnnc has none.
struct Alias {
  const char *name;  // cnnc's name, or nullptr
  const char *why;   // when there is no name
};

const std::map<std::string, Alias> &keyAliases() {
  static const std::map<std::string, Alias> aliases = {
      {"kernelsize", {"kernel", nullptr}},
      {"eps", {"epsilon", nullptr}},
      {"p", {"rate", nullptr}},
      {"dim", {"axis", nullptr}},
      {"outchannels", {"out_channels", nullptr}},
      {"outfeatures", {"out_features", nullptr}},
      {"inchannels", {nullptr, "cnnc infers the input channels from the layer's input; leave it out"}},
      {"infeatures", {nullptr, "cnnc infers the input features from the layer's input; leave it out"}},
      {"numfeatures", {nullptr, "cnnc infers the channels from the layer's input; leave it out"}},
      {"inplace", {nullptr, "cnnc's layers have no in-place form (the compiler reuses memory itself); leave it out"}},
      {"momentum", {nullptr, "batch_norm computes with the running statistics of the weight file; leave it out"}},
      {"affine", {nullptr, "batch_norm always has a learned scale and shift; leave it out"}},
      {"trackrunningstats", {nullptr, "batch_norm always uses running statistics; leave it out"}},
      {"aligncorners", {nullptr, "bilinear upsampling computes as align_corners=False; leave it out"}},
  };
  return aliases;
}

const std::map<std::string, Alias> &opAliases() {
  static const std::map<std::string, Alias> aliases = {
      {"linear", {"dense", nullptr}},
      {"conv", {"conv2d", nullptr}},
      {"convolution", {"conv2d", nullptr}},
      {"batchnorm", {"batch_norm", nullptr}},
      {"batchnorm1d", {"batch_norm", nullptr}},
      {"batchnorm2d", {"batch_norm", nullptr}},
      {"bn", {"batch_norm", nullptr}},
      {"maxpool", {"max_pool2d", nullptr}},
      {"avgpool", {"avg_pool2d", nullptr}},
      {"adaptiveavgpool", {"adaptive_avg_pool2d", nullptr}},
      {"globalavgpool2d", {"global_avg_pool", nullptr}},
      {"globalaveragepool", {"global_avg_pool", nullptr}},
      {"convtranspose2d", {"conv_transpose2d", nullptr}},
      {"deconv", {"conv_transpose2d", nullptr}},
      {"cat", {"concat", nullptr}},
      {"lrn", {"local_response_norm", nullptr}},
      {"swish", {"silu", nullptr}},
      {"interpolate", {"upsample", nullptr}},
      {"view", {"reshape", nullptr}},
      {"zeropad2d", {"pad", nullptr}},
      {"identity", {nullptr, "leave the layer out, or use dropout with rate 0"}},
  };
  return aliases;
}

std::string suggest(const std::string &given, const std::vector<std::string> &valid,
                    const std::map<std::string, Alias> &aliases, const char *what) {
  std::string normalized = normalize(given);
  for (const std::string &name : valid)
    if (normalize(name) == normalized)
      return " (did you mean '" + name + "'?)";
  if (auto it = aliases.find(normalized); it != aliases.end()) {
    if (!it->second.name)
      return std::string(": ") + it->second.why;
    if (std::find(valid.begin(), valid.end(), it->second.name) != valid.end())
      return " (PyTorch's '" + given + "' is " + what + " '" + it->second.name + "' here)";
  }
  // The one valid name nearest to `given`; none when two are as near
  // ("conv3d" is as near to conv1d as to conv2d).
  std::string best;
  bool tie = false;
  unsigned bestDistance = std::min<size_t>(3, given.size() / 3 + 1) + 1;
  for (const std::string &name : valid) {
    unsigned distance = llvm::StringRef(given).edit_distance(name, true, bestDistance);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
      tie = false;
    } else if (distance == bestDistance && !best.empty()) {
      tie = true;
    }
  }
  return best.empty() || tie ? "" : " (did you mean '" + best + "'?)";
}

} // namespace

std::string suggestKey(const std::string &given, const std::vector<std::string> &valid) {
  return suggest(given, valid, keyAliases(), "the key");
}

std::string suggestOp(const std::string &given, const std::vector<std::string> &valid) {
  return suggest(given, valid, opAliases(), "the op");
}

} // namespace cnnc::json
