//===- RuntimePotentials.cpp - Activations as Fenchel-Young pairs -------===//
//
// For every activation: the gap D(z, a) is non-negative on random samples
// and vanishes at z = f(a); f is the derivative of G* and f' the derivative
// of f (central finite differences, away from kinks); and G is +inf outside
// its domain.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Potentials.h"
#include "bilevel/Rng.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace bilevel::rt;

namespace {

const Activation kElementwise[] = {
    Activation::Identity, Activation::Relu,      Activation::HardSigmoid,
    Activation::HardTanh, Activation::LeakyRelu, Activation::Sigmoid,
    Activation::Tanh};

/// A point of G's domain (or anywhere for unbounded domains).
double sampleDomain(Activation kind, Rng &rng) {
  double u = rng.uniform();
  switch (kind) {
  case Activation::Relu:
    return 4 * u;
  case Activation::HardSigmoid:
  case Activation::Sigmoid:
    return u;
  case Activation::HardTanh:
  case Activation::Tanh:
    return 2 * u - 1;
  default:
    return 8 * u - 4;
  }
}

/// True when a is within h of a kink of f.
bool nearKink(Activation kind, double a, double h) {
  for (double kink : {-1.0, 0.0, 1.0})
    if (std::abs(a - kink) < 4 * h)
      return kind != Activation::Identity && kind != Activation::Sigmoid &&
             kind != Activation::Tanh;
  return false;
}

} // namespace

TEST_CASE("elementwise potentials are Fenchel-Young pairs",
          "[runtime][potentials]") {
  Rng rng(11);
  for (Activation kind : kElementwise) {
    Potential pot(kind, 0.1);
    INFO(activationName(kind));
    for (int i = 0; i < 2000; ++i) {
      double a = 12 * rng.uniform() - 6;
      double z = sampleDomain(kind, rng);

      // D >= 0 everywhere, = 0 at the activation.
      REQUIRE(pot.gap(z, a) >= -1e-12);
      REQUIRE(std::abs(pot.gap(pot.activate(a), a)) <= 1e-9);

      // f = dG*/da and f' = df/da, away from kinks.
      const double h = 1e-5;
      if (nearKink(kind, a, h))
        continue;
      double dConj = (pot.conjugate(a + h) - pot.conjugate(a - h)) / (2 * h);
      REQUIRE(dConj == Approx(pot.activate(a)).margin(1e-6));
      double df = (pot.activate(a + h) - pot.activate(a - h)) / (2 * h);
      REQUIRE(df == Approx(pot.derivative(a)).margin(1e-6));
    }
  }
}

TEST_CASE("potentials are infinite outside their domains",
          "[runtime][potentials]") {
  REQUIRE(std::isinf(Potential(Activation::Relu).potential(-0.1)));
  REQUIRE(std::isinf(Potential(Activation::HardSigmoid).potential(1.1)));
  REQUIRE(std::isinf(Potential(Activation::HardTanh).potential(-1.5)));
  REQUIRE(std::isinf(Potential(Activation::Sigmoid).potential(-1e-3)));
  REQUIRE(std::isinf(Potential(Activation::Tanh).potential(1.01)));
  REQUIRE(std::isinf(Potential(Activation::Sigmoid).gap(2.0, 0.3)));
  REQUIRE(std::isfinite(Potential(Activation::LeakyRelu).potential(-5)));

  // Boundary values use 0 log 0 = 0.
  REQUIRE(Potential(Activation::Sigmoid).potential(0) == 0);
  REQUIRE(Potential(Activation::Sigmoid).potential(1) == 0);
  REQUIRE(Potential(Activation::Tanh).potential(1) == Approx(std::log(2.0)));

  // Stable conjugates for large arguments.
  REQUIRE(Potential(Activation::Sigmoid).conjugate(800) == Approx(800));
  REQUIRE(Potential(Activation::Tanh).conjugate(-800) ==
          Approx(800 - std::log(2.0)));
}

TEST_CASE("softmax is the gradient of log-sum-exp", "[runtime][potentials]") {
  Potential soft(Activation::Softmax);
  REQUIRE_FALSE(soft.isElementwise());
  Rng rng(12);
  const int n = 5;
  for (int trial = 0; trial < 200; ++trial) {
    double a[n], z[n], w[n];
    for (int i = 0; i < n; ++i)
      a[i] = 10 * rng.uniform() - 5;
    soft.activate(a, z, n);

    // A random point of the simplex for the gap's sign.
    double sum = 0;
    for (int i = 0; i < n; ++i)
      sum += w[i] = rng.uniform();
    for (int i = 0; i < n; ++i)
      w[i] /= sum;
    REQUIRE(soft.gap(w, a, n) >= -1e-12);
    REQUIRE(std::abs(soft.gap(z, a, n)) <= 1e-9);

    // z_i = d/da_i log sum exp a.
    const double h = 1e-5;
    for (int i = 0; i < n; ++i) {
      double up[n], down[n];
      std::copy(a, a + n, up);
      std::copy(a, a + n, down);
      up[i] += h;
      down[i] -= h;
      double d = (soft.conjugate(up, n) - soft.conjugate(down, n)) / (2 * h);
      REQUIRE(d == Approx(z[i]).margin(1e-7));
    }
  }

  // Off the simplex the potential is infinite.
  double off[3] = {0.5, 0.6, 0.1}, neg[3] = {1.2, -0.2, 0};
  REQUIRE(std::isinf(soft.potential(off, 3)));
  REQUIRE(std::isinf(soft.potential(neg, 3)));
}

TEST_CASE("vector forms of elementwise potentials sum the scalar forms",
          "[runtime][potentials]") {
  Potential tanh(Activation::Tanh);
  double a[3] = {-0.5, 0.1, 2}, z[3];
  tanh.activate(a, z, 3);
  double expected = 0;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(z[i] == std::tanh(a[i]));
    expected += tanh.conjugate(a[i]);
  }
  REQUIRE(tanh.conjugate(a, 3) == Approx(expected));
  REQUIRE(std::abs(tanh.gap(z, a, 3)) < 1e-12);
}
