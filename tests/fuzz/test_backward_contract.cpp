// The backward contract, for every registry row and every sample: backward is deterministic
// (bit for bit), linear in its seed (seed 0 gives zeros, seed 2g exactly twice the gradients of
// seed g), every gradient has its input's shape, and a leaf that requires grad but that the
// output does not use gets no gradient. Determinism and linearity are also checked on random
// graphs from the fuzzer, where shared nodes add up gradients from several consumers.
#include <doctest/doctest.h>

#include "../op_registry.hpp"
#include "fuzz.hpp"

#include <xgrad/value.hpp>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
using xgrad::tests::OpSpec;
using xgrad::tests::ShapeSet;

std::uint64_t sample_seed(std::size_t op, std::size_t sample) { return 0xc0de + 1000 * op + sample; }

Tensor normal(const xgrad::Shape& shape, Generator& gen) {
  Tensor t = Tensor::from_shape(shape);
  for (double& x : t) x = gen.normal();
  return t;
}

// The gradients of `spec` at `inputs` for the seed `seed(output shape)`, from fresh leaves.
template <class Seed>
std::vector<Tensor> gradients(const OpSpec& spec, const std::vector<Tensor>& inputs, Seed seed) {
  std::vector<Value> leaves;
  for (const Tensor& t : inputs) leaves.push_back(Value(t).set_requires_grad());
  const Value out = spec.fn(leaves);
  out.backward(Tensor(seed(out.shape())));
  std::vector<Tensor> grads;
  for (const Value& leaf : leaves) grads.push_back(leaf.grad());
  return grads;
}

// Empty when `a` and `b` have the same shape and the same bits in every element (or, when the sign
// of a zero does not matter, the same bits or both zero); else the first difference.
std::string bitwise_difference(const Tensor& a, const Tensor& b, bool zero_sign_matters = true) {
  std::string out;
  if (a.shape() != b.shape()) {
    out += "shapes ";
    out += xgrad::shape_str(a.shape()) + " and " + xgrad::shape_str(b.shape());
    return out;
  }
  for (std::size_t k = 0; k < a.size() && out.empty(); ++k) {
    const double x = a.data()[k];
    const double y = b.data()[k];
    if (std::bit_cast<std::uint64_t>(x) != std::bit_cast<std::uint64_t>(y) && (zero_sign_matters || x != y)) {
      out += "flat element ";
      out += std::to_string(k) + ": " + std::to_string(a.data()[k]) + " vs " + std::to_string(b.data()[k]);
    }
  }
  return out;
}

// Calls `check(spec, inputs)` for every row and sample, with the row and sample in the context.
template <class Check>
void for_every_sample(Check check) {
  const auto& table = xgrad::tests::op_registry();
  for (std::size_t op = 0; op < table.size(); ++op) {
    for (std::size_t s = 0; s < table[op].samples.size(); ++s) {
      const ShapeSet& shapes = table[op].samples[s];
      INFO(table[op].name, " on ", xgrad::tests::shapes_str(shapes));
      Generator gen(sample_seed(op, s));
      check(table[op], xgrad::tests::draw_inputs(table[op], shapes, gen), gen);
    }
  }
}

}  // namespace

TEST_CASE("backward contract: the same graph twice gives bitwise-identical gradients") {
  for_every_sample([](const OpSpec& spec, const std::vector<Tensor>& inputs, Generator& gen) {
    const std::uint64_t seed = gen.next();
    auto weights = [seed](const xgrad::Shape& shape) {
      Generator g(seed);
      return normal(shape, g);
    };
    const std::vector<Tensor> first = gradients(spec, inputs, weights);
    const std::vector<Tensor> second = gradients(spec, inputs, weights);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      CHECK_MESSAGE(bitwise_difference(first[i], second[i]) == "", "input ", i);
    }
  });
}

TEST_CASE("backward contract: a retained graph run again gives bitwise-identical gradients") {
  for_every_sample([](const OpSpec& spec, const std::vector<Tensor>& inputs, Generator& gen) {
    std::vector<Value> leaves;
    for (const Tensor& t : inputs) leaves.push_back(Value(t).set_requires_grad());
    const Value out = spec.fn(leaves);
    const Tensor seed = normal(out.shape(), gen);
    out.backward(seed, {.retain_graph = true});
    std::vector<Tensor> first;
    for (const Value& leaf : leaves) {
      first.push_back(leaf.grad());
      leaf.zero_grad();
    }
    out.backward(seed);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      // The second pass adds into zeroed gradients, and +0 + (−0) is +0: a −0 of the first pass
      // may come back as +0. Every other bit must match.
      CHECK_MESSAGE(bitwise_difference(first[i], leaves[i].grad(), false) == "", "input ", i);
    }
  });
}

TEST_CASE("backward contract: gradients are linear in the seed") {
  for_every_sample([](const OpSpec& spec, const std::vector<Tensor>& inputs, Generator& gen) {
    const std::uint64_t seed = gen.next();
    auto scaled = [seed](double factor) {
      return [seed, factor](const xgrad::Shape& shape) {
        Generator g(seed);
        return Tensor(factor * normal(shape, g));
      };
    };
    const std::vector<Tensor> zero = gradients(spec, inputs, scaled(0.0));
    const std::vector<Tensor> once = gradients(spec, inputs, scaled(1.0));
    const std::vector<Tensor> twice = gradients(spec, inputs, scaled(2.0));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      INFO("input ", i);
      CHECK(zero[i].shape() == inputs[i].shape());
      for (double x : zero[i]) CHECK(x == 0.0);  // +0 or −0: the sign of a zero carries no contract
      // Doubling is exact in binary floating point, and every backward step is linear in its
      // seed, so twice the seed gives exactly twice the gradient, bit for bit.
      CHECK(bitwise_difference(twice[i], Tensor(2.0 * once[i])) == "");
    }
  });
}

TEST_CASE("backward contract: every gradient has its input's shape") {
  for_every_sample([](const OpSpec& spec, const std::vector<Tensor>& inputs, Generator& gen) {
    std::vector<Value> leaves;
    for (const Tensor& t : inputs) leaves.push_back(Value(t).set_requires_grad());
    const Value out = spec.fn(leaves);
    out.backward(normal(out.shape(), gen));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      INFO("input ", i);
      CHECK(leaves[i].has_grad());
      CHECK(xgrad::shape_str(leaves[i].grad().shape()) == xgrad::shape_str(inputs[i].shape()));
    }
  });
}

TEST_CASE("backward contract: a leaf the output does not use gets no gradient") {
  for_every_sample([](const OpSpec& spec, const std::vector<Tensor>& inputs, Generator& gen) {
    std::vector<Value> leaves;
    for (const Tensor& t : inputs) leaves.push_back(Value(t).set_requires_grad());
    const Value unused = Value(inputs.front()).set_requires_grad();  // same shape as input 0, never read
    const Value out = spec.fn(leaves);
    out.backward(normal(out.shape(), gen));
    // The API: has_grad() stays false and grad() reads as zeros of the leaf's own shape.
    CHECK_FALSE(unused.has_grad());
    CHECK(xgrad::shape_str(unused.grad().shape()) == xgrad::shape_str(inputs.front().shape()));
    for (double x : unused.grad()) CHECK(x == 0.0);
  });
}

TEST_CASE("backward contract: random graphs are deterministic and linear in the seed") {
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const xgrad::fuzz::FuzzGraph g = xgrad::fuzz::generate_graph(seed);
    INFO(xgrad::fuzz::describe(g));
    auto run = [&g, seed](double factor) {
      std::vector<Value> leaves;
      for (const Tensor& t : g.leaves) leaves.push_back(Value(t).set_requires_grad());
      const Value out = xgrad::fuzz::evaluate(g, leaves);
      Generator weights(seed);
      out.backward(Tensor(factor * normal(out.shape(), weights)));
      std::vector<Tensor> grads;
      for (const Value& leaf : leaves) grads.push_back(leaf.grad());
      return grads;
    };
    const std::vector<Tensor> once = run(1.0);
    const std::vector<Tensor> again = run(1.0);
    const std::vector<Tensor> twice = run(2.0);
    const std::vector<Tensor> zero = run(0.0);
    for (std::size_t i = 0; i < g.leaves.size(); ++i) {
      INFO("leaf x", i);
      CHECK(bitwise_difference(once[i], again[i]) == "");
      CHECK(bitwise_difference(twice[i], Tensor(2.0 * once[i])) == "");
      for (double x : zero[i]) CHECK(x == 0.0);
    }
  }
}
