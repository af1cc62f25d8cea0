// Hand-derived backprop beside autograd.
//
// The lab reports derive every gradient of their network by hand (report 001's deltas). Here the
// same network is built twice from the same weights: once as plain tensors with those hand-written
// formulas (hand_backprop.cpp), once as an xgrad::nn::MLP whose gradients come from the graph.
// The program prints both gradients for every parameter and the largest difference: they agree
// to rounding, because reverse-mode differentiation *is* the chain rule the students applied.
//
// Output (abridged):
//   loss: hand-derived 0.22563802002631217, autograd 0.22563802002631217
//
//   parameter              hand-derived             autograd                 |difference|
//   layers.0.weight[0]     -7.53472314567242844e-04 -7.53472314567242519e-04 3.3e-19
//   layers.0.weight[1]      1.96661527882804367e-03  1.96661527882804324e-03 4.3e-19
//   ...
//   largest difference over 151 gradient entries: 3.5e-18

#include "hand_backprop.hpp"

#include <xgrad/nn.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nn = xgrad::nn;

int main() {
  xgrad::Generator gen(7);
  const nn::Dataset data = nn::xor_easy();

  // The autograd network: 2 → 10 → 10 → 1, sigmoid everywhere, the reports' N(0, 1) start.
  nn::MLP model({2, 10, 10, 1}, gen, {.init = nn::Init::normal, .bias_init = nn::Init::normal});

  // The hand-derived network starts from a copy of the very same numbers.
  const lab::Network net{model.linear(0).weight().data(), model.linear(0).bias().data(),
                         model.linear(1).weight().data(), model.linear(1).bias().data(),
                         model.linear(2).weight().data(), model.linear(2).bias().data()};
  const lab::Gradients hand = lab::backprop(net, data.inputs, data.labels);

  // Autograd: forward, loss, backward — no derivative written anywhere.
  const xgrad::Value loss = nn::half_mse_loss(model(xgrad::Value(data.inputs)), xgrad::Value(data.labels));
  loss.backward();
  std::printf("loss: hand-derived %.17g, autograd %.17g\n\n", hand.loss, loss.item());

  const xgrad::Tensor* by_hand[] = {&hand.w1, &hand.b1, &hand.w2, &hand.b2, &hand.w3, &hand.b3};
  std::printf("%-22s %-24s %-24s %s\n", "parameter", "hand-derived", "autograd", "|difference|");
  double worst = 0.0;
  std::size_t entries = 0;
  std::size_t k = 0;
  for (const nn::NamedParameter& p : model.named_parameters()) {
    const xgrad::Tensor& mine = *by_hand[k++];
    for (std::size_t i = 0; i < mine.size(); ++i, ++entries) {
      const double a = mine.data()[i];
      const double b = p.value.grad().data()[i];
      worst = std::max(worst, std::abs(a - b));
      if (i < 2) {  // the first two entries of each parameter, to keep the table short
        std::printf("%-22s % .17e % .17e %.2g\n", (p.name + "[" + std::to_string(i) + "]").c_str(), a, b,
                    std::abs(a - b));
      }
    }
  }
  std::printf("\nlargest difference over %zu gradient entries: %.2g\n", entries, worst);
  return worst < 1e-10 ? 0 : 1;
}
