// Damaged checkpoints: every truncation, 10,000 random bit flips, and a corpus of crafted files
// (wrong magic or version, bad checksums, huge names, ranks and dimensions, counts and lengths
// past the end) — each a checkpoint_error for the documented reason, never a crash, and never a
// partial load. The allocation bound for the same corpus is checked in test_checkpoint_alloc.cpp.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "checkpoint_corpus.hpp"
#include "helpers.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using ckpt_test::Bytes;
using ckpt_test::Encoder;
using ckpt_test::put_file;
using ckpt_test::saved_checkpoint;
using ckpt_test::Tiny;
using ckpt_test::tiny_file;
using nn_test::column;
using nn_test::contains;
using nn_test::read_bytes;
using nn_test::same_bits;
using nn_test::TempDir;
using xgrad::Generator;
using xgrad::Tensor;
namespace nn = xgrad::nn;

namespace {

// Loads `bytes` into a Tiny whose parameters were set to W = (7, 8)ᵀ and b = 9, values no file
// here holds (with an SGD if asked), expects checkpoint_error and no change at all, and returns
// its message. Any other exception propagates and fails the test case.
std::string refusal(const TempDir& dir, const Bytes& bytes, bool with_optimizer = false) {
  const std::string path = dir.file("damaged.ckpt");
  put_file(path, bytes);
  Tiny tiny;
  tiny.layer.weight().mutable_data() = column({7.0, 8.0});
  tiny.layer.bias().mutable_data() = Tensor{9.0};
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  std::string message = "(nothing was thrown)";
  try {
    nn::load(tiny.layer, path, with_optimizer ? &sgd : nullptr);
  } catch (const nn::checkpoint_error& e) {
    message = e.what();
  }
  CHECK(contains(message, path));
  CHECK(same_bits(tiny.layer.weight().data(), column({7.0, 8.0})));
  CHECK(same_bits(tiny.layer.bias().data(), Tensor{9.0}));
  const nn::OptimizerState state = sgd.state();
  CHECK(state.steps == 0);
  CHECK(same_bits(state.buffers.at(0), column({0.0, 0.0})));
  CHECK(same_bits(state.buffers.at(1), Tensor{0.0}));
  return message;
}

bool any_of(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* part : parts) {
    if (contains(message, part)) {
      return true;
    }
  }
  return false;
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

TEST_CASE("the reference checkpoint loads, so every refusal below is the damage's doing") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  put_file(dir.file("copy.ckpt"), good);
  Tiny tiny;
  tiny.layer.weight().mutable_data() = column({7.0, 8.0});
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  nn::load(tiny.layer, dir.file("copy.ckpt"), &sgd);
  CHECK(sgd.state().steps == 1);
  CHECK_FALSE(same_bits(tiny.layer.weight().data(), column({7.0, 8.0})));
}

TEST_CASE("every truncation of a checkpoint is refused: lengths 0 to size − 1") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  REQUIRE(good.size() > 100);
  std::size_t tried = 0;
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    const Bytes prefix(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    for (bool with_optimizer : {true, false}) {
      const std::string m = refusal(dir, prefix, with_optimizer);
      CAPTURE(m);
      CHECK(any_of(m, {"shorter than any checkpoint", "checksum mismatch"}));
    }
    ++tried;
  }
  CHECK(tried == good.size());
}

// FNV-1a catches every single-bit flip (each step is a bijection of the state), and the magic
// and the version are checked before it, so each flip is refused for one of three reasons.
TEST_CASE("10,000 random single-bit flips are each refused") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  Generator gen(2024);
  for (int trial = 0; trial < 10'000; ++trial) {
    const std::uint64_t bit = gen.below(good.size() * 8);
    CAPTURE(bit);
    const std::string m = refusal(dir, ckpt_test::with_bit_flipped(good, bit), trial % 2 == 0);
    CAPTURE(m);
    CHECK(any_of(m, {"bad magic", "unsupported version", "checksum mismatch"}));
  }
}

TEST_CASE("every bit of the file, flipped once, is refused") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
    CAPTURE(bit);
    const std::string m = refusal(dir, ckpt_test::with_bit_flipped(good, bit), bit % 2 == 0);
    CAPTURE(m);
    CHECK(any_of(m, {"bad magic", "unsupported version", "checksum mismatch"}));
  }
}

// Flips the checksum cannot see: each bit of the reference file, flipped, then the checksum
// recomputed. The module fixes every name, shape and count, so a flip in any of them (or in the
// magic or the version) must be refused; a flip in a number must load exactly that number, unless
// it leaves the step count a fraction, negative, or beyond 2⁵³.
TEST_CASE("every bit flipped behind a recomputed checksum: structure refused, numbers loaded exactly") {
  const TempDir dir;
  const Bytes good = saved_checkpoint(dir);
  const auto ranges = ckpt_test::number_ranges(good);
  REQUIRE(ranges.size() == 5);  // weight, bias, steps, two momentum buffers
  const std::string path = dir.file("resigned.ckpt");
  int loaded = 0;
  int refused = 0;
  for (std::size_t bit = 0; bit < (good.size() - 8) * 8; ++bit) {
    const Bytes bad = ckpt_test::resigned(ckpt_test::with_bit_flipped(good, bit));
    CAPTURE(bit);
    std::size_t in = ranges.size();  // the record whose number holds the bit, if any
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      if (bit / 8 >= ranges[r].first && bit / 8 < ranges[r].second) {
        in = r;
      }
    }
    put_file(path, bad);
    Tiny tiny;
    tiny.layer.weight().mutable_data() = column({7.0, 8.0});
    tiny.layer.bias().mutable_data() = Tensor{9.0};
    nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
    std::string m;
    try {
      nn::load(tiny.layer, path, &sgd);
    } catch (const nn::checkpoint_error& e) {
      m = e.what();
    }
    CAPTURE(m);
    const nn::OptimizerState state = sgd.state();
    if (!m.empty()) {  // refused: a flip in the structure, or a step count that is not whole
      CHECK((in == ranges.size() || (in == 2 && contains(m, "not a whole number"))));
      CHECK(same_bits(tiny.layer.weight().data(), column({7.0, 8.0})));
      CHECK(same_bits(tiny.layer.bias().data(), Tensor{9.0}));
      CHECK(state.steps == 0);
      ++refused;
      continue;
    }
    CHECK(in < ranges.size());  // loaded: only a number changed, and it arrived exactly
    auto number = [&](std::size_t r, std::size_t i) { return ckpt_test::f64_at(bad, ranges[r].first + 8 * i); };
    CHECK(same_bits(tiny.layer.weight().data(), column({number(0, 0), number(0, 1)})));
    CHECK(same_bits(tiny.layer.bias().data(), Tensor{number(1, 0)}));
    CHECK(static_cast<double>(state.steps) == number(2, 0));
    CHECK(same_bits(state.buffers.at(0), column({number(3, 0), number(3, 1)})));
    CHECK(same_bits(state.buffers.at(1), Tensor{number(4, 0)}));
    ++loaded;
  }
  const std::size_t bits = (good.size() - 8) * 8;
  MESSAGE(bits, " bits flipped behind a recomputed checksum: ", refused, " refused, ", loaded,
          " loaded as the changed number");
  CHECK(refused + loaded == static_cast<int>(bits));
}

TEST_CASE("crafted files are refused for the documented reason") {
  const TempDir dir;
  const std::vector<ckpt_test::Crafted> corpus = ckpt_test::crafted_files();
  REQUIRE(corpus.size() >= 50);
  MESSAGE(corpus.size(), " crafted files");
  for (const ckpt_test::Crafted& c : corpus) {
    CAPTURE(c.what);
    const std::string m = refusal(dir, c.bytes, c.with_optimizer);
    CAPTURE(m);
    CHECK(contains(m, c.message));
  }
}

// /dev/zero, which never ends, is tried in test_checkpoint_alloc.cpp, where a loader that read it
// would stop at 64 MiB instead of exhausting the machine.
TEST_CASE("a FIFO or a folder is refused without waiting for or reading it") {
  const TempDir dir;
  Tiny tiny;
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Opening a FIFO for reading waits for a writer. Should load wait, this thread is the writer
  // after 10 s: the load then ends (at end of file) and the test fails instead of hanging.
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::thread guard([&] {
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) {
        ::close(fd);
      }
    }
  });
  const std::string m = nn_test::message_of<nn::checkpoint_error>([&] { nn::load(tiny.layer, fifo); });
  {
    const std::lock_guard lock(mutex);
    done = true;
  }
  cv.notify_one();
  guard.join();
  CHECK(contains(m, fifo));
  CHECK(contains(m, "not a regular file"));
  std::filesystem::create_directory(dir.file("folder"));
  CHECK_THROWS_WITH_AS(nn::load(tiny.layer, dir.file("folder")), doctest::Contains("not a regular file"),
                       nn::checkpoint_error);
  CHECK(same_bits(tiny.layer.weight().data(), column({0.5, -1.5})));
}

TEST_CASE("an optimizer step count that is not a whole number is refused") {
  const TempDir dir;
  for (double steps : {-1.0, 1.5, static_cast<double>(NAN), static_cast<double>(INFINITY), 1e300}) {
    CAPTURE(steps);
    Encoder e = tiny_file(5);
    e.record("optimizer.SGD.steps", {}, {steps});
    e.record("optimizer.SGD.0", {2, 1}, {0.0, 0.0});
    e.record("optimizer.SGD.1", {1}, {0.0});
    CHECK(contains(refusal(dir, e.finish(), true), "not a whole number"));
  }
  Encoder e = tiny_file(5);
  e.record("optimizer.SGD.steps", {}, {3.0});
  e.record("optimizer.SGD.0", {2, 1}, {0.125, 0.0});
  e.record("optimizer.SGD.1", {1}, {-0.5});
  put_file(dir.file("ok.ckpt"), e.finish());
  Tiny tiny;
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  nn::load(tiny.layer, dir.file("ok.ckpt"), &sgd);
  CHECK(sgd.state().steps == 3);
  CHECK(sgd.state().buffers[1] == Tensor{-0.5});
}
