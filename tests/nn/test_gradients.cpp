// Gradients through the modules: gradcheck of Linear and of the lab's MLP under every loss, and
// the lab's hand-derived backprop (report 001's deltas) as an exact oracle.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <xtensor/xmath.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using nn_test::through_module;
using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

Tensor random_tensor(const xgrad::Shape& shape, Generator& gen) { return xgrad::normal(shape, gen).data(); }

Value apply(nn::Module& m, const Value& x) { return m(x); }

// The gradients of m's parameters, in order, which are then cleared for the next backward.
std::vector<Tensor> take_grads(const nn::Module& m) {
  std::vector<Tensor> grads;
  for (const Value& p : m.parameters()) {
    grads.push_back(p.grad());
    p.clear_grad();
  }
  return grads;
}

// m's parameter gradients equal `want` bit for bit.
void check_same_grads(const nn::Module& m, const std::vector<Tensor>& want) {
  const std::vector<Value> params = m.parameters();
  REQUIRE(params.size() == want.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    CHECK(params[i].grad() == want[i]);
  }
}

using Loss = std::function<Value(const Value&, const Value&)>;

struct NamedLoss {
  const char* name;
  Loss loss;
};

const std::vector<NamedLoss>& losses() {
  static const std::vector<NamedLoss> all{
      {"half_mse_loss", [](const Value& p, const Value& y) { return nn::half_mse_loss(p, y); }},
      {"mse_loss", [](const Value& p, const Value& y) { return nn::mse_loss(p, y); }},
      {"binary_cross_entropy", [](const Value& p, const Value& y) { return nn::binary_cross_entropy(p, y); }},
  };
  return all;
}

// Row-major matrix product of two 2-d tensors, in plain loops.
Tensor mm(const Tensor& a, const Tensor& b) {
  Tensor c = xt::zeros<double>({a.shape()[0], b.shape()[1]});
  for (std::size_t i = 0; i < a.shape()[0]; ++i) {
    for (std::size_t k = 0; k < a.shape()[1]; ++k) {
      for (std::size_t j = 0; j < b.shape()[1]; ++j) {
        c(i, j) += a(i, k) * b(k, j);
      }
    }
  }
  return c;
}

Tensor sig(const Tensor& z) { return 1.0 / (1.0 + xt::exp(-z)); }

// |a − b| ≤ 1e-13 · max |b| everywhere: equal up to rounding.
bool close(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && xt::amax(xt::abs(a - b))() <= 1e-13 * xt::amax(xt::abs(b))();
}

}  // namespace

TEST_CASE("Linear: gradcheck of the output with respect to input, weight and bias") {
  Generator gen(11);
  SUBCASE("a batch (n,in), with bias") {
    nn::Linear lin(3, 4, gen, {.bias_init = nn::Init::normal});
    const auto report =
        xgrad::gradcheck(through_module(lin, apply), nn_test::module_inputs(lin, random_tensor({5, 3}, gen)));
    CHECK_MESSAGE(report.ok, report);
    CHECK(report.elements_checked == 15 + 12 + 4);
  }
  SUBCASE("one sample (in), with bias") {
    nn::Linear lin(3, 2, gen, {.bias_init = nn::Init::normal});
    const auto report =
        xgrad::gradcheck(through_module(lin, apply), nn_test::module_inputs(lin, random_tensor({3}, gen)));
    CHECK_MESSAGE(report.ok, report);
    CHECK(report.elements_checked == 3 + 6 + 2);
  }
  SUBCASE("without bias") {
    nn::Linear lin(2, 3, gen, {.bias = false});
    const auto report =
        xgrad::gradcheck(through_module(lin, apply), nn_test::module_inputs(lin, random_tensor({4, 2}, gen)));
    CHECK_MESSAGE(report.ok, report);
    CHECK(report.elements_checked == 8 + 6);
  }
}

TEST_CASE("Linear: ∂L/∂W = xᵀ·∂L/∂y and ∂L/∂b = Σ rows of ∂L/∂y") {
  Generator gen(12);
  nn::Linear lin(3, 2, gen);
  const Tensor x = random_tensor({4, 3}, gen);
  const Tensor g = random_tensor({4, 2}, gen);
  const Value xv = Value(x).set_requires_grad();
  lin(xv).backward(g);
  CHECK(close(lin.weight().grad(), mm(xt::transpose(x), g)));
  CHECK(close(lin.bias().grad(), Tensor(xt::sum(g, {0}))));
  CHECK(close(xv.grad(), mm(g, xt::transpose(lin.weight().data()))));
}

TEST_CASE("MLP {2,h1,h2,1}: gradcheck of every parameter under every loss and hidden activation") {
  for (nn::Activation act : {nn::Activation::sigmoid, nn::Activation::tanh, nn::Activation::relu}) {
    for (const NamedLoss& l : losses()) {
      CAPTURE(nn::to_string(act));
      CAPTURE(l.name);
      Generator gen(13);
      nn::MLP mlp({2, 5, 4, 1}, gen, {.activation = act, .bias_init = nn::Init::normal});
      const Tensor x = random_tensor({6, 2}, gen);
      const Value labels(Tensor(xt::reshape_view(Tensor{0.0, 1.0, 1.0, 0.0, 1.0, 0.0}, {6, 1})));
      auto loss_of = [&l, labels](nn::Module& m, const Value& in) { return l.loss(m(in), labels); };
      const auto report = xgrad::gradcheck(through_module(mlp, loss_of), nn_test::module_inputs(mlp, x));
      CHECK_MESSAGE(report.ok, report);
      CHECK(report.elements_checked == 12 + mlp.parameter_count());
    }
  }
}

TEST_CASE("MLP runs a Linear and its sigmoid as one op, with the values and gradients of the modules") {
  // Each layer's product, then its activation module, against MLP::forward, bit for bit: the fused op makes the same
  // products, the same sigmoid and the same backward products.
  struct Case {
    nn::MLPOptions options;
    const char* last_op;  // what the output node records
  };
  for (const Case& c : {Case{{}, "linear_sigmoid"}, Case{{.activation = nn::Activation::tanh}, "linear_sigmoid"},
                        Case{{.output = nn::Activation::none}, "linear"}, Case{{.bias = false}, "sigmoid"}}) {
    CAPTURE(c.last_op);
    Generator gen(15);
    nn::MLP fused({2, 5, 4, 1}, gen, c.options);
    const Tensor x = random_tensor({6, 2}, gen);
    const Value y = fused(Value(x));
    CHECK(std::string(y.op()) == c.last_op);
    xgrad::sum(y).backward();
    const std::vector<Tensor> fused_grads = take_grads(fused);
    Value z(x);
    for (std::size_t i = 0; i < fused.depth(); ++i) {
      const nn::Linear& layer = fused.linear(i);
      z = layer.has_bias() ? xgrad::linear(z, layer.weight(), layer.bias()) : xgrad::matmul(z, layer.weight());
      const bool last = i + 1 == fused.depth();
      z = (*nn::make_activation(last ? c.options.output : c.options.activation))(z);
    }
    REQUIRE(z.data() == y.data());
    xgrad::sum(z).backward();
    check_same_grads(fused, fused_grads);
  }
}

TEST_CASE("Sequential runs a Linear and the Sigmoid after it as one op, and subclasses as themselves") {
  // A Sigmoid subclass that counts its calls: it overrides forward, so it must not be fused away.
  struct CountingSigmoid : nn::Sigmoid {
    int calls = 0;
    Value forward(const Value& x) override {
      ++calls;
      return nn::Sigmoid::forward(x);
    }
  };
  Generator gen(16);
  auto l1 = std::make_shared<nn::Linear>(3, 4, gen);
  auto l2 = std::make_shared<nn::Linear>(4, 4, gen);
  auto l3 = std::make_shared<nn::Linear>(4, 2, gen);
  auto counting = std::make_shared<CountingSigmoid>();
  nn::Sequential seq({l1, std::make_shared<nn::Sigmoid>(), l2, counting, l3, std::make_shared<nn::Sigmoid>()});
  const Tensor x = random_tensor({5, 3}, gen);
  const Value y = seq(Value(x));
  CHECK(std::string(y.op()) == "linear_sigmoid");
  CHECK(counting->calls == 1);
  xgrad::sum(y).backward();
  const std::vector<Tensor> grads = take_grads(seq);
  // The same modules one by one, bit for bit.
  Value z(x);
  z = xgrad::sigmoid(xgrad::linear(z, l1->weight(), l1->bias()));
  z = xgrad::sigmoid(xgrad::linear(z, l2->weight(), l2->bias()));
  z = xgrad::sigmoid(xgrad::linear(z, l3->weight(), l3->bias()));
  REQUIRE(z.data() == y.data());
  xgrad::sum(z).backward();
  check_same_grads(seq, grads);
}

TEST_CASE("MLP gradients equal the lab's hand-derived deltas (report 001)") {
  Generator gen(14);
  nn::MLP mlp({2, 10, 10, 1}, gen, {.bias_init = nn::Init::normal});
  const nn::Dataset data = nn::xor_easy();
  const double n = static_cast<double>(data.size());
  nn::half_mse_loss(mlp(Value(data.inputs)), Value(data.labels)).backward();

  const Tensor& w1 = mlp.linear(0).weight().data();
  const Tensor& w2 = mlp.linear(1).weight().data();
  const Tensor& w3 = mlp.linear(2).weight().data();
  const Tensor a1 = sig(mm(data.inputs, w1) + mlp.linear(0).bias().data());
  const Tensor a2 = sig(mm(a1, w2) + mlp.linear(1).bias().data());
  const Tensor y_hat = sig(mm(a2, w3) + mlp.linear(2).bias().data());
  const Tensor d3 = (y_hat - data.labels) * y_hat * (1.0 - y_hat);  // δ₃ = (ŷ − y) ⊙ σ'(z₃)
  const Tensor d2 = mm(d3, xt::transpose(w3)) * a2 * (1.0 - a2);    // δ₂ = (δ₃W₃ᵀ) ⊙ σ'(z₂)
  const Tensor d1 = mm(d2, xt::transpose(w2)) * a1 * (1.0 - a1);    // δ₁ = (δ₂W₂ᵀ) ⊙ σ'(z₁)

  CHECK(close(mlp.linear(2).weight().grad(), mm(xt::transpose(a2), d3) / n));  // ∂W₃ = a₂ᵀδ₃/N
  CHECK(close(mlp.linear(2).bias().grad(), Tensor(xt::sum(d3, {0}) / n)));     // ∂b₃ = Σδ₃/N
  CHECK(close(mlp.linear(1).weight().grad(), mm(xt::transpose(a1), d2) / n));
  CHECK(close(mlp.linear(1).bias().grad(), Tensor(xt::sum(d2, {0}) / n)));
  CHECK(close(mlp.linear(0).weight().grad(), mm(xt::transpose(data.inputs), d1) / n));
  CHECK(close(mlp.linear(0).bias().grad(), Tensor(xt::sum(d1, {0}) / n)));
}

TEST_CASE("the scalar track: Neuron, Layer and MLP of 0-d values") {
  Generator gen(15);
  const nn::scalar::Neuron neuron(3, gen, nn::Activation::none);
  const std::vector<Value> p = neuron.parameters();
  REQUIRE(p.size() == 4);
  for (const Value& v : p) {
    CHECK(v.dim() == 0);
    CHECK(v.requires_grad());
  }
  CHECK(p[3].item() == 0.0);  // the bias starts at 0
  const std::vector<Value> x{Value(1.0), Value(-2.0), Value(0.5)};
  const Value out = neuron(x);
  CHECK(out.item() == doctest::Approx(p[0].item() - 2.0 * p[1].item() + 0.5 * p[2].item()).epsilon(1e-15));
  out.backward();
  CHECK(p[1].grad()() == -2.0);
  CHECK(p[3].grad()() == 1.0);
  CHECK_THROWS_AS(neuron({Value(1.0)}), xgrad::shape_error);
  CHECK_THROWS_AS(neuron({Value(1.0), Value(Tensor{1.0, 2.0}), Value(3.0)}), xgrad::shape_error);

  const nn::scalar::Layer layer(2, 3, gen);
  CHECK(layer.parameters().size() == 9);
  CHECK(layer({Value(0.5), Value(0.25)}).size() == 3);
  const nn::scalar::MLP mlp({2, 4, 1}, gen);
  CHECK(mlp.parameters().size() == 12 + 5);
  const std::vector<Value> y = mlp({Value(0.5), Value(0.25)});
  REQUIRE(y.size() == 1);
  CHECK(y[0].item() > 0.0);
  CHECK(y[0].item() < 1.0);  // sigmoid output
  y[0].backward();
  mlp.zero_grad();
  for (const Value& v : mlp.parameters()) {
    CHECK(v.grad()() == 0.0);
  }
  CHECK_THROWS_AS(nn::scalar::MLP({2}, gen), xgrad::value_error);
  CHECK_THROWS_AS(nn::scalar::MLP({2, 0, 1}, gen), xgrad::value_error);
}
