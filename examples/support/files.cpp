// Result files are written whole or not at all; helper programs are started directly, without a shell.

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

namespace examples {

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

RunStatus run_program(const std::string& program_name, const std::vector<std::string>& arguments) {
  std::string program = program_name;
  std::vector<std::string> words = arguments;
  std::vector<char*> argv = {program.data()};
  for (std::string& word : words) {
    argv.push_back(word.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (spawned == ENOENT) {
    return RunStatus::missing;
  }
  if (spawned != 0) {
    return RunStatus::failed;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return RunStatus::failed;
    }
  }
  // glibc reports a program it could not execute as exit status 127.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return RunStatus::missing;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? RunStatus::ok : RunStatus::failed;
}

std::filesystem::path write_graph(const std::filesystem::path& folder, const std::string& stem,
                                  const std::string& dot) {
  std::filesystem::create_directories(folder);
  const std::filesystem::path dot_file = folder / (stem + ".dot");
  write_file(dot_file, dot);
  const std::filesystem::path png = folder / (stem + ".png");
  const std::filesystem::path temp = temp_path_for(png);
  const RunStatus status = run_program("dot", {"-Tpng", dot_file.string(), "-o", temp.string()});
  if (status == RunStatus::missing) {
    return {};
  }
  std::error_code error;
  if (status == RunStatus::ok) {
    std::filesystem::rename(temp, png, error);
  }
  if (status != RunStatus::ok || error) {
    std::filesystem::remove(temp, error);
    throw std::runtime_error("cannot render '" + png.string() + "' with dot");
  }
  return png;
}

}  // namespace examples
