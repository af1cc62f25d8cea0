#pragma once
/// @file
/// `Grads`: what a backward step returns — one optional gradient per input.

#include <xgrad/tensor.hpp>

#include <array>
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
    (push_back(std::forward<G>(grads)), ...);
  }

  /// Appends the gradient of the next input (a Tensor, an expression, or std::nullopt).
  template <class G>
  void push_back(G&& grad) {
    using D = std::remove_cvref_t<G>;
    std::optional<Tensor>& slot = next_slot();
    if constexpr (std::is_same_v<D, std::nullopt_t>) {
      slot.reset();
    } else if constexpr (std::is_same_v<D, std::optional<Tensor>>) {
      slot = std::forward<G>(grad);
    } else {
      slot.emplace(std::forward<G>(grad));
    }
  }

  std::size_t size() const { return size_; }
  std::optional<Tensor>& operator[](std::size_t i) { return spilled_.empty() ? inline_[i] : spilled_[i]; }
  const std::optional<Tensor>& operator[](std::size_t i) const { return spilled_.empty() ? inline_[i] : spilled_[i]; }

 private:
  // Up to three gradients (every built-in op's arity) live inline: returning them allocates
  // nothing. A fourth moves them all into the vector.
  static constexpr std::size_t inline_size = 3;

  std::optional<Tensor>& next_slot() {
    if (size_ < inline_size) {
      return inline_[size_++];
    }
    if (spilled_.empty()) {
      spilled_.reserve(2 * inline_size);
      for (std::optional<Tensor>& g : inline_) {
        spilled_.push_back(std::move(g));
      }
    }
    ++size_;
    return spilled_.emplace_back();
  }

  std::array<std::optional<Tensor>, inline_size> inline_;
  std::vector<std::optional<Tensor>> spilled_;
  std::size_t size_ = 0;
};

}  // namespace xgrad
