#pragma once
/// @file
/// Parameter initialisers, each driven by an explicit seeded generator.

#include <xgrad/random.hpp>
#include <xgrad/tensor.hpp>

#include <cstddef>
#include <string>

namespace xgrad::nn {

/// How a layer's parameters start.
enum class Init {
  zeros,            ///< all 0
  uniform,          ///< U[0, 1) — `np.random.rand`, as in several lab reports
  normal,           ///< N(0, 1) — `np.random.randn`
  xavier_uniform,   ///< U(±√(6/(fan_in + fan_out))) — Glorot, suits sigmoid and tanh
  xavier_normal,    ///< N(0, √(2/(fan_in + fan_out)))
  kaiming_uniform,  ///< U(±√(6/fan_in)) — He, suits ReLU
  kaiming_normal,   ///< N(0, √(2/fan_in))
};

/// A tensor of `shape` drawn per `init` for a layer with `fan_in` inputs and `fan_out` outputs.
/// Throws value_error for a Kaiming kind with fan_in = 0 or a Xavier kind with no fan at all.
Tensor initial_tensor(Init init, const Shape& shape, std::size_t fan_in, std::size_t fan_out, Generator& gen);

/// "xavier_uniform" etc.; `parse_init` throws value_error naming the accepted names.
std::string to_string(Init init);
Init parse_init(const std::string& name);

}  // namespace xgrad::nn
