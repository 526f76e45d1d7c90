//===- Program.cpp - Building the nested program from a Spec --------------===//
//
// One argmin level per dense layer. The energy of level k is written with
// the state variable z_k itself, G_k(z_k) − ⟨W_k z_{k-1} + b_k, z_k⟩, where
// z_{k-1} is the previous level's state variable (x for k = 1): the program
// is genuinely nested, nothing is solved here.
//
//===----------------------------------------------------------------------===//
#include "ir/Program.h"

namespace bilevel::ir {

NestedProgram buildNestedProgram(Context &ctx, const Spec &spec) {
  const NetworkSpec &net = spec.network;
  NestedProgram p;
  p.networkName = net.name;
  p.loss = net.loss;
  p.states = net.states;
  p.x = ctx.var("x", -1, Role::Data, Type::batch(net.inputSize), net.loc);

  const Expr *below = p.x;
  int64_t width = net.inputSize;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const LayerSpec &layer = net.layers[i];
    int k = static_cast<int>(i) + 1;
    Level lv;
    lv.k = k;
    lv.layerName = layer.name;
    lv.act = ActFn{layer.activation, layer.leakySlope};
    lv.loc = layer.loc;
    lv.weight = ctx.var("W", k, Role::Param, Type::matrix(layer.size, width),
                        layer.loc);
    lv.bias = ctx.var("b", k, Role::Param, Type::vector(layer.size), layer.loc);
    if (net.states == StateModel::PreActivation) {
      // Predictive coding: u_k ∈ argmin ½‖u − W_k f_{k-1}(u_{k-1}) − b_k‖².
      const Expr *fed = k == 1 ? below : ctx.act(p.levels.back().act, below);
      lv.state =
          ctx.var("u", k, Role::State, Type::batch(layer.size), layer.loc);
      lv.input = ctx.addBias(ctx.linear(lv.weight, fed), lv.bias);
      lv.energy = ctx.sqNorm(ctx.sub(lv.state, lv.input));
    } else {
      lv.state =
          ctx.var("z", k, Role::State, Type::batch(layer.size), layer.loc);
      lv.input = ctx.addBias(ctx.linear(lv.weight, below), lv.bias);
      lv.energy = ctx.sub(ctx.potential(lv.act, lv.state),
                          ctx.inner(lv.input, lv.state));
    }
    p.params.push_back(lv.weight);
    p.params.push_back(lv.bias);
    p.levels.push_back(lv);
    below = lv.state;
    width = layer.size;
  }

  p.y = ctx.var("y", -1, Role::Data, Type::batch(width), net.lossLoc);
  // With pre-activation states the network's output is f_L(u_L).
  const Expr *out = net.states == StateModel::PreActivation
                        ? ctx.act(p.levels.back().act, below)
                        : below;
  p.objective = ctx.loss(net.loss, out, p.y, net.lossLoc);
  return p;
}

} // namespace bilevel::ir
