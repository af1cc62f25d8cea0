#pragma once
// Training the lab's network. The gradients come from autograd: no derivative is written here.

#include "options.hpp"

#include <xgrad/nn.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace lab {

/// What one epoch measured (or a final evaluation).
struct EpochStats {
  std::size_t epoch = 0;
  double loss = 0.0;
  double accuracy = 0.0;  ///< fraction of samples classified right, in [0, 1]
};

/// Everything a training run reads or changes: the data, the network and its optimizer.
struct Experiment {
  xgrad::nn::Dataset data;
  std::shared_ptr<xgrad::nn::MLP> model;
  std::unique_ptr<xgrad::nn::Optimizer> optimizer;
  std::size_t epochs_done = 0;  ///< epochs already trained (more than 0 after --load)
};

/// Builds the dataset, the network 2 → h1 → h2 → 1 and the optimizer from the options; with
/// --load, the network and optimizer continue from the checkpoint.
Experiment make_experiment(const Options& options);

/// Called after each epoch with what it measured.
using EpochCallback = std::function<void(const EpochStats&)>;

/// Trains for options.epochs epochs and returns what each one measured.
std::vector<EpochStats> train(Experiment& experiment, const Options& options, const EpochCallback& after_epoch);

/// The network's outputs (probabilities, shape (rows, 1)) for `inputs`, without recording a graph.
xgrad::Tensor predict(xgrad::nn::MLP& model, const xgrad::Tensor& inputs);

/// Loss and accuracy of the network as it is now, on the whole dataset.
EpochStats evaluate(Experiment& experiment, LossKind loss);

/// The first epoch at which every sample was classified right, or 0 if none was.
std::size_t epochs_to_perfect(const std::vector<EpochStats>& history);

}  // namespace lab
