//===- bilevel/Params.h - Parameter initialisation and checkpoints ------===//
//
// Creates a model's parameter tensors from its blrt_param_info list (zeros,
// He normal or Glorot uniform, drawn from the portable Rng) and moves them
// to and from .npz checkpoints. In a checkpoint each tensor is stored under
// its name, W_k as [out, in] and b_k as [out], in float32 or float64.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_PARAMS_H
#define BILEVEL_PARAMS_H

#include "bilevel/Rng.h"
#include "bilevel/abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bilevel::rt {

/// Checks that \p model is usable by this runtime (ABI version, precision,
/// parameter list, callbacks); throws Error otherwise.
void checkModel(const blrt_model &model);

/// The shape a parameter has in a checkpoint: [rows] for a vector (cols == 1
/// and a name not starting with 'W'), [rows, cols] otherwise.
std::vector<int64_t> checkpointShape(const blrt_param_info &info);

/// Fresh parameters for \p model, in the order of model.params, drawn from
/// \p rng according to each tensor's blrt_init. Instantiated for float and
/// double.
template <class T>
std::vector<std::vector<T>> initParams(const blrt_model &model, Rng &rng);

/// Writes \p params (laid out like model.params) to a .npz checkpoint,
/// atomically.
template <class T>
void saveParams(const std::string &path, const blrt_model &model,
                const std::vector<std::vector<T>> &params);

/// Reads a checkpoint written for \p model, converting to T. Throws Error
/// when a tensor is missing or has the wrong shape, e.g.
/// "params.npz: W2 has shape [10, 256], the model expects [256, 256]".
template <class T>
std::vector<std::vector<T>> loadParams(const std::string &path,
                                       const blrt_model &model);

} // namespace bilevel::rt

#endif // BILEVEL_PARAMS_H
