#pragma once
// Shared by the example programs: writing result files safely, and running a helper program
// (gnuplot, Graphviz's dot) without a shell in between.

#include <filesystem>
#include <string>
#include <vector>

namespace examples {

/// A sibling of `path` to write into before renaming it over `path`: hidden, and unique to this
/// process, so neither a crash nor a second run leaves a half-written file under the real name.
std::filesystem::path temp_path_for(const std::filesystem::path& path);

/// Writes `text` to `path` atomically: into temp_path_for(path), then renamed over `path`.
/// Throws std::runtime_error naming the file if it cannot be written.
void write_file(const std::filesystem::path& path, const std::string& text);

/// How running a helper program went: `missing` when it is not installed.
enum class RunStatus { ok, missing, failed };

/// Runs `program arguments…` (looked up in PATH, no shell in between) and waits for it.
RunStatus run_program(const std::string& program, const std::vector<std::string>& arguments);

/// Writes DOT text to `folder`/`stem`.dot and, when Graphviz's dot is installed, renders it to
/// `folder`/`stem`.png (both atomically). Returns the PNG's path, or an empty path without dot.
/// Throws std::runtime_error if a file cannot be written or dot fails.
std::filesystem::path write_graph(const std::filesystem::path& folder, const std::string& stem, const std::string& dot);

}  // namespace examples
