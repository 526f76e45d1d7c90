//===- Spec.h - The validated spec handed to the compiler -------*- C++ -*-===//
//
// Sema turns the AST into a Spec: every name resolved, every size and
// parameter checked, defaults filled in. Later layers (the nested program,
// rules, code generation) read only this structure and may assume it is
// well formed; anything they still reject is reported at the SourceLoc kept
// here.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_SPEC_H
#define BILEVEL_SEMA_SPEC_H

#include "support/SourceLoc.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bilevel {

/// The activations of reformulation.md section 1; each is the gradient of
/// the conjugate of a known convex potential.
enum class Activation {
  Identity,
  Relu,
  HardSigmoid,
  HardTanh,
  LeakyRelu,
  Sigmoid,
  Tanh,
  Softmax
};

enum class Loss { Mse, SoftmaxCrossEntropy };

/// Which variables are the states: post-activations z_k with Fenchel
/// energies (default) or pre-activations u_k with quadratic energies (PCN).
enum class StateModel { PostActivation, PreActivation };

struct LayerSpec {
  std::string name;
  int64_t size = 0;
  Activation activation = Activation::Identity;
  double leakySlope = 0.01; ///< only for LeakyRelu, in (0, 1)
  SourceLoc loc;
};

struct NetworkSpec {
  std::string name;
  std::string inputName;
  int64_t inputSize = 0;
  std::vector<LayerSpec> layers; ///< k = 1..L in order
  Loss loss = Loss::Mse;
  StateModel states = StateModel::PostActivation;
  SourceLoc loc;
  SourceLoc lossLoc;
};

/// A named method parameter such as beta = 0.1, already range-checked.
struct MethodParam {
  std::string name;
  double value = 0;
  SourceLoc loc;
};

/// The value of parameter \p name in \p params, or \p fallback.
inline double findParam(const std::vector<MethodParam> &params,
                        const std::string &name, double fallback) {
  for (const MethodParam &p : params)
    if (p.name == name)
      return p.value;
  return fallback;
}

/// One rule application of a recipe, e.g. `ovr(beta = 0.05)`. The id is the
/// rule's stable kebab-case name: ovr, eliminate-conjugate,
/// eliminate-quadratic, collapse, mix-input, limit-bp.
struct RuleSpec {
  std::string id;
  std::vector<MethodParam> params; ///< only those written by the user
  SourceLoc loc;

  double param(const std::string &name, double fallback) const {
    return findParam(params, name, fallback);
  }
};

/// The rules applied, in order, to a group of layers. An empty layer list
/// means every layer.
struct LayerRecipe {
  std::vector<std::string> layers;
  std::vector<SourceLoc> layerLocs;
  std::vector<RuleSpec> rules;
  SourceLoc loc;
};

/// How inference runs: block order per sweep, sweep cap, stopping tolerance
/// on the relative change of the states, and which update form to use
/// ("auto" lets the compiler choose a convergent one).
struct InferSpec {
  std::string order = "backward"; ///< backward (top-down) or forward
  int64_t sweeps = 20;
  double tol = 1e-4;
  std::string update = "auto"; ///< auto, fixed-point or prox-gradient
  SourceLoc loc;
};

struct MethodSpec {
  std::string preset = "bp"; ///< a preset name, or "recipe"
  std::vector<MethodParam> params;
  SourceLoc loc;

  /// An explicit recipe (`method { ... }`); empty for presets, which the
  /// compiler expands into a recipe itself.
  std::vector<LayerRecipe> recipe;
  /// Inference settings of an explicit recipe (`infer(...)` line).
  InferSpec infer;

  /// The value of parameter \p name, or \p fallback when it is not given.
  double param(const std::string &name, double fallback) const {
    for (const MethodParam &p : params)
      if (p.name == name)
        return p.value;
    return fallback;
  }
};

enum class Optimizer { Sgd, Adam };

struct TrainSpec {
  std::string data = "fashion_mnist"; ///< a data set name or a path
  SourceLoc dataLoc;
  bool dataIsPath = false; ///< data was written as a "quoted path"
  int64_t batch = 64;
  int64_t epochs = 5;
  Optimizer optimizer = Optimizer::Adam;
  double learningRate = 1e-3;
  double momentum = 0.9; ///< SGD only
  uint64_t seed = 1;
  int64_t evalEvery = 1;  ///< evaluate on the test split every N epochs
  int precisionBytes = 4; ///< 4 = float32, 8 = float64
  SourceLoc loc;
};

struct Spec {
  std::string path;                 ///< the main spec file
  std::vector<std::string> sources; ///< every file read, main file first
  NetworkSpec network;
  MethodSpec method;
  TrainSpec train;
};

} // namespace bilevel

#endif // BILEVEL_SEMA_SPEC_H
