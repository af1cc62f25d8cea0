// The lab reports' console output: epoch logs, per-sample predictions, the final result.

#include "report.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace lab {

EpochLog::EpochLog(std::size_t epochs_done, std::size_t epochs, std::size_t every)
    : first_(epochs_done + 1),
      last_(epochs_done + epochs),
      every_(every),
      redraw_every_(epochs >= 200 ? epochs / 200 : 1),
      terminal_(::isatty(STDOUT_FILENO) == 1) {}

void EpochLog::operator()(const EpochStats& s) {
  if (s.epoch % every_ == 0 || s.epoch == last_) {
    clear_progress();
    std::printf("epoch %zu loss %.8g accuracy %.4f\n", s.epoch, s.loss, s.accuracy);
    std::fflush(stdout);
  } else if (terminal_ && (s.epoch - first_) % redraw_every_ == 0) {
    draw_progress(s.epoch - first_ + 1);
  }
}

void EpochLog::draw_progress(std::size_t done) {
  constexpr int width = 40;
  const std::size_t total = last_ - first_ + 1;
  const auto filled = static_cast<int>(width * done / total);
  std::printf("\r  [%s%*s] %zu/%zu epochs", std::string(static_cast<std::size_t>(filled), '#').c_str(), width - filled,
              "", done, total);
  std::fflush(stdout);
  bar_shown_ = true;
}

void EpochLog::clear_progress() {
  if (bar_shown_) {
    std::printf("\r\033[K");  // back to the line's start, erase to its end
    bar_shown_ = false;
  }
}

void print_samples(const xgrad::Tensor& labels, const xgrad::Tensor& predictions) {
  const int width = static_cast<int>(std::to_string(labels.size() - 1).size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::printf("Iter %*zu | Ground truth %.0f | prediction %.5f\n", width, i, labels(i, 0), predictions(i, 0));
  }
}

void print_final(const EpochStats& s, std::size_t samples) {
  const auto right = static_cast<std::size_t>(std::lround(s.accuracy * static_cast<double>(samples)));
  std::printf("final loss %.17g accuracy %.2f%% (%zu/%zu)\n", s.loss, 100.0 * s.accuracy, right, samples);
}

}  // namespace lab
