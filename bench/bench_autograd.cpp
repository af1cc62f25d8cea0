// Costs of the autograd core: per recorded scalar op, per small-tensor op, and a matmul-bound
// graph. Run: build/test/bench/xgrad_bench (see docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <xgrad/xgrad.hpp>

namespace {

using xgrad::Value;

// A chain of scalar multiply-adds, forward + backward; reported per recorded op.
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
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (ops / 2) * 2));
}
BENCHMARK(scalar_graph)->Arg(1000);

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

// A two-layer network on a large batch: dominated by BLAS.
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
BENCHMARK(matmul_graph)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
