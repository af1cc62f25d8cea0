#pragma once
// The reports' Discussion experiments: the same training run under a few settings of one choice.

#include "options.hpp"

namespace lab {

/// Trains once per setting of `options.sweep` (learning rate 0.01 / 0.1 / 1; hidden sizes 2×1,
/// 5×5, 10×10, 100×100; activation sigmoid / tanh / relu / none; optimizer sgd / momentum /
/// adam), everything else as in `options`, then writes sweep_<kind>.png (the learning curves)
/// and sweep_<kind>.md (final loss, accuracy, epochs to 100%) into the output folder.
void run_sweep(const Options& options);

}  // namespace lab
