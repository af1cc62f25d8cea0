// lab1 — the back-propagation lab, with gradients from autograd.
//
// A network 2 → h1 → h2 → 1 learns to classify points of the plane: the linearly separable
// dataset (label 0 below the diagonal, 1 above) or the lab's XOR cross. The program prints what
// the lab reports print — the loss and accuracy every few epochs, each sample's ground truth and
// prediction, the final loss and accuracy — and draws their figures with gnuplot.
//
// Run:  lab1 --data xor                  (the defaults reach 100% on both datasets: Adam at
//                                        lr 0.01 on the lab's ½·MSE, sigmoid 10×10, full batch)
//       lab1 --data linear --n 100 --optimizer sgd --loss bce --epochs 5000 --out results/sgd
//       lab1 --data xor --sweep lr       (a Discussion experiment)
//       lab1 --help
//
// Reading order: options.cpp (the flags), train.cpp (the training loop), report.cpp (the
// logs), plot.cpp (the figures), sweep.cpp (the experiments).

#include "options.hpp"
#include "plot.hpp"
#include "report.hpp"
#include "sweep.hpp"
#include "train.hpp"

#include <xgrad/nn.hpp>

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <cstdio>
#include <exception>

namespace {

// One training run: train, print, checkpoint, draw.
void run_once(lab::Options options) {
  lab::resolve_defaults(options);
  const std::string description = lab::describe(options);
  std::printf("%s\n", description.c_str());
  lab::Experiment e = lab::make_experiment(options);  // reads --load: may fail before anything is written
  lab::check_writable(options);
  if (e.epochs_done > 0) {
    std::printf("continuing from %s after epoch %zu\n", options.load.c_str(), e.epochs_done);
  }

  const auto history = lab::train(e, options, lab::EpochLog(e.epochs_done, options.epochs, options.print_every));
  lab::print_samples(e.data.labels, lab::predict(*e.model, e.data.inputs));
  lab::print_final(lab::evaluate(e, options.loss), e.data.size());

  if (!options.save.empty()) {
    xgrad::nn::save(*e.model, options.save, e.optimizer.get());
    std::printf("checkpoint: %s (epoch %zu)\n", options.save.c_str(), e.epochs_done);
  }
  lab::Plotter plotter(options.out, options.plots);
  lab::plot_learning_curve(plotter, history, description);
  lab::plot_comparison(plotter, e, description);
  plotter.print_summary();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lab1: train the lab's two-hidden-layer network on the linear or XOR data, with autograd."};
  lab::Options options;
  lab::add_flags(app, options);
  CLI11_PARSE(app, argc, argv);  // a bad flag or value: a message naming it, and a non-zero exit

  try {
    if (options.sweep == lab::SweepKind::none) {
      run_once(options);
    } else {
      lab::run_sweep(options);
    }
  } catch (const xgrad::error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "lab1: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "lab1: %s\n", e.what());
    return 1;
  }
  return 0;
}
