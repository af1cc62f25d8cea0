#pragma once
// Paired timing: the variants take turns in short blocks within one process, and the figures
// kept are medians over rounds — of each variant's time per step and of the per-round ratios.
// A slow spell of the machine then slows every variant of a round alike and cancels out of
// the ratio, where comparing separate runs would not.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <ctime>
#include <functional>
#include <utility>
#include <vector>

namespace bench {

// What a block's time is read from. `cpu`, the default of the paired driver, is the CPU time of
// the whole process (every thread, user and system): on a shared machine it leaves out the
// time the program waits for a core, which wall time counts and which varies from block to block.
enum class Clock { cpu, wall };

inline double seconds(Clock clock) {
  if (clock == Clock::wall) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Seconds taken by `k` calls of `fn`.
inline double time_block(const std::function<void()>& fn, std::size_t k, Clock clock = Clock::cpu) {
  const double start = seconds(clock);
  for (std::size_t i = 0; i < k; ++i) {
    fn();
  }
  return seconds(clock) - start;
}

// The q-quantile (0 ≤ q ≤ 1) of `xs`, interpolating between order statistics.
inline double quantile(std::vector<double> xs, double q) {
  if (xs.empty()) {
    return std::nan("");
  }
  std::sort(xs.begin(), xs.end());
  const double pos = q * static_cast<double>(xs.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (pos - static_cast<double>(lo)) * (xs[hi] - xs[lo]);
}

inline double median(const std::vector<double>& xs) { return quantile(xs, 0.5); }

// Calls per block so that one block lasts about `block_s` seconds: runs `fn` until it has
// spent a quarter of a block (at least once; this doubles as a warm-up) and scales.
inline std::size_t calls_per_block(const std::function<void()>& fn, double block_s, Clock clock) {
  std::size_t calls = 0;
  double spent = 0.0;
  do {
    spent += time_block(fn, 1, clock);
    ++calls;
  } while (spent < block_s / 4.0 && calls < 1000);
  const double per_call = spent / static_cast<double>(calls);
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(block_s / per_call)));
}

// One contestant of a paired comparison.
struct Variant {
  Variant(const char* name, std::function<void()> run) : name(name), run(std::move(run)) {}
  const char* name;
  std::function<void()> run;       // one unit of work (a training step, a scalar pass)
  std::size_t calls = 1;           // per block
  std::vector<double> per_call_s;  // one entry per round
};

// `rounds` rounds; in each, every variant runs one block of its `calls`. The order of the
// variants rotates from round to round, so none always runs first or right after another.
inline void run_rounds(std::vector<Variant>& variants, std::size_t rounds, Clock clock) {
  for (std::size_t r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < variants.size(); ++i) {
      Variant& v = variants[(i + r) % variants.size()];
      v.per_call_s.push_back(time_block(v.run, v.calls, clock) / static_cast<double>(v.calls));
    }
  }
}

// Per-round ratios a/b.
inline std::vector<double> ratios(const Variant& a, const Variant& b) {
  std::vector<double> out;
  for (std::size_t r = 0; r < std::min(a.per_call_s.size(), b.per_call_s.size()); ++r) {
    out.push_back(a.per_call_s[r] / b.per_call_s[r]);
  }
  return out;
}

}  // namespace bench
