//===- RuntimeData.cpp - IDX and data set loaders -----------------------===//
//
// Writes small IDX files (gzip and plain) and .npz data sets in a temporary
// folder and reads them back; checks the errors for bad magic numbers,
// truncation and unknown data set names; and, when Fashion-MNIST is
// installed, that it loads with the expected shapes.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Data.h"
#include "bilevel/Error.h"
#include "bilevel/Npz.h"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bilevel::rt;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("bilevel-data-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string &name) const {
    return (path / name).string();
  }
};

void putWord(std::string &out, uint32_t word) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += char((word >> shift) & 0xff);
}

/// IDX bytes: magic, dims, then the payload.
std::string idx(uint32_t magic, std::vector<uint32_t> dims,
                const std::string &payload) {
  std::string out;
  putWord(out, magic);
  for (uint32_t d : dims)
    putWord(out, d);
  return out + payload;
}

void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file);
  REQUIRE(gzwrite(file, bytes.data(), unsigned(bytes.size())) ==
          int(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

void writePlain(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// n images of 2x3 pixels with pixel p of image i = (10 i + p) % 256.
std::string pixels(int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < 6; ++p)
      out += char((10 * i + p) % 256);
  return out;
}

std::string labelBytes(int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += char(i % 3);
  return out;
}

/// A folder in the MNIST layout: 4 train and 2 test images of 2x3 pixels.
void writeIdxFolder(const TempDir &dir, bool gzip) {
  auto write = gzip ? writeGzip : writePlain;
  std::string gz = gzip ? ".gz" : "";
  write(dir / ("train-images-idx3-ubyte" + gz),
        idx(0x803, {4, 2, 3}, pixels(4)));
  write(dir / ("train-labels-idx1-ubyte" + gz), idx(0x801, {4}, labelBytes(4)));
  write(dir / ("t10k-images-idx3-ubyte" + gz),
        idx(0x803, {2, 2, 3}, pixels(2)));
  write(dir / ("t10k-labels-idx1-ubyte" + gz), idx(0x801, {2}, labelBytes(2)));
}

} // namespace

TEST_CASE("idx images and labels read back, gzip or plain", "[runtime][data]") {
  TempDir dir;
  for (bool gzip : {true, false}) {
    std::string name = gzip ? "img.gz" : "img";
    (gzip ? writeGzip : writePlain)(dir / name,
                                    idx(0x803, {5, 2, 3}, pixels(5)));
    Matrix<float> images = readIdxImages(dir / name);
    REQUIRE(images.rows == 5);
    REQUIRE(images.cols == 6);
    REQUIRE(images(3, 4) == Approx(34 / 255.0));
    REQUIRE(*std::max_element(images.data.begin(), images.data.end()) <= 1);
  }
  writeGzip(dir / "lab.gz", idx(0x801, {7}, labelBytes(7)));
  REQUIRE(readIdxLabels(dir / "lab.gz") ==
          std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0});
}

TEST_CASE("idx errors name the file and the problem", "[runtime][data]") {
  TempDir dir;
  writeGzip(dir / "magic.gz", idx(0x801, {5, 2, 3}, pixels(5)));
  REQUIRE_THROWS_WITH(readIdxImages(dir / "magic.gz"),
                      Catch::Contains("magic.gz") &&
                          Catch::Contains("magic number"));
  writeGzip(dir / "short.gz", idx(0x803, {5, 2, 3}, pixels(4)));
  REQUIRE_THROWS_WITH(readIdxImages(dir / "short.gz"),
                      Catch::Contains("short.gz") &&
                          Catch::Contains("truncated"));
  writeGzip(dir / "hdr.gz", idx(0x803, {5}, ""));
  REQUIRE_THROWS_WITH(readIdxImages(dir / "hdr.gz"),
                      Catch::Contains("truncated"));
  writePlain(dir / "labels", idx(0x801, {9}, labelBytes(3)));
  REQUIRE_THROWS_WITH(readIdxLabels(dir / "labels"),
                      Catch::Contains("truncated"));
  REQUIRE_THROWS_AS(readIdxLabels(dir / "absent.gz"), Error);
}

TEST_CASE("loadDataset reads an IDX folder", "[runtime][data]") {
  for (bool gzip : {true, false}) {
    TempDir dir;
    writeIdxFolder(dir, gzip);
    DataSplit split = loadDataset(dir.path.string());
    REQUIRE(split.train.x.rows == 4);
    REQUIRE(split.train.x.cols == 6);
    REQUIRE(split.test.x.rows == 2);
    REQUIRE(split.train.numClasses == 3);
    REQUIRE(split.train.y.cols == 3);
    REQUIRE(split.train.labels == std::vector<int32_t>{0, 1, 2, 0});
    REQUIRE(split.train.y(2, 2) == 1.0f);
    REQUIRE(split.train.y(2, 0) == 0.0f);

    DataSplit limited = loadDataset(dir.path.string(), 3);
    REQUIRE(limited.train.size() == 3);
    REQUIRE(limited.test.size() == 2);
    REQUIRE(limited.train.y.data.size() == 9);
  }
}

TEST_CASE("loadDataset reads npz data sets", "[runtime][data]") {
  TempDir dir;

  // Integer labels and uint8 images.
  std::vector<uint8_t> x = {0, 255, 51, 102, 0, 0, 255, 255};
  writeNpz(dir / "cls.npz",
           {{"x_train", NpyArray::from(x, {2, 4})},
            {"y_train", NpyArray::from(std::vector<int64_t>{0, 3}, {2})},
            {"x_test", NpyArray::from(x, {2, 1, 4})},
            {"y_test", NpyArray::from(std::vector<int32_t>{2, 0}, {2})}});
  DataSplit cls = loadDataset(dir / "cls.npz");
  REQUIRE(cls.train.numClasses == 4);
  REQUIRE(cls.train.x(0, 1) == 1.0f);
  REQUIRE(cls.train.x(0, 2) == Approx(0.2));
  REQUIRE(cls.test.x.cols == 4);
  REQUIRE(cls.test.y(0, 2) == 1.0f);
  REQUIRE(cls.train.labels == std::vector<int32_t>{0, 3});
  REQUIRE(cls.train.y(1, 3) == 1.0f);

  // Real-valued targets: regression, labels -1.
  std::vector<float> xr = {0.5f, -1, 2, 3};
  writeNpz(
      dir / "reg.npz",
      {{"x_train", NpyArray::from(xr, {4, 1})},
       {"y_train", NpyArray::from(std::vector<double>{1, 2, 3, 4.5}, {4, 1})},
       {"x_test", NpyArray::from(xr, {4, 1})},
       {"y_test", NpyArray::from(std::vector<double>{0, 0, 0, 0.5}, {4})}});
  DataSplit reg = loadDataset(dir / "reg.npz");
  REQUIRE(reg.train.numClasses == 0);
  REQUIRE(reg.train.labels == std::vector<int32_t>(4, -1));
  REQUIRE(reg.train.y(3, 0) == 4.5f);
  REQUIRE(reg.test.y.cols == 1);

  // One-hot float targets keep their labels.
  writeNpz(
      dir / "hot.npz",
      {{"x_train", NpyArray::from(xr, {2, 2})},
       {"y_train", NpyArray::from(std::vector<float>{0, 1, 1, 0}, {2, 2})},
       {"x_test", NpyArray::from(xr, {2, 2})},
       {"y_test", NpyArray::from(std::vector<float>{1, 0, 0, 1}, {2, 2})}});
  DataSplit hot = loadDataset(dir / "hot.npz");
  REQUIRE(hot.train.numClasses == 2);
  REQUIRE(hot.train.labels == std::vector<int32_t>{1, 0});
}

TEST_CASE("loadDataset errors list the accepted forms", "[runtime][data]") {
  TempDir dir;
  REQUIRE_THROWS_WITH(loadDataset("no_such_set"),
                      Catch::Contains("no_such_set") &&
                          Catch::Contains("fashion_mnist") &&
                          Catch::Contains(".npz"));
  REQUIRE_THROWS_WITH(loadDataset(dir.path.string()),
                      Catch::Contains("accepted"));
  REQUIRE_THROWS_WITH(loadFashionMnist(dir / "nowhere"),
                      Catch::Contains("apt-get install dataset-fashion-mnist"));
  writeNpz(dir / "partial.npz",
           {{"x_train", NpyArray::from(std::vector<float>{1}, {1, 1})}});
  REQUIRE_THROWS_WITH(loadDataset(dir / "partial.npz"),
                      Catch::Contains("y_train"));
  writeNpz(dir / "rows.npz",
           {{"x_train", NpyArray::from(std::vector<float>{1, 2}, {2, 1})},
            {"y_train", NpyArray::from(std::vector<int32_t>{0}, {1})},
            {"x_test", NpyArray::from(std::vector<float>{1}, {1, 1})},
            {"y_test", NpyArray::from(std::vector<int32_t>{0}, {1})}});
  REQUIRE_THROWS_WITH(loadDataset(dir / "rows.npz"),
                      Catch::Contains("y_train"));
  REQUIRE_THROWS_AS(loadDataset(dir / "absent.npz"), Error);
}

TEST_CASE("Fashion-MNIST loads with the published shapes",
          "[runtime][data][fashion]") {
  if (!fs::exists(std::string(kFashionMnistDir) +
                  "/train-images-idx3-ubyte.gz")) {
    WARN("Fashion-MNIST is not installed; skipping");
    return;
  }
  DataSplit split = loadDataset("fashion_mnist");
  REQUIRE(split.train.x.rows == 60000);
  REQUIRE(split.train.x.cols == 784);
  REQUIRE(split.test.x.rows == 10000);
  REQUIRE(split.test.x.cols == 784);
  REQUIRE(split.train.numClasses == 10);
  for (const auto *labels : {&split.train.labels, &split.test.labels}) {
    REQUIRE(*std::min_element(labels->begin(), labels->end()) == 0);
    REQUIRE(*std::max_element(labels->begin(), labels->end()) == 9);
  }
  auto [lo, hi] =
      std::minmax_element(split.train.x.data.begin(), split.train.x.data.end());
  REQUIRE(*lo == 0.0f);
  REQUIRE(*hi == 1.0f);
}

TEST_CASE("corrupt headers are refused before allocating", "[runtime][data]") {
  TempDir dir;
  writeGzip(dir / "huge.gz", idx(0x803, {0xffffffff, 0xffff, 0xffff}, ""));
  REQUIRE_THROWS_WITH(readIdxImages(dir / "huge.gz"),
                      Catch::Contains("implausible"));

  // An .npy header claiming an enormous shape.
  std::string header = "{'descr': '<f8', 'fortran_order': False, "
                       "'shape': (4294967296, 4294967296, 16), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  writePlain(dir / "huge.npy", bytes + header + "12345678");
  REQUIRE_THROWS_WITH(readNpy(dir / "huge.npy"), Catch::Contains("truncated"));
}
