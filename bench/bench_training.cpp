// Google Benchmark view of the side-by-side workload: the training step of every variant at
// every size, the scalar graph per recorded op, and the fixed cost of an op on tiny tensors.
// The targets are checked with the paired driver (xgrad_paired); this program gives each
// figure on its own, with Google Benchmark's repetitions and statistics.
// Every benchmark reports the process's CPU time (all threads) beside wall time, and its rates
// (per_op) from CPU time, as the paired driver does by default.
// Run: build/bench/bench/xgrad_bench_training (commands in docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include "workload.hpp"
#ifdef XGRAD_BENCH_PEERS
#include "peers.hpp"
#endif

#include <cstdint>
#include <string>

namespace {

// `per_op`: the time of one iteration divided by `ops` (printed with an SI suffix: 52n = 52 ns).
void report_per_op(benchmark::State& state, std::size_t ops) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ops));
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(ops), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

using MakeTrainer = std::unique_ptr<bench::Trainer> (*)(const bench::Problem&);

void training_step(benchmark::State& state, bench::Size size, MakeTrainer make) {
  const bench::Problem problem = bench::make_problem(size);
  const std::unique_ptr<bench::Trainer> trainer = make(problem);
  trainer->step();  // warm-up: first-touch of every buffer
  double loss = 0.0;
  for (auto _ : state) {
    loss = trainer->step();
  }
  benchmark::DoNotOptimize(loss);
}

void scalar_xgrad(benchmark::State& state) {
  bench::ScalarWorkload w(10, 3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.pass());
  }
  report_per_op(state, w.ops());
}

void tiny_chain(benchmark::State& state, std::function<void()> (*make)(std::size_t, std::size_t)) {
  constexpr std::size_t links = 100;
  const std::function<void()> pass = make(static_cast<std::size_t>(state.range(0)), links);
  for (auto _ : state) {
    pass();
  }
  report_per_op(state, 3 * links + 1);
}

#ifdef XGRAD_BENCH_PEERS
// ADOL-C on the same scalar network; per_op divides by xgrad's op count, so that both per-op
// figures share one denominator; `tape_ops` is what ADOL-C writes for the same pass.
void scalar_adolc(benchmark::State& state, bool replay) {
  bench::ScalarWorkload w(10, 3);
  bench::peers::AdolcScalar adolc(w);
  adolc.record_pass();
  for (auto _ : state) {
    benchmark::DoNotOptimize(replay ? adolc.replay_pass() : adolc.record_pass());
  }
  report_per_op(state, w.ops());
  state.counters["tape_ops"] = static_cast<double>(adolc.tape_ops());
}
#endif

void register_all() {
  struct Kind {
    const char* name;
    MakeTrainer make;
  };
  std::vector<Kind> kinds{{"xgrad", bench::make_xgrad_trainer}, {"hand", bench::make_hand_trainer}};
#ifdef XGRAD_BENCH_PEERS
  kinds.push_back({"torch", bench::peers::make_torch_trainer});
#endif
  for (const bench::Size& size : bench::standard_sizes()) {
    for (const Kind& kind : kinds) {
      const std::string name = std::string("train_step/") + kind.name + "/" + std::to_string(size.points) + "x" +
                               std::to_string(size.hidden);
      benchmark::RegisterBenchmark(name.c_str(), training_step, size, kind.make)
          ->Unit(benchmark::kMicrosecond)
          ->MeasureProcessCPUTime();
    }
  }
  benchmark::RegisterBenchmark("scalar_mlp/xgrad", scalar_xgrad)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
#ifdef XGRAD_BENCH_PEERS
  benchmark::RegisterBenchmark("scalar_mlp/adolc_record", scalar_adolc, false)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
  benchmark::RegisterBenchmark("scalar_mlp/adolc_replay", scalar_adolc, true)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
#endif
  benchmark::RegisterBenchmark("tiny_chain/xgrad", tiny_chain, bench::make_xgrad_chain)
      ->Arg(1)
      ->Arg(4)
      ->Arg(16)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
#ifdef XGRAD_BENCH_PEERS
  benchmark::RegisterBenchmark("tiny_chain/torch", tiny_chain, bench::peers::make_torch_chain)
      ->Arg(1)
      ->Arg(4)
      ->Arg(16)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
#endif
}

}  // namespace

int main(int argc, char** argv) {
  bench::single_threaded(argc, argv);
#ifdef XGRAD_BENCH_PEERS
  bench::peers::init_torch();
#endif
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
