#pragma once
/// @file
/// Anomaly mode: find the op where a NaN or an infinity first appears.

#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <span>

namespace xgrad {

/// A NaN or infinity produced by an op while anomaly mode is on.
class anomaly_error : public error {
 public:
  using error::error;
};

namespace detail {
// The thread's mode, read inline by every op (anomaly.cpp).
extern constinit thread_local bool anomaly_mode;
}  // namespace detail

/// Whether anomaly mode is on for this thread.
inline bool anomaly_detection_enabled() noexcept { return detail::anomaly_mode; }

/// While alive, every op on this thread checks its result, and every backward step the
/// gradients it returns: the first NaN or infinity throws anomaly_error naming the op and the
/// shapes — e.g. a loss that went NaN is traced to the exp that overflowed. Off by default;
/// when off, the only cost is one thread-local flag test per op.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() noexcept;
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

namespace detail {
// Throws anomaly_error if `out`, the forward result of op `name`, is not finite.
void check_forward(const char* name, const Tensor& out, std::span<const Value> inputs);
// The same for a 0-d result given as a number.
void check_forward(const char* name, double out, std::span<const Value> inputs);
// Throws anomaly_error if `grad`, the gradient op `name` returned for input `index`, is not finite.
void check_backward(const char* name, const Tensor& grad, std::size_t index, std::span<const Value> inputs);
}  // namespace detail

}  // namespace xgrad
