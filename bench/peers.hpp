#pragma once
// The peers the workload is measured against, built only with -DXGRAD_BENCH_PEERS=ON:
// LibTorch's C++ frontend for the training step, ADOL-C for the scalar graph. Their headers
// stay in peers_*.cpp, so the rest of the benchmarks compile without them.

#include "workload.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace bench::peers {

// Single-threaded LibTorch (intra- and inter-op). Call once, early in main().
void init_torch();

// torch::nn::Sequential of Linear and Sigmoid in float64, ½·mse_loss, torch::optim::SGD,
// starting from the problem's weights (transposed into Linear's (out, in) layout).
std::unique_ptr<Trainer> make_torch_trainer(const Problem& problem);

// make_xgrad_chain's chain on float64 torch tensors.
std::function<void()> make_torch_chain(std::size_t k, std::size_t links);

// The scalar workload as an ADOL-C tape of adoubles, same weights, data and operation order.
class AdolcScalar {
 public:
  explicit AdolcScalar(const ScalarWorkload& like);
  // Records the network and its loss on a fresh tape (define-by-run, as each step of a
  // dynamic-graph library does), then one reverse sweep. Returns the loss.
  double record_pass();
  // Replays the tape recorded last (zero-order forward, keeping values) and sweeps it in
  // reverse: the tape-once mode, for orientation. Returns the loss.
  double replay_pass();
  // Operations on the tape of one recording.
  std::size_t tape_ops() const;
  // Bytes the tape of one recording holds: operations (1 byte each), locations, constants and
  // the values kept for the reverse sweep (ADOL-C's own accounting, from tapestats).
  std::size_t tape_bytes() const;
  const std::vector<double>& gradients() const { return grad_; }

 private:
  double record();

  std::size_t hidden_;
  std::vector<double> inputs_;  // row-major (n, 2)
  std::vector<double> labels_;
  std::vector<double> weights_;
  std::vector<double> grad_;
};

}  // namespace bench::peers
