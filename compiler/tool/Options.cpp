//===- Options.cpp - bilevelc's command line ------------------------------===//
//
// Flags that change the training setup (--data, --epochs, --batch) are
// turned into spec overrides, so that they are checked by sema exactly like
// the spec's own values and show up in the same diagnostics.
//
//===----------------------------------------------------------------------===//
#include "tool/Options.h"

#include "support/Json.h"
#include "tool/Driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace bilevel {

const char *usageText() {
  return R"(usage: bilevelc COMMAND SPEC [options]

commands
  show SPEC   print a stage of the compilation
              --stage ast|nested|relaxed|eliminated|updates|schedule|kernels|cpp
              --format text|latex|json    --trace-rules
  emit SPEC   write the generated C++: -o FILE, or --project DIR for a
              standalone CMake project that trains the same way
  train SPEC  compile in-process and train; writes a run folder
              --out DIR  --data NAME|PATH  --epochs N  --batch N  --limit N
              --quiet  --no-cache
  grad SPEC   one step's parameter update in float64
              --params P.npz --batch B.npz -o G.npz
  eval SPEC   loss and accuracy of saved parameters on the test split
              --params P.npz [--data NAME|PATH] [--limit N]
  check SPEC  the method's gradient against back-propagation's, per beta
              --beta 1e-1,1e-2,1e-3  [--format text|json] [--plot FILE.svg]

options for every command
  --set KEY=VALUE   override the spec (train.epochs=1, method.beta=0.1, ...)
  --precision float32|float64
  --help, --version
)";
}

namespace {

bool parseCount(const std::string &s, int64_t *out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && *out > 0;
}

} // namespace

std::optional<Options> parseOptions(int argc, char **argv, std::string *error) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  static const std::vector<std::string> commands = {"show", "emit", "train",
                                                    "grad", "eval", "check"};
  size_t i = 0;
  auto value = [&](const std::string &flag) -> std::optional<std::string> {
    if (i + 1 >= args.size()) {
      *error = flag + " needs a value";
      return std::nullopt;
    }
    return args[++i];
  };

  for (; i < args.size(); ++i) {
    const std::string &a = args[i];
    std::optional<std::string> v;
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--stage") {
      if (!(v = value(a)))
        return std::nullopt;
      const auto &names = stageNames();
      if (std::find(names.begin(), names.end(), *v) == names.end()) {
        *error = fmt::format("unknown stage '{}'; the stages are: {}", *v,
                             fmt::join(names, ", "));
        return std::nullopt;
      }
      o.stage = *v;
    } else if (a == "--format") {
      if (!(v = value(a)))
        return std::nullopt;
      std::optional<Format> f = parseFormat(*v);
      if (!f) {
        *error = fmt::format("unknown format '{}'; the formats are: {}", *v,
                             formatNames());
        return std::nullopt;
      }
      o.format = *f;
    } else if (a == "-o") {
      if (!(v = value(a)))
        return std::nullopt;
      o.output = *v;
    } else if (a == "--project") {
      if (!(v = value(a)))
        return std::nullopt;
      o.project = *v;
    } else if (a == "--plot") {
      if (!(v = value(a)))
        return std::nullopt;
      o.plot = *v;
    } else if (a == "--params") {
      if (!(v = value(a)))
        return std::nullopt;
      o.params = *v;
    } else if (a == "--batch") {
      if (!(v = value(a)))
        return std::nullopt;
      // A number sets the training batch size; anything else is grad's
      // batch file.
      int64_t n;
      if (parseCount(*v, &n))
        o.overrides.push_back("train.batch=" + *v);
      else
        o.batchFile = *v;
    } else if (a == "--out") {
      if (!(v = value(a)))
        return std::nullopt;
      o.runDir = *v;
    } else if (a == "--data") {
      if (!(v = value(a)))
        return std::nullopt;
      o.overrides.push_back("train.data=" + quoteLiteral(*v));
    } else if (a == "--epochs") {
      if (!(v = value(a)))
        return std::nullopt;
      o.overrides.push_back("train.epochs=" + *v);
    } else if (a == "--limit") {
      if (!(v = value(a)))
        return std::nullopt;
      if (!parseCount(*v, &o.limit)) {
        *error = "--limit needs a positive whole number, got '" + *v + "'";
        return std::nullopt;
      }
    } else if (a == "--set") {
      if (!(v = value(a)))
        return std::nullopt;
      o.overrides.push_back(*v);
    } else if (a == "--precision") {
      if (!(v = value(a)))
        return std::nullopt;
      if (*v != "float32" && *v != "float64") {
        *error = "--precision takes float32 or float64, got '" + *v + "'";
        return std::nullopt;
      }
      o.precisionBytes = *v == "float64" ? 8 : 4;
    } else if (a == "--beta") {
      if (!(v = value(a)))
        return std::nullopt;
      o.betas.clear();
      std::string item;
      std::stringstream list(*v);
      while (std::getline(list, item, ',')) {
        char *end = nullptr;
        double b = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !std::isfinite(b) || b == 0) {
          *error = "--beta takes a comma-separated list of nonzero numbers, "
                   "got '" +
                   *v + "'";
          return std::nullopt;
        }
        o.betas.push_back(b);
      }
    } else if (a == "--trace-rules") {
      o.traceRules = true;
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a == "--no-cache") {
      o.noCache = true;
    } else if (!a.empty() && a[0] == '-') {
      *error = "unknown option '" + a + "' (see bilevelc --help)";
      return std::nullopt;
    } else if (o.command.empty()) {
      if (std::find(commands.begin(), commands.end(), a) == commands.end()) {
        *error = fmt::format("unknown command '{}'; the commands are: {}", a,
                             fmt::join(commands, ", "));
        return std::nullopt;
      }
      o.command = a;
    } else if (o.spec.empty()) {
      o.spec = a;
    } else {
      *error = "unexpected argument '" + a + "' (one spec per call)";
      return std::nullopt;
    }
  }
  if (o.help || o.version)
    return o;
  if (o.command.empty()) {
    *error = "no command given";
    return std::nullopt;
  }
  if (o.spec.empty()) {
    *error = "no spec file given";
    return std::nullopt;
  }
  return o;
}

} // namespace bilevel
