#pragma once
/// @file
/// Switching graph recording off: `NoGradGuard` for optimizer updates and inference.

namespace xgrad {

/// Whether ops on this thread record graph nodes (true unless a NoGradGuard is alive).
bool grad_enabled() noexcept;

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
