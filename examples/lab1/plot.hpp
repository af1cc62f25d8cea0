#pragma once
// The lab's figures, drawn by gnuplot: each is a data file, a script that plots it, and a PNG.

#include "train.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace lab {

/// Writes figures into one folder. Every file is written atomically; the scripts can be rerun
/// by hand (`gnuplot comparison.gp` in that folder). Without gnuplot, or when told not to run it,
/// the data and scripts are still written.
class Plotter {
 public:
  Plotter(std::filesystem::path folder, bool run_gnuplot);

  /// Writes a data file named `file` into the folder.
  void write_data(const std::string& file, const std::string& text);
  /// Writes `name`.gp — a PNG terminal of the given size, then `commands` — and runs it to make
  /// `name`.png.
  void draw(const std::string& name, int width, int height, const std::string& commands);
  /// Prints where the figures are, or why there are none.
  void print_summary() const;

 private:
  std::filesystem::path folder_;
  bool run_;
  bool missing_ = false;
  std::vector<std::string> drawn_;
  std::vector<std::string> failed_;
};

/// learning_curve.png: the loss (log scale, top) and the accuracy (bottom) against the epoch.
void plot_learning_curve(Plotter& plotter, const std::vector<EpochStats>& history, const std::string& title);

/// comparison.png: the ground truth (left) beside the network's predictions (right), points red
/// for class 0 and blue for class 1, over the decision regions of the network.
void plot_comparison(Plotter& plotter, Experiment& experiment, const std::string& title);

/// One labelled learning curve of a sweep.
struct Curve {
  std::string label;
  std::vector<EpochStats> history;
};

/// `name`.png: the learning curves of a sweep, loss (top) and accuracy (bottom), one line per
/// setting, under a heading and a line describing the settings shared by every run.
void plot_sweep(Plotter& plotter, const std::string& name, const std::string& heading, const std::string& settings,
                const std::vector<Curve>& curves);

}  // namespace lab
