#pragma once
/// @file
/// `Grads`: what a backward step returns — one optional gradient per input.

#include <xgrad/tensor.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace xgrad {

/// The gradients a backward step returns, one per input and in input order. An entry may be
/// `std::nullopt` for an input that does not require grad (the step may skip computing it);
/// every other entry must have its input's shape — the engine checks.
///
/// Entries may be given as Tensors or as xtensor expressions, which are evaluated here, at once:
/// `return {g * b, g * a};`.
class Grads {
 public:
  Grads() = default;

  template <class... G>
  requires(sizeof...(G) > 0 && !(std::same_as<std::remove_cvref_t<G>, Grads> || ...))
      Grads(G&&... grads) {  // NOLINT(google-explicit-constructor): `return {ga, gb};` is the idiom
    items_.reserve(sizeof...(G));
    (push_back(std::forward<G>(grads)), ...);
  }

  /// Appends the gradient of the next input (a Tensor, an expression, or std::nullopt).
  template <class G>
  void push_back(G&& grad) {
    using D = std::remove_cvref_t<G>;
    if constexpr (std::is_same_v<D, std::nullopt_t>) {
      items_.emplace_back();
    } else if constexpr (std::is_same_v<D, std::optional<Tensor>>) {
      items_.push_back(std::forward<G>(grad));
    } else {
      items_.emplace_back(std::in_place, std::forward<G>(grad));
    }
  }

  std::size_t size() const { return items_.size(); }
  std::optional<Tensor>& operator[](std::size_t i) { return items_[i]; }
  const std::optional<Tensor>& operator[](std::size_t i) const { return items_[i]; }

 private:
  std::vector<std::optional<Tensor>> items_;
};

}  // namespace xgrad
