// Module, Linear, Sequential, MLP and the activations: names, counts, modes, shapes, errors.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using nn_test::contains;
using nn_test::message_of;
using xgrad::Generator;
using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

std::vector<std::string> names_of(const nn::Module& m) {
  std::vector<std::string> names;
  for (const nn::NamedParameter& p : m.named_parameters()) {
    names.push_back(p.name);
  }
  return names;
}

}  // namespace

TEST_CASE("MLP parameters are named by their path, in registration order") {
  Generator gen(1);
  const nn::MLP mlp({2, 3, 4, 1}, gen);
  const std::vector<std::string> want{"layers.0.weight", "layers.0.bias",   "layers.2.weight",
                                      "layers.2.bias",   "layers.4.weight", "layers.4.bias"};
  CHECK(names_of(mlp) == want);
  const std::vector<Shape> shapes{{2, 3}, {3}, {3, 4}, {4}, {4, 1}, {1}};
  const std::vector<nn::NamedParameter> named = mlp.named_parameters();
  const std::vector<Value> params = mlp.parameters();
  REQUIRE(params.size() == named.size());
  for (std::size_t i = 0; i < named.size(); ++i) {
    CHECK(named[i].value.shape() == shapes[i]);
    CHECK(named[i].value.is_same(params[i]));  // handles to the very tensors the module uses
    CHECK(params[i].requires_grad());
    CHECK(params[i].is_leaf());
  }
  CHECK(mlp.parameter_count() == 6 + 3 + 12 + 4 + 4 + 1);
  CHECK(params[0].is_same(mlp.linear(0).weight()));
  CHECK(params[5].is_same(mlp.linear(2).bias()));
}

TEST_CASE("an MLP without biases has only weights") {
  Generator gen(1);
  const nn::MLP mlp({2, 4, 4, 1}, gen, {.bias = false});
  CHECK(names_of(mlp) == std::vector<std::string>{"layers.0.weight", "layers.2.weight", "layers.4.weight"});
  CHECK(mlp.parameter_count() == 8 + 16 + 4);
  CHECK_FALSE(mlp.linear(1).has_bias());
  CHECK_THROWS_AS(mlp.linear(1).bias(), xgrad::value_error);
}

TEST_CASE("nested Sequential modules name parameters by index, and modes reach every module") {
  Generator gen(2);
  auto inner = std::make_shared<nn::Sequential>();
  inner->push_back(std::make_shared<nn::Linear>(3, 2, gen));
  nn::Sequential outer(
      {std::make_shared<nn::Linear>(2, 3, gen, nn::LinearOptions{.bias = false}), std::make_shared<nn::Tanh>(), inner});
  CHECK(names_of(outer) == std::vector<std::string>{"0.weight", "2.0.weight", "2.0.bias"});
  CHECK(outer.size() == 3);
  CHECK(outer[1].describe() == "Tanh");
  CHECK(outer.is_training());
  outer.eval();
  CHECK_FALSE(outer.is_training());
  CHECK_FALSE(outer[1].is_training());
  CHECK_FALSE(inner->is_training());
  CHECK_FALSE((*inner)[0].is_training());
  outer.train();
  CHECK(outer[2].is_training());
  CHECK((*inner)[0].is_training());
  CHECK(outer(Value(Tensor{{1.0, 2.0}})).shape() == Shape{1, 2});
}

TEST_CASE("zero_grad clears every parameter's gradient") {
  Generator gen(3);
  nn::MLP mlp({2, 3, 1}, gen, {.bias_init = nn::Init::normal});
  mlp(Value(Tensor{{0.5, -1.0}, {2.0, 0.25}})).backward(Tensor(xt::ones<double>({2, 1})));
  for (const Value& p : mlp.parameters()) {
    REQUIRE(p.has_grad());
    CHECK(xt::any(xt::not_equal(p.grad(), 0.0)));
  }
  mlp.zero_grad();
  for (const Value& p : mlp.parameters()) {
    CHECK(p.grad() == Tensor(xt::zeros<double>(p.shape())));
  }
}

TEST_CASE("summary lists every module with its parameter shapes, and the total") {
  Generator gen(4);
  const nn::MLP mlp({2, 3, 4, 1}, gen);
  CHECK(mlp.summary() ==
        "MLP(2-3-4-1, sigmoid, output sigmoid)\n"
        "  layers: Sequential(6 modules)\n"
        "    0: Linear(2 → 3, bias)  weight (2,3)  bias (3)\n"
        "    1: Sigmoid\n"
        "    2: Linear(3 → 4, bias)  weight (3,4)  bias (4)\n"
        "    3: Sigmoid\n"
        "    4: Linear(4 → 1, bias)  weight (4,1)  bias (1)\n"
        "    5: Sigmoid\n"
        "parameters: 30\n");
}

TEST_CASE("Linear computes x·W + b for a batch (n,in) and for one sample (in)") {
  Generator gen(5);
  nn::Linear lin(2, 3, gen, {.bias_init = nn::Init::normal});
  CHECK(lin.in_features() == 2);
  CHECK(lin.out_features() == 3);
  CHECK(lin.describe() == "Linear(2 → 3, bias)");
  const Tensor x{{1.0, 2.0}, {-0.5, 0.25}, {0.0, 3.0}, {4.0, -1.0}};
  const Value y = lin(Value(x));
  REQUIRE(y.shape() == Shape{4, 3});
  const Tensor& w = lin.weight().data();
  const Tensor& b = lin.bias().data();
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(y.data()(i, j) == doctest::Approx(x(i, 0) * w(0, j) + x(i, 1) * w(1, j) + b(j)).epsilon(1e-15));
    }
  }
  const Value one = lin(Value(Tensor{1.0, 2.0}));
  REQUIRE(one.shape() == Shape{3});
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(one.data()(j) == doctest::Approx(y.data()(0, j)).epsilon(1e-15));
  }
}

TEST_CASE("Linear rejects a wrong input shape, naming the layer, and zero sizes") {
  Generator gen(6);
  nn::Linear lin(2, 3, gen, {.bias = false});
  for (const Tensor& bad :
       {Tensor{{1.0, 2.0, 3.0}}, Tensor{1.0, 2.0, 3.0}, Tensor(1.0), Tensor::from_shape({2, 2, 2})}) {
    const std::string m = message_of<xgrad::shape_error>([&] { lin(Value(bad)); });
    INFO(m);
    CHECK(contains(m, "Linear(2 → 3, no bias)"));
    CHECK(contains(m, xgrad::shape_str(bad.shape())));
  }
  CHECK_THROWS_AS(nn::Linear(0, 3, gen), xgrad::value_error);
  CHECK_THROWS_AS(nn::Linear(3, 0, gen), xgrad::value_error);
  CHECK_THROWS_WITH_AS(nn::Linear(0, 0, gen), doctest::Contains("Linear"), xgrad::value_error);
}

TEST_CASE("Linear starts from its initialisers") {
  Generator gen(7);
  nn::Linear lin(20, 30, gen);
  const double bound = std::sqrt(6.0 / 50.0);
  CHECK(xt::all(xt::abs(lin.weight().data()) < bound));
  CHECK(lin.bias().data() == Tensor(xt::zeros<double>({30})));
  nn::Linear ones(2, 2, gen, {.init = nn::Init::zeros, .bias_init = nn::Init::uniform});
  CHECK(ones.weight().data() == Tensor(xt::zeros<double>({2, 2})));
  CHECK(xt::all(ones.bias().data() >= 0.0 && ones.bias().data() < 1.0));
}

TEST_CASE("MLP structure, description and validation") {
  Generator gen(8);
  const nn::MLP lab({2, 10, 10, 1}, gen);
  CHECK(lab.describe() == "MLP(2-10-10-1, sigmoid, output sigmoid)");
  CHECK(lab.depth() == 3);
  CHECK(lab.linear(0).in_features() == 2);
  CHECK(lab.linear(1).out_features() == 10);
  CHECK(lab.linear(2).out_features() == 1);
  CHECK_THROWS_AS(lab.linear(3), std::out_of_range);
  CHECK(lab.parameter_count() == 30 + 110 + 11);
  nn::MLP relu({2, 4, 1}, gen, {.activation = nn::Activation::relu, .output = nn::Activation::none});
  CHECK(relu.describe() == "MLP(2-4-1, relu, output none)");
  CHECK(relu.options().activation == nn::Activation::relu);
  const Value y = relu(Value(Tensor{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}));
  CHECK(y.shape() == Shape{3, 1});
  CHECK_THROWS_AS(nn::MLP({2}, gen), xgrad::value_error);
  CHECK_THROWS_AS(nn::MLP({}, gen), xgrad::value_error);
  CHECK_THROWS_WITH_AS(nn::MLP({2, 0, 1}, gen), doctest::Contains("2-0-1"), xgrad::value_error);
}

TEST_CASE("the same seed builds bit-identical networks — another seed does not") {
  Generator a(42);
  Generator b(42);
  Generator c(43);
  const nn::MLP ma({2, 10, 10, 1}, a, {.bias_init = nn::Init::normal});
  const nn::MLP mb({2, 10, 10, 1}, b, {.bias_init = nn::Init::normal});
  const nn::MLP mc({2, 10, 10, 1}, c, {.bias_init = nn::Init::normal});
  CHECK(nn_test::same_parameters(ma, mb));
  CHECK_FALSE(nn_test::same_parameters(ma, mc));
}

TEST_CASE("activation layers compute their functions") {
  const Value x(Tensor{-2.0, 0.0, 3.0});
  CHECK(nn::Sigmoid()(x).data()(1) == 0.5);
  CHECK(nn::Sigmoid()(x).data()(2) == doctest::Approx(1.0 / (1.0 + std::exp(-3.0))).epsilon(1e-15));
  CHECK(nn::Tanh()(x).data()(0) == doctest::Approx(std::tanh(-2.0)).epsilon(1e-15));
  CHECK(nn::ReLU()(x).data() == Tensor{0.0, 0.0, 3.0});
  CHECK(nn::LeakyReLU(0.1)(x).data()(0) == doctest::Approx(-0.2).epsilon(1e-15));
  CHECK(nn::Identity()(x).is_same(x));
  for (nn::Activation a : {nn::Activation::sigmoid, nn::Activation::tanh, nn::Activation::relu,
                           nn::Activation::leaky_relu, nn::Activation::none}) {
    CHECK(nn::parse_activation(nn::to_string(a)) == a);
    CHECK(nn::make_activation(a)->parameters().empty());
  }
  CHECK(nn::make_activation(nn::Activation::none)->describe() == "Identity");
  CHECK(nn::make_activation(nn::Activation::tanh)->describe() == "Tanh");
  CHECK(nn::make_activation(nn::Activation::leaky_relu)->describe() == "LeakyReLU(0.01)");
  CHECK(nn::LeakyReLU(0.2).describe() == "LeakyReLU(0.2)");
  const std::string m = message_of<xgrad::value_error>([] { nn::parse_activation("swish"); });
  CHECK(contains(m, "'swish'"));
  CHECK(contains(m, "sigmoid, tanh, relu, leaky_relu, none"));
}
