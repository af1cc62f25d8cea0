#pragma once
/// @file
/// The allocator behind every Tensor's elements, and the cache of large buffers it keeps.
///
/// A training loop asks for the same large buffers at every step: each layer's output, each
/// saved derivative, each gradient. Memory that the C library has just handed back to the
/// system comes back as fresh pages, and the kernel zeroes every page on its first touch; at
/// the lab's larger sizes that costs as much as the arithmetic. So a buffer of at least
/// `buffer_cache_min_bytes` is not freed but kept, and the next request for exactly that many
/// bytes reuses it: from the second step on, a loop of fixed shapes touches no fresh memory.
///
/// The cache never makes the process hold more than twice its own peak: a request that finds no
/// buffer of its size first frees cached buffers of other sizes until the bytes in use plus the
/// bytes cached plus the request fit under twice the most the program has ever had in use at
/// once. (Under the peak alone, a loop whose second step needs one buffer more than its first
/// at some moment would free and allocate buffers at every step.)
/// The cache is shared by all threads (a mutex guards it; only large buffers take it) and is
/// emptied at exit.
///
/// Small blocks — buffers of at most `small_block_max_bytes`, and the graph's nodes — are kept
/// on per-thread free lists by size class instead: a graph of thousands of nodes frees and
/// allocates them by the thousand, more than the C library's own per-thread cache holds. A
/// thread keeps up to 4 MiB of them, or as many bytes as it has had in use at once if that is
/// more (so a graph of any size reuses the blocks of the one before it), and frees them when it
/// ends or calls release_buffer_cache(). Blocks of 128 bytes or more start on a 64-byte cache
/// line.

#include <xgrad/detail/free_lists.hpp>

#include <cstddef>
#include <new>

namespace xgrad {

/// Buffers of at least this many bytes (64 KiB: 8192 doubles) are cached.
inline constexpr std::size_t buffer_cache_min_bytes = std::size_t{64} << 10;

/// Blocks of at most this many bytes (16 KiB) are kept on per-thread free lists.
inline constexpr std::size_t small_block_max_bytes = detail::free_list_max_bytes;

/// Counters of the buffer cache, for tests and tuning.
struct BufferCacheStats {
  std::size_t cached_bytes = 0;      ///< held in the cache now, ready for reuse
  std::size_t cached_blocks = 0;     ///< how many buffers that is
  std::size_t in_use_bytes = 0;      ///< large buffers handed out and not yet returned
  std::size_t peak_bytes = 0;        ///< the most `in_use_bytes` has been
  std::size_t hits = 0;              ///< requests served from the cache
  std::size_t misses = 0;            ///< requests that allocated
  std::size_t small_kept_bytes = 0;  ///< small blocks the calling thread keeps for reuse
  /// False when no freed memory is kept, neither large buffers nor small blocks: under
  /// AddressSanitizer (so that it sees every use after free) or with the environment variable
  /// XGRAD_BUFFER_CACHE=0 (read once, at the first allocation).
  bool enabled = true;
};

/// The cache's counters now.
BufferCacheStats buffer_cache_stats();

/// Frees every cached buffer (buffers in use are not affected), and restarts the peak from the
/// bytes in use now: call it after a phase that used much more memory than what follows. Also
/// frees the small blocks the calling thread keeps, and restarts its quota from the ones it has
/// in use.
void release_buffer_cache();

namespace detail {
void* allocate_buffer(std::size_t bytes);
void free_buffer(void* p, std::size_t bytes) noexcept;
}  // namespace detail

/// The standard-library allocator that Tensor uses: large buffers through the cache above,
/// aligned to 64 bytes (a cache line); small ones from `operator new`. xtensor treats its
/// buffers as unaligned and uses unaligned SIMD loads on them, which cost the same as aligned
/// ones on aligned data and stay correct whatever SIMD width a program is compiled for.
template <class T>
class buffer_allocator {
 public:
  using value_type = T;

  buffer_allocator() noexcept = default;
  template <class U>
  buffer_allocator(const buffer_allocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor): rebinding

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    return static_cast<T*>(detail::allocate_buffer(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { detail::free_buffer(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const buffer_allocator<U>&) const noexcept {
    return true;  // every instance draws on the same cache: any may free what another allocated
  }
};

}  // namespace xgrad
