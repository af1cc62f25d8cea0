// Stack safety: million-node chains are built, backpropagated and destroyed without recursion,
// on the main thread and on a thread with a 256 KiB stack.
//
// XGRAD_DEEP_CHAIN_NODES=N sets the chain's op nodes (default 1,000,000; rounded down to an even
// number, at least 2) and the retained graph's (N / 5, default 200,000), for runs under a slow
// checker: valgrind runs them at 200,000 (docs/testing.md). Natively and sanitized they run at
// full depth.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <pthread.h>

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

using xgrad::Tensor;
using xgrad::Value;

namespace {

constexpr std::size_t kDefaultNodes = 1'000'000;
constexpr double kW = 1.0 + 1e-6;  // w^500,000 = e^0.5 (about 1.65): no overflow, no underflow
constexpr double kX = 1.5;

// The chain's op nodes: XGRAD_DEEP_CHAIN_NODES, or 1,000,000. Read inside the test cases, so a
// bad value fails them with this message instead of stopping the program before main.
std::size_t chain_nodes() {
  const char* text = std::getenv("XGRAD_DEEP_CHAIN_NODES");
  if (text == nullptr || *text == '\0') {
    return kDefaultNodes;
  }
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || text[used] != '\0' || n < 2) {
    throw std::invalid_argument(std::string("XGRAD_DEEP_CHAIN_NODES must be a whole number >= 2, got ") + text);
  }
  return static_cast<std::size_t>(n);
}

// Steps of the chain: two ops each.
std::size_t chain_steps() { return chain_nodes() / 2; }

struct ChainRun {
  std::size_t steps = chain_steps();
  bool backward = true;  // false: drop the chain without backpropagating
  std::size_t nodes_built = 0;
  double y = 0.0;
  double dx = 0.0;
  double dw = 0.0;
  std::size_t nodes_left = 0;  // live nodes after everything is dropped, relative to the start
  std::string error;
};

// y = (…((x·w + 0)·w + 0)…)·w + 0, run.steps times: y = x·wⁿ, ∂y/∂x = wⁿ, ∂y/∂w = n·x·wⁿ⁻¹.
void run_chain(ChainRun& run) {
  const std::size_t start = xgrad::live_nodes();
  {
    const Value x = Value(Tensor(kX)).set_requires_grad();
    const Value w = Value(Tensor(kW)).set_requires_grad();
    const Value zero{0.0};
    Value y = x;
    for (std::size_t i = 0; i < run.steps; ++i) {
      y = y * w + zero;
    }
    run.nodes_built = xgrad::live_nodes() - start;
    run.y = y.item();
    if (run.backward) {
      y.backward();
      run.dx = x.grad()();
      run.dw = w.grad()();
    }
  }
  run.nodes_left = xgrad::live_nodes() - start;
}

void* run_chain_thread(void* arg) {
  auto& run = *static_cast<ChainRun*>(arg);
  try {
    run_chain(run);
  } catch (const std::exception& e) {
    run.error = e.what();
  }
  return nullptr;
}

// Runs fn(arg) on a new thread whose stack is only 256 KiB (8 MiB is the usual default).
void run_on_small_stack(void* (*fn)(void*), void* arg) {
  pthread_attr_t attr;
  REQUIRE(pthread_attr_init(&attr) == 0);
  REQUIRE(pthread_attr_setstacksize(&attr, std::size_t{256} * 1024) == 0);
  std::size_t size = 0;
  REQUIRE(pthread_attr_getstacksize(&attr, &size) == 0);
  CHECK(size == std::size_t{256} * 1024);
  pthread_t thread;
  REQUIRE(pthread_create(&thread, &attr, fn, arg) == 0);
  REQUIRE(pthread_join(thread, nullptr) == 0);
  pthread_attr_destroy(&attr);
}

// Rounding in n sequential products and sums is at most about n·2⁻⁵³ ≈ 6e-11 relative; one step
// too many or too few would change the results by 1e-6 (∂y/∂x) or 2e-6 (∂y/∂w) relative.
void check_chain(const ChainRun& run) {
  CHECK(run.error.empty());
  CHECK(run.nodes_built == 2 * run.steps + 3);  // the chain's op nodes, plus x, w and zero
  const auto n = static_cast<double>(run.steps);
  const double wn = std::pow(kW, n);
  CHECK(run.y == doctest::Approx(kX * wn).epsilon(1e-9));
  if (run.backward) {
    CHECK(run.dx == doctest::Approx(wn).epsilon(1e-9));
    CHECK(run.dw == doctest::Approx(n * kX * std::pow(kW, n - 1.0)).epsilon(1e-9));
  }
  CHECK(run.nodes_left == 0);
}

}  // namespace

TEST_CASE("a deep chain (1,000,000 nodes by default) backpropagates and is destroyed on the main thread") {
  ChainRun run;
  run_chain(run);
  check_chain(run);
}

TEST_CASE("a deep chain (1,000,000 nodes by default) backpropagates and is destroyed on a 256 KiB stack") {
  ChainRun run;
  run_on_small_stack(run_chain_thread, &run);
  check_chain(run);
}

TEST_CASE("a deep chain (1,000,000 nodes by default) dropped without backward is destroyed on a 256 KiB stack") {
  ChainRun run;
  run.backward = false;
  run_on_small_stack(run_chain_thread, &run);
  check_chain(run);
}

TEST_CASE("a deep chain (1,000,000 nodes by default) dropped without backward is destroyed on the main thread") {
  ChainRun run;
  run.backward = false;
  run_chain(run);
  check_chain(run);
}

TEST_CASE("a retained deep graph (200,000 nodes by default) backpropagates twice and is destroyed on a 256 KiB stack") {
  struct Run {
    std::size_t adds = chain_nodes() / 5;  // 200,000 by default
    double first = 0.0;
    double second = 0.0;
    std::size_t left = 0;
    std::string error;
  } run;
  auto body = [](void* arg) -> void* {
    auto& r = *static_cast<Run*>(arg);
    const std::size_t start = xgrad::live_nodes();
    try {
      const Value x = Value(Tensor(1.0)).set_requires_grad();
      Value y = x;
      for (std::size_t i = 0; i < r.adds; ++i) {
        y = y + 1.0;
      }
      y.backward({.retain_graph = true});
      r.first = x.grad()();
      y.backward();
      r.second = x.grad()();
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    r.left = xgrad::live_nodes() - start;
    return nullptr;
  };
  run_on_small_stack(body, &run);
  CHECK(run.error.empty());
  CHECK(run.first == 1.0);
  CHECK(run.second == 2.0);
  CHECK(run.left == 0);
}
