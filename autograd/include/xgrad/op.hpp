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

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <tuple>
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

/// What the 0-d form of a backward step returns: one gradient per input, as numbers.
template <std::size_t N>
using ScalarGrads = std::array<double, N>;

/// The number held by a one-element value, unchecked: for 0-d backward steps, whose inputs are
/// known to be 0-d (Value::item() checks the size).
inline double scalar_of(const Value& v) { return v.node()->scalar(); }

namespace detail {

// The array type a 0-d backward step `S` returns.
template <class S>
using ScalarGradsOf = std::invoke_result_t<const S&, double, double, Inputs>;

template <class T>
struct is_double_array : std::false_type {};
template <std::size_t N>
struct is_double_array<std::array<double, N>> : std::true_type {};

}  // namespace detail

namespace detail {

// True when a 0-d form of a step fits `inputs`: it gives one number per input, right only for
// inputs that are 0-d or take no gradient.
inline bool fits_scalar_step(std::span<const Value> inputs) {
  return std::ranges::all_of(inputs, [](const Value& v) { return v.dim() == 0 || !v.requires_grad(); });
}

// record_op for a result `out` given as a Tensor or, for a 0-d result, as a number. Whether the
// node uses its 0-d step is decided here, once, instead of checked at every backward step;
// `Inputs0d` says the caller knows every input is 0-d (the elementwise ops' 0-d lanes).
template <bool Inputs0d = false, class Out, class F, class... S>
Value record(const char* name, Out&& out, std::span<const Value> inputs, F&& backward, S&&... scalar_backward) {
  static_assert(std::is_invocable_r_v<Grads, const std::decay_t<F>&, Tensor&&, const Tensor&, Inputs>,
                "a backward step is callable as (const Tensor& grad_out, const Tensor& out, Inputs) -> Grads");
  static_assert((is_double_array<ScalarGradsOf<std::decay_t<S>>>::value && ...),
                "a 0-d backward step is callable as (double grad_out, double out, Inputs) -> std::array<double, N>");
  static_assert(((std::tuple_size_v<ScalarGradsOf<std::decay_t<S>>> <= max_scalar_step_inputs) && ...),
                "a 0-d backward step is for ops of at most three inputs");
  if (anomaly_detection_enabled()) {
    check_forward(name, out, inputs);
  }
  if (!will_record(inputs)) {
    return Value::adopt(new Node(std::forward<Out>(out), "leaf", false));  // Value(out) would move it twice
  }
  if constexpr (sizeof...(S) == 0) {
    return Value::adopt(new OpNode<std::decay_t<F>>(std::forward<Out>(out), name, inputs, std::forward<F>(backward)));
  } else {
    if (((std::tuple_size_v<ScalarGradsOf<std::decay_t<S>>> != inputs.size()) || ...)) {
      throw graph_error(std::string(name) + ": its 0-d backward step returns " +
                        std::to_string((std::tuple_size_v<ScalarGradsOf<std::decay_t<S>>> + ...)) + " gradients for " +
                        std::to_string(inputs.size()) + " inputs");
    }
    auto* node = new OpNode<std::decay_t<F>, std::decay_t<S>...>(
        std::forward<Out>(out), name, inputs, std::forward<F>(backward), std::forward<S>(scalar_backward)...);
    if constexpr (!Inputs0d) {
      node->has_scalar_step = fits_scalar_step(inputs);
    }
    return Value::adopt(node);
  }
}

}  // namespace detail

/// Records `out` as the result of op `name` applied to `inputs`, with its backward step
/// `backward(const Tensor& grad_out, const Tensor& out, Inputs inputs) -> Grads`.
/// When grad mode is off or no input requires grad, returns a plain leaf instead.
/// `name` must outlive the graph (a string literal).
/// `out` is taken by rvalue reference so that the result moves into the node once: pass a
/// temporary, an xtensor expression, or `std::move(t)`; an lvalue goes to the overload below,
/// which copies it.
///
/// An op may add the step's 0-d form after it, `scalar_backward(double grad_out, double out,
/// Inputs inputs) -> ScalarGrads<N>`: the same derivative for a 0-d output, one gradient
/// per input (N = the number of inputs, at most three; an input that does not require grad may get any
/// number). When the output and every input that requires grad are 0-d (as recorded) the engine
/// calls it instead of `backward`, with no tensor built for any gradient — the micrograd-style
/// graph of scalars runs on these; otherwise it calls `backward`. (Anomaly mode
/// uses `backward`, which checks every gradient; gradcheck's 0-d samples test both forms.)
template <class F, class... S>
requires(sizeof...(S) <= 1) Value
    record_op(const char* name, Tensor&& out, std::span<const Value> inputs, F&& backward, S&&... scalar_backward) {
  return detail::record(name, std::move(out), inputs, std::forward<F>(backward), std::forward<S>(scalar_backward)...);
}

/// @overload
/// Records a 0-d result given as a number. The node keeps the number and builds a tensor only
/// if its data() is asked for: the way for an op on 0-d inputs to skip building one (a scalar
/// graph records one such result per op).
template <class F, class... S>
requires(sizeof...(S) <= 1) Value
    record_op(const char* name, double out, std::span<const Value> inputs, F&& backward, S&&... scalar_backward) {
  return detail::record(name, out, inputs, std::forward<F>(backward), std::forward<S>(scalar_backward)...);
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
template <class F, class... S>
requires(sizeof...(S) <= 1) Value record_op(const char* name, Tensor&& out, std::initializer_list<Value> inputs,
                                            F&& backward, S&&... scalar_backward) {
  return record_op(name, std::move(out), std::span<const Value>(inputs.begin(), inputs.size()),
                   std::forward<F>(backward), std::forward<S>(scalar_backward)...);
}

/// @overload
template <class F, class... S>
requires(sizeof...(S) <= 1) Value
    record_op(const char* name, double out, std::initializer_list<Value> inputs, F&& backward, S&&... scalar_backward) {
  return record_op(name, out, std::span<const Value>(inputs.begin(), inputs.size()), std::forward<F>(backward),
                   std::forward<S>(scalar_backward)...);
}

/// @overload
/// Records a copy of `out`.
template <class F, class... S>
requires(sizeof...(S) <= 1) Value record_op(const char* name, const Tensor& out, std::span<const Value> inputs,
                                            F&& backward, S&&... scalar_backward) {
  return record_op(name, Tensor(out), inputs, std::forward<F>(backward), std::forward<S>(scalar_backward)...);
}

/// @overload
template <class F, class... S>
requires(sizeof...(S) <= 1) Value record_op(const char* name, const Tensor& out, std::initializer_list<Value> inputs,
                                            F&& backward, S&&... scalar_backward) {
  return record_op(name, Tensor(out), std::span<const Value>(inputs.begin(), inputs.size()), std::forward<F>(backward),
                   std::forward<S>(scalar_backward)...);
}

}  // namespace xgrad
