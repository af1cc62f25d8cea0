#pragma once
// Internal: the per-thread free lists behind allocate_small and free_small (allocator.hpp), with
// their common cases inline. Every recorded op allocates and frees its node here; inline, with
// the node's size known where it is called, a request is a pop and a free a push.

#include <cstddef>
#include <type_traits>

namespace xgrad::detail {

// The largest block the lists keep (allocator.hpp's small_block_max_bytes).
inline constexpr std::size_t free_list_max_bytes = std::size_t{16} << 10;

// The per-thread free lists of small blocks (Tensor buffers up to free_list_max_bytes, graph
// nodes). A freed block goes on its thread's list for its size class; the next request of that
// class on that thread takes it back: no lock, no search. A block may be freed on another thread
// than the one that allocated it; it simply joins that thread's lists.
constexpr std::size_t kFineStep = 16;  // classes 16 bytes apart up to 1 KiB ...
constexpr std::size_t kFineMax = 1024;
constexpr std::size_t kCoarseStep = 256;  // ... then 256 bytes apart up to 16 KiB
constexpr std::size_t kClasses = kFineMax / kFineStep + (free_list_max_bytes - kFineMax) / kCoarseStep + 1;
// Free bytes a thread may hold: this many, or as many as it has had from the system at once if
// that is more (ThreadBlocks::kept_limit).
constexpr std::size_t kKeptPerThread = std::size_t{4} << 20;

// A request for 0 bytes (an empty tensor's buffer) gets the smallest class: a free block must
// hold the list's link.
constexpr std::size_t class_of(std::size_t bytes) {
  return bytes == 0          ? 1
         : bytes <= kFineMax ? (bytes + kFineStep - 1) / kFineStep
                             : kFineMax / kFineStep + (bytes - kFineMax + kCoarseStep - 1) / kCoarseStep;
}
constexpr std::size_t class_bytes(std::size_t c) {
  return c <= kFineMax / kFineStep ? c * kFineStep : kFineMax + (c - kFineMax / kFineStep) * kCoarseStep;
}
static_assert(class_of(free_list_max_bytes) == kClasses - 1 && class_bytes(kClasses - 1) == free_list_max_bytes);
static_assert(class_bytes(class_of(1025)) == 1280 && class_bytes(class_of(8)) == 16 && class_bytes(class_of(0)) == 16);

struct FreeBlock {
  FreeBlock* next;
};

// Trivially destructible and constant-initialised: valid on a thread before and after its
// thread_local destructors run.
struct ThreadBlocks {
  FreeBlock* heads[kClasses];
  std::size_t kept_bytes;
  // The most free bytes the lists hold: the larger of kKeptPerThread and the peak of
  // `owned_bytes`. A graph of more nodes than fit in a fixed quota would hand the rest back to
  // the C library at every pass, which gives the pages back to the system and takes them again,
  // zeroed, at the next: ten times the time per op of a graph that fits (benchmarks.md).
  std::size_t kept_limit = kKeptPerThread;
  std::size_t owned_bytes;  // blocks this thread took from the C library, less those it gave back
  // Freed blocks go onto the lists: reuse is allowed, the thread's drain at exit is registered,
  // and the thread is not exiting. One flag, so that a free tests one thing before the push.
  bool keeping;
  bool closed;  // the thread is exiting: blocks are freed at once
};
static_assert(std::is_trivially_destructible_v<ThreadBlocks>);

extern constinit thread_local ThreadBlocks thread_blocks;

// Everything but a pop from a non-empty list and a push onto a list under its quota (a fresh
// block, a large one, the first free on a thread, reuse turned off, a thread that is exiting).
void* allocate_small_slow(std::size_t bytes);
void free_small_slow(void* p, std::size_t bytes) noexcept;

// A block of class `c` from the thread's list, or nullptr when the list is empty.
inline void* pop_block(std::size_t c) noexcept {
  FreeBlock* b = thread_blocks.heads[c];
  if (b != nullptr) {
    thread_blocks.heads[c] = b->next;
    thread_blocks.kept_bytes -= class_bytes(c);
  }
  return b;
}

// Puts `p`, a block of class `c`, on the thread's list.
inline void push_block(void* p, std::size_t c) noexcept {
  auto* b = static_cast<FreeBlock*>(p);
  b->next = thread_blocks.heads[c];
  thread_blocks.heads[c] = b;
  thread_blocks.kept_bytes += class_bytes(c);
}

// Whether a freed block of class `c` goes on the lists at once: the common case of a free.
inline bool keeps(std::size_t c) noexcept {
  return thread_blocks.keeping && thread_blocks.kept_bytes + class_bytes(c) <= thread_blocks.kept_limit;
}

// A block of at most free_list_max_bytes from the calling thread's free lists (graph nodes
// allocate through these two).
inline void* allocate_small(std::size_t bytes) {
  if (bytes <= free_list_max_bytes) {
    if (void* b = pop_block(class_of(bytes))) {
      return b;
    }
  }
  return allocate_small_slow(bytes);
}

inline void free_small(void* p, std::size_t bytes) noexcept {
  if (p != nullptr && bytes <= free_list_max_bytes && keeps(class_of(bytes))) {
    push_block(p, class_of(bytes));
    return;
  }
  free_small_slow(p, bytes);
}

}  // namespace xgrad::detail
