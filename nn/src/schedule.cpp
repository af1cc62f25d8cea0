#include <xgrad/nn/schedule.hpp>

#include "names.hpp"

#include <cmath>
#include <string>

namespace xgrad::nn {

namespace {

void require_gamma(const char* who, double gamma) {
  if (!(gamma > 0.0) || !std::isfinite(gamma)) {
    throw value_error(std::string(who) + ": gamma must be positive and finite, got " + detail::number(gamma));
  }
}

}  // namespace

void LRSchedule::step() {
  ++epoch_;
  optimizer_.set_lr(base_lr_ * factor(epoch_));
}

StepLR::StepLR(Optimizer& optimizer, std::size_t step_size, double gamma)
    : LRSchedule(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size == 0) {
    throw value_error("StepLR: step_size must be positive");
  }
  require_gamma("StepLR", gamma);
}

double StepLR::factor(std::size_t epoch) const { return std::pow(gamma_, static_cast<double>(epoch / step_size_)); }

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRSchedule(optimizer), gamma_(gamma) {
  require_gamma("ExponentialLR", gamma);
}

double ExponentialLR::factor(std::size_t epoch) const { return std::pow(gamma_, static_cast<double>(epoch)); }

}  // namespace xgrad::nn
