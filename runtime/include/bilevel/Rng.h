//===- bilevel/Rng.h - A portable seeded random generator ---------------===//
//
// The runtime's own generator, xoshiro256** seeded through splitmix64, with
// hand-written uniform and normal transforms, so that a seed gives the same
// initialisation and batch order on every platform and standard library.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_RNG_H
#define BILEVEL_RNG_H

#include <cstdint>
#include <vector>

namespace bilevel::rt {

/// A deterministic 64-bit generator (xoshiro256**).
class Rng {
public:
  /// Seeds the four state words with successive splitmix64 outputs.
  explicit Rng(uint64_t seed);

  /// The next 64 random bits.
  uint64_t next();

  /// A double uniform on [0, 1) with 53 random bits.
  double uniform();

  /// A standard normal sample (Marsaglia's polar method).
  double normal();

  /// An integer uniform on [0, n), without modulo bias; n must be > 0.
  uint64_t below(uint64_t n);

  /// Puts \p values in a uniformly random order (Fisher-Yates).
  void shuffle(std::vector<int64_t> &values);

private:
  uint64_t state[4];
  double spareNormal = 0;
  bool hasSpare = false;
};

} // namespace bilevel::rt

#endif // BILEVEL_RNG_H
