#pragma once
// The two models the kill test's writer saves in turn: the same architecture, different seeds,
// and about half a megabyte of parameters each, so that a save takes long enough to be
// interrupted at every stage.

#include <xgrad/nn.hpp>

#include <cstdint>
#include <memory>

namespace kill_test {

/// Model A (`which` = 0), model B (1), or a third one (2) to load into.
inline std::unique_ptr<xgrad::nn::MLP> model(int which) {
  xgrad::Generator gen(101 + 101 * static_cast<std::uint64_t>(which));
  return std::make_unique<xgrad::nn::MLP>(std::vector<std::size_t>{16, 256, 256, 1}, gen,
                                          xgrad::nn::MLPOptions{.bias_init = xgrad::nn::Init::normal});
}

}  // namespace kill_test
