#pragma once
// Internal: the graph node behind a Value. Included by value.hpp; not part of the stable API.

#include <xgrad/grads.hpp>
#include <xgrad/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace xgrad::detail {

// The inputs of a node. Up to three live inline, so unary, binary and ternary ops (`linear`,
// `where`) never allocate for them; more go to a heap block whose pointer shares their bytes.
// 32 bytes in all: part of what keeps a scalar op's node within two cache lines.
class InputList {
 public:
  InputList() noexcept {}  // NOLINT(modernize-use-equals-default): the union stays unconstructed
  InputList(const InputList&) = delete;
  InputList& operator=(const InputList&) = delete;
  // Does nothing: the node that owns the list clears it (Node::~Node, which tests it along with
  // its other parts in one go).
  ~InputList() {}  // NOLINT(modernize-use-equals-default): the union's members are not destroyed here

  std::span<const Value> span() const { return {data(), size_}; }
  std::span<Value> span() { return {data(), size_}; }
  std::size_t size() const { return size_; }
  // Takes a handle to each of `inputs` and counts itself among each one's consumers; the list is
  // empty before.
  void assign(std::span<const Value> inputs);
  // Drops every input handle still held, and with it the consumer count it stood for. (A handle
  // moved out of the list takes its count along: whoever moved it takes the count back.)
  void clear() noexcept;

 private:
  [[gnu::noinline]] void assign_on_heap(std::span<const Value> inputs);
  Value* data() { return size_ > inline_size ? heap_ : inline_; }
  const Value* data() const { return size_ > inline_size ? heap_ : inline_; }

  static constexpr std::uint32_t inline_size = 3;
  union {
    Value inline_[inline_size];  // constructed: the first size_ of them, while size_ <= inline_size
    Value* heap_;                // size_ constructed handles, while size_ > inline_size
  };
  std::uint32_t size_ = 0;
};

// A tensor in a block of the small free lists (allocator.hpp), or nothing, with the part of
// std::optional's interface the engine uses; its owner resets it before it goes (the destructor
// is trivial). A node holds its data and its gradient this way rather than as 168-byte tensors
// in place: a scalar graph's nodes need neither (a 0-d op
// result keeps its value and its gradient as numbers), and without them a node takes two
// cache lines instead of five, which keeps a large scalar graph in cache and within the free
// lists' quota (benchmarks.md).
class TensorSlot {
 public:
  TensorSlot() = default;
  TensorSlot(const TensorSlot&) = delete;
  TensorSlot& operator=(const TensorSlot&) = delete;
  // Trivial: the node that owns the slot resets it (Node::~Node).
  ~TensorSlot() = default;

  explicit operator bool() const noexcept { return tensor_ != nullptr; }
  bool has_value() const noexcept { return tensor_ != nullptr; }
  Tensor& operator*() const noexcept { return *tensor_; }
  Tensor* operator->() const noexcept { return tensor_; }
  Tensor* get() const noexcept { return tensor_; }

  // Builds the tensor from `args`, replacing any it held.
  template <class... A>
  Tensor& emplace(A&&... args) {
    reset();
    void* block = allocate_small(sizeof(Tensor));
    try {
      tensor_ = new (block) Tensor(std::forward<A>(args)...);
    } catch (...) {
      free_small(block, sizeof(Tensor));
      throw;
    }
    return *tensor_;
  }
  void reset() noexcept {
    if (tensor_ != nullptr) {
      tensor_->~Tensor();
      free_small(tensor_, sizeof(Tensor));
      tensor_ = nullptr;
    }
  }

 private:
  Tensor* tensor_ = nullptr;
};

// The shape of a 0-d value.
inline constinit const Shape no_axes{};

// The number operand of an op such as `a * 0.5` or `1 - a`, for the graph picture.
struct NumberOperand {
  double number = 0.0;
  std::int8_t side = 1;  // 1: the right operand; −1: the left
};

// A node owns its data, its gradient and (through InputList) its inputs; never itself. Nodes are
// reference counted by Value handles and by their consumers, and destroyed iteratively.
//
// A 0-d node made from a number (a scalar graph's leaves and op results) keeps just that number
// until something asks for its data as a Tensor: building, moving and destroying a 168-byte
// tensor and its one-element buffer cost more than the rest of a recorded scalar op
// (benchmarks.md). The tensor is then built in its slot and is the data from then on.
class Node {
 public:
  Node(Tensor&& data, const char* op, bool requires_grad, std::span<const Value> inputs = {});
  // A 0-d node holding `x`, with no tensor built.
  Node(double x, const char* op, bool requires_grad, std::span<const Value> inputs = {});
  virtual ~Node();
  Node(const Node&) = delete;
  // Nodes come from the per-thread free lists of small blocks (allocator.hpp): a graph frees
  // and allocates them by the thousand. The virtual destructor passes each node's own size.
  static void* operator new(std::size_t bytes) { return allocate_small(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { free_small(p, bytes); }
  Node& operator=(const Node&) = delete;

  // The data as a tensor, built at the first call for a node made from a number; from then on
  // the tensor is the data (what mutable_data() writes is what every later read sees).
  const Tensor& data() const { return tensor_ ? *tensor_ : build_tensor(); }
  Tensor& mutable_data() { return tensor_ ? *tensor_ : build_tensor(); }
  // The data's shape, axes and elements, without building a tensor.
  const Shape& shape() const noexcept { return tensor_ ? tensor_->shape() : no_axes; }
  std::size_t dimension() const noexcept { return tensor_ ? tensor_->dimension() : 0; }
  std::size_t size() const noexcept { return tensor_ ? tensor_->size() : 1; }
  // The first (for a 0-d node: the only) element.
  double scalar() const noexcept { return tensor_ ? *tensor_->data() : value_; }

  // The backward step of the op that made this node; leaves have none.
  // The step receives the gradient arriving at this node and may reuse its buffer.
  virtual Grads backward(Tensor&& grad_out) const;
  // The step's 0-d form, for a node with `has_scalar_step`: writes the gradient of each input
  // into `grads[0 .. inputs.size())`.
  virtual void backward_scalar(double grad_out, double* grads) const;
  // Frees what the backward step saved (its closure); the node keeps its data.
  virtual void release_saved() noexcept {}
  // The op's number operand, for an op that has one (NumberedStep); null for any other node.
  virtual const NumberOperand* number_operand() const noexcept { return nullptr; }

  // Leaves: the accumulated gradient. Op results: the gradient arriving during one backward
  // sweep, emptied when the sweep has used it, so it never leaks into a later sweep.
  TensorSlot grad;
  // What few nodes have, in one block made at first use: set_label's name; for an op result
  // after retain_grad(), the gradients kept across sweeps. Kept out of the node, they leave it
  // at 112 bytes: nodes packed 128 bytes apart, not 192 (benchmarks.md).
  struct Extras {
    std::string label;
    std::unique_ptr<Tensor> retained_grad;
    // From the free lists, like the node.
    static void* operator new(std::size_t bytes) { return allocate_small(bytes); }
    static void operator delete(void* p, std::size_t bytes) noexcept { free_small(p, bytes); }
  };
  Extras& extras() {
    if (extras_ == nullptr) {
      extras_ = new Extras;
    }
    return *extras_;
  }
  const Tensor* retained_grad() const noexcept { return extras_ != nullptr ? extras_->retained_grad.get() : nullptr; }
  const std::string* label() const noexcept { return extras_ != nullptr ? &extras_->label : nullptr; }
  // A 0-d op result: the gradient arriving during one backward sweep, in place of `grad`
  // (valid while `has_scalar_grad`).
  double scalar_grad = 0.0;
  InputList inputs;
  const char* op;
  std::uint64_t visit = 0;  // stamp of the last backward sweep that reached this node
  std::uint32_t refs = 1;
  bool requires_grad;
  bool is_leaf = true;
  bool retains_grad = false;
  bool freed = false;  // an earlier backward released the graph behind this node
  bool has_scalar_grad = false;
  bool has_scalar_step = false;  // the op gave a 0-d form of its backward step
  bool has_saved = false;        // release_saved() has something to free (a closure with a destructor)
  // How many live nodes hold this one among their inputs (once per appearance). A backward pass
  // without retain_graph runs a node's step when the last of them has handed it its gradient.
  std::uint32_t consumers = 0;

 private:
  // Builds the 0-d tensor of a node made from a number.
  Tensor& build_tensor() const;
  // Whether the node still owns a tensor, its extras or an input handle: what the destructor
  // must free besides the node itself (a node freed by a backward pass, most nodes, owns none).
  bool owns_parts() const noexcept {
    return (reinterpret_cast<std::uintptr_t>(tensor_.get()) | reinterpret_cast<std::uintptr_t>(grad.get()) |
            reinterpret_cast<std::uintptr_t>(extras_) | inputs.size()) != 0;
  }
  void free_parts() noexcept;

  double value_ = 0.0;         // the data of a node made from a number, until it has a tensor
  mutable TensorSlot tensor_;  // the data, for a node made from a tensor or once built
  Extras* extras_ = nullptr;   // owned: freed with the node
};

// Inline: every recorded op makes one, and the call cost half as much as the copy. The heap
// case is a call of its own, so that the common one needs no registers saved around it.
inline void InputList::assign(std::span<const Value> inputs) {
  if (inputs.size() > inline_size) [[unlikely]] {
    assign_on_heap(inputs);
    return;
  }
  size_ = static_cast<std::uint32_t>(inputs.size());
  Value* to = inline_;
  for (const Value& v : inputs) {
    Node* input = v.node();  // an op's inputs are never null handles
    ++input->refs;
    ++input->consumers;
    new (to++) Value(Value::adopt(input));
  }
}

inline void InputList::clear() noexcept {
  Value* d = data();
  for (std::uint32_t i = 0; i < size_; ++i) {
    if (Node* input = d[i].node(); input != nullptr) {
      --input->consumers;
    }
    d[i].~Value();
  }
  if (size_ > inline_size) {
    ::operator delete(heap_, size_ * sizeof(Value));
  }
  size_ = 0;
}

// The most inputs an op with a 0-d step may have (the sweep keeps their gradients on its stack).
inline constexpr std::size_t max_scalar_step_inputs = 3;

// The second step of an op that gives only the tensor one.
struct NoScalarStep {};

// The tensor step of an op result, kept until release_saved() frees what it captured.
template <class F>
class SavedStep {
 public:
  template <class G>
  explicit SavedStep(G&& fn) : fn_(std::in_place, std::forward<G>(fn)) {}
  const F& operator*() const { return *fn_; }
  void reset() noexcept { fn_.reset(); }

 private:
  std::optional<F> fn_;
};

// A step with nothing to free is kept as it is, with no engaged flag: a captureless one (most
// steps: they read what they need from their arguments) then takes no byte, and the node stays
// at 112 bytes.
template <class F>
requires std::is_trivially_destructible_v<F>
class SavedStep<F> {
 public:
  template <class G>
  explicit SavedStep(G&& fn) : fn_(std::forward<G>(fn)) {}
  const F& operator*() const { return fn_; }
  void reset() noexcept {}

 private:
  [[no_unique_address]] F fn_;
};

// The 0-d step of an op with a number operand, and that operand: the graph picture finds it in
// the node of such an op (OpNode::number_operand), and nodes of other ops have no room for it.
template <class S>
struct NumberedStep {
  S step;
  NumberOperand operand;
  auto operator()(double grad_out, double out, std::span<const Value> inputs) const {
    return step(grad_out, out, inputs);
  }
};

template <class S>
inline constexpr bool is_numbered_step = false;
template <class S>
inline constexpr bool is_numbered_step<NumberedStep<S>> = true;

// An op result: the node and its backward closures in one allocation. `S` is the 0-d form of
// the step (NoScalarStep for none).
template <class F, class S = NoScalarStep>
class OpNode final : public Node {
 public:
  // `out` is the result: a Tensor, or the number of a 0-d result.
  template <class Out, class G, class H = NoScalarStep>
  OpNode(Out&& out, const char* op, std::span<const Value> in, G&& fn, H&& scalar_fn = {})
      : Node(std::forward<Out>(out), op, true, in), fn_(std::forward<G>(fn)), scalar_fn_(std::forward<H>(scalar_fn)) {
    is_leaf = false;
    has_scalar_step = !std::is_same_v<S, NoScalarStep>;  // record() may turn it off
    has_saved = !std::is_trivially_destructible_v<F>;
  }
  Grads backward(Tensor&& grad_out) const override { return (*fn_)(std::move(grad_out), data(), inputs.span()); }
  void backward_scalar(double grad_out, double* grads) const override {
    if constexpr (std::is_same_v<S, NoScalarStep>) {
      Node::backward_scalar(grad_out, grads);
    } else {
      const auto g = scalar_fn_(grad_out, scalar(), inputs.span());
      std::copy(g.begin(), g.end(), grads);
    }
  }
  void release_saved() noexcept override { fn_.reset(); }
  const NumberOperand* number_operand() const noexcept override {
    if constexpr (is_numbered_step<S>) {
      return &scalar_fn_.operand;
    } else {
      return nullptr;
    }
  }

 private:
  [[no_unique_address]] SavedStep<F> fn_;
  [[no_unique_address]] S scalar_fn_;
};

// A scalar op's node, its closure capturing nothing, takes a 112-byte block: blocks of that size
// lie 128 bytes apart in memory, one of 128 would take 192 (benchmarks.md).
static_assert(sizeof(Node) <= 112, "a node's common fields fit 112 bytes; rare ones go in Node::Extras");

// Deletes `node`, whose last reference is gone, and every input that this leaves unowned.
void destroy_unowned(Node* node) noexcept;

}  // namespace xgrad::detail

namespace xgrad {

// The handle's members used on every op, inline: each is a few instructions, less than a call.

inline Value::Value(const Value& other) noexcept : node_(other.node_) {
  if (node_ != nullptr) {
    ++node_->refs;
  }
}
inline Value::Value(Value&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
inline Value& Value::operator=(const Value& other) noexcept {
  Value copy(other);
  std::swap(node_, copy.node_);
  return *this;
}
inline Value& Value::operator=(Value&& other) noexcept {
  std::swap(node_, other.node_);
  return *this;
}
inline Value::~Value() {
  if (node_ != nullptr && --node_->refs == 0) {
    detail::destroy_unowned(node_);
  }
}
inline detail::Node* Value::release() noexcept { return std::exchange(node_, nullptr); }

inline const Tensor& Value::data() const { return node_->data(); }
inline Tensor& Value::mutable_data() const { return node_->mutable_data(); }
inline const Shape& Value::shape() const { return node_->shape(); }
inline std::size_t Value::dim() const { return node_->dimension(); }
inline std::size_t Value::size() const { return node_->size(); }
inline bool Value::requires_grad() const { return node_->requires_grad; }
inline bool Value::is_leaf() const { return node_->is_leaf; }
inline const char* Value::op() const { return node_->op; }

}  // namespace xgrad
