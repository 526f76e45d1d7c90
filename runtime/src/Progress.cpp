//===- Progress.cpp - Training progress on stderr -----------------------===//
//
// Implements bilevel/Progress.h. The live bar is a single line rewritten
// with a carriage return; it is erased before the epoch line is printed so
// that the terminal keeps exactly one line per epoch.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Progress.h"
#include "bilevel/Train.h"

#include <cmath>
#include <unistd.h>

namespace bilevel::rt {

namespace {

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * fraction);
  return text;
}

} // namespace

std::string formatEpochLine(const EpochRecord &r, int64_t epochs) {
  char text[160];
  std::snprintf(text, sizeof text, "epoch %lld/%lld  loss %.4f",
                (long long)r.epoch, (long long)epochs, r.trainLoss);
  std::string line = text;
  if (!std::isnan(r.trainAccuracy))
    line += "  train " + percent(r.trainAccuracy);
  if (!std::isnan(r.testAccuracy))
    line += "  test " + percent(r.testAccuracy);
  else if (!std::isnan(r.testLoss)) {
    std::snprintf(text, sizeof text, "  test loss %.4f", r.testLoss);
    line += text;
  }
  if (r.residual != 0) {
    std::snprintf(text, sizeof text, "  residual %.2e", r.residual);
    line += text;
  }
  std::snprintf(text, sizeof text, "  %.0f samples/s  %.1f s",
                r.samplesPerSecond, r.seconds);
  return line + text;
}

Progress::Progress(int64_t epochs, int64_t batchesPerEpoch, bool quiet,
                   std::FILE *out, int live)
    : epochs(epochs), batches(batchesPerEpoch), quiet(quiet),
      live(live < 0 ? ::isatty(::fileno(out)) != 0 : live != 0), out(out) {}

void Progress::update(int64_t epoch, int64_t batch, double runningLoss) {
  if (quiet || !live)
    return;
  auto now = std::chrono::steady_clock::now();
  if (batch < batches && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;

  constexpr int kWidth = 30;
  int filled = batches > 0 ? int(kWidth * batch / batches) : kWidth;
  std::string bar(size_t(filled), '#');
  bar.append(size_t(kWidth - filled), '.');
  std::fprintf(out, "\repoch %lld/%lld [%s] %lld/%lld  loss %.4f\033[K",
               (long long)epoch, (long long)epochs, bar.c_str(),
               (long long)batch, (long long)batches, runningLoss);
  std::fflush(out);
}

void Progress::finishEpoch(const EpochRecord &record) {
  if (quiet)
    return;
  if (live)
    std::fputs("\r\033[K", out);
  std::fprintf(out, "%s\n", formatEpochLine(record, epochs).c_str());
  std::fflush(out);
}

} // namespace bilevel::rt
