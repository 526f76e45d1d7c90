//===- bilevel/Potentials.h - Activations as convex potentials ----------===//
//
// Each activation f of Bilevel is the gradient of a convex function G*, the
// convex conjugate of a potential G; an activation z = f(a) is then the
// minimiser of G(z) - a z, and the Fenchel-Young gap
// D(z, a) = G(z) + G*(a) - a z is >= 0 with equality exactly at z = f(a).
// This header evaluates f, f', G, G* and D in double precision, the
// reference the generated code and the numeric tests are checked against.
// G is +infinity outside its domain.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_POTENTIALS_H
#define BILEVEL_POTENTIALS_H

#include <cstdint>
#include <string>

namespace bilevel::rt {

/// The activations with a potential. Softmax acts on a whole vector; the
/// others act elementwise.
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

/// The spec's name of an activation ("identity", "relu", "hard_sigmoid",
/// "hard_tanh", "leaky_relu", "sigmoid", "tanh", "softmax").
const char *activationName(Activation kind);

/// An activation together with its potential.
class Potential {
public:
  /// \p slope is the negative-side slope of LeakyRelu, in (0, 1].
  explicit Potential(Activation kind, double slope = 0.01);

  Activation kind() const { return act; }
  bool isElementwise() const { return act != Activation::Softmax; }

  /// Elementwise forms; Error for Softmax.
  double activate(double a) const;      ///< f(a)
  double derivative(double a) const;    ///< f'(a); 0 at kinks' left side.
  double potential(double z) const;     ///< G(z), +inf outside the domain.
  double conjugate(double a) const;     ///< G*(a)
  double gap(double z, double a) const; ///< D(z, a) >= 0.

  /// Vector forms over n entries; for elementwise activations they apply or
  /// sum the scalar forms, for Softmax they are the vector definitions
  /// (G(z) = sum z_i log z_i on the simplex, G*(a) = log sum exp a_i).
  void activate(const double *a, double *z, int64_t n) const;
  double potential(const double *z, int64_t n) const;
  double conjugate(const double *a, int64_t n) const;
  double gap(const double *z, const double *a, int64_t n) const;

private:
  Activation act;
  double slope;
};

} // namespace bilevel::rt

#endif // BILEVEL_POTENTIALS_H
