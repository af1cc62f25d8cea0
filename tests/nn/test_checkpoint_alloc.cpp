// How much a checkpoint load allocates: for every crafted file, every truncation and a sample
// of bit flips, the bytes requested during `load` (all of them, added up) stay within a fixed
// multiple of the file's size, and so does the largest single request. A loader that believed a
// crafted length would instead ask for up to 2⁶⁴ bytes.
//
// How: this binary replaces the C allocation functions (malloc, calloc, realloc,
// posix_memalign, aligned_alloc, memalign) with ones that count each request and pass it on to
// glibc's own (__libc_malloc, …). Counting at this level, rather than replacing operator new,
// also sees the tensors' data, which xtensor allocates with posix_memalign (xsimd's aligned
// allocator). While counting, a request above 64 MiB is refused, so a loader that trusted a
// crafted length would fail here with bad_alloc instead of exhausting the machine. The sum of
// the requests bounds the peak of live memory from above, so no free() needs counting.
// Built only with glibc (see CMakeLists.txt), the one C library these names exist in.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "checkpoint_corpus.hpp"
#include "helpers.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* p, std::size_t size) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
}

namespace {

constexpr std::size_t refused_above = std::size_t{64} << 20;

std::atomic<bool> counting{false};
std::atomic<std::size_t> requested{0};
std::atomic<std::size_t> largest{0};
std::atomic<std::size_t> refused{0};

// Counts a request while counting; false if it is to be refused.
bool admit(std::size_t size) {
  if (!counting.load(std::memory_order_relaxed)) {
    return true;
  }
  requested.fetch_add(size, std::memory_order_relaxed);
  std::size_t seen = largest.load(std::memory_order_relaxed);
  while (size > seen && !largest.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
  }
  if (size > refused_above) {
    refused.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

bool valid_alignment(std::size_t alignment) {
  return alignment != 0 && (alignment & (alignment - 1)) == 0 && alignment % sizeof(void*) == 0;
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) noexcept {
  if (!admit(size)) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  std::size_t total = 0;
  if (__builtin_mul_overflow(count, size, &total) || !admit(total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_calloc(count, size);
}

void* realloc(void* p, std::size_t size) noexcept {
  if (!admit(size)) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_realloc(p, size);
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
  if (!admit(size)) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept { return memalign(alignment, size); }

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (!valid_alignment(alignment)) {
    return EINVAL;
  }
  if (!admit(size)) {
    return ENOMEM;
  }
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}

}  // extern "C"

using ckpt_test::Bytes;
using ckpt_test::Tiny;
using nn_test::TempDir;
namespace nn = xgrad::nn;

namespace {

// What one counted stretch requested.
struct Counted {
  std::size_t bytes = 0;
  std::size_t largest = 0;
  std::size_t refused = 0;
};

template <class F>
Counted count(F&& f) {
  requested = 0;
  largest = 0;
  refused = 0;
  counting = true;
  f();
  counting = false;
  return {requested.load(), largest.load(), refused.load()};
}

// A file of N bytes may cost: the bytes themselves (N, or up to 2N as the buffer grows), and the
// records decoded from them. Each record takes at least 16 bytes of file (name length, rank and
// one double, or one zero dimension) and about 270 bytes of memory here (a Record: a name and a
// Tensor), in a vector that doubles as it grows: up to 2·N/16·270 ≈ 34N for its last buffer and
// 68N for all of them. Add the module's own records and the message (a few KiB for Tiny).
constexpr std::size_t per_file_byte = 128;
constexpr std::size_t largest_per_file_byte = 64;
constexpr std::size_t fixed = std::size_t{64} << 10;

// Loads `bytes` into a Tiny (and an SGD, if asked) while counting; expects the bounds above and,
// if `must_refuse`, checkpoint_error.
Counted load_counted(const TempDir& dir, const Bytes& bytes, bool with_optimizer, bool must_refuse = true) {
  const std::string path = dir.file("counted.ckpt");
  ckpt_test::put_file(path, bytes);
  Tiny tiny;
  nn::SGD sgd(tiny.layer.parameters(), {.momentum = 0.5});
  bool refused_as_checkpoint_error = false;
  bool out_of_memory = false;  // a request above 64 MiB was refused
  const Counted c = count([&] {
    try {
      nn::load(tiny.layer, path, with_optimizer ? &sgd : nullptr);
    } catch (const nn::checkpoint_error&) {
      refused_as_checkpoint_error = true;
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
    }
  });
  CAPTURE(bytes.size());
  CAPTURE(c.bytes);
  CAPTURE(c.largest);
  CHECK((refused_as_checkpoint_error || !must_refuse));
  CHECK_FALSE(out_of_memory);
  CHECK(c.refused == 0);
  CHECK(c.bytes <= fixed + per_file_byte * bytes.size());
  CHECK(c.largest <= 4096 + largest_per_file_byte * bytes.size());
  return c;
}

}  // namespace

TEST_CASE("the counting allocator sees operator new and the tensors' aligned data") {
  const Counted vector_bytes = count([] { std::make_unique<std::vector<char>>(5000).reset(); });
  CHECK(vector_bytes.bytes >= 5000);
  const Counted tensor_bytes = count([] { static_cast<void>(xgrad::Tensor::from_shape({1000})); });
  CHECK(tensor_bytes.bytes >= 8000);
  CHECK(tensor_bytes.largest >= 8000);
  const Counted too_big =
      count([] { CHECK_THROWS_AS(static_cast<void>(std::vector<char>(refused_above + 1)), std::bad_alloc); });
  CHECK(too_big.refused == 1);
}

TEST_CASE("loading a crafted file allocates no more than a small multiple of its size") {
  const TempDir dir;
  double worst = 0.0;
  std::string worst_case;
  for (const ckpt_test::Crafted& c : ckpt_test::crafted_files()) {
    CAPTURE(c.what);
    const Counted counted = load_counted(dir, c.bytes, c.with_optimizer);
    const double ratio =
        static_cast<double>(counted.bytes) / static_cast<double>(std::max<std::size_t>(c.bytes.size(), 1));
    if (c.bytes.size() >= 1024 && ratio > worst) {
      worst = ratio;
      worst_case = c.what;
    }
  }
  MESSAGE("largest ratio of bytes requested to file size among files of 1 KiB or more: ", worst, " (", worst_case, ")");
}

TEST_CASE(
    "loading a truncated or bit-flipped checkpoint, checksum recomputed or not, allocates no more than a small "
    "multiple of its size") {
  const TempDir dir;
  const Bytes good = ckpt_test::saved_checkpoint(dir);
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    load_counted(dir, Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)), true);
  }
  xgrad::Generator gen(77);
  for (int trial = 0; trial < 1000; ++trial) {
    const std::uint64_t bit = gen.below(good.size() * 8);
    CAPTURE(bit);
    load_counted(dir, ckpt_test::with_bit_flipped(good, bit), trial % 2 == 0);
  }
  for (std::size_t bit = 0; bit < (good.size() - 8) * 8; ++bit) {  // behind a recomputed checksum
    CAPTURE(bit);
    load_counted(dir, ckpt_test::resigned(ckpt_test::with_bit_flipped(good, bit)), true,
                 false);  // a flip in a number may load
  }
}

TEST_CASE("/dev/zero, a file without end, is refused before anything is read") {
  Tiny tiny;
  std::string message;
  const Counted c = count([&] {
    try {
      nn::load(tiny.layer, "/dev/zero");
    } catch (const nn::checkpoint_error& e) {
      message = e.what();
    } catch (const std::bad_alloc&) {
      message = "bad_alloc: the loader read on";
    }
  });
  CAPTURE(message);
  CHECK(nn_test::contains(message, "/dev/zero: not a regular file"));
  CHECK(c.bytes < fixed);
  CHECK(c.refused == 0);
}

TEST_CASE("a valid checkpoint costs a few times its size to load") {
  const TempDir dir;
  xgrad::Generator gen(5);
  nn::MLP model({2, 300, 300, 1}, gen);
  nn::Adam adam(model.parameters());
  const std::string path = dir.file("big.ckpt");
  nn::save(model, path, &adam);
  const std::size_t size = nn_test::read_bytes(path).size();
  xgrad::Generator other(6);
  nn::MLP loaded({2, 300, 300, 1}, other);
  nn::Adam loaded_adam(loaded.parameters());
  const Counted c = count([&] { nn::load(loaded, path, &loaded_adam); });
  CHECK(nn_test::same_parameters(model, loaded));
  CHECK(c.refused == 0);
  const double ratio = static_cast<double>(c.bytes) / static_cast<double>(size);
  MESSAGE("a ", size, "-byte checkpoint requested ", c.bytes, " bytes to load (", ratio,
          "× its size), the largest request ", c.largest);
  CHECK(c.bytes <= fixed + 16 * size);
}
