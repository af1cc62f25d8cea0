#pragma once
// Heap accounting for the memory benchmark. malloc_count.cpp replaces malloc, free and the
// aligned and resizing variants for the whole process (glibc allows this: the program's
// definitions take precedence over the C library's, which they forward to). Every allocation
// goes through them — operator new, xtensor's aligned buffers (posix_memalign), LibTorch's
// allocator, ADOL-C — so one count covers every variant alike. Sizes are the allocator's
// usable sizes (malloc_usable_size), which round each request up a little.

#include <cstddef>
#include <cstdint>

namespace bench::heap {

struct Counters {
  std::int64_t live = 0;     // bytes allocated and not yet freed
  std::int64_t peak = 0;     // the largest `live` since reset_peak()
  std::uint64_t bytes = 0;   // bytes allocated in total (freed or not)
  std::uint64_t allocs = 0;  // number of allocations in total
};

Counters now();
// Starts a new peak from the current live bytes.
void reset_peak();

}  // namespace bench::heap
