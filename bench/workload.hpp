#pragma once
// The side-by-side workload: the lab's network 2 → h → h → 1, sigmoid after every layer, ½·MSE,
// full-batch gradient descent in double precision. One training step is forward + backward +
// SGD update. Every variant (xgrad, hand-derived, LibTorch) starts from the same weights on the
// same data, so their first losses agree to rounding and their times compare the same work.

#include "hand_backprop.hpp"

#include <xgrad/nn.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using xgrad::Tensor;

// One problem size: `points` samples, `hidden` units in each of the two hidden layers.
struct Size {
  std::size_t points;
  std::size_t hidden;
  std::string label() const;  // "(1000,64)"
};

// The benchmark sizes, smallest first: the XOR set, then seeded linear(n) data.
const std::vector<Size>& standard_sizes();

// Data and initial weights of one size, shared by every variant.
struct Problem {
  Size size;
  xgrad::nn::Dataset data;  // inputs (n, 2), labels (n, 1)
  lab::Network initial;     // W laid out (in, out), as in nn::Linear
  double lr = 0.1;
};

// The lab's xor_easy() for 21 points, linear(n) from a fixed seed otherwise; weights of a
// seeded nn::MLP with its default initialisation (Xavier-uniform weights, zero biases).
Problem make_problem(const Size& size);

// A training loop of one kind: step() runs one full-batch step and returns the loss it saw
// (the loss before the update).
class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual double step() = 0;
  virtual const char* name() const = 0;
};

// nn::MLP + nn::half_mse_loss + backward + nn::SGD, model and optimizer reused across steps.
std::unique_ptr<Trainer> make_xgrad_trainer(const Problem& problem);
// The lab's hand-derived gradients, buffers preallocated once (lab::Backprop) + lab::sgd_step.
std::unique_ptr<Trainer> make_hand_trainer(const Problem& problem);

// The micrograd-style scalar network: nn::scalar::MLP of 0-d Values, sigmoid everywhere, on the
// XOR set; one pass records the whole batch, its ½·MSE loss, and backpropagates.
class ScalarWorkload {
 public:
  ScalarWorkload(std::size_t hidden, std::uint64_t seed);
  // zero_grad + forward + backward; returns the loss.
  double pass();
  // Graph nodes recorded by one pass (ops, not leaves): the unit of "per op".
  std::size_t ops() const { return ops_; }
  // The parameters' values and, after pass(), their gradients, in parameters() order.
  std::vector<double> weights() const;
  std::vector<double> gradients() const;
  std::size_t hidden() const { return hidden_; }
  const xgrad::nn::Dataset& data() const { return data_; }
  // Records one forward pass and returns its loss node (the graph stays alive with it).
  xgrad::Value record();

 private:
  std::size_t hidden_;
  xgrad::nn::Dataset data_;
  xgrad::nn::scalar::MLP model_;
  std::vector<xgrad::Value> params_;
  std::vector<std::vector<xgrad::Value>> inputs_;
  std::size_t ops_ = 0;
};

// A chain of `links` × (mul, add, sigmoid) on (k, k) tensors, then sum: 3·links + 1 recorded
// ops, forward and backward, as one call. The fixed cost of an op on a tiny tensor.
std::function<void()> make_xgrad_chain(std::size_t k, std::size_t links);

// Makes every BLAS (and OpenMP) in the process single-threaded. Call first thing in main():
// it sets OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1 and re-executes the program if they
// were not already set, so that libraries which read them at load time see them too.
void single_threaded(int argc, char** argv);

}  // namespace bench
