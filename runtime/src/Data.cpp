//===- Data.cpp - IDX and .npz data set loaders -------------------------===//
//
// Implements bilevel/Data.h. IDX files (big-endian header: a magic number
// whose low byte is the rank, then one 32-bit size per dimension, then
// unsigned bytes) are read through zlib's gzread, which also reads files that
// are not compressed. .npz data sets go through readNpz.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Data.h"
#include "bilevel/Error.h"
#include "bilevel/Npz.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

namespace bilevel::rt {

namespace {

namespace fs = std::filesystem;

/// An open IDX file and the name to report in errors.
class IdxReader {
public:
  explicit IdxReader(const std::string &path) : path(path) {
    file = gzopen(path.c_str(), "rb");
    if (!file)
      throw Error(path, "cannot open", "check that the file exists");
    gzbuffer(file, 1 << 17);
  }
  ~IdxReader() { gzclose(file); }
  IdxReader(const IdxReader &) = delete;
  IdxReader &operator=(const IdxReader &) = delete;

  /// Reads exactly \p size bytes; \p what names them in the error.
  void read(void *into, size_t size, const std::string &what) {
    auto *out = static_cast<unsigned char *>(into);
    while (size > 0) {
      unsigned chunk = unsigned(std::min<size_t>(size, 1u << 30));
      int got = gzread(file, out, chunk);
      if (got < 0) {
        int code;
        throw Error(path,
                    std::string("corrupt gzip data: ") + gzerror(file, &code));
      }
      if (got == 0)
        throw Error(path, "truncated: the file ends inside " + what);
      out += got;
      size -= size_t(got);
    }
  }

  /// Reads the header, checks the magic number, and returns the dimensions.
  std::vector<int64_t> header(uint32_t magic, const char *kind) {
    uint32_t found = readWord("the header");
    if (found != magic) {
      char text[64];
      std::snprintf(text, sizeof text, "bad magic number 0x%08x, ", found);
      char want[32];
      std::snprintf(want, sizeof want, "expected 0x%08x", magic);
      throw Error(path, std::string(text) + want + " for " + kind,
                  "is this an IDX file of the right kind?");
    }
    // Refuse sizes no real data set has before allocating for them.
    const int64_t limit = int64_t(1) << 34;
    std::vector<int64_t> dims;
    int64_t total = 1;
    for (uint32_t i = 0; i < (magic & 0xff); ++i) {
      dims.push_back(readWord("the header"));
      if (dims.back() != 0 && total > limit / dims.back())
        throw Error(path, "implausible dimensions in the header",
                    "the file is probably corrupt");
      total *= dims.back();
    }
    return dims;
  }

private:
  uint32_t readWord(const std::string &what) {
    unsigned char b[4];
    read(b, 4, what);
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 |
           b[3];
  }

  std::string path;
  gzFile file;
};

/// The first of "<dir>/<name>.gz" and "<dir>/<name>" that exists, or "".
std::string findIdx(const std::string &dir, const std::string &name) {
  for (const std::string &candidate :
       {dir + "/" + name + ".gz", dir + "/" + name})
    if (fs::is_regular_file(candidate))
      return candidate;
  return "";
}

constexpr const char *kIdxNames[] = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

bool holdsIdxFiles(const std::string &dir) {
  return std::all_of(
      std::begin(kIdxNames), std::end(kIdxNames),
      [&](const char *name) { return !findIdx(dir, name).empty(); });
}

DataSplit loadIdxFolder(const std::string &dir) {
  std::string paths[4];
  for (int i = 0; i < 4; ++i) {
    paths[i] = findIdx(dir, kIdxNames[i]);
    if (paths[i].empty())
      throw Error(dir, std::string("missing ") + kIdxNames[i] + "(.gz)",
                  "a data folder needs the four IDX files of the MNIST "
                  "layout");
  }
  Matrix<float> trainX = readIdxImages(paths[0]);
  std::vector<int32_t> trainLabels = readIdxLabels(paths[1]);
  Matrix<float> testX = readIdxImages(paths[2]);
  std::vector<int32_t> testLabels = readIdxLabels(paths[3]);
  if (trainX.cols != testX.cols)
    throw Error(dir, "train images have " + std::to_string(trainX.cols) +
                         " pixels, test images " + std::to_string(testX.cols));

  int32_t maxLabel = 0;
  for (const auto *labels : {&trainLabels, &testLabels})
    for (int32_t label : *labels)
      maxLabel = std::max(maxLabel, label);
  DataSplit split;
  split.train = makeClassification(std::move(trainX), std::move(trainLabels),
                                   maxLabel + 1, paths[1]);
  split.test = makeClassification(std::move(testX), std::move(testLabels),
                                  maxLabel + 1, paths[3]);
  split.description = "IDX files in " + dir;
  return split;
}

/// Inputs from an .npz array [n, ...], flattened to [n, d]; uint8 is scaled
/// to [0, 1] like IDX images.
Matrix<float> npzInputs(const NpyArray &array, const std::string &where) {
  if (array.shape.empty())
    throw Error(where, "inputs must have a sample dimension, got a scalar");
  Matrix<float> x;
  x.rows = array.shape[0];
  x.cols = 1;
  for (size_t i = 1; i < array.shape.size(); ++i)
    x.cols *= array.shape[i];
  x.data = array.as<float>();
  if (array.dtype == "|u1" || array.dtype == "<u1")
    for (float &v : x.data)
      v /= 255.0f;
  return x;
}

bool isIntegerDtype(const std::string &dtype) {
  return dtype == "<i4" || dtype == "<i8" || dtype == "|u1" || dtype == "<u1";
}

/// Fills targets and labels from y: integer labels [n] give one-hot rows,
/// [n, k] targets are taken as they are (labels from one-hot rows, else -1).
void npzTargets(Dataset &data, const NpyArray &y, int64_t numClasses,
                const std::string &where) {
  int64_t n = data.x.rows;
  if (y.shape.empty() || y.shape[0] != n)
    throw Error(where, "has shape " + y.shapeText() + " but the inputs have " +
                           std::to_string(n) + " rows");
  if (y.shape.size() == 1 && isIntegerDtype(y.dtype)) {
    std::vector<int32_t> labels = y.as<int32_t>();
    data = makeClassification(std::move(data.x), std::move(labels), numClasses,
                              where);
    return;
  }
  if (y.shape.size() > 2)
    throw Error(where, "targets must be [n] or [n, k], got " + y.shapeText());

  // Real targets: classification exactly when every row is one-hot.
  data.y.rows = n;
  data.y.cols = y.shape.size() == 2 ? y.shape[1] : 1;
  data.y.data = y.as<float>();
  data.labels.assign(size_t(n), -1);
  bool oneHot = data.y.cols > 1;
  for (int64_t i = 0; i < n && oneHot; ++i) {
    int64_t ones = 0, hot = -1;
    for (int64_t j = 0; j < data.y.cols; ++j) {
      float v = data.y(i, j);
      if (v == 1.0f)
        ++ones, hot = j;
      else if (v != 0.0f)
        oneHot = false;
    }
    oneHot = oneHot && ones == 1;
    data.labels[size_t(i)] = int32_t(hot);
  }
  if (!oneHot)
    std::fill(data.labels.begin(), data.labels.end(), -1);
  data.numClasses = oneHot ? data.y.cols : 0;
}

DataSplit loadNpzDataset(const std::string &path) {
  std::map<std::string, NpyArray> arrays = readNpz(path);
  for (const char *key : {"x_train", "y_train", "x_test", "y_test"})
    if (!arrays.count(key))
      throw Error(path, std::string("has no array '") + key + "'",
                  "a data set archive needs x_train, y_train, x_test and "
                  "y_test");

  // Integer labels share one class count: the largest label plus one.
  int64_t numClasses = 0;
  for (const char *key : {"y_train", "y_test"}) {
    const NpyArray &y = arrays[key];
    if (y.shape.size() == 1 && isIntegerDtype(y.dtype))
      for (int64_t label : y.as<int64_t>())
        numClasses = std::max(numClasses, label + 1);
  }

  DataSplit split;
  split.train.x = npzInputs(arrays["x_train"], path + ": x_train");
  split.test.x = npzInputs(arrays["x_test"], path + ": x_test");
  if (split.train.x.cols != split.test.x.cols)
    throw Error(
        path, "x_train rows have " + std::to_string(split.train.x.cols) +
                  " values, x_test rows " + std::to_string(split.test.x.cols));
  npzTargets(split.train, arrays["y_train"], numClasses, path + ": y_train");
  npzTargets(split.test, arrays["y_test"], numClasses, path + ": y_test");
  if (split.train.y.cols != split.test.y.cols)
    throw Error(path, "y_train and y_test have different target widths");
  split.description = "arrays in " + path;
  return split;
}

} // namespace

Matrix<float> readIdxImages(const std::string &path) {
  IdxReader reader(path);
  std::vector<int64_t> dims = reader.header(0x00000803, "images");
  Matrix<float> images(dims[0], dims[1] * dims[2]);
  std::vector<unsigned char> pixels(size_t(images.size()));
  reader.read(pixels.data(), pixels.size(),
              "the pixels (" + std::to_string(dims[0]) + " images of " +
                  std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
                  " expected)");
  for (size_t i = 0; i < pixels.size(); ++i)
    images.data[i] = float(pixels[i]) * (1.0f / 255.0f);
  return images;
}

std::vector<int32_t> readIdxLabels(const std::string &path) {
  IdxReader reader(path);
  std::vector<int64_t> dims = reader.header(0x00000801, "labels");
  std::vector<unsigned char> bytes(static_cast<size_t>(dims[0]));
  reader.read(bytes.data(), bytes.size(),
              "the labels (" + std::to_string(dims[0]) + " expected)");
  return std::vector<int32_t>(bytes.begin(), bytes.end());
}

Dataset makeClassification(Matrix<float> x, std::vector<int32_t> labels,
                           int64_t numClasses, const std::string &where) {
  if (int64_t(labels.size()) != x.rows)
    throw Error(where, std::to_string(labels.size()) + " labels for " +
                           std::to_string(x.rows) + " samples");
  Dataset data;
  data.numClasses = numClasses;
  data.y = Matrix<float>(x.rows, numClasses);
  for (int64_t i = 0; i < x.rows; ++i) {
    int32_t label = labels[size_t(i)];
    if (label < 0 || label >= numClasses)
      throw Error(where, "label " + std::to_string(label) + " of sample " +
                             std::to_string(i) + " is outside [0, " +
                             std::to_string(numClasses) + ")");
    data.y(i, label) = 1.0f;
  }
  data.x = std::move(x);
  data.labels = std::move(labels);
  return data;
}

DataSplit loadFashionMnist(const std::string &dir) {
  if (!fs::is_directory(dir) || !holdsIdxFiles(dir))
    throw Error(dir, "Fashion-MNIST is not installed here",
                "run `apt-get install dataset-fashion-mnist`, or pass a "
                "folder holding train-images-idx3-ubyte.gz and the other "
                "three IDX files");
  DataSplit split = loadIdxFolder(dir);
  split.description = "Fashion-MNIST from " + dir;
  return split;
}

DataSplit loadDataset(const std::string &nameOrPath, int64_t limit) {
  DataSplit split;
  if (nameOrPath == "fashion_mnist" || nameOrPath == "fashion-mnist")
    split = loadFashionMnist();
  else if (fs::is_directory(nameOrPath) && holdsIdxFiles(nameOrPath))
    split = loadIdxFolder(nameOrPath);
  else if (nameOrPath.size() > 4 &&
           nameOrPath.compare(nameOrPath.size() - 4, 4, ".npz") == 0)
    split = loadNpzDataset(nameOrPath);
  else
    throw Error(nameOrPath.empty() ? "<empty>" : nameOrPath, "not a data set",
                "accepted: \"fashion_mnist\", a folder holding "
                "train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), "
                "t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz), "
                "or a .npz file with x_train, y_train, x_test and y_test");
  if (limit >= 0) {
    split.train = firstRows(split.train, limit);
    split.test = firstRows(split.test, limit);
  }
  return split;
}

Dataset firstRows(const Dataset &data, int64_t n) {
  n = std::clamp<int64_t>(n, 0, data.size());
  Dataset out;
  out.numClasses = data.numClasses;
  out.x.rows = out.y.rows = n;
  out.x.cols = data.x.cols;
  out.y.cols = data.y.cols;
  out.x.data.assign(data.x.data.begin(), data.x.data.begin() + n * data.x.cols);
  out.y.data.assign(data.y.data.begin(), data.y.data.begin() + n * data.y.cols);
  out.labels.assign(data.labels.begin(),
                    data.labels.begin() +
                        std::min<int64_t>(n, int64_t(data.labels.size())));
  return out;
}

} // namespace bilevel::rt
