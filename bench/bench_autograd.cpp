// Costs of the autograd core: per recorded scalar op, per small-tensor op, and a matmul-bound
// graph. Run: build/<preset>/bench/xgrad_bench (commands and figures in docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <xgrad/xgrad.hpp>

#include <cstdint>

namespace {

using xgrad::Value;

// Reports the time per recorded op next to the time per iteration: `per_op` is the wall time
// of one iteration divided by `ops` (shown with an SI suffix, so "52n" reads as 52 ns).
void report_per_op(benchmark::State& state, std::size_t ops) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ops));
  state.counters["per_op"] = benchmark::Counter(
      static_cast<double>(ops), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A chain of scalar multiply-adds, forward + backward + teardown of the graph.
void scalar_graph(benchmark::State& state) {
  const auto ops = static_cast<std::size_t>(state.range(0));
  Value x = Value(0.5).set_requires_grad();
  Value w = Value(0.999).set_requires_grad();
  for (auto _ : state) {
    Value y = x;
    for (std::size_t i = 0; i < ops / 2; ++i) {
      y = y * w + x;  // two recorded ops
    }
    y.backward();
    benchmark::DoNotOptimize(x.grad());
  }
  report_per_op(state, ops / 2 * 2);
}
BENCHMARK(scalar_graph)->Arg(1000)->Arg(10000)->Arg(100000)->Arg(300000);

// A chain whose ops take a number operand (`a * c`, `a + c`), forward + backward + teardown:
// the scalar graph of code written with literals, as micrograd's examples are.
void scalar_number_graph(benchmark::State& state) {
  const auto ops = static_cast<std::size_t>(state.range(0));
  Value x = Value(0.5).set_requires_grad();
  for (auto _ : state) {
    Value y = x;
    for (std::size_t i = 0; i < ops / 2; ++i) {
      y = y * 0.999 + 0.5;  // two recorded ops
    }
    y.backward();
    benchmark::DoNotOptimize(x.grad());
  }
  report_per_op(state, ops / 2 * 2);
}
BENCHMARK(scalar_number_graph)->Arg(1000);

// The same chain, forward only: recording nodes and destroying them, no backward pass.
void scalar_forward(benchmark::State& state) {
  const auto ops = static_cast<std::size_t>(state.range(0));
  Value x = Value(0.5).set_requires_grad();
  Value w = Value(0.999).set_requires_grad();
  for (auto _ : state) {
    Value y = x;
    for (std::size_t i = 0; i < ops / 2; ++i) {
      y = y * w + x;
    }
    benchmark::DoNotOptimize(y.item());
  }
  report_per_op(state, ops / 2 * 2);
}
BENCHMARK(scalar_forward)->Arg(1000);

// The same chain under NoGradGuard: the arithmetic alone, nothing recorded.
void scalar_no_grad(benchmark::State& state) {
  const auto ops = static_cast<std::size_t>(state.range(0));
  Value x = Value(0.5).set_requires_grad();
  Value w = Value(0.999).set_requires_grad();
  xgrad::NoGradGuard no_grad;
  for (auto _ : state) {
    Value y = x;
    for (std::size_t i = 0; i < ops / 2; ++i) {
      y = y * w + x;
    }
    benchmark::DoNotOptimize(y.item());
  }
  report_per_op(state, ops / 2 * 2);
}
BENCHMARK(scalar_no_grad)->Arg(1000);

// One op on a small (4×4) tensor, forward + backward: the fixed overhead per op.
void small_tensor_op(benchmark::State& state) {
  xgrad::Generator gen(1);
  Value a = xgrad::normal({4, 4}, gen).set_requires_grad();
  Value b = xgrad::normal({4, 4}, gen).set_requires_grad();
  for (auto _ : state) {
    Value c = xgrad::sum(a * b);
    c.backward();
    benchmark::DoNotOptimize(a.grad());
  }
}
BENCHMARK(small_tensor_op);

// A two-layer network on an n×n batch: dominated by BLAS as n grows.
void matmul_graph(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  xgrad::Generator gen(2);
  Value x = xgrad::normal({n, n}, gen);
  Value w1 = xgrad::normal({n, n}, gen, 0.0, 0.05).set_requires_grad();
  Value w2 = xgrad::normal({n, 1}, gen, 0.0, 0.05).set_requires_grad();
  for (auto _ : state) {
    Value loss = xgrad::mean(xgrad::sigmoid(xgrad::matmul(xgrad::sigmoid(xgrad::matmul(x, w1)), w2)));
    loss.backward();
    benchmark::DoNotOptimize(w1.grad());
  }
}
BENCHMARK(matmul_graph)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
