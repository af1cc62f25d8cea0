#pragma once
/// @file
/// Defining a primitive op: the same entry point xgrad's built-in ops use.
///
/// A primitive is one function: check the inputs, compute the output, then record it with its
/// backward step right below. The step receives the gradient of the output, the output itself
/// and the inputs, and returns one gradient per input (`std::nullopt` for an input that does
/// not require grad):
///
/// ```
/// Value cube(const Value& x) {
///   return record_op("cube", xt::pow(x.data(), 3), {x},
///                    [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
///                      return {g * 3.0 * xt::square(in[0].data())};  // d(x³)/dx = 3x²
///                    });
/// }
/// ```
///
/// The gradient of the output is handed over as an rvalue: a step that declares its parameter
/// `Tensor&& g` may update it in place and return it, saving an allocation (`g *= 2.0; return
/// {std::move(g)};`); one that declares `const Tensor& g` simply reads it.
///
/// The step must capture only plain data by value (numbers, evaluated Tensors), never a Value
/// (it gets the inputs as its argument) and never a reference to a local.

#include <xgrad/anomaly.hpp>
#include <xgrad/grad_mode.hpp>
#include <xgrad/grads.hpp>
#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <initializer_list>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

namespace xgrad {

/// Whether an op on `inputs` records a node: grad mode is on and at least one input requires
/// grad. A forward pass that computes something only its backward step needs (a derivative to
/// save) can skip it otherwise.
inline bool will_record(std::span<const Value> inputs) {
  if (!grad_enabled()) {
    return false;
  }
  for (const Value& v : inputs) {
    if (v.requires_grad()) {
      return true;
    }
  }
  return false;
}

/// @overload
inline bool will_record(std::initializer_list<Value> inputs) {
  return will_record(std::span<const Value>(inputs.begin(), inputs.size()));
}

/// Records `out` as the result of op `name` applied to `inputs`, with its backward step
/// `backward(const Tensor& grad_out, const Tensor& out, Inputs inputs) -> Grads`.
/// When grad mode is off or no input requires grad, returns a plain leaf instead.
/// `name` must outlive the graph (a string literal).
/// `out` is taken by rvalue reference so that the result moves into the node once: pass a
/// temporary, an xtensor expression, or `std::move(t)`; an lvalue goes to the overload below,
/// which copies it.
template <class F>
Value record_op(const char* name, Tensor&& out, std::span<const Value> inputs, F&& backward) {
  static_assert(std::is_invocable_r_v<Grads, const std::decay_t<F>&, Tensor&&, const Tensor&, Inputs>,
                "a backward step is callable as (const Tensor& grad_out, const Tensor& out, Inputs) -> Grads");
  if (anomaly_detection_enabled()) {
    detail::check_forward(name, out, inputs);
  }
  if (!will_record(inputs)) {
    return Value(std::move(out));
  }
  return Value::adopt(new detail::OpNode<std::decay_t<F>>(std::move(out), name, inputs, std::forward<F>(backward)));
}

/// The gradient `make()` returns, or std::nullopt — without calling `make` — when `input` does
/// not require grad. Lets a backward step skip work for constant inputs (data, targets).
template <class F>
std::optional<Tensor> grad_for(const Value& input, F&& make) {
  if (!input.requires_grad()) {
    return std::nullopt;
  }
  return Tensor(std::forward<F>(make)());
}

/// @overload
template <class F>
Value record_op(const char* name, Tensor&& out, std::initializer_list<Value> inputs, F&& backward) {
  return record_op(name, std::move(out), std::span<const Value>(inputs.begin(), inputs.size()),
                   std::forward<F>(backward));
}

/// @overload
/// Records a copy of `out`.
template <class F>
Value record_op(const char* name, const Tensor& out, std::span<const Value> inputs, F&& backward) {
  return record_op(name, Tensor(out), inputs, std::forward<F>(backward));
}

/// @overload
template <class F>
Value record_op(const char* name, const Tensor& out, std::initializer_list<Value> inputs, F&& backward) {
  return record_op(name, Tensor(out), std::span<const Value>(inputs.begin(), inputs.size()), std::forward<F>(backward));
}

}  // namespace xgrad
