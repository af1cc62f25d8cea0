#pragma once
/// @file
/// Switching graph recording off: `NoGradGuard` for optimizer updates and inference.

namespace xgrad {

namespace detail {
// The thread's mode, read inline by every op (grad_mode.cpp).
extern constinit thread_local bool grad_mode_enabled;
}  // namespace detail

/// Whether ops on this thread record graph nodes (true unless a NoGradGuard is alive).
inline bool grad_enabled() noexcept { return detail::grad_mode_enabled; }

/// While alive, ops on this thread record nothing: their results are plain leaves that do not
/// require grad. Guards nest; each restores the mode it found.
class NoGradGuard {
 public:
  NoGradGuard() noexcept;
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace xgrad
