//===- SourceManager.cpp - Owns the text of every spec buffer -------------===//
//
// Buffers are stored behind unique_ptr so that adding one never moves the
// text of another; line starts are computed once when a buffer is added.
//
//===----------------------------------------------------------------------===//
#include "support/SourceManager.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bilevel {

SourceManager::SourceManager() { addBuffer("<unknown>", ""); }

uint32_t SourceManager::addBuffer(std::string name, std::string text) {
  auto buffer = std::make_unique<Buffer>();
  buffer->name = std::move(name);
  buffer->text = std::move(text);

  // Record where each line starts; a lone '\r' does not end a line.
  buffer->lineStarts.push_back(0);
  for (size_t i = 0; i < buffer->text.size(); ++i)
    if (buffer->text[i] == '\n')
      buffer->lineStarts.push_back(uint32_t(i + 1));

  buffers.push_back(std::move(buffer));
  return uint32_t(buffers.size() - 1);
}

std::optional<uint32_t> SourceManager::addFile(const std::string &path,
                                               std::string *error) {
  auto fail = [&](std::string reason) -> std::optional<uint32_t> {
    if (error)
      *error = std::move(reason);
    return std::nullopt;
  };

  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail("no such file");
  if (std::filesystem::is_directory(path, ec))
    return fail("it is a directory");
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxFileBytes)
    return fail("file is larger than 16 MiB");

  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad())
    return fail("read error");
  return addBuffer(path, contents.str());
}

const std::string &SourceManager::name(uint32_t id) const {
  return id < buffers.size() ? buffers[id]->name : buffers[0]->name;
}

const std::string &SourceManager::text(uint32_t id) const {
  return id < buffers.size() ? buffers[id]->text : buffers[0]->text;
}

std::string_view SourceManager::lineText(SourceLoc loc) const {
  if (!loc.isValid() || loc.fileId >= buffers.size())
    return {};
  const Buffer &buffer = *buffers[loc.fileId];
  if (loc.line > buffer.lineStarts.size())
    return {};

  size_t begin = buffer.lineStarts[loc.line - 1];
  size_t end = buffer.text.find('\n', begin);
  if (end == std::string::npos)
    end = buffer.text.size();
  if (end > begin && buffer.text[end - 1] == '\r')
    --end;
  return std::string_view(buffer.text).substr(begin, end - begin);
}

} // namespace bilevel
