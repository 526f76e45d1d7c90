//===- RuntimeNpz.cpp - .npy and .npz reading and writing ---------------===//
//
// Round trips for every supported dtype, reading a DEFLATE-compressed
// archive member (made here with libzip), and the errors for truncated,
// garbage, Fortran-ordered and big-endian input.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Error.h"
#include "bilevel/Npz.h"

#include <catch2/catch.hpp>
#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bilevel::rt;

namespace {

/// A fresh folder under the system temp folder, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("bilevel-npz-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string &name) const {
    return (path / name).string();
  }
};

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <class T> void roundTrip(const char *dtype) {
  TempDir dir;
  std::vector<T> values = {T(0), T(1), T(2), T(100), T(7), T(255)};
  NpyArray array = NpyArray::from(values, {2, 3});
  REQUIRE(array.dtype == dtype);
  REQUIRE(array.size() == 6);

  writeNpy(dir / "a.npy", array);
  NpyArray back = readNpy(dir / "a.npy");
  REQUIRE(back.dtype == dtype);
  REQUIRE(back.shape == std::vector<int64_t>{2, 3});
  REQUIRE(back.as<T>() == values);
  REQUIRE(back.as<double>() == std::vector<double>{0, 1, 2, 100, 7, 255});

  // The data of a version 1.0 file starts on a 64-byte boundary.
  REQUIRE((fs::file_size(dir / "a.npy") - 6 * sizeof(T)) % 64 == 0);

  std::map<std::string, NpyArray> arrays = {
      {"x", array},
      {"v", NpyArray::from(values, {6})},
      {"s", NpyArray::from(std::vector<T>{T(3)}, {})}};
  writeNpz(dir / "a.npz", arrays);
  auto read = readNpz(dir / "a.npz");
  REQUIRE(read.size() == 3);
  REQUIRE(read["x"].shape == std::vector<int64_t>{2, 3});
  REQUIRE(read["v"].shape == std::vector<int64_t>{6});
  REQUIRE(read["s"].shape.empty());
  REQUIRE(read["s"].as<T>() == std::vector<T>{T(3)});
  REQUIRE(read["x"].as<T>() == values);
  REQUIRE(read["x"].dtype == dtype);
}

} // namespace

TEST_CASE("npy and npz round trip every dtype", "[runtime][npz]") {
  roundTrip<float>("<f4");
  roundTrip<double>("<f8");
  roundTrip<int32_t>("<i4");
  roundTrip<int64_t>("<i8");
  roundTrip<uint8_t>("|u1");
}

TEST_CASE("npy keeps exact float values and empty arrays", "[runtime][npz]") {
  TempDir dir;
  std::vector<double> values = {0.1, -1e300, 3.14159265358979, 1e-310};
  writeNpy(dir / "d.npy", NpyArray::from(values, {4, 1}));
  REQUIRE(readNpy(dir / "d.npy").as<double>() == values);

  writeNpy(dir / "e.npy", NpyArray::from(std::vector<float>{}, {0, 5}));
  NpyArray empty = readNpy(dir / "e.npy");
  REQUIRE(empty.shape == std::vector<int64_t>{0, 5});
  REQUIRE(empty.size() == 0);
}

TEST_CASE("npz writing replaces files atomically", "[runtime][npz]") {
  TempDir dir;
  writeNpz(dir / "p.npz",
           {{"a", NpyArray::from(std::vector<float>{1, 2}, {2})}});
  writeNpz(dir / "p.npz", {{"b", NpyArray::from(std::vector<float>{3}, {1})}});
  auto read = readNpz(dir / "p.npz");
  REQUIRE(read.size() == 1);
  REQUIRE(read.count("b") == 1);

  // No temporary files are left behind.
  int files = 0;
  for (const auto &entry : fs::directory_iterator(dir.path))
    files += entry.is_regular_file();
  REQUIRE(files == 1);

  writeNpz(dir / "empty.npz", {});
  REQUIRE(readNpz(dir / "empty.npz").empty());

  REQUIRE_THROWS_AS(writeNpz(dir / "missing/dir/p.npz", {}), Error);
}

TEST_CASE("npz reads DEFLATE-compressed members", "[runtime][npz]") {
  TempDir dir;
  std::vector<float> values(1000);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = float(i % 17) * 0.5f;
  std::vector<unsigned char> member =
      encodeNpy(NpyArray::from(values, {10, 100}));

  // Build the archive with libzip, asking for DEFLATE explicitly.
  std::string path = dir / "c.npz";
  int code = 0;
  zip_t *archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  REQUIRE(archive);
  zip_source_t *source =
      zip_source_buffer(archive, member.data(), member.size(), 0);
  zip_int64_t index = zip_file_add(archive, "w.npy", source, 0);
  REQUIRE(index >= 0);
  REQUIRE(zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_DEFLATE,
                                   9) == 0);
  REQUIRE(zip_close(archive) == 0);
  REQUIRE(fs::file_size(path) < member.size() / 2);

  auto read = readNpz(path);
  REQUIRE(read.count("w") == 1);
  REQUIRE(read["w"].shape == std::vector<int64_t>{10, 100});
  REQUIRE(read["w"].as<float>() == values);
}

TEST_CASE("npy and npz reject bad files with clear errors", "[runtime][npz]") {
  TempDir dir;
  writeNpy(dir / "good.npy",
           NpyArray::from(std::vector<double>{1, 2, 3, 4}, {4}));
  std::string good = readBytes(dir / "good.npy");

  SECTION("truncated data") {
    writeBytes(dir / "t.npy", good.substr(0, good.size() - 5));
    REQUIRE_THROWS_WITH(readNpy(dir / "t.npy"),
                        Catch::Contains("t.npy") &&
                            Catch::Contains("truncated"));
  }
  SECTION("truncated header") {
    writeBytes(dir / "h.npy", good.substr(0, 30));
    REQUIRE_THROWS_WITH(readNpy(dir / "h.npy"), Catch::Contains("truncated"));
  }
  SECTION("garbage") {
    writeBytes(dir / "g.npy", "hello, this is not numpy at all");
    REQUIRE_THROWS_WITH(readNpy(dir / "g.npy"), Catch::Contains("magic"));
    writeBytes(dir / "g.npz", "PK but not really a zip archive");
    REQUIRE_THROWS_WITH(readNpz(dir / "g.npz"),
                        Catch::Contains("g.npz") && Catch::Contains("zip"));
  }
  SECTION("missing file") {
    REQUIRE_THROWS_WITH(readNpy(dir / "none.npy"), Catch::Contains("none.npy"));
    REQUIRE_THROWS_WITH(readNpz(dir / "none.npz"), Catch::Contains("none.npz"));
  }
  SECTION("fortran order, big endian, unknown dtype") {
    auto patched = [&](const std::string &from, const std::string &to) {
      std::string bytes = good;
      size_t at = bytes.find(from);
      REQUIRE(at != std::string::npos);
      bytes.replace(at, from.size(), to);
      writeBytes(dir / "p.npy", bytes);
    };
    patched("False", "True ");
    REQUIRE_THROWS_WITH(readNpy(dir / "p.npy"), Catch::Contains("Fortran"));
    patched("<f8", ">f8");
    REQUIRE_THROWS_WITH(readNpy(dir / "p.npy"), Catch::Contains("big-endian"));
    patched("<f8", "<c8");
    REQUIRE_THROWS_WITH(readNpy(dir / "p.npy"), Catch::Contains("<c8"));
  }
  SECTION("a truncated npz member") {
    // A stored archive cut in the middle of its member's data.
    writeNpz(dir / "x.npz",
             {{"x", NpyArray::from(std::vector<double>(100, 1.0), {100})}});
    std::string bytes = readBytes(dir / "x.npz");
    writeBytes(dir / "cut.npz", bytes.substr(0, bytes.size() / 2));
    REQUIRE_THROWS_AS(readNpz(dir / "cut.npz"), Error);
  }
  SECTION("shape and value count disagree") {
    REQUIRE_THROWS_AS(NpyArray::from(std::vector<float>{1, 2, 3}, {2, 2}),
                      Error);
  }
}
