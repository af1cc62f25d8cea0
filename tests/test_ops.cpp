// Every registered op: gradient-checked on every sample, its forward value compared with a direct
// computation, and its gradients unchanged when some inputs are constants. Then the conventions
// at kinks, the numerically stable forms, and the operators with a double on one side.
#include <doctest/doctest.h>

#include "op_registry.hpp"

#include <xgrad/anomaly.hpp>
#include <xgrad/factory.hpp>
#include <xgrad/gradcheck.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/unary.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
using xgrad::tests::OpSpec;
using xgrad::tests::shapes_str;
using xgrad::tests::ShapeSet;

// One seed per (op, sample), so a subcase draws the same inputs however doctest re-enters it.
std::uint64_t sample_seed(std::size_t op, std::size_t sample) { return 0x0b5eed + 1000 * op + sample; }

// Calls f(spec, shapes, inputs, gen) for every sample of every registered op, with the inputs
// drawn from the sample's own generator, which f may go on drawing from.
template <class F>
void for_each_sample(F f) {
  const auto& table = xgrad::tests::op_registry();
  for (std::size_t op = 0; op < table.size(); ++op) {
    for (std::size_t s = 0; s < table[op].samples.size(); ++s) {
      Generator gen(sample_seed(op, s));
      const std::vector<Tensor> inputs = xgrad::tests::draw_inputs(table[op], table[op].samples[s], gen);
      f(table[op], table[op].samples[s], inputs, gen);
    }
  }
}

// "(2,2) [1, 2, 3, 4]": shape and flat values, for failure messages.
std::string describe(const Tensor& t) {
  std::ostringstream os;
  os << xgrad::shape_str(t.shape()) << " [";
  for (std::size_t k = 0; k < t.size(); ++k) {
    os << (k == 0 ? "" : ", ") << t.data()[k];
  }
  os << "]";
  return os.str();
}

// Empty when `got` has `want`'s shape and values (to 1e-12 relative), else what differs.
std::string mismatch(const Tensor& got, const Tensor& want) {
  std::ostringstream os;
  if (got.shape() != want.shape()) {
    os << "shape " << xgrad::shape_str(got.shape()) << " instead of " << xgrad::shape_str(want.shape());
    return os.str();
  }
  for (std::size_t k = 0; k < got.size(); ++k) {
    const double g = got.data()[k];
    const double w = want.data()[k];
    if (!(std::abs(g - w) <= 1e-12 * (1.0 + std::abs(w)))) {
      os << "flat element " << k << " is " << g << " instead of " << w << ": got " << describe(got) << ", want "
         << describe(want);
      return os.str();
    }
  }
  return "";
}

// Leaves holding `inputs`; those whose flag in `tracked` is set require grad.
std::vector<Value> leaves(const std::vector<Tensor>& inputs, const std::vector<bool>& tracked) {
  std::vector<Value> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    out.push_back(Value(inputs[i]).set_requires_grad(tracked[i]));
  }
  return out;
}

// The gradient f(x) sends back to x from a seed of ones.
Tensor grad_of(const std::function<Value(const Value&)>& f, const Tensor& x) {
  const Value v = Value(x).set_requires_grad();
  const Value y = f(v);
  y.backward(xt::ones<double>(y.shape()));
  return v.grad();
}

// Every op the registry must hold, by row name, '|'-separated: deleting a row fails the suite.
const std::string kRequiredOps =
    "add|sub|mul|div|neg|square|squared_difference|pow(a, 2)|pow(a, 0.5)|pow(a, b)|maximum|minimum|clamp(-0.5, "
    "0.8)|where|"
    "exp|log|sqrt|abs|tanh|sigmoid|relu|leaky_relu|softplus|log_sigmoid|"
    "2.0 - a|1.0 / a|a + 2.0|a - 2.0|3.0 * a|a / 4.0|"
    "sum|sum(axis=0)|sum(axis=1, keepdims)|mean|mean(axis=0)|max|max(axis=-1, keepdims)|matmul|linear|linear_sigmoid|"
    "reshape(-1)|transpose|transpose(2, 0, 1)|slice(axis=-1, 1, 3)|rows(1, 3)|cols(0, 2)|"
    "concat(axis=0)|stack(axis=0)|broadcast_to(2, 3, 4)";

TEST_CASE("op registry: every op has samples that fit its arity and domain") {
  const auto& table = xgrad::tests::op_registry();
  REQUIRE_FALSE(table.empty());
  std::set<std::string> names;
  for (const OpSpec& spec : table) {
    INFO("op ", spec.name);
    CHECK_MESSAGE(!spec.samples.empty(), spec.name, " is registered without samples");
    CHECK_MESSAGE(names.insert(spec.name).second, "two rows are named ", spec.name);
    CHECK(static_cast<bool>(spec.fn));
    CHECK(static_cast<bool>(spec.reference));
    CHECK((spec.domains.size() == 1 || spec.domains.size() == spec.arity));
    for (const xgrad::tests::Domain& d : spec.domains) {
      CHECK(d.lo < d.hi);
    }
    for (const ShapeSet& shapes : spec.samples) {
      CHECK_MESSAGE(shapes.size() == spec.arity, shapes_str(shapes));
    }
  }
}

TEST_CASE("op registry: covers every differentiable op and the shapes it must be tried on") {
  std::istringstream names(kRequiredOps);
  for (std::string name; std::getline(names, name, '|');) {
    CHECK_MESSAGE(xgrad::tests::find_op(name) != nullptr, "no registry row for ", name);
  }
  const std::vector<ShapeSet> elementwise = {
      {{}, {}},         {{1}, {1}},    {{5}, {5}},   {{3, 4}, {3, 4}}, {{2, 3, 4}, {2, 3, 4}},
      {{3, 1}, {1, 4}}, {{3, 4}, {4}}, {{}, {2, 3}}, {{0, 3}, {0, 3}}};
  for (const char* name :
       {"add", "sub", "mul", "div", "squared_difference", "pow(a, b)", "maximum", "minimum", "where"}) {
    const OpSpec* spec = xgrad::tests::find_op(name);
    REQUIRE(spec != nullptr);
    for (const ShapeSet& shapes : elementwise) {
      CHECK_MESSAGE(std::find(spec->samples.begin(), spec->samples.end(), shapes) != spec->samples.end(), name,
                    " is never tried on ", shapes_str(shapes));
    }
  }
  const OpSpec* matmul = xgrad::tests::find_op("matmul");
  REQUIRE(matmul != nullptr);
  std::set<std::pair<std::size_t, std::size_t>> ranks;  // every 1-d/2-d combination
  for (const ShapeSet& shapes : matmul->samples) {
    ranks.emplace(shapes[0].size(), shapes[1].size());
  }
  CHECK(ranks == std::set<std::pair<std::size_t, std::size_t>>{{1, 1}, {1, 2}, {2, 1}, {2, 2}});
}

// Gradient-checks one sample of one op with the default tolerances; an exception (a gradient of
// the wrong shape, say) fails this sample only.
void check_gradient(const OpSpec& spec, std::size_t op, std::size_t sample) {
  Generator gen(sample_seed(op, sample));
  const std::vector<Tensor> inputs = xgrad::tests::draw_inputs(spec, spec.samples[sample], gen);
  std::size_t elements = 0;
  for (const Tensor& t : inputs) {
    elements += t.size();
  }
  INFO(spec.name, " on ", shapes_str(spec.samples[sample]));
  try {
    const xgrad::GradcheckReport report = xgrad::gradcheck(spec.fn, inputs);
    CHECK_MESSAGE(report.ok, report);
    CHECK(report.elements_checked == elements);
  } catch (const std::exception& e) {
    FAIL_CHECK("threw: ", e.what());
  }
}

TEST_CASE("ops: gradcheck passes for every registered op on every sample") {
  const auto& table = xgrad::tests::op_registry();
  for (std::size_t op = 0; op < table.size(); ++op) {
    SUBCASE(table[op].name.c_str()) {
      for (std::size_t s = 0; s < table[op].samples.size(); ++s) {
        SUBCASE(shapes_str(table[op].samples[s]).c_str()) { check_gradient(table[op], op, s); }
      }
    }
  }
}

TEST_CASE("ops: forward values match a direct computation") {
  for_each_sample([](const OpSpec& spec, const ShapeSet& shapes, const std::vector<Tensor>& inputs, Generator&) {
    const Tensor want = spec.reference(inputs);
    for (bool tracked : {false, true}) {  // the recording path computes the same value
      const Value out = spec.fn(leaves(inputs, std::vector<bool>(inputs.size(), tracked)));
      INFO(spec.name, " on ", shapes_str(shapes), tracked ? " (tracked)" : " (constant)");
      CHECK(mismatch(out.data(), want) == "");
      CHECK(out.requires_grad() == tracked);
    }
  });
}

TEST_CASE("ops: an input's gradient is the same whether or not the other inputs require grad") {
  for_each_sample([](const OpSpec& spec, const ShapeSet& shapes, const std::vector<Tensor>& inputs, Generator& gen) {
    if (spec.arity < 2) {
      return;
    }
    const std::vector<Value> in_all = leaves(inputs, std::vector<bool>(inputs.size(), true));
    const Value out_all = spec.fn(in_all);
    Tensor seed = Tensor::from_shape(out_all.shape());
    for (double& w : seed) {
      w = gen.normal();
    }
    out_all.backward(seed);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      std::vector<bool> only(inputs.size(), false);
      only[i] = true;
      const std::vector<Value> in_one = leaves(inputs, only);
      spec.fn(in_one).backward(seed);
      INFO(spec.name, " on ", shapes_str(shapes), ", only input ", i, " tracked");
      CHECK(mismatch(in_one[i].grad(), in_all[i].grad()) == "");
    }
  });
}

TEST_CASE("ops: the 0-d form of a backward step gives the tensor form's gradients") {
  // On a 0-d result the engine runs an op's 0-d step (numbers, no tensors); anomaly mode runs the
  // tensor step, which checks every gradient. Both must agree on every 0-d sample.
  std::size_t compared = 0;
  for_each_sample([&](const OpSpec& spec, const ShapeSet& shapes, const std::vector<Tensor>& inputs, Generator& gen) {
    const std::vector<Value> scalar_in = leaves(inputs, std::vector<bool>(inputs.size(), true));
    const Value scalar_out = spec.fn(scalar_in);
    if (scalar_out.dim() != 0) {
      return;
    }
    const double seed = gen.normal();
    scalar_out.backward(Tensor(seed));
    const std::vector<Value> tensor_in = leaves(inputs, std::vector<bool>(inputs.size(), true));
    {
      xgrad::DetectAnomalyGuard tensor_steps;
      spec.fn(tensor_in).backward(Tensor(seed));
    }
    INFO(spec.name, " on ", shapes_str(shapes));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      CHECK(mismatch(scalar_in[i].grad(), tensor_in[i].grad()) == "");
    }
    ++compared;
  });
  CHECK(compared > 20);
}

TEST_CASE("ops: derivatives at kinks follow the documented conventions") {
  CHECK(mismatch(grad_of(xgrad::relu, Tensor{-1.0, 0.0, 2.0}), Tensor{0.0, 0.0, 1.0}) == "");  // relu'(0) = 0
  CHECK(mismatch(grad_of(xgrad::abs, Tensor{-2.0, 0.0, 3.0}), Tensor{-1.0, 0.0, 1.0}) == "");  // abs'(0) = 0
  auto leaky = [](const Value& x) { return xgrad::leaky_relu(x, 0.1); };
  CHECK(mismatch(grad_of(leaky, Tensor{-1.0, 0.0, 2.0}), Tensor{0.1, 0.1, 1.0}) == "");  // slope at 0
  auto leaky_default = [](const Value& x) { return xgrad::leaky_relu(x); };
  CHECK(mismatch(grad_of(leaky_default, Tensor(0.0)), Tensor(0.01)) == "");
  auto clamp = [](const Value& x) { return xgrad::clamp(x, -1.0, 1.0); };
  CHECK(mismatch(grad_of(clamp, Tensor{-2.0, -1.0, 0.0, 1.0, 2.0}), Tensor{0.0, 1.0, 1.0, 1.0, 0.0}) == "");
  const Value a = Value(Tensor{0.0, 0.0, 2.0}).set_requires_grad();  // aᵇ at a = 0: finite gradients
  const Value b = Value(Tensor{0.0, 2.0, 3.0}).set_requires_grad();
  xgrad::sum(xgrad::pow(a, b)).backward();
  CHECK(mismatch(a.grad(), Tensor{0.0, 0.0, 12.0}) == "");                 // b·aᵇ⁻¹, 0 where b = 0
  CHECK(mismatch(b.grad(), Tensor{0.0, 0.0, 8.0 * std::log(2.0)}) == "");  // aᵇ·ln a, 0 where a = 0
}

TEST_CASE("ops: max, maximum and minimum split the gradient evenly among ties") {
  auto max_all = [](const Value& x) { return xgrad::max(x); };
  CHECK(mismatch(grad_of(max_all, Tensor{1.0, 3.0, 3.0, 2.0}), Tensor{0.0, 0.5, 0.5, 0.0}) == "");
  CHECK(mismatch(grad_of(max_all, Tensor{5.0, 5.0, 5.0}), Tensor{1.0 / 3, 1.0 / 3, 1.0 / 3}) == "");
  auto max_rows = [](const Value& x) { return xgrad::max(x, 1); };
  CHECK(mismatch(grad_of(max_rows, Tensor{{1.0, 1.0, 0.0}, {2.0, 0.0, 2.0}}),
                 Tensor{{0.5, 0.5, 0.0}, {0.5, 0.0, 0.5}}) == "");
  auto max_cols = [](const Value& x) { return xgrad::max(x, 0, true); };
  CHECK(mismatch(grad_of(max_cols, Tensor{{1.0, 4.0}, {1.0, 3.0}}), Tensor{{0.5, 1.0}, {0.5, 0.0}}) == "");

  const Value a = Value(Tensor{1.0, 2.0, 3.0}).set_requires_grad();
  const Value b = Value(Tensor{1.0, 0.0, 3.0}).set_requires_grad();
  xgrad::sum(xgrad::maximum(a, b) + xgrad::minimum(a, b) * 10.0).backward();
  CHECK(mismatch(a.grad(), Tensor{5.5, 1.0, 5.5}) == "");   // ½·1 + ½·10 on ties; 1 where a wins max
  CHECK(mismatch(b.grad(), Tensor{5.5, 10.0, 5.5}) == "");  // 10 where b wins min
  const Value c = Value(2.0).set_requires_grad();           // a tie under broadcasting
  const Value d = Value(Tensor{2.0, 1.0, 3.0}).set_requires_grad();
  xgrad::sum(xgrad::maximum(c, d)).backward();
  CHECK(c.grad()() == doctest::Approx(1.5));
  CHECK(mismatch(d.grad(), Tensor{0.5, 0.0, 1.0}) == "");
}

// Equal to `x` within 1e-12 relative to its size (doctest's Approx alone adds an absolute 1e-12).
doctest::Approx near(double x) { return doctest::Approx(x).epsilon(1e-12).scale(0.0); }

// Value and gradient of f at x, checking both are finite.
std::pair<double, double> value_and_grad(const std::function<Value(const Value&)>& f, double x) {
  const Value v = Value(x).set_requires_grad();
  const Value y = f(v);
  y.backward();
  CHECK(std::isfinite(y.item()));
  CHECK(std::isfinite(v.grad()()));
  return {y.item(), v.grad()()};
}

TEST_CASE("ops: stable forms give finite, correct values and gradients at extreme inputs") {
  const auto [s_hi, ds_hi] = value_and_grad(xgrad::sigmoid, 1000.0);
  CHECK(s_hi == 1.0);
  CHECK(ds_hi == 0.0);
  const auto [s_lo, ds_lo] = value_and_grad(xgrad::sigmoid, -1000.0);
  CHECK(s_lo == 0.0);
  CHECK(ds_lo == 0.0);
  const auto [s_mid, ds_mid] = value_and_grad(xgrad::sigmoid, -30.0);  // tiny, but representable
  CHECK(s_mid == near(std::exp(-30.0) / (1.0 + std::exp(-30.0))));
  CHECK(ds_mid == near(s_mid * (1.0 - s_mid)));
  for (double x : {1000.0, -1000.0}) {
    const auto [t, dt] = value_and_grad(xgrad::tanh, x);
    CHECK(t == std::copysign(1.0, x));
    CHECK(dt == 0.0);
  }
  const auto [sp, dsp] = value_and_grad(xgrad::softplus, 1000.0);
  CHECK(sp == 1000.0);
  CHECK(dsp == 1.0);
  const auto [sp_lo, dsp_lo] = value_and_grad(xgrad::softplus, -40.0);  // ln(1 + e⁻⁴⁰) ≠ 0
  CHECK(sp_lo == near(std::exp(-40.0)));
  CHECK(dsp_lo == near(std::exp(-40.0)));
  const auto [ls, dls] = value_and_grad(xgrad::log_sigmoid, -1000.0);
  CHECK(ls == -1000.0);
  CHECK(dls == 1.0);
  const auto [ls_hi, dls_hi] = value_and_grad(xgrad::log_sigmoid, 40.0);  // −ln(1 + e⁻⁴⁰) ≠ 0
  CHECK(ls_hi == near(-std::exp(-40.0)));
  CHECK(dls_hi == near(std::exp(-40.0)));
}

TEST_CASE("ops: a double on either side of an operator is a constant") {
  const Value a = Value(Tensor{1.0, 2.5, -4.0}).set_requires_grad();
  const Value diff = 2.0 - a;
  const Value inv = 1.0 / a;
  CHECK(mismatch(diff.data(), Tensor{1.0, -0.5, 6.0}) == "");
  CHECK(mismatch(inv.data(), Tensor{1.0, 0.4, -0.25}) == "");
  xgrad::sum(diff + inv).backward();
  CHECK(mismatch(a.grad(), Tensor{-1.0 - 1.0, -1.0 - 1.0 / 6.25, -1.0 - 1.0 / 16.0}) == "");  // −1 − 1/a²

  const Value x = Value(4.0).set_requires_grad();
  const Value y = (1.0 / x) * (2.0 - x);  // (2 − x)/x = 2/x − 1
  CHECK(y.item() == doctest::Approx(-0.5));
  y.backward();
  CHECK(x.grad()() == doctest::Approx(-2.0 / 16.0));  // −2/x²
  CHECK_FALSE((2.0 - Value(3.0)).requires_grad());    // no leaf requires grad: nothing is recorded
}

TEST_CASE("ops: a broadcast operand's gradient sums the rows, for any row length and count") {
  // Row lengths around the eight-column blocks of the row sum, and enough rows to span several
  // cache tiles; each column's sum is compared with a direct sum in row order.
  Generator gen(17);
  for (const auto& [rows, cols] : std::vector<std::pair<std::size_t, std::size_t>>{
           {21, 1}, {21, 10}, {3, 8}, {5, 17}, {1, 7}, {3000, 3}, {2, 3000}, {700, 24}}) {
    CAPTURE(rows);
    CAPTURE(cols);
    const Value a = xgrad::uniform({rows, cols}, gen, -1.0, 1.0);
    const Value b = xgrad::uniform({cols}, gen, -1.0, 1.0).set_requires_grad();
    const Value b_row = xgrad::uniform({1, cols}, gen, -1.0, 1.0).set_requires_grad();
    const Tensor seed = xgrad::uniform({rows, cols}, gen, -1.0, 1.0).data();
    (a + b + b_row).backward(seed);
    Tensor want = xt::zeros<double>({cols});
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        want(c) += seed(r, c);
      }
    }
    CHECK(mismatch(b.grad(), want) == "");
    CHECK(mismatch(b_row.grad(), want.reshape({1, cols})) == "");
  }
}

}  // namespace

TEST_CASE("ops: results and gradients are laid out like any tensor of their shape") {
  // Ops build their tensors from shape and strides directly; xtensor's broadcasting and views
  // rely on the strides and back-strides being exactly what it computes (0 on an axis of extent 1).
  auto check_layout = [](const Tensor& t) {
    const Tensor ref = Tensor::from_shape(t.shape());
    CHECK(t.strides() == ref.strides());
    CHECK(t.backstrides() == ref.backstrides());
    CHECK(t.layout() == ref.layout());
    CHECK(t.size() == ref.size());
  };
  for_each_sample([&](const OpSpec& spec, const ShapeSet& shapes, const std::vector<Tensor>& inputs, Generator&) {
    const std::vector<Value> in = leaves(inputs, std::vector<bool>(inputs.size(), true));
    const Value out = spec.fn(in);
    INFO(spec.name, " on ", shapes_str(shapes));
    check_layout(out.data());
    out.backward(Tensor(xt::ones<double>(out.shape())));
    for (const Value& v : in) {
      check_layout(v.grad());
    }
  });
}
