//===- bilevel/Optim.h - First-order optimisers -------------------------===//
//
// The parameter update rules a trainer applies to the direction a generated
// model's gradient function reports: SGD with (heavy-ball) momentum and Adam
// with bias correction. Each optimiser knows the sizes of the parameter
// tensors from construction and keeps its state in the trained precision.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_OPTIM_H
#define BILEVEL_OPTIM_H

#include "bilevel/Error.h"
#include "bilevel/abi.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bilevel::rt {

/// The number of scalars of each parameter tensor of \p model, in order.
inline std::vector<int64_t> paramSizes(const blrt_model &model) {
  std::vector<int64_t> sizes;
  for (int32_t i = 0; i < model.num_params; ++i)
    sizes.push_back(model.params[i].rows * model.params[i].cols);
  return sizes;
}

/// Updates a fixed list of parameter tensors from gradients of the same
/// shapes; one step per batch.
template <class T> class Optimizer {
public:
  explicit Optimizer(std::vector<int64_t> sizes) : sizes(std::move(sizes)) {}
  virtual ~Optimizer() = default;

  /// Applies one update; params[i] and grads[i] hold sizes()[i] scalars.
  void step(const std::vector<T *> &params,
            const std::vector<const T *> &grads) {
    if (params.size() != sizes.size() || grads.size() != sizes.size())
      throw Error("optimizer",
                  "step got " + std::to_string(params.size()) +
                      " parameters and " + std::to_string(grads.size()) +
                      " gradients, expected " + std::to_string(sizes.size()));
    ++steps;
    for (size_t i = 0; i < sizes.size(); ++i)
      update(i, params[i], grads[i]);
  }

  /// The tensor sizes given at construction.
  const std::vector<int64_t> &tensorSizes() const { return sizes; }

  /// The number of steps taken so far.
  int64_t stepCount() const { return steps; }

protected:
  /// Updates tensor \p index; stepCount() already counts this step.
  virtual void update(size_t index, T *param, const T *grad) = 0;

  std::vector<int64_t> sizes;
  int64_t steps = 0;
};

/// Stochastic gradient descent with momentum mu:
/// v <- mu v + g, p <- p - lr v. With mu = 0 it is plain SGD.
template <class T> class Sgd : public Optimizer<T> {
public:
  Sgd(std::vector<int64_t> sizes, double learningRate, double momentum = 0.9)
      : Optimizer<T>(std::move(sizes)), learningRate(learningRate),
        momentum(momentum) {
    for (int64_t n : this->sizes)
      velocity.emplace_back(size_t(n), T(0));
  }

protected:
  void update(size_t index, T *param, const T *grad) override {
    T *v = velocity[index].data();
    const T lr = T(learningRate), mu = T(momentum);
    for (int64_t j = 0, n = this->sizes[index]; j < n; ++j) {
      v[j] = mu * v[j] + grad[j];
      param[j] -= lr * v[j];
    }
  }

private:
  double learningRate, momentum;
  std::vector<std::vector<T>> velocity;
};

/// Adam (Kingma and Ba) with bias-corrected first and second moments:
/// p <- p - lr * mhat / (sqrt(vhat) + eps).
template <class T> class Adam : public Optimizer<T> {
public:
  Adam(std::vector<int64_t> sizes, double learningRate, double beta1 = 0.9,
       double beta2 = 0.999, double epsilon = 1e-8)
      : Optimizer<T>(std::move(sizes)), learningRate(learningRate),
        beta1(beta1), beta2(beta2), epsilon(epsilon) {
    for (int64_t n : this->sizes) {
      first.emplace_back(size_t(n), T(0));
      second.emplace_back(size_t(n), T(0));
    }
  }

protected:
  void update(size_t index, T *param, const T *grad) override {
    // Fold both bias corrections into one step size and one epsilon.
    double t = double(this->steps);
    double c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
    const T stepSize = T(learningRate * std::sqrt(c2) / c1);
    const T eps = T(epsilon * std::sqrt(c2));
    const T b1 = T(beta1), b2 = T(beta2);
    T *m = first[index].data(), *v = second[index].data();
    for (int64_t j = 0, n = this->sizes[index]; j < n; ++j) {
      m[j] = b1 * m[j] + (1 - b1) * grad[j];
      v[j] = b2 * v[j] + (1 - b2) * grad[j] * grad[j];
      param[j] -= stepSize * m[j] / (std::sqrt(v[j]) + eps);
    }
  }

private:
  double learningRate, beta1, beta2, epsilon;
  std::vector<std::vector<T>> first, second;
};

} // namespace bilevel::rt

#endif // BILEVEL_OPTIM_H
