//===- Sema.cpp - Checks the AST and builds the Spec ----------------------===//
//
// The checks run in three passes over the merged items:
//   1. pick the one network, method and train block, reporting duplicates;
//   2. check each block on its own (names, sizes, parameters); a method
//      recipe is checked in Recipe.cpp, against the network's layers;
//   3. check what spans blocks: the loss against the output activation and
//      the network's sizes against the built-in data set.
// Sema keeps going after an error so that one run reports all it can.
//
//===----------------------------------------------------------------------===//
#include "sema/Sema.h"

#include "sema/ParamCheck.h"
#include "sema/Presets.h"
#include "sema/Recipe.h"
#include "syntax/AstPrinter.h"

#include <map>

namespace bilevel {

namespace {

constexpr int64_t kMaxLayerSize = int64_t(1) << 24;

/// Where fashion_mnist's shape is checked; the runtime loads the data.
constexpr std::string_view kFashionMnist = "fashion_mnist";
constexpr int64_t kFashionFeatures = 784;
constexpr int64_t kFashionClasses = 10;

class Sema {
public:
  Sema(uint32_t mainFileId, DiagnosticEngine &diags)
      : mainFileId(mainFileId), diags(diags) {}

  std::optional<Spec> run(const ast::File &merged);

private:
  template <typename Decl>
  const Decl *pickOne(const ast::File &merged, const char *what);

  void checkNetwork(const ast::NetworkDecl &decl, NetworkSpec &network);
  void checkLayers(const ast::NetworkDecl &decl, NetworkSpec &network);
  void checkDense(const std::vector<const ast::LayerDecl *> &dense,
                  NetworkSpec &network);
  void checkNetworkSetting(const ast::Setting &setting, NetworkSpec &network);
  void checkActivation(const ast::Value &value, LayerSpec &layer);
  void checkMethod(const ast::MethodDecl &decl, const NetworkSpec *network,
                   MethodSpec &method);
  void checkTrain(const ast::TrainDecl &decl, TrainSpec &train);
  void checkTrainSetting(const ast::Setting &setting, TrainSpec &train);
  void checkData(const ast::Value &value, TrainSpec &train);
  void checkOptimizer(const ast::Value &value, TrainSpec &train);
  void checkAcross(const Spec &spec);

  bool checkParams(const ast::Value &call, const std::vector<ParamInfo> &table,
                   const std::string &owner, std::vector<MethodParam> &out) {
    return bilevel::checkParams(call, table, owner, out, diags);
  }
  bool checkInteger(const ast::Value &value, const std::string &what, double lo,
                    double hi, int64_t &out) {
    return bilevel::checkInteger(value, what, lo, hi, out, diags);
  }
  bool requireName(const ast::Value &value, const std::string &what);

  uint32_t mainFileId;
  DiagnosticEngine &diags;
  const ast::LayerDecl *inputDecl = nullptr;
  const ast::LayerDecl *outputDecl = nullptr;
  bool outputKnown = false; ///< the output activation parsed cleanly
};

std::optional<Spec> Sema::run(const ast::File &merged) {
  unsigned before = diags.errorCount();
  Spec spec;

  const auto *network = pickOne<ast::NetworkDecl>(merged, "network");
  const auto *method = pickOne<ast::MethodDecl>(merged, "method");
  const auto *train = pickOne<ast::TrainDecl>(merged, "train");

  if (network) {
    checkNetwork(*network, spec.network);
  } else {
    diags.error({mainFileId, 0, 0}, "no network block");
    diags.note({}, "a spec declares one 'network NAME { ... }', in the file "
                   "itself or in an included file");
  }
  if (method)
    checkMethod(*method, network ? &spec.network : nullptr, spec.method);
  if (train)
    checkTrain(*train, spec.train);

  if (network && diags.errorCount() == before)
    checkAcross(spec);
  if (diags.errorCount() != before)
    return std::nullopt;
  return spec;
}

/// Returns the first item of type Decl and reports every later one.
template <typename Decl>
const Decl *Sema::pickOne(const ast::File &merged, const char *what) {
  const Decl *first = nullptr;
  for (const ast::Item &item : merged.items) {
    const auto *decl = std::get_if<Decl>(&item);
    if (!decl)
      continue;
    if (!first) {
      first = decl;
      continue;
    }
    diags.error(decl->loc, std::string("duplicate ") + what + " block");
    diags.note(first->loc, std::string("the first ") + what +
                               " block is here; a spec has at most one");
  }
  return first;
}

//===----------------------------------------------------------------------===//
// Network
//===----------------------------------------------------------------------===//

void Sema::checkNetwork(const ast::NetworkDecl &decl, NetworkSpec &network) {
  network.name = decl.name;
  network.loc = decl.loc;

  checkLayers(decl, network);
  const ast::Setting *lossSetting = nullptr;
  const ast::Setting *statesSetting = nullptr;
  for (const ast::NetworkStmt &stmt : decl.body) {
    const auto *setting = std::get_if<ast::Setting>(&stmt);
    if (!setting)
      continue;
    const ast::Setting *&seen =
        setting->key == "loss" ? lossSetting : statesSetting;
    if (seen) {
      diags.error(setting->loc, "duplicate '" + setting->key + "' statement");
      diags.note(seen->loc, "first given here");
      continue;
    }
    seen = setting;
    checkNetworkSetting(*setting, network);
  }

  // Whole-network requirements, reported at the network's name.
  std::string quoted = "network '" + decl.name + "'";
  if (!inputDecl) {
    diags.error(decl.nameLoc, quoted + " has no input");
    diags.note(decl.nameLoc, "declare one first, as in 'input x[784]'");
  }
  if (network.layers.empty() && !outputDecl) {
    diags.error(decl.nameLoc, quoted + " has no layers");
    diags.note(decl.nameLoc, "add a dense layer, as in 'dense out[10] "
                             "identity'");
  }
  if (!lossSetting) {
    diags.error(decl.nameLoc, quoted + " has no loss");
    diags.note(decl.nameLoc, "add 'loss mse' or 'loss softmax_cross_entropy' "
                             "to the network block");
  }
}

/// Finds the one input (checked here) and the dense layers (checkDense).
void Sema::checkLayers(const ast::NetworkDecl &decl, NetworkSpec &network) {
  const ast::LayerDecl *firstDense = nullptr;
  std::vector<const ast::LayerDecl *> dense;

  for (const ast::NetworkStmt &stmt : decl.body) {
    const auto *layer = std::get_if<ast::LayerDecl>(&stmt);
    if (!layer)
      continue;
    if (layer->kind == ast::LayerDecl::Kind::Dense) {
      dense.push_back(layer);
      firstDense = firstDense ? firstDense : layer;
      continue;
    }
    if (inputDecl) {
      diags.error(layer->loc, "duplicate input '" + layer->name + "'");
      diags.note(inputDecl->loc, "the network's input is declared here; a "
                                 "network has exactly one");
      continue;
    }
    inputDecl = layer;
    network.inputName = layer->name;
    int64_t size = 0;
    if (checkInteger(layer->size, "input size", 1, kMaxLayerSize, size))
      network.inputSize = size;
    if (firstDense) {
      diags.error(layer->loc,
                  "input '" + layer->name + "' must come before the layers");
      diags.note(firstDense->loc, "first layer is here; move the input line "
                                  "above it");
    }
  }
  checkDense(dense, network);
}

void Sema::checkDense(const std::vector<const ast::LayerDecl *> &dense,
                      NetworkSpec &network) {
  std::map<std::string, const ast::LayerDecl *> denseNames;
  for (size_t k = 0; k < dense.size(); ++k) {
    const ast::LayerDecl &decl = *dense[k];
    LayerSpec layer;
    layer.name = decl.name;
    layer.loc = decl.loc;

    // Layer names must be unique, including against the input.
    if (inputDecl && decl.name == inputDecl->name) {
      diags.error(decl.nameLoc,
                  "layer name '" + decl.name + "' clashes with the input name");
      diags.note(inputDecl->nameLoc,
                 "input '" + decl.name + "' declared here; rename one");
    } else if (auto [it, fresh] = denseNames.emplace(decl.name, &decl);
               !fresh) {
      diags.error(decl.nameLoc, "duplicate layer name '" + decl.name + "'");
      diags.note(it->second->nameLoc, "'" + decl.name +
                                          "' first declared "
                                          "here");
    }

    checkInteger(decl.size, "size of layer '" + decl.name + "'", 1,
                 kMaxLayerSize, layer.size);
    unsigned before = diags.errorCount();
    checkActivation(decl.activation, layer);
    bool isOutput = k + 1 == dense.size();
    if (isOutput) {
      outputDecl = &decl;
      outputKnown = diags.errorCount() == before;
    } else if (layer.activation == Activation::Softmax &&
               diags.errorCount() == before) {
      diags.unsupported(decl.activation.loc,
                        "softmax on hidden layer '" + decl.name + "'");
      diags.note(decl.activation.loc,
                 "softmax is a vector activation and is only supported on "
                 "the output layer");
    }
    network.layers.push_back(std::move(layer));
  }
}

void Sema::checkActivation(const ast::Value &value, LayerSpec &layer) {
  const ActivationInfo *info = findActivation(value.text);
  if (!info) {
    diags.error(value.loc, "unknown activation '" + value.text + "'");
    diags.note(value.loc, "known activations: " + joinNames(activations()));
    return;
  }
  layer.activation = info->activation;
  std::vector<MethodParam> params;
  if (!checkParams(value, info->params, "activation '" + value.text + "'",
                   params))
    return;
  if (info->activation == Activation::LeakyRelu)
    for (const MethodParam &param : params)
      if (param.name == "slope")
        layer.leakySlope = param.value;
}

void Sema::checkNetworkSetting(const ast::Setting &setting,
                               NetworkSpec &network) {
  const ast::Value &value = setting.value;
  if (setting.key == "loss") {
    network.lossLoc = value.loc;
    if (!requireName(value, "loss"))
      return;
    if (value.text == "mse")
      network.loss = Loss::Mse;
    else if (value.text == "softmax_cross_entropy")
      network.loss = Loss::SoftmaxCrossEntropy;
    else {
      diags.error(value.loc, "unknown loss '" + value.text + "'");
      diags.note(value.loc, "known losses: mse, softmax_cross_entropy");
    }
    return;
  }

  if (!requireName(value, "state model"))
    return;
  if (value.text == "post_activation")
    network.states = StateModel::PostActivation;
  else if (value.text == "pre_activation")
    network.states = StateModel::PreActivation;
  else {
    diags.error(value.loc, "unknown state model '" + value.text + "'");
    diags.note(value.loc, "known state models: post_activation (Fenchel "
                          "energies, the default), pre_activation "
                          "(predictive coding)");
  }
}

/// Requires a bare name (no number, string or argument list) for \p what.
bool Sema::requireName(const ast::Value &value, const std::string &what) {
  if (value.kind != ast::Value::Kind::Call) {
    diags.error(value.loc,
                "expected a " + what + " name, got " + valueToString(value));
    return false;
  }
  if (value.hasParens) {
    diags.error(value.loc, what + " '" + value.text + "' takes no parameters");
    diags.note(value.loc, "remove the parenthesised list");
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Method
//===----------------------------------------------------------------------===//

void Sema::checkMethod(const ast::MethodDecl &decl, const NetworkSpec *network,
                       MethodSpec &method) {
  method.loc = decl.loc;
  if (decl.isRecipe)
    return checkRecipe(decl, network, method, diags);

  const ast::Value &preset = decl.preset;
  const MethodPreset *info = preset.kind == ast::Value::Kind::Call
                                 ? findMethodPreset(preset.text)
                                 : nullptr;
  if (!info) {
    std::string shown = preset.kind == ast::Value::Kind::Call
                            ? preset.text
                            : valueToString(preset);
    diags.error(preset.loc, "unknown method '" + shown + "'");
    diags.note(preset.loc, "known methods: " + joinNames(methodPresets()));
    return;
  }
  method.preset = std::string(info->name);
  checkParams(preset, info->params, "method '" + preset.text + "'",
              method.params);
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

constexpr std::string_view kTrainKeys[] = {
    "data", "batch", "epochs", "optimizer", "seed", "eval_every", "precision"};

void Sema::checkTrain(const ast::TrainDecl &decl, TrainSpec &train) {
  train.loc = decl.loc;
  std::map<std::string, const ast::Setting *> seen;
  for (const ast::Setting &setting : decl.settings) {
    bool known = false;
    for (std::string_view key : kTrainKeys)
      known = known || key == setting.key;
    if (!known) {
      std::string keys;
      for (std::string_view key : kTrainKeys)
        keys += (keys.empty() ? "" : ", ") + std::string(key);
      diags.error(setting.loc, "unknown train setting '" + setting.key + "'");
      diags.note(setting.loc, "known settings: " + keys);
      continue;
    }
    if (auto [it, fresh] = seen.emplace(setting.key, &setting); !fresh) {
      diags.error(setting.loc, "duplicate train setting '" + setting.key + "'");
      diags.note(it->second->loc, "first set here");
      continue;
    }
    checkTrainSetting(setting, train);
  }
}

void Sema::checkTrainSetting(const ast::Setting &setting, TrainSpec &train) {
  const ast::Value &value = setting.value;
  const std::string &key = setting.key;
  if (key == "data")
    return checkData(value, train);
  if (key == "optimizer")
    return checkOptimizer(value, train);
  if (key == "batch")
    checkInteger(value, key, 1, kMaxLayerSize, train.batch);
  else if (key == "epochs")
    checkInteger(value, key, 1, 1e9, train.epochs);
  else if (key == "eval_every")
    checkInteger(value, key, 1, 1e9, train.evalEvery);
  else if (key == "seed") {
    int64_t seed = 0;
    if (checkInteger(value, key, 0, kMaxExactInteger, seed))
      train.seed = uint64_t(seed);
  } else if (key == "precision") {
    if (value.isName() && value.text == "float32")
      train.precisionBytes = 4;
    else if (value.isName() && value.text == "float64")
      train.precisionBytes = 8;
    else {
      diags.error(value.loc,
                  "unknown precision " + (value.kind == ast::Value::Kind::Call
                                              ? "'" + value.text + "'"
                                              : valueToString(value)));
      diags.note(value.loc, "use float32 or float64");
    }
  }
}

void Sema::checkData(const ast::Value &value, TrainSpec &train) {
  train.dataLoc = value.loc;
  if (value.kind == ast::Value::Kind::String) {
    if (value.text.empty()) {
      diags.error(value.loc, "empty data path");
      diags.note(value.loc, "give a directory of IDX files or an .npz file");
      return;
    }
    train.data = value.text;
    train.dataIsPath = true;
    return;
  }
  if (value.isName() && value.text == kFashionMnist) {
    train.data = value.text;
    train.dataIsPath = false;
    return;
  }
  std::string shown = value.kind == ast::Value::Kind::Call
                          ? "'" + value.text + "'"
                          : valueToString(value);
  diags.error(value.loc, "unknown data set " + shown);
  diags.note(value.loc, "the built-in data set is fashion_mnist; for other "
                        "data give a quoted path, as in data \"data/mnist\"");
}

void Sema::checkOptimizer(const ast::Value &value, TrainSpec &train) {
  const OptimizerInfo *info = value.kind == ast::Value::Kind::Call
                                  ? findOptimizer(value.text)
                                  : nullptr;
  if (!info) {
    std::string shown = value.kind == ast::Value::Kind::Call
                            ? value.text
                            : valueToString(value);
    diags.error(value.loc, "unknown optimizer '" + shown + "'");
    diags.note(value.loc, "known optimizers: " + joinNames(optimizers()));
    return;
  }
  train.optimizer = info->optimizer;
  std::vector<MethodParam> params;
  checkParams(value, info->params, "optimizer '" + value.text + "'", params);
  for (const MethodParam &param : params) {
    if (param.name == "lr")
      train.learningRate = param.value;
    if (param.name == "momentum")
      train.momentum = param.value;
  }
}

//===----------------------------------------------------------------------===//
// Checks across blocks
//===----------------------------------------------------------------------===//

void Sema::checkAcross(const Spec &spec) {
  const NetworkSpec &network = spec.network;
  if (network.layers.empty() || !outputDecl || !inputDecl)
    return;
  const LayerSpec &output = network.layers.back();

  if (network.loss == Loss::SoftmaxCrossEntropy && outputKnown &&
      output.activation != Activation::Identity) {
    diags.error(outputDecl->activation.loc,
                "softmax_cross_entropy needs an identity output layer, but '" +
                    output.name + "' uses " +
                    std::string(activationName(output.activation)));
    diags.note(network.lossLoc, "the loss applies softmax itself; use "
                                "identity");
  }

  if (spec.train.dataIsPath || spec.train.data != kFashionMnist)
    return;
  if (network.inputSize != kFashionFeatures) {
    diags.error(inputDecl->size.loc,
                "input size " + inputDecl->size.text +
                    " does not match fashion_mnist, which has 784 features");
    diags.note(inputDecl->size.loc, "fashion_mnist images have 28x28 = 784 "
                                    "pixels; use 'input " +
                                        inputDecl->name + "[784]'");
  }
  if (output.size != kFashionClasses) {
    diags.error(outputDecl->size.loc,
                "output layer '" + output.name + "' has " +
                    outputDecl->size.text +
                    " units, but fashion_mnist has 10 classes");
    diags.note(outputDecl->size.loc, "give the last layer 10 units");
  }
}

} // namespace

std::optional<Spec> checkSpec(const ast::File &merged, uint32_t mainFileId,
                              DiagnosticEngine &diags) {
  return Sema(mainFileId, diags).run(merged);
}

} // namespace bilevel
