// scalar_xor — a network made of single numbers learns XOR, micrograd style.
//
// Every weight is its own 0-d Value and every multiply and add of the network is a node of the
// graph: the same engine that backpropagates through matrices backpropagates through this web
// of scalars. The program trains nn::scalar::MLP (2 → 4 → 1, tanh then sigmoid) on the lab's 21
// XOR points with plain gradient descent, prints its progress and predictions, and draws the
// graph of one forward pass with Graphviz.
//
// Run:  build/<preset>/examples/scalar_xor [folder]     (the graph goes to the current folder by default)
//
// Output (abridged):
//   2-4-1 scalar network: 17 parameters, one graph node per multiply, add and activation
//   epoch    0  loss 0.2604  accuracy 52.4%
//   ...
//   epoch  500  loss 0.0127  accuracy 100.0%
//   point (0.0, 0.0)  label 0  prediction 0.0243
//   point (0.2, 0.8)  label 1  prediction 0.9942
//   ...
//   the graph of one prediction has 48 nodes
//   wrote ./scalar_xor.dot
//   wrote ./scalar_xor.png

#include "files.hpp"  // examples/support

#include <xgrad/nn.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

namespace nn = xgrad::nn;
using xgrad::Value;

namespace {

// The i-th point of a dataset as two 0-d Values (plain data: no gradient wanted).
std::vector<Value> point(const nn::Dataset& data, std::size_t i) {
  return {Value(data.inputs(i, 0)), Value(data.inputs(i, 1))};
}

// Mean squared error over the whole dataset, one scalar graph per point; also counts the points
// classified right (prediction ≥ ½ means class 1).
Value loss_over(const nn::scalar::MLP& model, const nn::Dataset& data, std::size_t& correct) {
  Value total(0.0);
  correct = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const Value p = model(point(data, i))[0];
    const double y = data.labels(i, 0);
    const Value error = p - y;
    total = total + error * error;
    correct += (p.item() >= 0.5) == (y == 1.0) ? 1 : 0;
  }
  return total / static_cast<double>(data.size());
}

// The number of nodes of the graph behind `v`.
std::size_t count_nodes(const Value& v) {
  std::size_t n = 0;
  std::vector<const void*> seen;
  std::vector<Value> stack{v};
  while (!stack.empty()) {
    const Value u = stack.back();
    stack.pop_back();
    if (std::find(seen.begin(), seen.end(), u.id()) != seen.end()) {
      continue;
    }
    seen.push_back(u.id());
    ++n;
    stack.insert(stack.end(), u.inputs().begin(), u.inputs().end());
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::filesystem::path folder = argc > 1 ? argv[1] : ".";
  xgrad::Generator gen(1);
  const nn::Dataset data = nn::xor_easy();
  const nn::scalar::MLP model({2, 4, 1}, gen, nn::Activation::tanh, nn::Activation::sigmoid);
  std::printf("2-4-1 scalar network: %zu parameters, one graph node per multiply, add and activation\n",
              model.parameters().size());

  // Gradient descent, written out: forward, zero the gradients, backward, step.
  const double lr = 2.0;
  std::size_t correct = 0;
  for (int epoch = 0; epoch <= 500; ++epoch) {
    const Value loss = loss_over(model, data, correct);
    model.zero_grad();
    loss.backward();
    {
      xgrad::NoGradGuard no_grad;  // the update itself is not part of any graph
      for (const Value& p : model.parameters()) {
        p.mutable_data() -= lr * p.grad();
      }
    }
    if (epoch % 100 == 0) {
      std::printf("epoch %4d  loss %.4f  accuracy %.1f%%\n", epoch, loss.item(),
                  100.0 * static_cast<double>(correct) / static_cast<double>(data.size()));
    }
  }
  for (std::size_t i = 0; i < data.size(); i += 5) {
    std::printf("point (%.1f, %.1f)  label %.0f  prediction %.4f\n", data.inputs(i, 0), data.inputs(i, 1),
                data.labels(i, 0), model(point(data, i))[0].item());
  }

  // The graph of one prediction: inputs and the 17 parameters at the leaves, the output at the root.
  std::vector<Value> x = point(data, 1);
  x[0].set_label("x1");
  x[1].set_label("x2");
  const Value prediction = model(x)[0].set_label("p");
  model.zero_grad();  // so the picture shows this prediction's gradients alone
  prediction.backward({.retain_graph = true});
  std::printf("the graph of one prediction has %zu nodes\n", count_nodes(prediction));
  const std::filesystem::path png = examples::write_graph(folder, "scalar_xor", xgrad::to_dot(prediction));
  std::printf("wrote %s\n", (folder / "scalar_xor.dot").c_str());
  if (!png.empty()) {
    std::printf("wrote %s\n", png.c_str());
  }
  return correct == data.size() ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "scalar_xor: %s\n", e.what());
  return 1;
}
