//===- Npz.cpp - NumPy .npy encoding and .npz archives ------------------===//
//
// Implements bilevel/Npz.h. An .npy file is the magic "\x93NUMPY", a version,
// a header length, a Python dict literal giving dtype, order and shape, and
// the raw data. An .npz file is a zip archive of .npy members, read and
// written here with libzip. This runtime assumes a little-endian host.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Npz.h"
#include "bilevel/Error.h"

#include <zip.h>

#include <atomic>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <unistd.h>

static_assert(std::endian::native == std::endian::little,
              "the runtime reads and writes little-endian data in place");

namespace bilevel::rt {

namespace {

constexpr unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

template <class T> const char *dtypeOf();
template <> const char *dtypeOf<float>() { return "<f4"; }
template <> const char *dtypeOf<double>() { return "<f8"; }
template <> const char *dtypeOf<int32_t>() { return "<i4"; }
template <> const char *dtypeOf<int64_t>() { return "<i8"; }
template <> const char *dtypeOf<uint8_t>() { return "|u1"; }

/// Reads a whole file; throws Error naming it if it cannot.
std::vector<unsigned char> readFile(const std::string &path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(
      std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file)
    throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0)
    bytes.insert(bytes.end(), chunk, chunk + got);
  if (std::ferror(file.get()))
    throw Error(path, "read error");
  return bytes;
}

/// The text following "'key':" in a header dict, or npos.
size_t findValue(const std::string &header, const std::string &key) {
  for (const char *quote : {"'", "\""}) {
    size_t at = header.find(quote + key + quote);
    if (at == std::string::npos)
      continue;
    size_t colon = header.find(':', at + key.size() + 2);
    if (colon == std::string::npos)
      return colon;
    size_t value = header.find_first_not_of(" \t", colon + 1);
    return value;
  }
  return std::string::npos;
}

/// Parses the dict literal of an .npy header into dtype and shape.
void parseHeader(const std::string &header, const std::string &where,
                 NpyArray &array) {
  auto malformed = [&](const std::string &what) {
    return Error(where, "malformed .npy header (" + what + "): " + header,
                 "was the file written by numpy.save?");
  };

  // 'descr': a quoted dtype string.
  size_t at = findValue(header, "descr");
  if (at == std::string::npos || (header[at] != '\'' && header[at] != '"'))
    throw malformed("no 'descr'");
  size_t end = header.find(header[at], at + 1);
  if (end == std::string::npos)
    throw malformed("unterminated 'descr'");
  array.dtype = header.substr(at + 1, end - at - 1);
  if (!array.dtype.empty() && array.dtype[0] == '>')
    throw Error(where,
                "big-endian dtype '" + array.dtype + "' is not supported",
                "save it little-endian, e.g. with a.astype('<f4')");
  NpyArray::itemSize(array.dtype); // Rejects unknown dtypes.

  // 'fortran_order': only False.
  at = findValue(header, "fortran_order");
  if (at == std::string::npos)
    throw malformed("no 'fortran_order'");
  if (header.compare(at, 4, "True") == 0)
    throw Error(where, "Fortran-ordered arrays are not supported",
                "save numpy.ascontiguousarray(a) instead");
  if (header.compare(at, 5, "False") != 0)
    throw malformed("bad 'fortran_order'");

  // 'shape': a tuple of non-negative integers.
  at = findValue(header, "shape");
  if (at == std::string::npos || header[at] != '(')
    throw malformed("no 'shape'");
  end = header.find(')', at);
  if (end == std::string::npos)
    throw malformed("unterminated 'shape'");
  array.shape.clear();
  for (size_t i = at + 1; i < end;) {
    if (header[i] == ' ' || header[i] == ',') {
      ++i;
      continue;
    }
    if (header[i] < '0' || header[i] > '9')
      throw malformed("bad 'shape'");
    int64_t dim = 0;
    for (; i < end && header[i] >= '0' && header[i] <= '9'; ++i)
      dim = dim * 10 + (header[i] - '0');
    if (i < end && header[i] == 'L') // Python 2 longs.
      ++i;
    array.shape.push_back(dim);
  }
}

/// Writes bytes to \p path, replacing it; throws Error on failure.
void writeFile(const std::string &path, const std::vector<unsigned char> &b) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(
      std::fopen(path.c_str(), "wb"), std::fclose);
  if (!file)
    throw Error(path, std::string("cannot create: ") + std::strerror(errno));
  if (std::fwrite(b.data(), 1, b.size(), file.get()) != b.size() ||
      std::fflush(file.get()) != 0)
    throw Error(path, std::string("write failed: ") + std::strerror(errno));
}

std::string zipMessage(zip_error_t *error) { return zip_error_strerror(error); }

std::string zipOpenMessage(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

/// A name for a temporary file next to \p path that does not exist yet.
std::string temporaryName(const std::string &path) {
  static std::atomic<uint64_t> counter{0};
  for (;;) {
    std::string name = path + ".tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(counter++);
    if (!std::filesystem::exists(name))
      return name;
  }
}

} // namespace

int64_t NpyArray::itemSize(const std::string &dtype) {
  if (dtype == "<f4" || dtype == "<i4")
    return 4;
  if (dtype == "<f8" || dtype == "<i8")
    return 8;
  if (dtype == "|u1" || dtype == "<u1")
    return 1;
  throw Error("npy", "unsupported dtype '" + dtype + "'",
              "use float32, float64, int32, int64 or uint8");
}

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string NpyArray::shapeText() const {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

template <class T> std::vector<T> NpyArray::as() const {
  int64_t n = size(), item = itemSize(dtype);
  if (int64_t(bytes.size()) != n * item)
    throw Error("npy", "array of shape " + shapeText() + " holds " +
                           std::to_string(bytes.size()) + " bytes");
  std::vector<T> out(static_cast<size_t>(n));
  auto convert = [&](auto zero) {
    using S = decltype(zero);
    for (int64_t i = 0; i < n; ++i) {
      S value;
      std::memcpy(&value, bytes.data() + i * sizeof(S), sizeof(S));
      out[size_t(i)] = static_cast<T>(value);
    }
  };
  if (dtype == "<f4")
    convert(float());
  else if (dtype == "<f8")
    convert(double());
  else if (dtype == "<i4")
    convert(int32_t());
  else if (dtype == "<i8")
    convert(int64_t());
  else
    convert(uint8_t());
  return out;
}

template <class T>
NpyArray NpyArray::from(const std::vector<T> &values,
                        std::vector<int64_t> shape) {
  NpyArray array;
  array.dtype = dtypeOf<T>();
  array.shape = std::move(shape);
  if (array.size() != int64_t(values.size()))
    throw Error("npy", "shape " + array.shapeText() + " does not fit " +
                           std::to_string(values.size()) + " values");
  array.bytes.resize(values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

#define BL_INSTANTIATE_NPY(T)                                                  \
  template std::vector<T> NpyArray::as<T>() const;                             \
  template NpyArray NpyArray::from<T>(const std::vector<T> &,                  \
                                      std::vector<int64_t>);
BL_INSTANTIATE_NPY(float)
BL_INSTANTIATE_NPY(double)
BL_INSTANTIATE_NPY(int32_t)
BL_INSTANTIATE_NPY(int64_t)
BL_INSTANTIATE_NPY(uint8_t)
#undef BL_INSTANTIATE_NPY

NpyArray parseNpy(const unsigned char *data, size_t size,
                  const std::string &where) {
  if (size < 10 || std::memcmp(data, kMagic, sizeof kMagic) != 0)
    throw Error(where, "not a .npy file (bad magic)",
                "expected an array written by numpy.save");

  // Version 1 has a 2-byte header length, versions 2 and 3 a 4-byte one.
  unsigned major = data[6];
  size_t headerLength, offset;
  if (major == 1) {
    headerLength = data[8] | size_t(data[9]) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      throw Error(where, "truncated .npy header");
    headerLength = data[8] | size_t(data[9]) << 8 | size_t(data[10]) << 16 |
                   size_t(data[11]) << 24;
    offset = 12;
  } else {
    throw Error(where, "unsupported .npy version " + std::to_string(major));
  }
  if (offset + headerLength > size)
    throw Error(where, "truncated .npy header");

  NpyArray array;
  std::string header(reinterpret_cast<const char *>(data) + offset,
                     headerLength);
  parseHeader(header, where, array);

  // The data follows the header and must be as long as the shape says; the
  // size is computed with a guard against overflow from corrupt shapes.
  size_t begin = offset + headerLength;
  size_t expected = size_t(NpyArray::itemSize(array.dtype));
  for (int64_t dim : array.shape) {
    if (dim != 0 && expected > (size - begin) / size_t(dim) + 1)
      expected = size + 1; // Certainly larger than the file.
    else
      expected *= size_t(dim);
  }
  if (size - begin < expected)
    throw Error(where, "truncated: shape " + array.shapeText() + " of " +
                           array.dtype + " needs " + std::to_string(expected) +
                           " data bytes, the file has " +
                           std::to_string(size - begin));
  array.bytes.assign(data + begin, data + begin + expected);
  return array;
}

std::vector<unsigned char> encodeNpy(const NpyArray &array) {
  NpyArray::itemSize(array.dtype);
  std::string shape = "(";
  for (int64_t d : array.shape)
    shape += std::to_string(d) + (array.shape.size() == 1 ? "," : ", ");
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  shape += ")";
  std::string header = "{'descr': '" + array.dtype +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";

  // Pad with spaces so the data starts on a 64-byte boundary.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::vector<unsigned char> out(kMagic, kMagic + sizeof kMagic);
  out.push_back(1);
  out.push_back(0);
  out.push_back(header.size() & 0xff);
  out.push_back(header.size() >> 8);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), array.bytes.begin(), array.bytes.end());
  return out;
}

NpyArray readNpy(const std::string &path) {
  std::vector<unsigned char> bytes = readFile(path);
  return parseNpy(bytes.data(), bytes.size(), path);
}

void writeNpy(const std::string &path, const NpyArray &array) {
  writeFile(path, encodeNpy(array));
}

std::map<std::string, NpyArray> readNpz(const std::string &path) {
  if (!std::filesystem::exists(path))
    throw Error(path, "no such file");
  int code = 0;
  zip_t *archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (!archive)
    throw Error(path,
                "not a readable .npz (zip) archive: " + zipOpenMessage(code));
  std::unique_ptr<zip_t, void (*)(zip_t *)> guard(archive, zip_discard);

  std::map<std::string, NpyArray> arrays;
  zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, zip_uint64_t(i), 0, &stat) != 0)
      throw Error(path, "cannot read member " + std::to_string(i) + ": " +
                            zipMessage(zip_get_error(archive)));
    std::string name = stat.name;
    std::string where = path + ": " + name;
    zip_file_t *member = zip_fopen_index(archive, zip_uint64_t(i), 0);
    if (!member)
      throw Error(where, std::string("cannot open member: ") +
                             zipMessage(zip_get_error(archive)));
    std::vector<unsigned char> bytes(size_t(stat.size));
    zip_int64_t got = zip_fread(member, bytes.data(), stat.size);
    std::string readError =
        got < 0 ? zipMessage(zip_file_get_error(member)) : "";
    zip_fclose(member);
    if (got != zip_int64_t(stat.size))
      throw Error(where, "member is truncated or corrupt" +
                             (readError.empty() ? "" : ": " + readError));
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    arrays[name] = parseNpy(bytes.data(), bytes.size(), where);
  }
  return arrays;
}

void writeNpz(const std::string &path,
              const std::map<std::string, NpyArray> &arrays) {
  std::string temporary = temporaryName(path);
  auto fail = [&](const std::string &problem) {
    std::filesystem::remove(temporary);
    return Error(path, problem);
  };

  // libzip writes nothing for an empty archive, so write that one by hand.
  if (arrays.empty()) {
    std::vector<unsigned char> empty = {'P', 'K', 5, 6};
    empty.resize(22, 0);
    writeFile(temporary, empty);
  } else {
    int code = 0;
    zip_t *archive = zip_open(temporary.c_str(), ZIP_CREATE | ZIP_EXCL, &code);
    if (!archive)
      throw Error(path, "cannot create archive: " + zipOpenMessage(code),
                  "check that the folder exists and is writable");

    // libzip reads the buffers only in zip_close, so keep them alive.
    std::vector<std::vector<unsigned char>> buffers;
    buffers.reserve(arrays.size());
    for (const auto &[key, array] : arrays) {
      buffers.push_back(encodeNpy(array));
      zip_source_t *source = zip_source_buffer(archive, buffers.back().data(),
                                               buffers.back().size(), 0);
      std::string member = key + ".npy";
      zip_int64_t index =
          source ? zip_file_add(archive, member.c_str(), source,
                                ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8)
                 : -1;
      if (index < 0) {
        if (source)
          zip_source_free(source);
        std::string message = zipMessage(zip_get_error(archive));
        zip_discard(archive);
        throw fail("cannot add " + member + ": " + message);
      }
      zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_STORE, 0);
    }
    if (zip_close(archive) != 0) {
      std::string message = zipMessage(zip_get_error(archive));
      zip_discard(archive);
      throw fail("cannot write archive: " + message);
    }
  }

  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error)
    throw fail("cannot replace the file: " + error.message());
}

} // namespace bilevel::rt
