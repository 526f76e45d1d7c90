//===- SyntaxFuzzTest.cpp - Random mutations never break the front end ----===//
//
// Seeded mutations of valid specs (byte flips, insertions of punctuation and
// junk, deletions of bytes and whole tokens, duplicated lines, deep nests)
// must never crash or hang the front end, and loadSpec must always return
// either a Spec with no errors or nothing with at least one error. The seed
// is printed; set BILEVEL_FUZZ_SEED to replay a run.
//
//===----------------------------------------------------------------------===//
#include "sema/Frontend.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;
using namespace bilevel;

namespace {

const char *kSeeds[] = {
    "network mlp {\n  input  x[784]\n  dense  h1[256] relu\n"
    "  dense  h2[256] leaky_relu(slope = 0.1)\n  dense  logits[10] identity\n"
    "  loss   softmax_cross_entropy\n  states post_activation\n}\n"
    "method fenchel_bp(beta = 0.1, centered = true)\n"
    "train {\n  data       fashion_mnist\n  batch      64\n  epochs     5\n"
    "  optimizer  adam(lr = 1e-3)\n  seed       1\n  eval_every 1\n"
    "  precision  float32\n}\n",
    "include \"other.bl\"\nmethod ep(beta = 0.01, gamma = 0.1, sweeps = 20)\n"
    "train { data \"/tmp/x\"; optimizer sgd(lr = 0.1, momentum = 0.9) }\n",
    "network n {\n  input x[784]\n  dense y[10] tanh\n  loss mse\n}\n",
    "network n { input x[4]; dense y[2] tanh; loss mse }\n"
    "method { layers y: ovr(beta = 0.05) then eliminate conjugate }\n",
    "network n { input x[4]; dense h[3] relu; dense y[2] tanh; loss mse }\n"
    "method {\n"
    "  layers y: ovr(beta = 0.05) then eliminate_conjugate\n"
    "            then eliminate quadratic\n"
    "  layers h: limit_bp   # exact back-propagation here\n"
    "  infer(order = backward, sweeps = 10, tol = 1e-6,\n"
    "        update = prox_gradient)\n"
    "}\n"
    "train { data \"d.npz\" }\n",
    "network n { input x[4]; dense h[3] relu; dense y[2] tanh; loss mse }\n"
    "method {\n"
    "  all: collapse(gamma = 0.1) then mix_input(alpha = 0.5) then\n"
    "       ovr(beta = -0.01, centered = true)\n"
    "  infer(sweeps = 50)\n"
    "}\n"
    "train { data \"d.npz\" }\n",
};

const char *kInserts[] = {
    "{",       "}",     "[",    "]",    "(",       ")",      "\"",
    "#",       "\n",    "=",    ",",    ".",       "-",      "1e",
    "0x",      "9e999", "\x01", "\xff", "network", "method", "train",
    "include", "dense", ";",    ":",    "\\"};

std::string mutate(std::string text, std::mt19937_64 &rng) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : size_t(rng() % n); };
  int steps = 1 + int(pick(4));
  for (int s = 0; s < steps; ++s) {
    size_t at = pick(text.size() + 1);
    switch (pick(6)) {
    case 0: // flip a byte
      if (at < text.size())
        text[at] = char(rng());
      break;
    case 1: // insert a token-ish fragment
      text.insert(at, kInserts[pick(std::size(kInserts))]);
      break;
    case 2: // delete a few bytes
      text.erase(at, pick(8) + 1);
      break;
    case 3: { // delete a whole word (token deletion)
      size_t begin = text.find_first_not_of(" \n", at);
      size_t end = begin == std::string::npos
                       ? std::string::npos
                       : text.find_first_of(" \n", begin);
      if (begin != std::string::npos)
        text.erase(begin, end == std::string::npos ? end : end - begin);
      break;
    }
    case 4: // duplicate a slice
      if (at < text.size())
        text.insert(at, text.substr(at, pick(40)));
      break;
    default: // truncate
      text.resize(at);
    }
  }
  return text;
}

} // namespace

TEST_CASE("fuzzed specs give a Spec or an error, never a crash",
          "[unit][fuzz]") {
  uint64_t seed = std::random_device{}();
  if (const char *fixed = std::getenv("BILEVEL_FUZZ_SEED"))
    seed = std::strtoull(fixed, nullptr, 10);
  std::cout << "syntax fuzz seed: " << seed
            << " (replay with BILEVEL_FUZZ_SEED)\n";
  std::mt19937_64 rng(seed);

  fs::path dir =
      fs::temp_directory_path() / ("bilevel-fuzz-" + std::to_string(seed));
  fs::create_directories(dir);
  std::ofstream(dir / "other.bl") << kSeeds[2];
  fs::path path = dir / "spec.bl";

  int specs = 0;
  int failures = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = mutate(kSeeds[i % std::size(kSeeds)], rng);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    std::vector<std::string> overrides;
    if (i % 7 == 0)
      overrides.push_back(mutate("method=ep(beta=0.1)", rng));
    if (i % 5 == 0)
      overrides.push_back(mutate("method.beta=0.2", rng));

    SourceManager sources;
    std::ostringstream out;
    DiagnosticEngine diags(sources, out);
    std::optional<Spec> spec =
        loadSpec(path.string(), overrides, sources, diags);
    bool consistent = spec.has_value() != diags.hasErrors();
    if (!consistent) {
      INFO("seed " << seed << " iteration " << i << "\nspec:\n"
                   << text << "\noutput:\n"
                   << out.str());
      CHECK(consistent);
    }
    spec ? ++specs : ++failures;
  }
  std::cout << "syntax fuzz: " << specs << " specs, " << failures
            << " rejected\n";
  fs::remove_all(dir);
}

TEST_CASE("pathological inputs terminate", "[unit][fuzz]") {
  fs::path dir = fs::temp_directory_path() / "bilevel-fuzz-fixed";
  fs::create_directories(dir);
  std::string deep(200000, '{');
  std::string parens = "method bp" + std::string(100000, '(');
  std::string huge = "network n { input x[" + std::string(5000, '9') + "] }";
  std::string junk;
  for (int i = 0; i < 65536; ++i)
    junk += char(i * 7919 % 256);
  for (const std::string &text :
       {std::string(), deep, "method " + deep, parens, huge, junk,
        std::string("\"unterminated"), std::string("network n {")}) {
    std::ofstream(dir / "spec.bl", std::ios::binary | std::ios::trunc) << text;
    SourceManager sources;
    std::ostringstream out;
    DiagnosticEngine diags(sources, out);
    std::optional<Spec> spec =
        loadSpec((dir / "spec.bl").string(), {}, sources, diags);
    CHECK_FALSE(spec);
    CHECK(diags.hasErrors());
    CHECK(out.str().size() < 100000);
  }
}
