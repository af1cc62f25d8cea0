// Damaged checkpoints: every truncation, random bit flips, wrong magic or version, and files
// with a valid checksum but impossible contents — each a checkpoint_error, never a crash, and
// never a partial load.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using nn_test::column;
using nn_test::read_bytes;
using nn_test::same_bits;
using nn_test::TempDir;
using nn_test::write_bytes;
using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

using Bytes = std::vector<unsigned char>;

// The documented format, written independently: little-endian fields, FNV-1a 64 at the end.
struct Encoder {
  Bytes bytes{'X', 'G', 'R', 'A', 'D', 'C', 'K', 'P'};

  void u32(std::uint32_t x) { put(x, 4); }
  void u64(std::uint64_t x) { put(x, 8); }
  void f64(double x) { put(std::bit_cast<std::uint64_t>(x), 8); }
  void record(const std::string& name, const std::vector<std::uint64_t>& dims, const std::vector<double>& data) {
    u32(static_cast<std::uint32_t>(name.size()));
    bytes.insert(bytes.end(), name.begin(), name.end());
    u32(static_cast<std::uint32_t>(dims.size()));
    for (std::uint64_t d : dims) {
      u64(d);
    }
    for (double x : data) {
      f64(x);
    }
  }
  Bytes finish() const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : bytes) {
      h = (h ^ c) * 0x100000001b3ULL;
    }
    Encoder out = *this;
    out.u64(h);
    return out.bytes;
  }

 private:
  void put(std::uint64_t x, int n) {
    for (int i = 0; i < n; ++i) {
      bytes.push_back(static_cast<unsigned char>(x >> (8 * i)));
    }
  }
};

// A one-layer network (2 → 1) whose parameters are known: W = (0.5, −1.5)ᵀ, b = 0.25.
struct Tiny {
  Generator gen{1};
  nn::Linear layer{2, 1, gen, {.init = nn::Init::zeros}};
  Tiny() {
    layer.weight().mutable_data() = column({0.5, -1.5});
    layer.bias().mutable_data() = Tensor{0.25};
  }
};

// Expects `load` of `bytes` into a fresh Tiny (with an SGD if asked) to throw checkpoint_error
// and to change nothing.
void expect_refused(const TempDir& dir, const Bytes& bytes, bool with_optimizer = false) {
  const std::string path = dir.file("damaged.ckpt");
  write_bytes(path, bytes);
  Tiny tiny;
  tiny.layer.weight().mutable_data() = column({7.0, 8.0});
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  CHECK_THROWS_AS(nn::load(tiny.layer, path, with_optimizer ? &sgd : nullptr), nn::checkpoint_error);
  CHECK(same_bits(tiny.layer.weight().data(), column({7.0, 8.0})));
  CHECK(same_bits(tiny.layer.bias().data(), Tensor{0.25}));
  CHECK(sgd.state().steps == 0);
}

// Magic, version and a record count.
Encoder header(std::uint32_t count, std::uint32_t version = nn::checkpoint_version) {
  Encoder e;
  e.u32(version);
  e.u32(count);
  return e;
}

// Tiny's parameters as the file holds them, after a header for `count` records.
Encoder tiny_file(std::uint32_t count, std::uint32_t version = nn::checkpoint_version) {
  Encoder e = header(count, version);
  e.record("weight", {2, 1}, {0.5, -1.5});
  e.record("bias", {1}, {0.25});
  return e;
}

// A small checkpoint with parameters and optimizer state, as save writes it.
Bytes saved_checkpoint(const TempDir& dir) {
  Tiny tiny;
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  tiny.layer(Value(Tensor{{1.0, 2.0}})).backward(Tensor(xt::ones<double>({1, 1})));
  sgd.step();
  nn::save(tiny.layer, dir.file("good.ckpt"), &sgd);
  return read_bytes(dir.file("good.ckpt"));
}

}  // namespace

TEST_CASE("the file is exactly the documented format") {
  const TempDir dir;
  Tiny tiny;
  nn::save(tiny.layer, dir.file("tiny.ckpt"));
  CHECK(read_bytes(dir.file("tiny.ckpt")) == tiny_file(2).finish());
  Tiny loaded;
  loaded.layer.weight().mutable_data() = column({0.0, 0.0});
  nn::load(loaded.layer, dir.file("tiny.ckpt"));
  CHECK(same_bits(loaded.layer.weight().data(), column({0.5, -1.5})));
}

TEST_CASE("every truncation of a checkpoint is refused") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  REQUIRE(good.size() > 100);
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    expect_refused(dir, Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)), true);
    expect_refused(dir, Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)), false);
  }
}

TEST_CASE("2,000 random single-bit flips are each refused") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  Generator gen(2024);
  for (int trial = 0; trial < 2000; ++trial) {
    Bytes bad = good;
    const std::uint64_t bit = gen.below(good.size() * 8);
    bad[bit / 8] = static_cast<unsigned char>(bad[bit / 8] ^ (1U << (bit % 8)));
    CAPTURE(bit);
    expect_refused(dir, bad, trial % 2 == 0);
  }
}

TEST_CASE("wrong magic and wrong version are refused by name") {
  const TempDir dir;
  const std::string path = dir.file("x.ckpt");
  Bytes magic = tiny_file(2).finish();
  magic[0] = 'Y';
  write_bytes(path, magic);
  Tiny tiny;
  CHECK_THROWS_WITH_AS(nn::load(tiny.layer, path), doctest::Contains("magic"), nn::checkpoint_error);
  write_bytes(path, {'h', 'e', 'l', 'l', 'o'});
  CHECK_THROWS_WITH_AS(nn::load(tiny.layer, path), doctest::Contains(path.c_str()), nn::checkpoint_error);
  write_bytes(path, tiny_file(2, nn::checkpoint_version + 1).finish());  // a valid checksum
  const std::string next = "version " + std::to_string(nn::checkpoint_version + 1);
  CHECK_THROWS_WITH_AS(nn::load(tiny.layer, path), doctest::Contains(next.c_str()), nn::checkpoint_error);
  write_bytes(path, tiny_file(2, 0).finish());
  CHECK_THROWS_WITH_AS(nn::load(tiny.layer, path), doctest::Contains("version 0"), nn::checkpoint_error);
}

TEST_CASE("a valid checksum over impossible contents is refused") {
  const TempDir dir;
  SUBCASE("more records than the file holds") { expect_refused(dir, tiny_file(3).finish()); }
  SUBCASE("a count of 2³² − 1 records") { expect_refused(dir, tiny_file(0xFFFFFFFFU).finish()); }
  SUBCASE("bytes after the last record") {
    Encoder e = tiny_file(2);
    e.u32(0);
    expect_refused(dir, e.finish());
  }
  SUBCASE("a name longer than the file") {
    Encoder e = header(1);
    e.u32(0xFFFFFFF0U);
    expect_refused(dir, e.finish());
  }
  SUBCASE("too many dimensions") {
    Encoder e = header(1);
    e.record("weight", std::vector<std::uint64_t>(40, 1), {0.5});
    expect_refused(dir, e.finish());
  }
  SUBCASE("dimensions whose product overflows") {
    Encoder e = header(2);
    e.record("weight", {1ULL << 62, 1ULL << 62, 4}, {});
    expect_refused(dir, e.finish());
  }
  SUBCASE("an empty tensor with a huge dimension") {
    Encoder e = header(2);
    e.record("weight", {0, 1ULL << 63}, {});
    e.record("bias", {1}, {0.25});
    expect_refused(dir, e.finish());
  }
  SUBCASE("the right shapes under the wrong names") {
    Encoder e = header(2);
    e.record("bias", {2, 1}, {0.5, -1.5});
    e.record("weight", {1}, {0.25});
    expect_refused(dir, e.finish());
  }
}

TEST_CASE("an optimizer step count that is not a whole number is refused") {
  const TempDir dir;
  for (double steps : {-1.0, 1.5, static_cast<double>(NAN), static_cast<double>(INFINITY), 1e300}) {
    CAPTURE(steps);
    Encoder e = tiny_file(5);
    e.record("optimizer.SGD.steps", {}, {steps});
    e.record("optimizer.SGD.0", {2, 1}, {0.0, 0.0});
    e.record("optimizer.SGD.1", {1}, {0.0});
    expect_refused(dir, e.finish(), true);
  }
  Encoder e = tiny_file(5);
  e.record("optimizer.SGD.steps", {}, {3.0});
  e.record("optimizer.SGD.0", {2, 1}, {0.125, 0.0});
  e.record("optimizer.SGD.1", {1}, {-0.5});
  write_bytes(dir.file("ok.ckpt"), e.finish());
  Tiny tiny;
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  nn::load(tiny.layer, dir.file("ok.ckpt"), &sgd);
  CHECK(sgd.state().steps == 3);
  CHECK(sgd.state().buffers[1] == Tensor{-0.5});
}
