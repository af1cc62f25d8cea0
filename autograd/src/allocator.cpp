// The buffer cache behind buffer_allocator (xgrad/allocator.hpp).
#include <xgrad/allocator.hpp>

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

// Decided on first use. Under AddressSanitizer every buffer goes back to the allocator at once,
// so that a use after free is reported instead of landing in a reused buffer; the environment
// variable does the same for other checkers (the valgrind tests set it).
void configure() {
  cache.configured = true;
#if defined(__SANITIZE_ADDRESS__)
  cache.disabled = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  cache.disabled = true;
#endif
#endif
  const char* env = std::getenv("XGRAD_BUFFER_CACHE");
  if (env != nullptr && std::strcmp(env, "0") == 0) {
    cache.disabled = true;
  }
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

}  // namespace

BufferCacheStats buffer_cache_stats() {
  const std::lock_guard lock(cache.mutex);
  if (!cache.configured) {
    configure();
  }
  BufferCacheStats s = cache.stats;
  s.cached_blocks = cache.count;
  s.enabled = !cache.disabled;
  return s;
}

void release_buffer_cache() {
  const std::lock_guard lock(cache.mutex);
  evict_all();
  cache.stats.peak_bytes = cache.stats.in_use_bytes;
}

namespace detail {

void* allocate_buffer(std::size_t bytes) {
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
