#include <xgrad/nn/init.hpp>

#include "names.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace xgrad::nn {

namespace {

constexpr detail::NameTable<Init, 7> init_names{{
    {Init::zeros, "zeros"},
    {Init::uniform, "uniform"},
    {Init::normal, "normal"},
    {Init::xavier_uniform, "xavier_uniform"},
    {Init::xavier_normal, "xavier_normal"},
    {Init::kaiming_uniform, "kaiming_uniform"},
    {Init::kaiming_normal, "kaiming_normal"},
}};

template <class Draw>
Tensor filled(const Shape& shape, Draw draw) {
  Tensor t = Tensor::from_shape(shape);
  for (double& x : t) {
    x = draw();
  }
  return t;
}

// The scaled kinds divide by a fan: without one, their bound or deviation is not a number.
void require_fans(Init init, std::size_t fan_in, std::size_t fan_out) {
  const bool by_in = init == Init::kaiming_uniform || init == Init::kaiming_normal;
  const bool by_sum = init == Init::xavier_uniform || init == Init::xavier_normal;
  if ((by_in && fan_in == 0) || (by_sum && fan_in + fan_out == 0)) {
    throw value_error("initial_tensor: " + to_string(init) + " needs a positive " +
                      (by_in ? std::string("fan_in") : std::string("fan_in + fan_out")) + ", got fan_in " +
                      std::to_string(fan_in) + " and fan_out " + std::to_string(fan_out));
  }
}

}  // namespace

Tensor initial_tensor(Init init, const Shape& shape, std::size_t fan_in, std::size_t fan_out, Generator& gen) {
  require_fans(init, fan_in, fan_out);
  const auto in = static_cast<double>(fan_in);
  const auto sum = static_cast<double>(fan_in + fan_out);
  auto uniform = [&](double bound) { return filled(shape, [&] { return gen.uniform(-bound, bound); }); };
  auto normal = [&](double stddev) { return filled(shape, [&] { return stddev * gen.normal(); }); };
  switch (init) {
    case Init::zeros:
      return xt::zeros<double>(shape);
    case Init::uniform:
      return filled(shape, [&] { return gen.uniform(); });
    case Init::normal:
      return normal(1.0);
    case Init::xavier_uniform:
      return uniform(std::sqrt(6.0 / sum));
    case Init::xavier_normal:
      return normal(std::sqrt(2.0 / sum));
    case Init::kaiming_uniform:
      return uniform(std::sqrt(6.0 / in));
    case Init::kaiming_normal:
      return normal(std::sqrt(2.0 / in));
  }
  throw value_error("initial_tensor: unknown initialiser");
}

std::string to_string(Init init) { return detail::name_of(init_names, init); }

Init parse_init(const std::string& name) { return detail::parse_name(init_names, "initialiser", name); }

}  // namespace xgrad::nn
