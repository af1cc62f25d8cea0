#pragma once
// What the program prints: the lab reports' logs.

#include "train.hpp"

#include <xgrad/tensor.hpp>

#include <cstddef>

namespace lab {

/// Prints `epoch E loss L accuracy A` every `every` epochs and after the last one. Between those
/// lines, when stdout is a terminal, a progress bar is redrawn in place (never into a pipe or a
/// file, which receive only the log lines).
class EpochLog {
 public:
  /// A log for a run of `epochs` epochs that starts after `epochs_done`.
  EpochLog(std::size_t epochs_done, std::size_t epochs, std::size_t every);
  void operator()(const EpochStats& stats);

 private:
  void draw_progress(std::size_t done);
  void clear_progress();

  std::size_t first_;
  std::size_t last_;
  std::size_t every_;
  std::size_t redraw_every_;
  bool terminal_;
  bool bar_shown_ = false;
};

/// One line per sample, as in the reports: `Iter i | Ground truth y | prediction p`.
void print_samples(const xgrad::Tensor& labels, const xgrad::Tensor& predictions);

/// `final loss L accuracy A% (right/total)`, with the loss to full double precision.
void print_final(const EpochStats& stats, std::size_t samples);

}  // namespace lab
