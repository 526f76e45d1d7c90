//===- Rng.cpp - xoshiro256** with splitmix64 seeding -------------------===//
//
// The portable generator behind initialisation and shuffling. Everything is
// integer arithmetic or a fixed sequence of double operations, so outputs
// depend only on the seed.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Rng.h"

#include <cmath>
#include <utility>

namespace bilevel::rt {

namespace {

uint64_t splitmix64(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

} // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t &word : state)
    word = splitmix64(seed);
}

uint64_t Rng::next() {
  uint64_t result = rotl(state[1] * 5, 7) * 9;
  uint64_t t = state[1] << 17;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 45);
  return result;
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (hasSpare) {
    hasSpare = false;
    return spareNormal;
  }

  // Polar method: a point uniform in the unit disc gives two normals.
  double u, v, s;
  do {
    u = 2 * uniform() - 1;
    v = 2 * uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  double scale = std::sqrt(-2 * std::log(s) / s);
  spareNormal = v * scale;
  hasSpare = true;
  return u * scale;
}

uint64_t Rng::below(uint64_t n) {
  // Reject the top partial copy of [0, n) so every value is equally likely.
  uint64_t limit = ~uint64_t(0) - (~uint64_t(0) % n);
  uint64_t x;
  do
    x = next();
  while (x >= limit);
  return x % n;
}

void Rng::shuffle(std::vector<int64_t> &values) {
  for (size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[below(i)]);
}

} // namespace bilevel::rt
