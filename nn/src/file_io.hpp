#pragma once
// Internal: the file side of checkpoints — reading a whole file, and replacing one atomically.

#include <xgrad/nn/checkpoint.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace xgrad::nn::detail {

/// Every byte of the file at `path`; checkpoint_error if it cannot be opened or read, or is not
/// a regular file (a folder, say: std::ifstream would open one and then throw
/// std::ios_base::failure on reading; or /dev/zero, which never ends, or a FIFO).
inline std::vector<std::uint8_t> read_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer. Regular files ignore it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    throw checkpoint_error("load: " + path + ": cannot open: " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw checkpoint_error("load: " + path + ": not a regular file");
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw checkpoint_error("load: " + path + ": cannot read: " + reason);
    }
    if (n == 0) {
      break;
    }
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  ::close(fd);
  return bytes;
}

// Creates a new hidden sibling of `target` for writing (so a crash leaves no visible clutter),
// with the mode any new file gets — 0666 less the umask; mkstemp's 0600 would make the
// checkpoint unreadable to the rest of the user's group. Returns −1 with errno on failure.
inline int create_temp(const std::filesystem::path& target, std::string& temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = ".";  // appended piecewise: GCC 12 misreports `"." + s + …` under -Wrestrict
    name += target.filename().string();
    name += '.';
    name += std::to_string(::getpid());
    name += '.';
    name += std::to_string(counter++);
    name += ".tmp";
    temp = (target.parent_path() / name).string();
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) {
      return fd;
    }
  }
  return -1;
}

inline bool write_all(int fd, const std::vector<std::uint8_t>& bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

// Makes the rename itself durable. Best effort: the checkpoint is already complete and in place.
inline void sync_folder(const std::filesystem::path& target) {
  const std::string folder = target.has_parent_path() ? target.parent_path().string() : ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    static_cast<void>(::fsync(fd));
    ::close(fd);
  }
}

inline void write_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  const std::filesystem::path target(path);
  std::string temp;
  const int fd = create_temp(target, temp);
  auto fail = [&](const char* step, bool opened) {
    const std::string reason = std::strerror(errno);
    if (opened) {
      ::unlink(temp.c_str());
    }
    throw checkpoint_error("save: " + path + ": " + step + " failed: " + reason);
  };
  if (fd < 0) {
    fail("creating a temporary file", false);
  }
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    const int reason = errno;
    ::close(fd);
    errno = reason;
    fail("writing", true);
  }
  if (::close(fd) != 0) {
    fail("closing", true);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    fail("renaming into place", true);
  }
  sync_folder(target);
}

}  // namespace xgrad::nn::detail
