//===- Potentials.cpp - Activations, potentials and conjugates ----------===//
//
// Implements bilevel/Potentials.h. The table (G on its domain, G* on R):
//   identity      G = z^2/2                 G* = a^2/2
//   relu          G = z^2/2, z >= 0         G* = max(a, 0)^2/2
//   hard_sigmoid  G = z^2/2, 0 <= z <= 1    G* = 0, a^2/2, a - 1/2
//   hard_tanh     G = z^2/2, |z| <= 1       G* = a^2/2 or |a| - 1/2
//   leaky_relu s  G = z^2/2 or z^2/(2s)     G* = a^2/2 or s a^2/2
//   sigmoid       G = z log z + (1-z) log(1-z) on [0, 1]; G* = softplus(a)
//   tanh          G = (1+z)/2 log(1+z) + (1-z)/2 log(1-z) on [-1, 1];
//                 G* = log cosh a
//   softmax       G = sum z_i log z_i on the simplex; G* = log sum exp a_i
// with 0 log 0 = 0. Softplus, log cosh and log-sum-exp are evaluated in
// forms that cannot overflow.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Potentials.h"
#include "bilevel/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bilevel::rt {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double xlogx(double x) { return x > 0 ? x * std::log(x) : 0.0; }

double softplus(double a) {
  return std::max(a, 0.0) + std::log1p(std::exp(-std::abs(a)));
}

double logCosh(double a) {
  double m = std::abs(a);
  return m + std::log1p(std::exp(-2 * m)) - std::log(2.0);
}

double sigmoid(double a) {
  if (a >= 0)
    return 1 / (1 + std::exp(-a));
  double e = std::exp(a);
  return e / (1 + e);
}

double logSumExp(const double *a, int64_t n) {
  double top = *std::max_element(a, a + n);
  if (std::isinf(top))
    return top;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp(a[i] - top);
  return top + std::log(sum);
}

} // namespace

const char *activationName(Activation kind) {
  switch (kind) {
  case Activation::Identity:
    return "identity";
  case Activation::Relu:
    return "relu";
  case Activation::HardSigmoid:
    return "hard_sigmoid";
  case Activation::HardTanh:
    return "hard_tanh";
  case Activation::LeakyRelu:
    return "leaky_relu";
  case Activation::Sigmoid:
    return "sigmoid";
  case Activation::Tanh:
    return "tanh";
  case Activation::Softmax:
    return "softmax";
  }
  return "?";
}

Potential::Potential(Activation kind, double slope) : act(kind), slope(slope) {
  if (kind == Activation::LeakyRelu && !(slope > 0))
    throw Error("leaky_relu",
                "slope must be positive, got " + std::to_string(slope));
}

double Potential::activate(double a) const {
  switch (act) {
  case Activation::Identity:
    return a;
  case Activation::Relu:
    return std::max(a, 0.0);
  case Activation::HardSigmoid:
    return std::clamp(a, 0.0, 1.0);
  case Activation::HardTanh:
    return std::clamp(a, -1.0, 1.0);
  case Activation::LeakyRelu:
    return a >= 0 ? a : slope * a;
  case Activation::Sigmoid:
    return sigmoid(a);
  case Activation::Tanh:
    return std::tanh(a);
  case Activation::Softmax:
    break;
  }
  throw Error("softmax", "has no elementwise form; use the vector overloads");
}

double Potential::derivative(double a) const {
  switch (act) {
  case Activation::Identity:
    return 1;
  case Activation::Relu:
    return a > 0 ? 1 : 0;
  case Activation::HardSigmoid:
    return a > 0 && a < 1 ? 1 : 0;
  case Activation::HardTanh:
    return a > -1 && a < 1 ? 1 : 0;
  case Activation::LeakyRelu:
    return a > 0 ? 1 : slope;
  case Activation::Sigmoid: {
    double s = sigmoid(a);
    return s * (1 - s);
  }
  case Activation::Tanh: {
    double t = std::tanh(a);
    return 1 - t * t;
  }
  case Activation::Softmax:
    break;
  }
  throw Error("softmax", "has no elementwise derivative");
}

double Potential::potential(double z) const {
  switch (act) {
  case Activation::Identity:
    return z * z / 2;
  case Activation::Relu:
    return z >= 0 ? z * z / 2 : kInf;
  case Activation::HardSigmoid:
    return z >= 0 && z <= 1 ? z * z / 2 : kInf;
  case Activation::HardTanh:
    return z >= -1 && z <= 1 ? z * z / 2 : kInf;
  case Activation::LeakyRelu:
    return z >= 0 ? z * z / 2 : z * z / (2 * slope);
  case Activation::Sigmoid:
    return z >= 0 && z <= 1 ? xlogx(z) + xlogx(1 - z) : kInf;
  case Activation::Tanh:
    return z >= -1 && z <= 1 ? (xlogx(1 + z) + xlogx(1 - z)) / 2 : kInf;
  case Activation::Softmax:
    break;
  }
  throw Error("softmax", "has no elementwise potential");
}

double Potential::conjugate(double a) const {
  switch (act) {
  case Activation::Identity:
    return a * a / 2;
  case Activation::Relu: {
    double p = std::max(a, 0.0);
    return p * p / 2;
  }
  case Activation::HardSigmoid:
    return a < 0 ? 0 : a <= 1 ? a * a / 2 : a - 0.5;
  case Activation::HardTanh:
    return std::abs(a) <= 1 ? a * a / 2 : std::abs(a) - 0.5;
  case Activation::LeakyRelu:
    return a >= 0 ? a * a / 2 : slope * a * a / 2;
  case Activation::Sigmoid:
    return softplus(a);
  case Activation::Tanh:
    return logCosh(a);
  case Activation::Softmax:
    break;
  }
  throw Error("softmax", "has no elementwise conjugate");
}

double Potential::gap(double z, double a) const {
  double g = potential(z);
  if (std::isinf(g))
    return kInf;
  return g + conjugate(a) - a * z;
}

void Potential::activate(const double *a, double *z, int64_t n) const {
  if (isElementwise()) {
    for (int64_t i = 0; i < n; ++i)
      z[i] = activate(a[i]);
    return;
  }
  if (n <= 0)
    return;
  double top = *std::max_element(a, a + n), sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += z[i] = std::exp(a[i] - top);
  for (int64_t i = 0; i < n; ++i)
    z[i] /= sum;
}

double Potential::potential(const double *z, int64_t n) const {
  double total = 0;
  if (isElementwise()) {
    for (int64_t i = 0; i < n; ++i)
      total += potential(z[i]);
    return total;
  }

  // Negative entropy on the probability simplex, up to rounding of the sum.
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (z[i] < 0)
      return kInf;
    sum += z[i];
    total += xlogx(z[i]);
  }
  return std::abs(sum - 1) <= 1e-9 * std::max<double>(1, double(n)) ? total
                                                                    : kInf;
}

double Potential::conjugate(const double *a, int64_t n) const {
  if (!isElementwise())
    return n > 0 ? logSumExp(a, n) : -kInf;
  double total = 0;
  for (int64_t i = 0; i < n; ++i)
    total += conjugate(a[i]);
  return total;
}

double Potential::gap(const double *z, const double *a, int64_t n) const {
  double g = potential(z, n);
  if (std::isinf(g))
    return kInf;
  double inner = 0;
  for (int64_t i = 0; i < n; ++i)
    inner += a[i] * z[i];
  return g + conjugate(a, n) - inner;
}

} // namespace bilevel::rt
