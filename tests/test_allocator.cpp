// The buffer cache behind every Tensor (xgrad/allocator.hpp): large buffers are reused by size,
// small ones never enter it, and in use plus cached never exceeds twice the program's peak.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

using xgrad::Tensor;

namespace {

constexpr std::size_t kLarge = xgrad::buffer_cache_min_bytes / sizeof(double);  // elements

// Bytes in use plus bytes cached: what the cache makes the process hold.
std::size_t footprint(const xgrad::BufferCacheStats& s) { return s.in_use_bytes + s.cached_bytes; }

}  // namespace

TEST_CASE("buffer cache: a large buffer freed is handed to the next request of its size") {
  xgrad::release_buffer_cache();
  const double* first = nullptr;
  {
    const Tensor a = Tensor::from_shape({kLarge});
    first = a.data();
  }
  const xgrad::BufferCacheStats before = xgrad::buffer_cache_stats();
  const Tensor b = Tensor::from_shape({kLarge});
  const xgrad::BufferCacheStats after = xgrad::buffer_cache_stats();
  if (!before.enabled) {
    MESSAGE("buffer cache disabled in this build or environment: nothing is kept");
    CHECK(before.cached_bytes == 0);
    CHECK(after.hits == before.hits);
    return;
  }
  CHECK(before.cached_bytes == kLarge * sizeof(double));
  CHECK(after.hits == before.hits + 1);
  CHECK(after.cached_bytes == 0);
  CHECK(b.data() == first);
  CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == 0);
}

TEST_CASE("buffer cache: buffers are matched by exact size, and small buffers never enter") {
  xgrad::release_buffer_cache();
  {
    const Tensor a = Tensor::from_shape({kLarge});
    const Tensor b = Tensor::from_shape({kLarge + 1});
  }
  const xgrad::BufferCacheStats s0 = xgrad::buffer_cache_stats();
  { const Tensor small = Tensor::from_shape({kLarge - 1}); }
  const xgrad::BufferCacheStats s1 = xgrad::buffer_cache_stats();
  CHECK(s1.hits == s0.hits);
  CHECK(s1.misses == s0.misses);
  CHECK(s1.cached_bytes == s0.cached_bytes);
  const Tensor c = Tensor::from_shape({kLarge + 1});
  const xgrad::BufferCacheStats s2 = xgrad::buffer_cache_stats();
  if (!s2.enabled) {
    CHECK(s2.misses == s1.misses + 1);
    CHECK(s2.cached_blocks == 0);
    return;
  }
  CHECK(s0.cached_blocks == 2);
  CHECK(s2.hits == s1.hits + 1);
  CHECK(s2.cached_blocks == 1);
  CHECK(s2.cached_bytes == kLarge * sizeof(double));  // the other size stays cached
}

TEST_CASE("buffer cache: in use plus cached stays within twice the peak of the buffers in use") {
  xgrad::release_buffer_cache();
  const std::size_t base = xgrad::buffer_cache_stats().in_use_bytes;
  // A size never seen before at every request: nothing matches, and cached buffers of other
  // sizes must make room (kept without bound, they would reach 50 times the peak).
  for (std::size_t step = 0; step < 50; ++step) {
    std::vector<Tensor> live;
    for (std::size_t k = 0; k < 4; ++k) {
      live.push_back(Tensor::from_shape({kLarge + 4 * step + k}));
      const xgrad::BufferCacheStats s = xgrad::buffer_cache_stats();
      REQUIRE(footprint(s) <= 2 * s.peak_bytes);
    }
  }
  const xgrad::BufferCacheStats s = xgrad::buffer_cache_stats();
  CHECK(s.in_use_bytes == base);
  CHECK(footprint(s) <= 2 * s.peak_bytes);
  xgrad::release_buffer_cache();
  CHECK(xgrad::buffer_cache_stats().cached_bytes == 0);
  CHECK(xgrad::buffer_cache_stats().cached_blocks == 0);
}

TEST_CASE("buffer cache: a training loop of fixed shapes reuses every large buffer from its second step") {
  xgrad::release_buffer_cache();
  xgrad::Generator gen(3);
  const xgrad::Value x = xgrad::uniform({300, 32}, gen);
  const xgrad::Value w = xgrad::uniform({32, 64}, gen).set_requires_grad();
  const xgrad::Value b = xgrad::zeros({64}).set_requires_grad();
  auto step = [&] {
    w.zero_grad();
    b.zero_grad();
    xgrad::mean(xgrad::sigmoid(xgrad::linear(x, w, b))).backward();
  };
  step();
  const xgrad::BufferCacheStats s1 = xgrad::buffer_cache_stats();
  step();
  step();
  const xgrad::BufferCacheStats s3 = xgrad::buffer_cache_stats();
  CHECK(s1.misses > 0);  // (300,64) doubles = 150 KiB: the layer's output, its derivative, the gradients
  if (s3.enabled) {
    CHECK(s3.misses == s1.misses);
    CHECK(s3.hits > s1.hits);
  }
}

TEST_CASE("buffer cache: a buffer allocated on one thread may be freed on another") {
  xgrad::release_buffer_cache();
  const std::size_t base = xgrad::buffer_cache_stats().in_use_bytes;
  std::optional<Tensor> t;
  std::thread([&] { t.emplace(Tensor::from_shape({kLarge})); }).join();
  CHECK(xgrad::buffer_cache_stats().in_use_bytes == base + kLarge * sizeof(double));
  t.reset();
  CHECK(xgrad::buffer_cache_stats().in_use_bytes == base);
  std::thread([] { const Tensor u = Tensor::from_shape({kLarge}); }).join();
  CHECK(xgrad::buffer_cache_stats().in_use_bytes == base);
}

TEST_CASE("small blocks: a freed block serves the next request of its size class on the same thread") {
  using xgrad::detail::allocate_small;
  using xgrad::detail::free_small;
  xgrad::release_buffer_cache();
  void* a = allocate_small(100);
  free_small(a, 100);
  const xgrad::BufferCacheStats s = xgrad::buffer_cache_stats();
  void* b = allocate_small(112);  // 100 and 112 bytes share the 112-byte class
  if (!s.enabled) {
    CHECK(s.small_kept_bytes == 0);
    free_small(b, 112);
    return;
  }
  CHECK(s.small_kept_bytes == 112);
  CHECK(b == a);
  // An empty request still gets a block that can hold the free list's link.
  void* empty = allocate_small(0);
  free_small(empty, 0);
  CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 16);
  CHECK(allocate_small(16) == empty);
  free_small(empty, 16);
  xgrad::release_buffer_cache();
  CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 0);
  // Another thread has lists of its own: a block it frees is not offered here.
  void* c = nullptr;
  std::thread([&] {
    c = allocate_small(112);
    free_small(c, 112);
    CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 112);
  }).join();
  CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 0);
  free_small(b, 112);
  void* d = allocate_small(112);
  CHECK(d == b);
  free_small(d, 112);
  xgrad::release_buffer_cache();
  CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 0);
}

TEST_CASE("small blocks: a thread keeps as many as it has had in use at once, at least 4 MiB") {
  using xgrad::detail::allocate_small;
  using xgrad::detail::free_small;
  constexpr std::size_t block = 4096;
  constexpr std::size_t count = 2000;  // 8 MiB in all
  if (!xgrad::buffer_cache_stats().enabled) {
    return;
  }
  // A thread that had them all in use keeps them all: the next graph of that size takes no
  // memory from the system.
  std::vector<void*> blocks;
  std::thread([&] {
    {
      std::vector<Tensor> many;
      for (std::size_t k = 0; k < count; ++k) {
        many.push_back(Tensor::from_shape({block / sizeof(double)}));
      }
    }
    CHECK(xgrad::buffer_cache_stats().small_kept_bytes == count * block);
    xgrad::release_buffer_cache();
    CHECK(xgrad::buffer_cache_stats().small_kept_bytes == 0);
    for (std::size_t k = 0; k < count; ++k) {
      blocks.push_back(allocate_small(block));
    }
  }).join();
  // A thread that frees blocks it never had in use keeps 4 MiB of them.
  std::thread([&] {
    for (void* b : blocks) {
      free_small(b, block);
    }
    CHECK(xgrad::buffer_cache_stats().small_kept_bytes == std::size_t{4} << 20);
  }).join();
}

TEST_CASE("small blocks: graph nodes come from the same lists; a block of two cache lines or more starts on one") {
  using xgrad::detail::allocate_small;
  using xgrad::detail::free_small;
  xgrad::release_buffer_cache();
  {
    const xgrad::Value x = xgrad::Value(2.0).set_requires_grad();
    std::vector<xgrad::Value> nodes;
    for (int k = 0; k < 1000; ++k) {  // fresh blocks of two classes, interleaved
      nodes.push_back(x * x);
      nodes.push_back(x * 3.0);
    }
    for (const xgrad::Value& v : nodes) {
      CHECK(reinterpret_cast<std::uintptr_t>(v.node()) % alignof(xgrad::detail::Node) == 0);
    }
    // A scalar op's node takes less than two lines and is packed densely; larger blocks (a node
    // with a capture, a tensor's buffer) start on a line, so that two lines hold 128 bytes.
    CHECK(sizeof(xgrad::detail::Node) < 128);
    for (std::size_t bytes : {128, 200, 1000}) {
      CAPTURE(bytes);
      std::vector<void*> blocks;
      for (int k = 0; k < 10; ++k) {
        blocks.push_back(allocate_small(bytes));
        CHECK(reinterpret_cast<std::uintptr_t>(blocks.back()) % 64 == 0);
      }
      for (void* b : blocks) {
        free_small(b, bytes);
      }
    }
  }
  if (xgrad::buffer_cache_stats().enabled) {
    CHECK(xgrad::buffer_cache_stats().small_kept_bytes >= 2000 * sizeof(xgrad::detail::Node));
  }
  xgrad::release_buffer_cache();  // hands every block back to the C library: a checker sees the frees
}
