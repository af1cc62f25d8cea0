#include <xgrad/grad_mode.hpp>

namespace xgrad {

namespace {
thread_local bool grad_mode_enabled = true;
}

bool grad_enabled() noexcept { return grad_mode_enabled; }

NoGradGuard::NoGradGuard() noexcept : previous_(grad_mode_enabled) { grad_mode_enabled = false; }

NoGradGuard::~NoGradGuard() { grad_mode_enabled = previous_; }

}  // namespace xgrad
