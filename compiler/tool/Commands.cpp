//===- Commands.cpp - What each bilevelc command does ---------------------===//
//
// Every command starts by running the pipeline (or, for `show --stage ast`,
// the parser alone). Commands that execute the model JIT-compile the emitted
// source and hand the descriptor to the runtime. Nothing a run produces is
// written over: a default run folder gets a fresh name, files are replaced
// atomically.
//
//===----------------------------------------------------------------------===//
#include "tool/Commands.h"

#include "codegen/ProjectEmitter.h"
#include "derive/PrintUpdates.h"
#include "tool/Check.h"
#include "tool/Driver.h"
#include "tool/Jit.h"

#include <bilevel/Data.h>
#include <bilevel/Error.h>
#include <bilevel/Npz.h>
#include <bilevel/Params.h>
#include <bilevel/Train.h>

#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace fs = std::filesystem;

namespace bilevel {

namespace {

constexpr int kSpecError = 1, kUsageError = 2, kDataError = 3;

void fail(const std::string &message) {
  std::cerr << "bilevelc: error: " << message << "\n";
}

/// Writes \p text to \p path through a temporary file and a rename, so a
/// reader never sees half a file.
void writeFileAtomic(const fs::path &path, const std::string &text) {
  if (path.has_parent_path())
    fs::create_directories(path.parent_path());
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out.flush())
      throw rt::Error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

/// An artefact goes to -o FILE when given, else to standard output.
void writeArtefact(const Options &o, const std::string &text) {
  if (o.output.empty())
    std::cout << text;
  else
    writeFileAtomic(o.output, text);
}

/// runs/<spec stem>, or the first of runs/<stem>-2, -3, ... that is free.
fs::path freshRunDir(const std::string &spec) {
  std::string stem = fs::path(spec).stem().string();
  fs::path dir = fs::path("runs") / stem;
  for (int i = 2; fs::exists(dir); ++i)
    dir = fs::path("runs") / fmt::format("{}-{}", stem, i);
  return dir;
}

CompileRequest requestFor(const Options &o) {
  return {o.spec, o.overrides, o.precisionBytes};
}

std::optional<LoadedModel> jitModel(const Compilation &c, const Options &o) {
  std::string error;
  LoadedModel m = loadModel(c.cpp(), o.spec + ".cpp", !o.noCache, &error);
  if (!m.model) {
    fail(error);
    return std::nullopt;
  }
  if (!o.quiet)
    std::cerr << fmt::format("bilevelc: compiled {} in {:.2f} s{}\n", o.spec,
                             m.stats.seconds,
                             m.stats.cacheHit ? " (cached)" : "");
  return m;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int showCommand(const Options &o, SourceManager &sources,
                DiagnosticEngine &diags) {
  std::ostringstream text;
  if (o.stage == "ast") {
    if (!printAstStage(o.spec, o.format, sources, diags, text))
      return kSpecError;
  } else {
    Compilation c(sources, diags);
    if (!c.run(requestFor(o)))
      return kSpecError;
    if (o.traceRules)
      derive::printTrace(c.derived(), std::cerr);
    c.print(o.stage, o.format, text);
  }
  writeArtefact(o, text.str());
  return 0;
}

int emitCommand(const Options &o, SourceManager &sources,
                DiagnosticEngine &diags) {
  Compilation c(sources, diags);
  if (!c.run(requestFor(o)))
    return kSpecError;
  if (!o.project.empty()) {
    for (const auto &[name, text] :
         codegen::emitProject(c.spec(), c.cpp(), BILEVEL_RUNTIME_PACKAGE_DIR))
      writeFileAtomic(fs::path(o.project) / name, text);
    std::cerr << "bilevelc: wrote project " << o.project << " (build: cmake -S "
              << o.project << " -B " << o.project << "/build && cmake --build "
              << o.project << "/build)\n";
    return 0;
  }
  writeArtefact(o, c.cpp());
  return 0;
}

int trainCommand(const Options &o, SourceManager &sources,
                 DiagnosticEngine &diags) {
  Compilation c(sources, diags);
  if (!c.run(requestFor(o)))
    return kSpecError;
  std::optional<LoadedModel> m = jitModel(c, o);
  if (!m)
    return kDataError;

  const TrainSpec &t = c.spec().train;
  rt::DataSplit data = rt::loadDataset(c.dataSource(), o.limit);
  rt::TrainOptions opts;
  opts.batch = t.batch;
  opts.epochs = t.epochs;
  opts.optimizer = t.optimizer == Optimizer::Adam
                       ? rt::TrainOptions::Optimizer::Adam
                       : rt::TrainOptions::Optimizer::Sgd;
  opts.learningRate = t.learningRate;
  opts.momentum = t.momentum;
  opts.seed = t.seed;
  opts.evalEvery = t.evalEvery;
  opts.quiet = o.quiet;
  opts.runDir = o.runDir.empty() ? freshRunDir(o.spec).string() : o.runDir;
  opts.specText = readFile(o.spec);
  if (!o.quiet)
    std::cerr << fmt::format("bilevelc: training {} with method {} on {} "
                             "({} train / {} test samples), run folder {}\n",
                             c.spec().network.name, c.spec().method.preset,
                             t.data, data.train.x.rows, data.test.x.rows,
                             opts.runDir);

  rt::TrainResult result = rt::train(*m->model, data, opts);
  writeFileAtomic(fs::path(opts.runDir) / "model.cpp", c.cpp());
  const rt::EpochRecord &last = result.epochs.back();
  std::cout << fmt::format("test accuracy {:.2f}% (loss {:.4f}) after {} "
                           "epochs, {:.0f} samples/s; run folder {}\n",
                           100 * last.testAccuracy, last.testLoss, last.epoch,
                           last.samplesPerSecond, opts.runDir);
  return 0;
}

/// Reads one float64 matrix \p key of an .npz batch, checking its width.
std::vector<double> batchArray(const std::map<std::string, rt::NpyArray> &npz,
                               const std::string &path, const std::string &key,
                               int64_t width, int64_t *rows) {
  auto it = npz.find(key);
  if (it == npz.end())
    throw rt::Error(fmt::format("{}: no array '{}'; a batch file holds x "
                                "[N, inputs] and y [N, outputs]",
                                path, key));
  const rt::NpyArray &a = it->second;
  if (a.shape.size() != 2 || a.shape[1] != width)
    throw rt::Error(fmt::format("{}: '{}' has shape {}, expected [N, {}]", path,
                                key, a.shapeText(), width));
  if (*rows >= 0 && a.shape[0] != *rows)
    throw rt::Error(
        fmt::format("{}: x and y have different numbers of rows", path));
  *rows = a.shape[0];
  return a.as<double>();
}

int gradCommand(const Options &o, SourceManager &sources,
                DiagnosticEngine &diags) {
  if (o.params.empty() || o.batchFile.empty() || o.output.empty()) {
    fail("grad needs --params P.npz --batch B.npz -o G.npz");
    return kUsageError;
  }
  CompileRequest req = requestFor(o);
  req.precisionBytes = 8; // gradients are checked in float64
  Compilation c(sources, diags);
  if (!c.run(req))
    return kSpecError;
  std::optional<LoadedModel> m = jitModel(c, o);
  if (!m)
    return kDataError;
  const blrt_model &model = *m->model;

  std::vector<std::vector<double>> params =
      rt::loadParams<double>(o.params, model);
  auto npz = rt::readNpz(o.batchFile);
  int64_t n = -1;
  std::vector<double> x =
      batchArray(npz, o.batchFile, "x", model.input_size, &n);
  std::vector<double> y =
      batchArray(npz, o.batchFile, "y", model.output_size, &n);

  std::vector<std::vector<double>> grads(params.size());
  std::vector<const void *> pp;
  std::vector<void *> gp;
  for (size_t i = 0; i < params.size(); ++i) {
    grads[i].assign(params[i].size(), 0.0);
    pp.push_back(params[i].data());
    gp.push_back(grads[i].data());
  }
  std::vector<unsigned char> ws(model.workspace_bytes(n));
  blrt_step_report report{};
  model.gradient(pp.data(), x.data(), y.data(), n, gp.data(), ws.data(),
                 &report);

  std::map<std::string, rt::NpyArray> out;
  for (int i = 0; i < model.num_params; ++i) {
    const blrt_param_info &info = model.params[i];
    std::vector<int64_t> shape = {info.rows};
    if (info.cols != 1 || info.name[0] == 'W')
      shape.push_back(info.cols);
    out[info.name] = rt::NpyArray::from(grads[i], shape);
  }
  rt::writeNpz(o.output, out);
  std::cout << fmt::format("loss {:.12g}; gradient of {} parameters written "
                           "to {}\n",
                           report.loss, model.num_params, o.output);
  return 0;
}

int evalCommand(const Options &o, SourceManager &sources,
                DiagnosticEngine &diags) {
  if (o.params.empty()) {
    fail("eval needs --params P.npz");
    return kUsageError;
  }
  Compilation c(sources, diags);
  if (!c.run(requestFor(o)))
    return kSpecError;
  std::optional<LoadedModel> m = jitModel(c, o);
  if (!m)
    return kDataError;
  rt::DataSplit data = rt::loadDataset(c.dataSource(), o.limit);
  rt::Evaluation e;
  if (m->model->precision == 8)
    e = rt::evaluate(*m->model, rt::loadParams<double>(o.params, *m->model),
                     data.test);
  else
    e = rt::evaluate(*m->model, rt::loadParams<float>(o.params, *m->model),
                     data.test);
  std::cout << fmt::format("test loss {:.4f}", e.loss);
  if (!std::isnan(e.accuracy))
    std::cout << fmt::format(", accuracy {:.2f}%", 100 * e.accuracy);
  std::cout << fmt::format(" on {} samples\n", data.test.x.rows);
  return 0;
}

int checkCommand(const Options &o, SourceManager &sources,
                 DiagnosticEngine &diags) {
  std::string error;
  std::optional<CheckResult> r =
      checkMethod(o.spec, o.overrides, o.betas, {}, sources, diags, &error);
  if (!r) {
    if (!error.empty())
      fail(error);
    return diags.hasErrors() ? kSpecError : kDataError;
  }
  if (!o.plot.empty())
    writeFileAtomic(o.plot, plotCheck(*r));
  std::ostringstream text;
  printCheck(*r, o.format == Format::Json, text);
  writeArtefact(o, text.str());
  return 0;
}

} // namespace

int runCommand(const Options &o, SourceManager &sources,
               DiagnosticEngine &diags) {
  try {
    if (o.command == "show")
      return showCommand(o, sources, diags);
    if (o.command == "emit")
      return emitCommand(o, sources, diags);
    if (o.command == "train")
      return trainCommand(o, sources, diags);
    if (o.command == "grad")
      return gradCommand(o, sources, diags);
    if (o.command == "eval")
      return evalCommand(o, sources, diags);
    if (o.command == "check")
      return checkCommand(o, sources, diags);
  } catch (const rt::Error &e) {
    fail(e.what());
    return kDataError;
  } catch (const fs::filesystem_error &e) {
    fail(e.what());
    return kDataError;
  }
  fail("unknown command " + o.command);
  return kUsageError;
}

} // namespace bilevel
