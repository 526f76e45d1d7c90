//===- Expr.cpp - Building, interning and walking expressions -------------===//
//
// The Context is the only way to make an Expr. Its builders check operand
// types, apply the algebraic identities that keep derived updates readable
// (multiplying by one, adding zero, the derivative of the identity), and
// intern the result under a structural key so equal expressions are one node.
//
//===----------------------------------------------------------------------===//
#include "ir/Expr.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

namespace bilevel::ir {

const char *opName(Op op) {
  switch (op) {
  case Op::Var:
    return "var";
  case Op::Const:
    return "const";
  case Op::Linear:
    return "linear";
  case Op::LinearT:
    return "linear_t";
  case Op::AddBias:
    return "add_bias";
  case Op::Act:
    return "act";
  case Op::ActDeriv:
    return "act_deriv";
  case Op::Add:
    return "add";
  case Op::Sub:
    return "sub";
  case Op::Mul:
    return "mul";
  case Op::Scale:
    return "scale";
  case Op::Loss:
    return "loss";
  case Op::LossGrad:
    return "loss_grad";
  case Op::Potential:
    return "potential";
  case Op::Conjugate:
    return "conjugate";
  case Op::Inner:
    return "inner";
  case Op::SqNorm:
    return "sq_norm";
  case Op::PerSample:
    return "per_sample";
  case Op::SpecNorm:
    return "spec_norm";
  case Op::Recip:
    return "recip";
  case Op::ScaleBy:
    return "scale_by";
  case Op::ProxAct:
    return "prox_act";
  case Op::Gate:
    return "gate";
  case Op::OuterSum:
    return "outer_sum";
  case Op::ColSum:
    return "col_sum";
  }
  BL_UNREACHABLE("unknown op");
}

bool Expr::isElementwise() const {
  switch (op) {
  case Op::AddBias:
  case Op::Act:
  case Op::ActDeriv:
  case Op::Add:
  case Op::Sub:
  case Op::Mul:
  case Op::Scale:
  case Op::PerSample:
  case Op::ScaleBy:
  case Op::Recip:
  case Op::ProxAct:
  case Op::Gate:
    return true;
  case Op::LossGrad:
    return loss == bilevel::Loss::Mse;
  default:
    return false;
  }
}

std::string Expr::varId() const {
  std::string id = name;
  for (char c : tag)
    id += c == '+' ? "p" : c == '-' ? "m" : "s";
  if (branch)
    id += "b" + std::to_string(branch);
  return index < 0 ? id : id + std::to_string(index);
}

Context::Context() = default;
Context::~Context() = default;

const Expr *Context::intern(Expr e) {
  // The key is the node's full structure: op, type, operand ids, attributes.
  std::string key =
      fmt::format("{}|{}:{}:{}|", static_cast<int>(e.op),
                  static_cast<int>(e.type.kind), e.type.rows, e.type.cols);
  for (const Expr *a : e.args)
    key += fmt::format("{},", a->id);
  key += fmt::format("|{}{}#{}|{}|{}|{}|{}:{}|{}", e.name, e.tag, e.branch,
                     e.index, static_cast<int>(e.role), e.value,
                     static_cast<int>(e.act.kind), e.act.slope,
                     static_cast<int>(e.loss));
  auto it = uniq.find(key);
  if (it != uniq.end())
    return it->second;
  e.id = static_cast<unsigned>(nodes.size());
  nodes.push_back(std::make_unique<Expr>(std::move(e)));
  uniq.emplace(std::move(key), nodes.back().get());
  return nodes.back().get();
}

static Expr make(Op op, Type type, std::vector<const Expr *> args) {
  Expr e;
  e.op = op;
  e.type = type;
  e.args = std::move(args);
  return e;
}

const Expr *Context::var(std::string name, int index, Role role, Type type,
                         SourceLoc loc) {
  Expr e = make(Op::Var, type, {});
  e.name = std::move(name);
  e.index = index;
  e.role = role;
  e.loc = loc;
  return intern(std::move(e));
}

const Expr *Context::stateCopy(const Expr *v, std::string tag, int branch) {
  BL_ASSERT(v->op == Op::Var, "stateCopy: not a variable");
  Expr e = *v;
  e.tag = std::move(tag);
  e.branch = branch;
  return intern(std::move(e));
}

const Expr *Context::constant(double v) {
  Expr e = make(Op::Const, Type::scalar(), {});
  e.value = v;
  return intern(std::move(e));
}

const Expr *Context::linear(const Expr *w, const Expr *z) {
  BL_ASSERT(w->type.kind == Type::Kind::Matrix && z->type.isBatch() &&
                w->type.cols == z->type.cols,
            "linear: W must be [r, c] and z a batch of width c");
  return intern(make(Op::Linear, Type::batch(w->type.rows), {w, z}));
}

const Expr *Context::linearT(const Expr *w, const Expr *v) {
  BL_ASSERT(w->type.kind == Type::Kind::Matrix && v->type.isBatch() &&
                w->type.rows == v->type.cols,
            "linear_t: W must be [r, c] and v a batch of width r");
  return intern(make(Op::LinearT, Type::batch(w->type.cols), {w, v}));
}

const Expr *Context::addBias(const Expr *a, const Expr *b) {
  BL_ASSERT(a->type.isBatch() && b->type.kind == Type::Kind::Vector &&
                a->type.cols == b->type.rows,
            "add_bias: width mismatch");
  return intern(make(Op::AddBias, a->type, {a, b}));
}

const Expr *Context::act(ActFn f, const Expr *a, SourceLoc loc) {
  BL_ASSERT(a->type.isBatch(), "act: operand must be a batch");
  if (f.kind == Activation::Identity)
    return a;
  Expr e = make(Op::Act, a->type, {a});
  e.act = f;
  e.loc = loc;
  return intern(std::move(e));
}

const Expr *Context::actDeriv(ActFn f, const Expr *a) {
  BL_ASSERT(a->type.isBatch(), "act_deriv: operand must be a batch");
  BL_ASSERT(f.kind != Activation::Softmax,
            "act_deriv: softmax has no elementwise derivative");
  if (f.kind == Activation::Identity)
    return constant(1);
  Expr e = make(Op::ActDeriv, a->type, {a});
  e.act = f;
  return intern(std::move(e));
}

const Expr *Context::add(const Expr *a, const Expr *b) {
  if (a->isConst(0))
    return b;
  if (b->isConst(0))
    return a;
  if (a->op == Op::Const && b->op == Op::Const)
    return constant(a->value + b->value);
  BL_ASSERT(a->type == b->type, "add: type mismatch");
  // Order operands canonically so a + b and b + a are one node.
  if (b->id < a->id)
    std::swap(a, b);
  return intern(make(Op::Add, a->type, {a, b}));
}

const Expr *Context::sub(const Expr *a, const Expr *b) {
  if (b->isConst(0))
    return a;
  BL_ASSERT(a->type == b->type, "sub: type mismatch");
  return intern(make(Op::Sub, a->type, {a, b}));
}

const Expr *Context::mul(const Expr *a, const Expr *b) {
  if (a->isConst(1))
    return b;
  if (b->isConst(1))
    return a;
  if (a->op == Op::Const && b->op == Op::Const)
    return constant(a->value * b->value);
  BL_ASSERT(a->type == b->type, "mul: type mismatch");
  if (b->id < a->id)
    std::swap(a, b);
  return intern(make(Op::Mul, a->type, {a, b}));
}

const Expr *Context::scale(double c, const Expr *a) {
  if (c == 1)
    return a;
  if (a->op == Op::Const)
    return constant(c * a->value);
  if (a->op == Op::Scale)
    return scale(c * a->value, a->arg(0));
  Expr e = make(Op::Scale, a->type, {a});
  e.value = c;
  return intern(std::move(e));
}

const Expr *Context::loss(bilevel::Loss kind, const Expr *z, const Expr *y,
                          SourceLoc loc) {
  BL_ASSERT(z->type == y->type && z->type.isBatch(), "loss: type mismatch");
  Expr e = make(Op::Loss, Type::scalar(), {z, y});
  e.loss = kind;
  e.loc = loc;
  return intern(std::move(e));
}

const Expr *Context::lossGrad(bilevel::Loss kind, const Expr *z, const Expr *y,
                              bool mean) {
  BL_ASSERT(z->type == y->type && z->type.isBatch(),
            "loss_grad: type mismatch");
  Expr e = make(Op::LossGrad, z->type, {z, y});
  e.loss = kind;
  e.value = mean ? 1 : 0;
  return intern(std::move(e));
}

const Expr *Context::conjugate(ActFn f, const Expr *a) {
  BL_ASSERT(a->type.isBatch(), "conjugate: operand must be a batch");
  Expr e = make(Op::Conjugate, Type::scalar(), {a});
  e.act = f;
  return intern(std::move(e));
}

const Expr *Context::sqNorm(const Expr *a) {
  BL_ASSERT(a->type.isBatch(), "sq_norm: operand must be a batch");
  return intern(make(Op::SqNorm, Type::scalar(), {a}));
}

const Expr *Context::perSample(const Expr *a) {
  BL_ASSERT(a->type.isBatch(), "per_sample: operand must be a batch");
  return intern(make(Op::PerSample, a->type, {a}));
}

const Expr *Context::specNorm(const Expr *w) {
  BL_ASSERT(w->type.kind == Type::Kind::Matrix, "spec_norm: not a matrix");
  return intern(make(Op::SpecNorm, Type::scalar(), {w}));
}

const Expr *Context::recip(const Expr *a) {
  BL_ASSERT(a->type.kind == Type::Kind::Scalar, "recip: not a scalar");
  if (a->op == Op::Const)
    return constant(1 / a->value);
  return intern(make(Op::Recip, Type::scalar(), {a}));
}

const Expr *Context::proxAct(ActFn f, const Expr *w, const Expr *kappa) {
  BL_ASSERT(w->type.isBatch() && kappa->type.kind == Type::Kind::Scalar,
            "prox_act: a batch and a scalar weight");
  if (kappa->isConst(0))
    return act(f, w);
  // For G = ½‖v‖² + ι_C the solution is the projection f(w / (1 + κ)).
  if (f.kind == Activation::Identity || f.kind == Activation::Relu ||
      f.kind == Activation::HardSigmoid || f.kind == Activation::HardTanh)
    return act(f, scaleBy(recip(add(constant(1), kappa)), w));
  BL_ASSERT(f.kind != Activation::Softmax, "prox_act: not elementwise");
  Expr e = make(Op::ProxAct, w->type, {w, kappa});
  e.act = f;
  return intern(std::move(e));
}

const Expr *Context::gate(const Expr *kappa, double lipschitz) {
  BL_ASSERT(kappa->type.kind == Type::Kind::Scalar, "gate: not a scalar");
  if (kappa->op == Op::Const)
    return constant(lipschitz * kappa->value >= 1 ? kappa->value : 0);
  Expr e = make(Op::Gate, Type::scalar(), {kappa});
  e.value = lipschitz;
  return intern(std::move(e));
}

const Expr *Context::scaleBy(const Expr *s, const Expr *a) {
  BL_ASSERT(s->type.kind == Type::Kind::Scalar, "scale_by: not a scalar");
  if (s->op == Op::Const)
    return scale(s->value, a);
  return intern(make(Op::ScaleBy, a->type, {s, a}));
}

const Expr *Context::potential(ActFn f, const Expr *z) {
  BL_ASSERT(z->type.isBatch(), "potential: operand must be a batch");
  Expr e = make(Op::Potential, Type::scalar(), {z});
  e.act = f;
  return intern(std::move(e));
}

const Expr *Context::inner(const Expr *a, const Expr *b) {
  BL_ASSERT(a->type == b->type && a->type.isBatch(), "inner: type mismatch");
  return intern(make(Op::Inner, Type::scalar(), {a, b}));
}

const Expr *Context::outerSum(const Expr *d, const Expr *z) {
  BL_ASSERT(d->type.isBatch() && z->type.isBatch(),
            "outer_sum: operands must be batches");
  return intern(
      make(Op::OuterSum, Type::matrix(d->type.cols, z->type.cols), {d, z}));
}

const Expr *Context::colSum(const Expr *d) {
  BL_ASSERT(d->type.isBatch(), "col_sum: operand must be a batch");
  return intern(make(Op::ColSum, Type::vector(d->type.cols), {d}));
}

const Expr *
Context::substitute(const Expr *e,
                    const std::map<const Expr *, const Expr *> &subst) {
  std::map<const Expr *, const Expr *> memo;
  std::function<const Expr *(const Expr *)> go = [&](const Expr *n) {
    if (auto it = subst.find(n); it != subst.end())
      return it->second;
    if (auto it = memo.find(n); it != memo.end())
      return it->second;
    std::vector<const Expr *> args;
    for (const Expr *a : n->args)
      args.push_back(go(a));
    const Expr *r = n;
    switch (n->op) {
    case Op::Var:
    case Op::Const:
      break;
    case Op::Linear:
      r = linear(args[0], args[1]);
      break;
    case Op::LinearT:
      r = linearT(args[0], args[1]);
      break;
    case Op::AddBias:
      r = addBias(args[0], args[1]);
      break;
    case Op::Act:
      r = act(n->act, args[0], n->loc);
      break;
    case Op::ActDeriv:
      r = actDeriv(n->act, args[0]);
      break;
    case Op::Add:
      r = add(args[0], args[1]);
      break;
    case Op::Sub:
      r = sub(args[0], args[1]);
      break;
    case Op::Mul:
      r = mul(args[0], args[1]);
      break;
    case Op::Scale:
      r = scale(n->value, args[0]);
      break;
    case Op::Loss:
      r = loss(n->loss, args[0], args[1], n->loc);
      break;
    case Op::LossGrad:
      r = lossGrad(n->loss, args[0], args[1], n->value == 1);
      break;
    case Op::Potential:
      r = potential(n->act, args[0]);
      break;
    case Op::Conjugate:
      r = conjugate(n->act, args[0]);
      break;
    case Op::SqNorm:
      r = sqNorm(args[0]);
      break;
    case Op::PerSample:
      r = perSample(args[0]);
      break;
    case Op::SpecNorm:
      r = specNorm(args[0]);
      break;
    case Op::Recip:
      r = recip(args[0]);
      break;
    case Op::ScaleBy:
      r = scaleBy(args[0], args[1]);
      break;
    case Op::ProxAct:
      r = proxAct(n->act, args[0], args[1]);
      break;
    case Op::Gate:
      r = gate(args[0], n->value);
      break;
    case Op::Inner:
      r = inner(args[0], args[1]);
      break;
    case Op::OuterSum:
      r = outerSum(args[0], args[1]);
      break;
    case Op::ColSum:
      r = colSum(args[0]);
      break;
    }
    memo[n] = r;
    return r;
  };
  return go(e);
}

bool dependsOn(const Expr *e, const Expr *v) {
  std::vector<const Expr *> reach = topoOrder({e});
  return std::find(reach.begin(), reach.end(), v) != reach.end();
}

std::vector<const Expr *>
topoOrder(const std::vector<const Expr *> &roots,
          const std::function<bool(const Expr *)> &isLeaf) {
  std::vector<const Expr *> order;
  std::set<const Expr *> seen;
  std::function<void(const Expr *)> visit = [&](const Expr *n) {
    if (!seen.insert(n).second)
      return;
    if (!isLeaf || !isLeaf(n))
      for (const Expr *a : n->args)
        visit(a);
    order.push_back(n);
  };
  for (const Expr *r : roots)
    visit(r);
  return order;
}

} // namespace bilevel::ir
