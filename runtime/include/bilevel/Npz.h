//===- bilevel/Npz.h - NumPy .npy and .npz files ------------------------===//
//
// Reads and writes the NumPy array formats the runtime exchanges with the
// outside world: data sets (.npz with x_train, y_train, ...) and checkpoints
// (params.npz). Only C-ordered little-endian arrays of five dtypes are
// supported: "<f4", "<f8", "<i4", "<i8" and "|u1". .npz archives are read
// with stored or DEFLATE-compressed members and written uncompressed, like
// numpy.savez, atomically (a temporary file in the same folder, renamed).
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_NPZ_H
#define BILEVEL_NPZ_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bilevel::rt {

/// One array: its NumPy dtype string, its shape and its raw little-endian
/// bytes in C order.
struct NpyArray {
  std::string dtype; ///< "<f4", "<f8", "<i4", "<i8" or "|u1".
  std::vector<int64_t> shape;
  std::vector<unsigned char> bytes;

  /// The number of elements, the product of the shape (1 for a scalar).
  int64_t size() const;

  /// Bytes per element of \p dtype; throws Error for an unsupported dtype.
  static int64_t itemSize(const std::string &dtype);

  /// The elements converted to T (static_cast from the stored dtype).
  /// Instantiated for float, double, int32_t, int64_t and uint8_t.
  template <class T> std::vector<T> as() const;

  /// An array of T's natural dtype holding \p values with \p shape; throws
  /// Error when the shape does not match the number of values.
  template <class T>
  static NpyArray from(const std::vector<T> &values,
                       std::vector<int64_t> shape);

  /// The shape as text, e.g. "[10, 256]".
  std::string shapeText() const;
};

/// Reads a .npy file; throws Error naming \p path on any problem.
NpyArray readNpy(const std::string &path);

/// Writes \p array as a version 1.0 .npy file.
void writeNpy(const std::string &path, const NpyArray &array);

/// Parses .npy bytes already in memory; \p where names them in errors.
NpyArray parseNpy(const unsigned char *data, size_t size,
                  const std::string &where);

/// Serialises \p array into .npy bytes.
std::vector<unsigned char> encodeNpy(const NpyArray &array);

/// Reads every member of a .npz archive; the member "x.npy" becomes key "x".
std::map<std::string, NpyArray> readNpz(const std::string &path);

/// Writes \p arrays as a .npz archive (key "x" becomes member "x.npy"),
/// atomically: readers see either the old file or the complete new one.
void writeNpz(const std::string &path,
              const std::map<std::string, NpyArray> &arrays);

} // namespace bilevel::rt

#endif // BILEVEL_NPZ_H
