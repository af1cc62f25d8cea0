#pragma once
// Writing result files safely, and running gnuplot.

#include <filesystem>
#include <string>
#include <vector>

namespace lab {

/// A sibling of `path` to write into before renaming it over `path`: hidden, and unique to this
/// process, so neither a crash nor a second run leaves a half-written file under the real name.
std::filesystem::path temp_path_for(const std::filesystem::path& path);

/// Writes `text` to `path` atomically: into temp_path_for(path), then renamed over `path`.
/// Throws std::runtime_error naming the file if it cannot be written.
void write_file(const std::filesystem::path& path, const std::string& text);

/// How running a gnuplot script went.
enum class GnuplotStatus { ok, missing, failed };

/// Runs `gnuplot arguments…` (no shell in between) and waits for it.
GnuplotStatus run_gnuplot(const std::vector<std::string>& arguments);

/// `text` as a gnuplot single-quoted string ('it''s' for it's).
std::string gnuplot_quote(const std::string& text);

}  // namespace lab
