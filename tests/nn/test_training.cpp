// Training end to end: the lab's network learns XOR and the linear split, a seed reproduces a
// run bit for bit, and the scalar track learns XOR too.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <functional>
#include <memory>
#include <vector>

using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

using Loss = std::function<Value(const Value&, const Value&)>;

struct Setup {
  std::uint64_t seed = 1;
  bool adam = true;
  double lr = 0.1;
  std::size_t epochs = 1000;
  std::size_t batch = 0;  // 0: full batch
  bool shuffle = false;
  Loss loss = [](const Value& p, const Value& y) { return nn::half_mse_loss(p, y); };
};

struct Outcome {
  std::vector<double> losses;  // one per epoch: the last batch's loss
  double accuracy = 0.0;
};

// The lab's loop: forward, loss, zero_grad, backward, step; the network is 2-10-10-1 sigmoid.
Outcome train(const nn::Dataset& data, const Setup& s, std::unique_ptr<nn::MLP>* keep = nullptr) {
  Generator gen(s.seed);
  auto mlp = std::make_unique<nn::MLP>(std::vector<std::size_t>{2, 10, 10, 1}, gen);
  std::unique_ptr<nn::Optimizer> opt;
  if (s.adam) {
    opt = std::make_unique<nn::Adam>(mlp->parameters(), nn::AdamOptions{.lr = s.lr});
  } else {
    opt = std::make_unique<nn::SGD>(mlp->parameters(), nn::SGDOptions{.lr = s.lr, .momentum = 0.9});
  }
  Outcome out;
  for (std::size_t e = 0; e < s.epochs; ++e) {
    for (const nn::Dataset& b : nn::batches(data, s.batch, s.shuffle ? &gen : nullptr)) {
      const Value loss = s.loss((*mlp)(Value(b.inputs)), Value(b.labels));
      opt->zero_grad();
      loss.backward();
      opt->step();
      out.losses.push_back(loss.item());
    }
  }
  xgrad::NoGradGuard no_grad;
  out.accuracy = nn::accuracy((*mlp)(Value(data.inputs)).data(), data.labels);
  if (keep != nullptr) {
    *keep = std::move(mlp);
  }
  return out;
}

}  // namespace

TEST_CASE("the lab's network learns XOR to 100%: Adam, ½·MSE, full batch") {
  const Outcome o = train(nn::xor_easy(), {.seed = 1, .adam = true, .lr = 0.05, .epochs = 600});
  CHECK(o.accuracy == 1.0);
  CHECK(o.losses.back() < 0.01 * o.losses.front());
}

TEST_CASE("the lab's network learns XOR to 100%: SGD with momentum, BCE") {
  const Outcome o = train(
      nn::xor_easy(), {.seed = 2, .adam = false, .lr = 0.5, .epochs = 1500, .loss = [](const Value& p, const Value& y) {
                         return nn::binary_cross_entropy(p, y);
                       }});
  CHECK(o.accuracy == 1.0);
  CHECK(o.losses.back() < 0.1);
}

TEST_CASE("the lab's network learns linear(100) to 100%: Adam, BCE, mini-batches") {
  Generator data_gen(3);
  const nn::Dataset data = nn::linear(100, data_gen);
  const Outcome o =
      train(data, {.seed = 3,
                   .adam = true,
                   .lr = 0.02,
                   .epochs = 300,
                   .batch = 20,
                   .shuffle = true,
                   .loss = [](const Value& p, const Value& y) { return nn::binary_cross_entropy(p, y); }});
  CHECK(o.accuracy == 1.0);
}

TEST_CASE("the same seed reproduces a training run bit for bit") {
  Generator data_gen(4);
  const nn::Dataset data = nn::linear(40, data_gen);
  const Setup s{.seed = 5, .adam = true, .lr = 0.05, .epochs = 30, .batch = 8, .shuffle = true};
  std::unique_ptr<nn::MLP> a;
  std::unique_ptr<nn::MLP> b;
  std::unique_ptr<nn::MLP> c;
  const Outcome first = train(data, s, &a);
  const Outcome second = train(data, s, &b);
  CHECK(first.losses == second.losses);
  CHECK(nn_test::same_parameters(*a, *b));
  Setup other = s;
  other.seed = 6;
  const Outcome third = train(data, other, &c);
  CHECK(first.losses != third.losses);
  CHECK_FALSE(nn_test::same_parameters(*a, *c));
}

TEST_CASE("the scalar track learns XOR, micrograd style") {
  Generator gen(7);
  const nn::scalar::MLP mlp({2, 4, 1}, gen, nn::Activation::tanh, nn::Activation::sigmoid);
  const nn::Dataset data = nn::xor_easy();
  nn::Adam adam(mlp.parameters(), {.lr = 0.1});
  auto predict = [&](std::size_t i) { return mlp({Value(data.inputs(i, 0)), Value(data.inputs(i, 1))})[0]; };
  double first_loss = 0.0;
  double last_loss = 0.0;
  for (int epoch = 0; epoch < 150; ++epoch) {
    Value loss(0.0);
    for (std::size_t i = 0; i < data.size(); ++i) {
      loss = loss + nn::binary_cross_entropy(predict(i), Value(data.labels(i, 0)));
    }
    loss = loss / static_cast<double>(data.size());
    adam.zero_grad();
    loss.backward();
    adam.step();
    (epoch == 0 ? first_loss : last_loss) = loss.item();
  }
  std::size_t right = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    right += (predict(i).item() >= 0.5) == (data.labels(i, 0) == 1.0) ? 1 : 0;
  }
  CHECK(right == data.size());
  CHECK(last_loss < 0.1 * first_loss);
}
