#include <xgrad/grad_mode.hpp>

namespace xgrad {

constinit thread_local bool detail::grad_mode_enabled = true;

NoGradGuard::NoGradGuard() noexcept : previous_(detail::grad_mode_enabled) { detail::grad_mode_enabled = false; }

NoGradGuard::~NoGradGuard() { detail::grad_mode_enabled = previous_; }

}  // namespace xgrad
