// Heap use of the training step and of the scalar graph, counted by malloc_count.cpp:
// what each variant keeps between steps, the peak a step adds on top, and the bytes and
// allocations a step makes; for the scalar graph, the bytes a recorded op holds.
// Run: build/bench/bench/xgrad_bench_memory [--skip-large] [--no-torch]
#include "malloc_count.hpp"
#include "workload.hpp"
#ifdef XGRAD_BENCH_PEERS
#include "peers.hpp"
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

namespace {

using bench::heap::Counters;

std::string mib(double bytes) {
  char text[32];
  if (std::abs(bytes) >= 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  } else {
    std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  }
  return text;
}

void training(const bench::Size& size, const char* name,
              const std::function<std::unique_ptr<bench::Trainer>(const bench::Problem&)>& make) {
  // Start from an empty buffer cache, so that no variant is served buffers another one left
  // (the hand baseline's Tensors use xgrad's allocator too).
  xgrad::release_buffer_cache();
  const bench::Problem problem = bench::make_problem(size);
  const Counters empty = bench::heap::now();
  const std::unique_ptr<bench::Trainer> trainer = make(problem);
  trainer->step();  // warm-up: buffers that persist are in place after the first step
  const Counters start = bench::heap::now();
  constexpr int steps = 2;
  std::int64_t peak = 0;
  for (int i = 0; i < steps; ++i) {
    bench::heap::reset_peak();
    const std::int64_t before = bench::heap::now().live;
    trainer->step();
    peak = std::max(peak, bench::heap::now().peak - before);
  }
  const Counters end = bench::heap::now();
  std::printf("%-12s %-6s %14s %14s %14s %12.1f\n", size.label().c_str(), name,
              mib(static_cast<double>(start.live - empty.live)).c_str(), mib(static_cast<double>(peak)).c_str(),
              mib(static_cast<double>(end.bytes - start.bytes) / steps).c_str(),
              static_cast<double>(end.allocs - start.allocs) / steps);
}

void scalar() {
  bench::ScalarWorkload w(10, 3);
  w.pass();
  // Measured from an empty cache: the per-thread free lists would otherwise serve the graph's
  // nodes and buffers from the blocks the warm-up pass left, and the heap would not grow.
  xgrad::release_buffer_cache();
  const double ops = static_cast<double>(w.ops());
  const std::size_t nodes_before = xgrad::live_nodes();
  const Counters before = bench::heap::now();
  bench::heap::reset_peak();
  {
    const xgrad::Value loss = w.record();
    const Counters recorded = bench::heap::now();
    const double nodes = static_cast<double>(xgrad::live_nodes() - nodes_before);
    loss.backward();
    const double graph = static_cast<double>(recorded.live - before.live);
    std::printf("xgrad: %.0f ops (%.0f nodes) hold %s: %.0f bytes per op, %.0f per node;\n", ops, nodes,
                mib(graph).c_str(), graph / ops, graph / nodes);
  }
  const Counters after = bench::heap::now();
  std::printf("       that pass peaks at %.0f bytes per op and makes %.2f allocations per op;\n",
              static_cast<double>(after.peak - before.live) / ops,
              static_cast<double>(after.allocs - before.allocs) / ops);
  w.pass();
  const Counters again = bench::heap::now();
  std::printf("       the next pass, served from the free lists, makes %.2f allocations per op.\n",
              static_cast<double>(again.allocs - after.allocs) / ops);
#ifdef XGRAD_BENCH_PEERS
  const Counters a0 = bench::heap::now();
  bench::peers::AdolcScalar adolc(w);
  adolc.record_pass();
  const Counters a1 = bench::heap::now();
  bench::heap::reset_peak();
  adolc.record_pass();
  const Counters a2 = bench::heap::now();
  std::printf("ADOL-C: its tape of %zu operations holds %zu bytes: %.0f bytes per op; the heap it keeps for\n",
              adolc.tape_ops(), adolc.tape_bytes(), static_cast<double>(adolc.tape_bytes()) / ops);
  std::printf("        its fixed-size tape buffers is %s; a later recording + reverse sweep adds a peak of %s\n",
              mib(static_cast<double>(a1.live - a0.live)).c_str(), mib(static_cast<double>(a2.peak - a1.live)).c_str());
  std::printf("        in %.0f allocations.\n", static_cast<double>(a2.allocs - a1.allocs));
#endif
}

}  // namespace

int main(int argc, char** argv) {
  bench::single_threaded(argc, argv);
  bool large = true;
  bool torch = true;
  for (int i = 1; i < argc; ++i) {
    large = large && std::strcmp(argv[i], "--skip-large") != 0;
    torch = torch && std::strcmp(argv[i], "--no-torch") != 0;
  }
#ifdef XGRAD_BENCH_PEERS
  bench::peers::init_torch();
#else
  torch = false;
#endif
  std::printf("Heap per training step (malloc_usable_size of every allocation; mean of %d steps after a warm-up)\n\n",
              2);
  std::printf("%-12s %-6s %14s %14s %14s %12s\n", "size", "kind", "kept", "peak/step", "allocated/step", "allocs/step");
  for (const bench::Size& size : bench::standard_sizes()) {
    if (!large && size.points >= 65536) {
      continue;
    }
    training(size, "xgrad", bench::make_xgrad_trainer);
    training(size, "hand", bench::make_hand_trainer);
#ifdef XGRAD_BENCH_PEERS
    if (torch) {
      training(size, "torch", bench::peers::make_torch_trainer);
    }
#endif
    std::fflush(stdout);
  }
  std::printf("\nScalar graph (the micrograd-style MLP 2→10→10→1 on the XOR set):\n");
  scalar();
  return 0;
}
