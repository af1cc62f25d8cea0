// Result files are written whole or not at all; gnuplot is started directly, without a shell.

#include "files.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace lab {

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  std::string hidden = ".";  // built piece by piece: GCC 12 misreports "." + string (-Wrestrict)
  hidden += path.filename().string();
  hidden += ".tmp";
  hidden += std::to_string(::getpid());
  return path.parent_path() / hidden;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temp = temp_path_for(path);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw std::runtime_error("cannot write '" + path.string() + "'");
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::filesystem::remove(temp, error);
    throw std::runtime_error("cannot write '" + path.string() + "': " + error.message());
  }
}

GnuplotStatus run_gnuplot(const std::vector<std::string>& arguments) {
  std::string program = "gnuplot";
  std::vector<std::string> words = arguments;
  std::vector<char*> argv = {program.data()};
  for (std::string& word : words) {
    argv.push_back(word.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (spawned == ENOENT) {
    return GnuplotStatus::missing;
  }
  if (spawned != 0) {
    return GnuplotStatus::failed;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return GnuplotStatus::failed;
    }
  }
  // glibc reports a program it could not execute as exit status 127.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return GnuplotStatus::missing;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? GnuplotStatus::ok : GnuplotStatus::failed;
}

std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  return quoted + "'";
}

}  // namespace lab
