// The buffer cache behind buffer_allocator (xgrad/allocator.hpp).
#include <xgrad/allocator.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <type_traits>

namespace xgrad {

namespace {

constexpr std::align_val_t kCachedAlignment{64};
constexpr std::size_t kSlots = 256;  // cached buffers at most; a training step uses a few dozen

struct Block {
  void* p;
  std::size_t bytes;
};

// All state in one object that is constant-initialised and trivially destructible: it is valid
// before any constructor and after every destructor of static storage runs, so a Tensor with
// static storage duration may be freed at any time, in any order.
struct Cache {
  std::mutex mutex;
  Block blocks[kSlots];
  std::size_t count;  // blocks[0, count) are cached
  BufferCacheStats stats;
  bool closed;    // after exit began: every buffer is freed at once
  bool disabled;  // XGRAD_BUFFER_CACHE=0, or a sanitizer that must see every free
  bool configured;
};
static_assert(std::is_trivially_destructible_v<Cache>);

constinit Cache cache{};

void free_cached(void* p, std::size_t bytes) noexcept { ::operator delete(p, bytes, kCachedAlignment); }

// Frees cache.blocks[i], moving the last block into its place.
void evict(std::size_t i) noexcept {
  const Block b = cache.blocks[i];
  cache.blocks[i] = cache.blocks[--cache.count];
  cache.stats.cached_bytes -= b.bytes;
  free_cached(b.p, b.bytes);
}

void evict_all() noexcept {
  while (cache.count > 0) {
    evict(cache.count - 1);
  }
}

// Whether freed memory may be kept for reuse at all, decided once per process. Under
// AddressSanitizer every block goes back to the allocator at once, so that a use after free is
// reported instead of landing in a reused block; the environment variable does the same for
// other checkers (the valgrind tests set it).
bool reuse_allowed() {
  static const bool allowed = [] {
#if defined(__SANITIZE_ADDRESS__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return false;
#endif
#endif
    const char* env = std::getenv("XGRAD_BUFFER_CACHE");
    return env == nullptr || std::strcmp(env, "0") != 0;
  }();
  return allowed;
}

void configure() {
  cache.configured = true;
  cache.disabled = !reuse_allowed();
}

// Frees the cache at exit: the object's destructor runs during static destruction.
struct Drain {
  Drain() = default;
  Drain(const Drain&) = delete;
  Drain& operator=(const Drain&) = delete;
  ~Drain() {
    const std::lock_guard lock(cache.mutex);
    evict_all();
    cache.closed = true;
  }
} drain;

// A small block of at least two cache lines starts on a cache line: a node with a capture, a
// tensor's buffer (128 bytes take two lines when aligned, three at most other starts). A scalar
// op's node, 112 bytes, is smaller and packed densely instead (benchmarks.md).
constexpr std::size_t kLineAlignedMin = 128;
constexpr std::size_t kLine = 64;

// A block with its exact size, for when freed blocks are not kept (a memory checker then sees
// every byte past its end).
void* new_block(std::size_t bytes) {
  return bytes >= kLineAlignedMin ? ::operator new (bytes, std::align_val_t{kLine}) : ::operator new(bytes);
}

void delete_block(void* p, std::size_t bytes) noexcept {
  if (bytes >= kLineAlignedMin) {
    ::operator delete (p, bytes, std::align_val_t{kLine});
  } else {
    ::operator delete(p, bytes);
  }
}

// A block for the free lists. One of kLineAlignedMin bytes or more is cut from a request
// `kLineSlack` bytes larger, at its first cache line, and the byte after the block records how
// far that was: glibc's aligned allocation instead splits a misaligned head off a larger chunk,
// which left 128-byte blocks about 288 bytes apart, 192 this way (benchmarks.md).
// (operator new aligns a request this large to at least __STDCPP_DEFAULT_NEW_ALIGNMENT__, so
// the step is at most kLine minus that.)
constexpr std::size_t kLineSlack = kLine - __STDCPP_DEFAULT_NEW_ALIGNMENT__ + 8;
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= 8 && kLineSlack < 256);

void* new_list_block(std::size_t bytes) {
  if (bytes < kLineAlignedMin) {
    return ::operator new(bytes);
  }
  auto* raw = static_cast<unsigned char*>(::operator new(bytes + kLineSlack));
  const std::size_t step = (kLine - reinterpret_cast<std::uintptr_t>(raw) % kLine) % kLine;
  unsigned char* block = raw + step;
  block[bytes] = static_cast<unsigned char>(step);
  return block;
}

void delete_list_block(void* p, std::size_t bytes) noexcept {
  if (bytes < kLineAlignedMin) {
    ::operator delete(p, bytes);
    return;
  }
  auto* block = static_cast<unsigned char*>(p);
  ::operator delete(block - block[bytes], bytes + kLineSlack);
}

using detail::class_bytes;
using detail::class_of;
using detail::kClasses;
using detail::thread_blocks;

// A block of class `c` from, and back to, the C library: the count behind the thread's quota.
void* fresh_block(std::size_t c) {
  void* p = new_list_block(class_bytes(c));
  thread_blocks.owned_bytes += class_bytes(c);
  thread_blocks.kept_limit = std::max(thread_blocks.kept_limit, thread_blocks.owned_bytes);
  return p;
}

void return_block(void* p, std::size_t c) noexcept {
  delete_list_block(p, class_bytes(c));
  // A block from another thread may leave this count below what its own blocks would make it.
  thread_blocks.owned_bytes -= std::min(thread_blocks.owned_bytes, class_bytes(c));
}

void drain_thread_blocks() noexcept {
  for (std::size_t c = 0; c < kClasses; ++c) {
    while (void* b = detail::pop_block(c)) {
      return_block(b, c);
    }
  }
}

// Returns the thread's blocks to the C library when the thread ends.
struct ThreadDrain {
  ThreadDrain() = default;
  ThreadDrain(const ThreadDrain&) = delete;
  ThreadDrain& operator=(const ThreadDrain&) = delete;
  ~ThreadDrain() {
    thread_blocks.keeping = false;
    thread_blocks.closed = true;
    drain_thread_blocks();
  }
  void start() noexcept { thread_blocks.keeping = true; }
};
thread_local ThreadDrain thread_drain;

// The common cases of a small request and a small free are a pop and a push on a list
// (detail/free_lists.hpp), inline in allocate_small and free_small and in the buffer allocator's
// small path below; everything else (the first free on a thread, reuse turned off, a full
// quota, a thread that is exiting) takes the out-of-line paths after them. A graph allocates and
// frees three small blocks per recorded op: the out-of-line checks cost more than the list.

void* allocate_fresh(std::size_t bytes, std::size_t c) {
  // Without reuse the lists stay empty, and a block is allocated and freed with its exact size,
  // so that a checker sees every byte past its end.
  return reuse_allowed() ? fresh_block(c) : new_block(bytes);
}

[[gnu::noinline]] void free_slow(void* p, std::size_t bytes, std::size_t c) noexcept {
  if (!reuse_allowed()) {
    delete_block(p, bytes);
    return;
  }
  if (!thread_blocks.keeping && !thread_blocks.closed) {
    thread_drain.start();  // first free on this thread: registers the drain at thread exit
  }
  if (!detail::keeps(c)) {
    return_block(p, c);
    return;
  }
  detail::push_block(p, c);
}

void* take_small(std::size_t bytes) {
  const std::size_t c = class_of(bytes);
  if (void* b = detail::pop_block(c)) {
    return b;
  }
  return allocate_fresh(bytes, c);
}

void give_small(void* p, std::size_t bytes) noexcept {
  const std::size_t c = class_of(bytes);
  if (detail::keeps(c)) {
    detail::push_block(p, c);
    return;
  }
  free_slow(p, bytes, c);
}

}  // namespace

BufferCacheStats buffer_cache_stats() {
  const std::lock_guard lock(cache.mutex);
  if (!cache.configured) {
    configure();
  }
  BufferCacheStats s = cache.stats;
  s.cached_blocks = cache.count;
  s.small_kept_bytes = thread_blocks.kept_bytes;
  s.enabled = !cache.disabled;
  return s;
}

void release_buffer_cache() {
  drain_thread_blocks();
  thread_blocks.kept_limit = std::max(detail::kKeptPerThread, thread_blocks.owned_bytes);
  const std::lock_guard lock(cache.mutex);
  evict_all();
  cache.stats.peak_bytes = cache.stats.in_use_bytes;
}

namespace detail {

constinit thread_local ThreadBlocks thread_blocks{};

void* allocate_small_slow(std::size_t bytes) {
  return bytes <= small_block_max_bytes ? take_small(bytes) : ::operator new(bytes);
}

void free_small_slow(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) {
    return;
  }
  if (bytes > small_block_max_bytes) {
    ::operator delete(p, bytes);
    return;
  }
  give_small(p, bytes);
}

void* allocate_buffer(std::size_t bytes) {
  if (bytes <= small_block_max_bytes) {
    return take_small(bytes);
  }
  if (bytes < buffer_cache_min_bytes) {
    return ::operator new(bytes);
  }
  const std::lock_guard lock(cache.mutex);
  if (!cache.configured) {
    configure();
  }
  BufferCacheStats& s = cache.stats;
  // The most recently cached buffer of this size first: the likeliest to be in the CPU's cache.
  for (std::size_t i = cache.count; i-- > 0;) {
    if (cache.blocks[i].bytes == bytes) {
      void* p = cache.blocks[i].p;
      cache.blocks[i] = cache.blocks[--cache.count];
      s.cached_bytes -= bytes;
      s.in_use_bytes += bytes;
      ++s.hits;
      return p;
    }
  }
  ++s.misses;
  // Stay within twice the peak: buffers of other sizes make room for this one.
  while (cache.count > 0 && s.in_use_bytes + s.cached_bytes + bytes > 2 * s.peak_bytes) {
    evict(0);
  }
  void* p = nullptr;
  try {
    p = ::operator new(bytes, kCachedAlignment);
  } catch (const std::bad_alloc&) {
    evict_all();  // memory is short: give back everything cached, then try once more
    p = ::operator new(bytes, kCachedAlignment);
  }
  s.in_use_bytes += bytes;
  s.peak_bytes = s.in_use_bytes > s.peak_bytes ? s.in_use_bytes : s.peak_bytes;
  return p;
}

void free_buffer(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) {
    return;
  }
  if (bytes <= small_block_max_bytes) {
    give_small(p, bytes);
    return;
  }
  if (bytes < buffer_cache_min_bytes) {
    ::operator delete(p, bytes);
    return;
  }
  const std::lock_guard lock(cache.mutex);
  BufferCacheStats& s = cache.stats;
  s.in_use_bytes -= bytes <= s.in_use_bytes ? bytes : s.in_use_bytes;
  if (cache.closed || cache.disabled || cache.count == kSlots) {
    free_cached(p, bytes);
    return;
  }
  cache.blocks[cache.count++] = {p, bytes};
  s.cached_bytes += bytes;
}

}  // namespace detail

}  // namespace xgrad
