#pragma once
/// @file
/// `Value`: a node of the dynamic graph, holding a tensor and its gradient.

#include <xgrad/tensor.hpp>

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <span>
#include <string>

namespace xgrad {

namespace detail {
class Node;
}

/// Options of a backward pass.
struct BackwardOptions {
  /// Keep the graph's saved tensors and links, so that backward can run through it again.
  bool retain_graph = false;
};

/// A handle to a node of the dynamic graph: a tensor of doubles (0-d for a scalar), its
/// gradient, and — for the result of an op — the op's inputs and backward step.
///
/// A copy of a Value aliases the same node: both see the same data and the same gradient,
/// like a `std::shared_ptr`. `const` applies to the handle, not to the node. Handles are cheap
/// (one pointer, a reference count that is not atomic): share a graph within one thread.
///
/// A reference returned by data() or grad() lives as long as the node: bind the Value first —
/// `for (double x : f(v).data())` reads a node that is already gone.
///
/// Brace initialisation follows numpy's nesting: `Value{2.0}` is 0-d, `Value{{1.0, 2.0}}` has
/// shape (1,2), `Value{{1.0, 2.0}, {3.0, 4.0}}` shape (2,2); a 1-d value is `Value({1.0, 2.0})`
/// or `Value(Tensor{1.0, 2.0})`. (A 3-d list whose innermost lists hold one number each is
/// ambiguous in C++; build such a value from a Tensor.)
class Value {
 public:
  /// A 0-d leaf holding 0.
  Value();
  /// A 0-d leaf holding `x`.
  Value(double x);  // NOLINT(google-explicit-constructor): a number is a Value, as in micrograd
  /// A leaf holding `data`.
  Value(Tensor data);  // NOLINT(google-explicit-constructor)
  /// A 2-d leaf from rows: `Value{{1, 2}, {3, 4}}`.
  Value(std::initializer_list<std::initializer_list<double>> rows);
  /// A 3-d leaf from nested lists.
  Value(std::initializer_list<std::initializer_list<std::initializer_list<double>>> blocks);

  Value(const Value& other) noexcept;
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other) noexcept;
  Value& operator=(Value&& other) noexcept;
  ~Value();

  /// The node's tensor. A 0-d value made from a number (`Value(2.0)`, an elementwise op on 0-d
  /// values) holds just the number until the first call builds its tensor; like the reference
  /// count, that is not safe from two threads at once.
  const Tensor& data() const;
  /// The node's tensor, writable in place (optimizer updates). Changing a tensor that a graph
  /// still needs for its backward pass makes that pass wrong.
  Tensor& mutable_data() const;
  /// The accumulated gradient (zeros of the data's shape until a backward pass reaches it).
  /// Leaves always keep theirs; on an op's result this throws graph_error unless retain_grad()
  /// was called, rather than returning a zero that was never computed.
  const Tensor& grad() const;
  /// The gradient, writable in place (gradient clipping, optimizers).
  Tensor& mutable_grad() const;
  /// True once a backward pass has written a gradient here (and until the node is destroyed).
  bool has_grad() const;
  /// Sets the gradient to zero, keeping its buffer for the next pass.
  void zero_grad() const;
  /// Drops the gradient: has_grad() turns false, grad() reads zeros again, and the next backward
  /// pass stores its gradient here as it arrives instead of adding it to zeros (one pass over
  /// the buffer fewer; what optimizers' zero_grad() does).
  void clear_grad() const;

  const Shape& shape() const;
  /// Number of axes (0 for a scalar).
  std::size_t dim() const;
  /// Number of elements.
  std::size_t size() const;
  /// The single element of a one-element value; throws value_error otherwise.
  double item() const;

  /// Whether gradients flow to this node.
  bool requires_grad() const;
  /// Marks a leaf as a parameter (or not); throws graph_error on the result of an op.
  /// Returns the handle, so `Value w = Value(t).set_requires_grad();` reads naturally.
  const Value& set_requires_grad(bool on = true) const;
  /// True for a node made from data rather than by an op.
  bool is_leaf() const;
  /// Keeps the gradient of an op's result after backward (leaves always keep theirs).
  void retain_grad() const;

  /// A new leaf with a copy of the data, outside any graph.
  Value detach() const;

  /// The name of the op that produced this node; "leaf" for leaves.
  const char* op() const;
  /// The op's inputs (empty for leaves, and after backward has freed the graph).
  std::span<const Value> inputs() const;
  /// An optional human-readable name, shown by `to_dot` and `operator<<`.
  const std::string& label() const;
  const Value& set_label(std::string label) const;

  /// Backpropagates from this one-element value, seeding its gradient with 1.
  void backward(BackwardOptions options = {}) const;
  /// Backpropagates with `seed` as the gradient of this value (same shape as the data).
  void backward(const Tensor& seed, BackwardOptions options) const;
  /// @overload
  /// A template only so that `v.backward({.retain_graph = true})` can never be read as a seed
  /// (GCC 12 finds that call ambiguous against a `const Tensor&` parameter): pass a seed as a
  /// Tensor or an expression, `v.backward(Tensor{1.0, 0.5})`, not as a bare braced list.
  template <class Seed>
  requires std::convertible_to<const Seed&, Tensor>
  void backward(const Seed& seed) const { backward(seed, BackwardOptions{}); }

  /// True when both handles refer to the same node.
  bool is_same(const Value& other) const { return node_ == other.node_; }
  /// The node's address, stable for its lifetime (used to name graph nodes).
  const void* id() const { return node_; }

  /// Internal: a handle that refers to no node (only for xgrad's own containers).
  static Value null_handle() noexcept { return Value(nullptr); }
  /// Internal: adopts a freshly created node whose reference count is already 1.
  static Value adopt(detail::Node* node) noexcept { return Value(node); }
  /// Internal: gives up the reference without releasing it.
  detail::Node* release() noexcept;
  detail::Node* node() const noexcept { return node_; }

 private:
  explicit Value(detail::Node* node) noexcept : node_(node) {}

  detail::Node* node_;
};

/// The inputs a backward step receives: the op's input handles, in order.
using Inputs = std::span<const Value>;

/// Prints `Value(data=…, grad=…)`, with the label if there is one.
std::ostream& operator<<(std::ostream& os, const Value& v);

/// Number of graph nodes alive in the process (all threads). Tests check it returns to its
/// starting value: every node is freed once no handle or consumer refers to it.
std::size_t live_nodes();

}  // namespace xgrad

#include <xgrad/detail/node.hpp>
