#pragma once
// Checkpoint files for the corruption tests, written independently of the library from the
// documented format: a small reference model, an encoder, and a corpus of crafted files that
// each must be refused with checkpoint_error.

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ckpt_test {

using Bytes = std::vector<unsigned char>;

/// The documented format: little-endian fields after "XGRADCKP", FNV-1a 64 at the end.
struct Encoder {
  Bytes bytes{'X', 'G', 'R', 'A', 'D', 'C', 'K', 'P'};

  void u32(std::uint32_t x) { put(x, 4); }
  void u64(std::uint64_t x) { put(x, 8); }
  void f64(double x) { put(std::bit_cast<std::uint64_t>(x), 8); }
  /// A whole record: name, rank, dimensions, then the data as given (which may not match).
  void record(const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<double>& data);
  /// The bytes followed by their checksum.
  Bytes finish() const;

 private:
  void put(std::uint64_t x, int n);
};

/// FNV-1a 64 of `bytes`.
std::uint64_t fnv1a(const Bytes& bytes);

/// A one-layer network (2 → 1) whose parameters are known: W = (0.5, −1.5)ᵀ, b = 0.25.
struct Tiny {
  xgrad::Generator gen{1};
  xgrad::nn::Linear layer{2, 1, gen, {.init = xgrad::nn::Init::zeros}};
  Tiny();
};

/// Magic, version and a record count.
Encoder header(std::uint32_t count, std::uint32_t version = xgrad::nn::checkpoint_version);

/// Tiny's parameters as the file holds them, after a header for `count` records.
Encoder tiny_file(std::uint32_t count, std::uint32_t version = xgrad::nn::checkpoint_version);

/// Replaces the contents of `path` with `bytes`: written in place over the previous contents,
/// then cut to length, without syncing. Not atomic, and fast: ext4 flushes a file to disk when
/// it is closed after being truncated to zero (its auto_da_alloc heuristic), which made each
/// rewrite with std::ofstream cost milliseconds.
void put_file(const std::string& path, const Bytes& bytes);

/// `file` with bit `bit` (counted from the first byte's lowest bit) flipped.
Bytes with_bit_flipped(Bytes file, std::uint64_t bit);

/// `file` with its last 8 bytes replaced by the checksum of the rest: damage the checksum
/// cannot see, so that the decoding behind it is what refuses the file.
Bytes resigned(Bytes file);

/// Where the numbers (the f64 data of each record) lie in a well-formed file, as [begin, end)
/// byte offsets, found by walking the file as the format describes.
std::vector<std::pair<std::size_t, std::size_t>> number_ranges(const Bytes& file);

/// The little-endian f64 at `at` in `file`.
double f64_at(const Bytes& file, std::size_t at);

/// A small checkpoint with Tiny's parameters and SGD-with-momentum state, as save writes it.
Bytes saved_checkpoint(const nn_test::TempDir& dir);

/// A damaged or crafted file: what it is, its bytes, whether to load it with an optimizer, and
/// a part of the message load must give.
struct Crafted {
  std::string what;
  Bytes bytes;
  bool with_optimizer = false;
  std::string message;
};

/// Every crafted file: wrong magic and version, bad checksums, huge names, ranks and
/// dimensions, record counts and lengths past the end, and well-formed files that do not fit.
std::vector<Crafted> crafted_files();

}  // namespace ckpt_test
