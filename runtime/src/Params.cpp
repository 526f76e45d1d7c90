//===- Params.cpp - Parameter initialisation and checkpoints ------------===//
//
// Implements bilevel/Params.h: validating a blrt_model, drawing initial
// parameters from the portable Rng, and saving and loading params.npz with
// shape checks that name the offending tensor.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Params.h"
#include "bilevel/Error.h"
#include "bilevel/Npz.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace bilevel::rt {

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// The file name of \p path, the way errors about checkpoints start.
std::string baseName(const std::string &path) {
  return std::filesystem::path(path).filename().string();
}

} // namespace

void checkModel(const blrt_model &model) {
  std::string name =
      std::string("model '") + (model.method ? model.method : "?") + "'";
  if (model.abi_version != BLRT_ABI_VERSION)
    throw Error(
        name,
        "was built for runtime ABI " + std::to_string(model.abi_version) +
            ", this runtime implements " + std::to_string(BLRT_ABI_VERSION),
        "regenerate it with the matching bilevelc");
  if (model.precision != 4 && model.precision != 8)
    throw Error(name, "has precision " + std::to_string(model.precision) +
                          " bytes; only 4 (float) and 8 (double) exist");
  if (model.num_params < 0 || (model.num_params > 0 && !model.params))
    throw Error(name, "has a malformed parameter list");
  if (!model.workspace_bytes || !model.predict || !model.gradient)
    throw Error(name, "lacks workspace_bytes, predict or gradient");
  for (int32_t i = 0; i < model.num_params; ++i) {
    const blrt_param_info &p = model.params[i];
    if (!p.name || p.rows < 0 || p.cols < 0)
      throw Error(name, "parameter " + std::to_string(i) + " is malformed");
  }
}

std::vector<int64_t> checkpointShape(const blrt_param_info &info) {
  if (info.cols == 1 && info.name[0] != 'W')
    return {info.rows};
  return {info.rows, info.cols};
}

template <class T>
std::vector<std::vector<T>> initParams(const blrt_model &model, Rng &rng) {
  std::vector<std::vector<T>> params;
  for (int32_t i = 0; i < model.num_params; ++i) {
    const blrt_param_info &p = model.params[i];
    std::vector<T> values(size_t(p.rows * p.cols), T(0));
    double fanIn = double(std::max<int64_t>(p.fan_in, 1));
    double fanSum = double(std::max<int64_t>(p.fan_in + p.fan_out, 1));
    if (p.init == BLRT_INIT_HE_NORMAL) {
      double stddev = std::sqrt(2.0 / fanIn);
      for (T &v : values)
        v = T(stddev * rng.normal());
    } else if (p.init == BLRT_INIT_GLOROT_UNIFORM) {
      double limit = std::sqrt(6.0 / fanSum);
      for (T &v : values)
        v = T(limit * (2 * rng.uniform() - 1));
    } else if (p.init != BLRT_INIT_ZERO) {
      throw Error(std::string("parameter ") + p.name,
                  "unknown initialiser " + std::to_string(p.init));
    }
    params.push_back(std::move(values));
  }
  return params;
}

template <class T>
void saveParams(const std::string &path, const blrt_model &model,
                const std::vector<std::vector<T>> &params) {
  if (int64_t(params.size()) != model.num_params)
    throw Error(path, "got " + std::to_string(params.size()) +
                          " tensors for a model with " +
                          std::to_string(model.num_params));
  std::map<std::string, NpyArray> arrays;
  for (int32_t i = 0; i < model.num_params; ++i)
    arrays[model.params[i].name] =
        NpyArray::from(params[size_t(i)], checkpointShape(model.params[i]));
  writeNpz(path, arrays);
}

template <class T>
std::vector<std::vector<T>> loadParams(const std::string &path,
                                       const blrt_model &model) {
  std::map<std::string, NpyArray> arrays = readNpz(path);
  std::string file = baseName(path);
  std::vector<std::vector<T>> params;
  for (int32_t i = 0; i < model.num_params; ++i) {
    const blrt_param_info &p = model.params[i];
    auto found = arrays.find(p.name);
    if (found == arrays.end())
      throw Error(file, std::string("has no tensor ") + p.name,
                  "was it saved for this model?");
    const NpyArray &array = found->second;

    // A vector may also be stored as a [rows, 1] matrix.
    std::vector<int64_t> expected = checkpointShape(p);
    bool fits =
        array.shape == expected ||
        (p.cols == 1 && array.shape.size() <= 2 && array.size() == p.rows &&
         !array.shape.empty() && array.shape[0] == p.rows);
    if (!fits)
      throw Error(file + ": " + p.name + " has shape " + array.shapeText() +
                  ", the model expects " + shapeText(expected));
    if (array.dtype != "<f4" && array.dtype != "<f8")
      throw Error(file + ": " + p.name + " has dtype " + array.dtype +
                  ", expected float32 or float64");
    params.push_back(array.as<T>());
  }
  return params;
}

#define BL_INSTANTIATE_PARAMS(T)                                               \
  template std::vector<std::vector<T>> initParams<T>(const blrt_model &,       \
                                                     Rng &);                   \
  template void saveParams<T>(const std::string &, const blrt_model &,         \
                              const std::vector<std::vector<T>> &);            \
  template std::vector<std::vector<T>> loadParams<T>(const std::string &,      \
                                                     const blrt_model &);
BL_INSTANTIATE_PARAMS(float)
BL_INSTANTIATE_PARAMS(double)
#undef BL_INSTANTIATE_PARAMS

} // namespace bilevel::rt
