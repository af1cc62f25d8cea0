// Numerical-stability goldens: sigmoid, log_sigmoid, softplus, tanh, exp, log and the two binary
// cross-entropy losses at extreme arguments, value and gradient, against reference values that
// tests/goldens/generate_goldens.py computed with mpmath at 50 digits (the committed file
// stability_goldens.txt; no Python is needed here).
//
// Comparison: a result matches its reference r when it is finite and |got − r| ≤ max(1e-12·|r|,
// 1e-300). So a reference that is zero, denormal or below the double range (e^−1000 is written
// as 5.07e−435 and parses to 0) is met by any result within 1e-300 of it: exactly 0, a denormal,
// or a normal number below 1e-300 — whatever its sign. Every other reference needs 12 correct
// significant digits.
#include <doctest/doctest.h>

#include <xgrad/nn/loss.hpp>
#include <xgrad/ops/unary.hpp>

#include <xtensor/xbuilder.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#ifndef XGRAD_GOLDENS_FILE
#error "XGRAD_GOLDENS_FILE must name tests/goldens/stability_goldens.txt"
#endif

namespace {

using xgrad::Value;

constexpr double kRelative = 1e-12;
constexpr double kFloor = 1e-300;
constexpr auto kSum = xgrad::nn::Reduction::sum;

struct Golden {
  std::string function;
  std::string input_text;  // as written, for messages
  double input = 0.0;
  std::string target_text;  // "-" for the functions of one input
  double target = 0.0;      // y, for the losses
  double value = 0.0;
  double gradient = 0.0;
};

// strtod gives the nearest double, 0 or a denormal below the range (the ERANGE it may set is
// expected there), and never fails on the generator's output; anything else is a broken file.
double parse(const std::string& text) {
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  REQUIRE_MESSAGE(end == text.c_str() + text.size(), "not a number in the goldens file: ", text);
  return x;
}

std::vector<Golden> read_goldens(const std::string& function) {
  std::ifstream file(XGRAD_GOLDENS_FILE);
  REQUIRE_MESSAGE(file.good(), "cannot read ", XGRAD_GOLDENS_FILE);
  std::vector<Golden> rows;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    Golden g;
    std::string value, gradient;
    REQUIRE_MESSAGE(static_cast<bool>(fields >> g.function >> g.input_text >> g.target_text >> value >> gradient),
                    line);
    if (g.function != function) continue;
    g.input = parse(g.input_text);
    g.target = g.target_text == "-" ? 0.0 : parse(g.target_text);
    g.value = parse(value);
    g.gradient = parse(gradient);
    rows.push_back(g);
  }
  return rows;
}

bool matches(double got, double want) {
  return std::isfinite(got) && std::abs(got - want) <= std::max(kRelative * std::abs(want), kFloor);
}

// "2.0611536181902037e-09 vs reference 2.0611536139418493e-09 (relative error 2.1e-09)".
std::string comparison(double got, double want) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.17g vs reference %.17g (relative error %.2g)", got, want,
                want == 0.0 ? std::abs(got) : std::abs(got - want) / std::abs(want));
  return buf;
}

// The function under test on x, with targets y of x's shape for the losses (summed, so that
// each element's gradient is its own loss's derivative).
using Function = std::function<Value(const Value& x, const Value& y)>;

// "sigmoid(20.0)", "bce(0.5, y = 1) on 8 elements".
std::string call_text(const std::string& function, const Golden& g, std::size_t copies) {
  std::string call = function;
  call += "(" + g.input_text;
  call += function.starts_with("bce") ? ", y = " + g.target_text + ")" : ")";
  call += copies == 1 ? " on a 0-d value" : " on " + std::to_string(copies) + " elements";
  return call;
}

// Checks `f` at the golden row's input on a 0-d value (scalar code paths) and on 8 copies (the
// vectorised paths xtensor takes for longer tensors).
void check_row(const std::string& function, const Function& f, const Golden& g) {
  for (const xgrad::Shape& shape : {xgrad::Shape{}, xgrad::Shape{8}}) {
    const Value x = Value(xt::full_like(xgrad::Tensor::from_shape(shape), g.input)).set_requires_grad();
    const Value y(xt::full_like(xgrad::Tensor::from_shape(shape), g.target));
    const Value out = f(x, y);
    out.backward(xgrad::Tensor(xt::ones<double>(out.shape())));
    INFO(call_text(function, g, x.size()));
    // A loss sums its copies; rounding the sum of 8 equal terms stays below 1e-15 relative.
    auto value = [&](std::size_t k) {
      return out.size() == x.size() ? out.data()[k] : out.item() / static_cast<double>(x.size());
    };
    auto gradient = [&](std::size_t k) { return x.grad().data()[k]; };
    std::size_t k = 0;  // the first element whose value misses, if any
    while (k + 1 < x.size() && matches(value(k), g.value)) ++k;
    CHECK_MESSAGE(matches(value(k), g.value), "element ", k, ": value ", comparison(value(k), g.value));
    for (k = 0; k + 1 < x.size() && matches(gradient(k), g.gradient);) ++k;
    CHECK_MESSAGE(matches(gradient(k), g.gradient), "element ", k, ": gradient ", comparison(gradient(k), g.gradient));
  }
}

// Checks every golden row of `function`, expecting `rows` of them.
void check_goldens(const std::string& function, const Function& f, std::size_t rows) {
  const std::vector<Golden> goldens = read_goldens(function);
  CHECK_MESSAGE(goldens.size() == rows, "the goldens file has ", goldens.size(), " rows for ", function);
  for (const Golden& g : goldens) {
    check_row(function, f, g);
  }
}

Function unary(Value (*op)(const Value&)) {
  return [op](const Value& x, const Value&) { return op(x); };
}

}  // namespace

TEST_CASE("stability goldens: sigmoid") { check_goldens("sigmoid", unary(xgrad::sigmoid), 11); }
TEST_CASE("stability goldens: log_sigmoid") { check_goldens("log_sigmoid", unary(xgrad::log_sigmoid), 11); }
TEST_CASE("stability goldens: softplus") { check_goldens("softplus", unary(xgrad::softplus), 11); }
TEST_CASE("stability goldens: tanh") { check_goldens("tanh", unary(xgrad::tanh), 11); }
TEST_CASE("stability goldens: exp, where the result is a finite double") { check_goldens("exp", unary(xgrad::exp), 9); }
TEST_CASE("stability goldens: log of positive arguments") { check_goldens("log", unary(xgrad::log), 5); }

TEST_CASE("stability goldens: binary cross-entropy of probabilities") {
  check_goldens(
      "bce", [](const Value& p, const Value& y) { return xgrad::nn::binary_cross_entropy(p, y, kSum); }, 22);
}

TEST_CASE("stability goldens: binary cross-entropy of logits") {
  check_goldens(
      "bce_with_logits",
      [](const Value& z, const Value& y) { return xgrad::nn::binary_cross_entropy_with_logits(z, y, kSum); }, 22);
}
