#include <xgrad/nn/optim.hpp>

#include <xgrad/grad_mode.hpp>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "names.hpp"

#include <cmath>
#include <string>

namespace xgrad::nn {

namespace {

void require(bool ok, const char* who, const std::string& what) {
  if (!ok) {
    throw value_error(std::string(who) + ": " + what);
  }
}

void require_rate(const char* who, double lr) {
  require(std::isfinite(lr) && lr >= 0.0, who,
          "learning rate must be finite and non-negative, got " + detail::number(lr));
}

std::vector<Tensor> zeros_like(const std::vector<Value>& params) {
  std::vector<Tensor> out;
  for (const Value& p : params) {
    out.emplace_back(xt::zeros<double>(p.shape()));
  }
  return out;
}

}  // namespace

Optimizer::Optimizer(std::vector<Value> params, double lr, const char* name)
    : params_(std::move(params)), lr_(lr), name_(name) {
  require_rate(name, lr);
  for (const Value& p : params_) {
    require(p.is_leaf() && p.requires_grad(), name, "every parameter must be a leaf that requires grad");
  }
}

void Optimizer::zero_grad() const {
  for (const Value& p : params_) {
    p.clear_grad();
  }
}

void Optimizer::set_lr(double lr) {
  require_rate(name_, lr);
  lr_ = lr;
}

void Optimizer::check_state(const OptimizerState& state, std::size_t per_param) const {
  require(state.buffers.size() == per_param * params_.size(), name_,
          "saved state holds " + std::to_string(state.buffers.size()) + " buffers, expected " +
              std::to_string(per_param * params_.size()));
  for (std::size_t i = 0; i < state.buffers.size(); ++i) {
    const Shape& want = params_[i % params_.size()].shape();
    require(state.buffers[i].shape() == want, name_,
            "saved buffer " + std::to_string(i) + " has shape " + shape_str(state.buffers[i].shape()) + ", expected " +
                shape_str(want));
  }
}

SGD::SGD(std::vector<Value> params, SGDOptions options)
    : Optimizer(std::move(params), options.lr, "SGD"), options_(options), velocity_(zeros_like(params_)) {
  require(options.momentum >= 0.0 && options.momentum < 1.0, "SGD",
          "momentum must be in [0, 1), got " + detail::number(options.momentum));
  require(!options.nesterov || options.momentum > 0.0, "SGD", "nesterov needs a positive momentum");
  require(std::isfinite(options.weight_decay) && options.weight_decay >= 0.0, "SGD",
          "weight decay must be non-negative, got " + detail::number(options.weight_decay));
}

void SGD::step() {
  NoGradGuard no_grad;
  const double mu = options_.momentum;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& theta = params_[i].mutable_data();
    if (mu == 0.0 && options_.weight_decay == 0.0) {
      // Plain descent: one pass over both buffers (same shape), no temporary.
      double* t = theta.data();
      const double* g = params_[i].grad().data();
      const double rate = lr();
      for (std::size_t k = 0, n = theta.size(); k < n; ++k) {
        t[k] -= rate * g[k];
      }
      continue;
    }
    const Tensor g = params_[i].grad() + options_.weight_decay * theta;
    if (mu == 0.0) {
      xt::noalias(theta) -= lr() * g;
      continue;
    }
    Tensor& v = velocity_[i];
    xt::noalias(v) = mu * v + g;  // v ← μv + g
    if (options_.nesterov) {
      xt::noalias(theta) -= lr() * (g + mu * v);
    } else {
      xt::noalias(theta) -= lr() * v;
    }
  }
  ++steps_;
}

OptimizerState SGD::state() const { return {steps_, velocity_}; }

void SGD::load_state(const OptimizerState& state) {
  check_state(state, 1);
  velocity_ = state.buffers;
  steps_ = state.steps;
}

Adam::Adam(std::vector<Value> params, AdamOptions options)
    : Optimizer(std::move(params), options.lr, "Adam"),
      options_(options),
      m_(zeros_like(params_)),
      v_(zeros_like(params_)) {
  require(options.beta1 >= 0.0 && options.beta1 < 1.0, "Adam",
          "beta1 must be in [0, 1), got " + detail::number(options.beta1));
  require(options.beta2 >= 0.0 && options.beta2 < 1.0, "Adam",
          "beta2 must be in [0, 1), got " + detail::number(options.beta2));
  require(std::isfinite(options.eps) && options.eps > 0.0, "Adam",
          "eps must be positive and finite, got " + detail::number(options.eps));
  require(std::isfinite(options.weight_decay) && options.weight_decay >= 0.0, "Adam",
          "weight decay must be non-negative, got " + detail::number(options.weight_decay));
}

void Adam::step() {
  NoGradGuard no_grad;
  ++steps_;
  const double b1 = options_.beta1;
  const double b2 = options_.beta2;
  const double correct1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
  const double correct2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& theta = params_[i].mutable_data();
    const Tensor g = params_[i].grad() + options_.weight_decay * theta;
    xt::noalias(m_[i]) = b1 * m_[i] + (1.0 - b1) * g;      // first moment
    xt::noalias(v_[i]) = b2 * v_[i] + (1.0 - b2) * g * g;  // second moment
    xt::noalias(theta) -= lr() * (m_[i] / correct1) / (xt::sqrt(v_[i] / correct2) + options_.eps);
  }
}

OptimizerState Adam::state() const {
  OptimizerState s{steps_, m_};
  s.buffers.insert(s.buffers.end(), v_.begin(), v_.end());
  return s;
}

void Adam::load_state(const OptimizerState& state) {
  check_state(state, 2);
  m_.assign(state.buffers.begin(), state.buffers.begin() + static_cast<std::ptrdiff_t>(params_.size()));
  v_.assign(state.buffers.begin() + static_cast<std::ptrdiff_t>(params_.size()), state.buffers.end());
  steps_ = state.steps;
}

}  // namespace xgrad::nn
