#pragma once
// The lab program's settings: what the command line can change, and its defaults.

#include <xgrad/nn/activation.hpp>

#include <CLI/App.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace lab {

/// Which of the lab's datasets to learn.
enum class DataKind { linear, xor_easy };
/// How the parameters are updated from their gradients.
enum class OptimizerKind { sgd, momentum, adam };
/// What the network minimises.
enum class LossKind { mse, bce };
/// Which Discussion experiment --sweep runs (none: a single training run).
enum class SweepKind { none, lr, hidden, activation, optimizer };

/// Everything one run needs. The defaults train both datasets to 100% accuracy in well under a
/// second; `lr == 0` and `print_every == 0` mean "choose for me" (see resolve_defaults).
struct Options {
  DataKind data = DataKind::linear;
  std::size_t n = 100;  ///< points of the linear dataset (XOR always has 21)
  double lr = 0.0;      ///< 0: the optimizer's default rate
  std::size_t h1 = 10;
  std::size_t h2 = 10;
  xgrad::nn::Activation activation = xgrad::nn::Activation::sigmoid;
  OptimizerKind optimizer = OptimizerKind::adam;
  LossKind loss = LossKind::mse;
  std::size_t epochs = 2000;
  std::size_t batch = 0;  ///< rows per update; 0: the full batch
  std::uint64_t seed = 1;
  std::size_t print_every = 0;  ///< 0: about ten lines per run
  std::string out = "lab1-output";
  std::string save;  ///< checkpoint written after training (empty: none)
  std::string load;  ///< checkpoint read before training (empty: start fresh)
  SweepKind sweep = SweepKind::none;
  bool plots = true;  ///< false: write data and scripts, but do not run gnuplot
};

/// The learning rate each optimizer starts with unless --lr says otherwise.
double default_lr(OptimizerKind optimizer);

/// Declares every flag on `app`, each writing into `options` when parsed.
void add_flags(CLI::App& app, Options& options);

/// Fills in the settings left to the program (lr == 0, print_every == 0).
void resolve_defaults(Options& options);

/// Creates the output folder if needed and checks that files can be written to it (and next to
/// the --save checkpoint): a run that could not write its results stops before training.
/// Throws std::runtime_error with the reason.
void check_writable(const Options& options);

/// Names for printing: "linear", "SGD", "half MSE", …
std::string to_string(DataKind data);
std::string to_string(OptimizerKind optimizer);
std::string to_string(LossKind loss);
std::string to_string(SweepKind sweep);

/// One line naming the dataset, the network, the optimizer and the schedule of a run.
std::string describe(const Options& options);

}  // namespace lab
