#include "malloc_count.hpp"

#include <malloc.h>

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdlib>

// glibc's own entry points, which the replacements below forward to.
extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* p);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {

std::atomic<std::int64_t> live{0};
std::atomic<std::int64_t> peak{0};
std::atomic<std::uint64_t> bytes{0};
std::atomic<std::uint64_t> allocs{0};

void* counted(void* p) {
  if (p != nullptr) {
    const auto size = static_cast<std::int64_t>(malloc_usable_size(p));
    const std::int64_t now = live.fetch_add(size, std::memory_order_relaxed) + size;
    std::int64_t high = peak.load(std::memory_order_relaxed);
    while (now > high && !peak.compare_exchange_weak(high, now, std::memory_order_relaxed)) {
    }
    bytes.fetch_add(static_cast<std::uint64_t>(size), std::memory_order_relaxed);
    allocs.fetch_add(1, std::memory_order_relaxed);
  }
  return p;
}

std::size_t page() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

void uncounted(void* p) {
  if (p != nullptr) {
    live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) { return counted(__libc_malloc(size)); }

void free(void* p) {
  uncounted(p);
  __libc_free(p);
}

void* calloc(std::size_t n, std::size_t size) { return counted(__libc_calloc(n, size)); }

void* realloc(void* p, std::size_t size) {
  const auto old = static_cast<std::int64_t>(p != nullptr ? malloc_usable_size(p) : 0);
  void* q = __libc_realloc(p, size);
  if (q != nullptr || size == 0) {  // the old block is gone
    live.fetch_sub(old, std::memory_order_relaxed);
  }
  return counted(q);
}

void* memalign(std::size_t alignment, std::size_t size) { return counted(__libc_memalign(alignment, size)); }

void* aligned_alloc(std::size_t alignment, std::size_t size) { return memalign(alignment, size); }

int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) {
    return EINVAL;
  }
  void* p = memalign(alignment, size);
  if (p == nullptr && size != 0) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}

void* valloc(std::size_t size) { return memalign(page(), size); }

void* pvalloc(std::size_t size) { return memalign(page(), (size + page() - 1) / page() * page()); }

void* reallocarray(void* p, std::size_t n, std::size_t size) {
  std::size_t total = 0;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, total);
}

}  // extern "C"

namespace bench::heap {

Counters now() {
  return {live.load(std::memory_order_relaxed), peak.load(std::memory_order_relaxed),
          bytes.load(std::memory_order_relaxed), allocs.load(std::memory_order_relaxed)};
}

void reset_peak() { peak.store(live.load(std::memory_order_relaxed), std::memory_order_relaxed); }

}  // namespace bench::heap
