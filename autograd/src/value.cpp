#include <xgrad/value.hpp>

#include "ops/broadcast.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>
#include <vector>

namespace xgrad {

namespace {

// The count of live nodes, kept without a locked instruction per node: each thread keeps its own
// balance — nodes it made minus nodes it destroyed, negative when it destroys another thread's —
// which only that thread writes, with a plain load and store; live_nodes() adds up the balances
// of the running threads and what finished threads left. (A fetch_add on one shared counter for
// every node made and a fetch_sub for every node destroyed took a sixth of the time of a scalar
// op: benchmarks.md.)
struct NodeBalance {
  std::atomic<std::int64_t> count;
  NodeBalance* next;  // the list of running threads' balances
  NodeBalance* prev;
  enum State : std::uint8_t { fresh, counting, closed } state;
};
// Trivially destructible and constant-initialised, like the list below: valid before the
// thread's first node, after its thread_local destructors have run, and during the process's
// exit. The list links the balances themselves, so keeping it allocates nothing.
constinit thread_local NodeBalance balance{};
constinit std::mutex balances_mutex;
constinit NodeBalance* running_balances = nullptr;        // guarded by balances_mutex
constinit std::atomic<std::int64_t> finished_balance{0};  // what threads that have ended left

// Hands the thread's balance to the finished total when the thread ends.
struct BalanceCloser {
  BalanceCloser() = default;
  BalanceCloser(const BalanceCloser&) = delete;
  BalanceCloser& operator=(const BalanceCloser&) = delete;
  ~BalanceCloser() {
    const std::lock_guard lock(balances_mutex);
    finished_balance.fetch_add(balance.count.load(std::memory_order_relaxed), std::memory_order_relaxed);
    balance.count.store(0, std::memory_order_relaxed);
    (balance.prev != nullptr ? balance.prev->next : running_balances) = balance.next;
    if (balance.next != nullptr) {
      balance.next->prev = balance.prev;
    }
    balance.state = NodeBalance::closed;
  }
};
thread_local BalanceCloser balance_closer;

// The first node on a thread links its balance into the list; a node made or destroyed while
// the thread ends counts in the finished total.
[[gnu::noinline]] void count_nodes_slow(std::int64_t change) noexcept {
  if (balance.state == NodeBalance::closed) {
    finished_balance.fetch_add(change, std::memory_order_relaxed);
    return;
  }
  (void)&balance_closer;  // odr-use: constructs it, so that its destructor runs at thread exit
  const std::lock_guard lock(balances_mutex);
  balance.next = running_balances;
  balance.prev = nullptr;
  if (running_balances != nullptr) {
    running_balances->prev = &balance;
  }
  running_balances = &balance;
  balance.state = NodeBalance::counting;
  balance.count.store(change, std::memory_order_relaxed);
}

void count_nodes(std::int64_t change) noexcept {
  if (balance.state == NodeBalance::counting) [[likely]] {
    balance.count.store(balance.count.load(std::memory_order_relaxed) + change, std::memory_order_relaxed);
  } else {
    count_nodes_slow(change);
  }
}

}  // namespace

namespace detail {

// Iterative: a node's inputs are taken out before it is deleted, so destroying a million-node
// chain uses constant stack.
void destroy_unowned(Node* node) noexcept {
  if (node->inputs.size() == 0) {  // the common case: a backward pass has already released them
    delete node;
    return;
  }
  std::vector<detail::Node*> pending;
  detail::Node* current = node;
  while (current != nullptr) {
    for (Value& input : current->inputs.span()) {
      detail::Node* parent = input.release();
      if (parent == nullptr) {
        continue;
      }
      --parent->consumers;
      if (--parent->refs == 0) {
        pending.push_back(parent);
      }
    }
    current->inputs.clear();
    delete current;
    current = nullptr;
    if (!pending.empty()) {
      current = pending.back();
      pending.pop_back();
    }
  }
}

}  // namespace detail

namespace {

// Appends elements [offset, offset + extent of axis..] of `t` in numpy's nested-bracket form.
void print_axis(std::ostream& os, const Tensor& t, std::size_t axis, std::size_t& offset) {
  if (axis == t.dimension()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", t.data()[offset++]);
    os << buf;
    return;
  }
  os << '[';
  for (std::size_t i = 0; i < t.shape()[axis]; ++i) {
    os << (i > 0 ? ", " : "");
    print_axis(os, t, axis + 1, offset);
  }
  os << ']';
}

void print_tensor(std::ostream& os, const Tensor& t) {
  std::size_t offset = 0;
  print_axis(os, t, 0, offset);
}

Tensor from_nested(std::initializer_list<std::initializer_list<double>> rows) { return Tensor(rows); }

}  // namespace

std::string shape_str(std::span<const std::size_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) {
      s += ',';
    }
    s += std::to_string(shape[i]);
  }
  return s + ")";
}

namespace detail {

void InputList::assign_on_heap(std::span<const Value> inputs) {
  Value* to = heap_ = static_cast<Value*>(::operator new(inputs.size() * sizeof(Value)));
  size_ = static_cast<std::uint32_t>(inputs.size());
  for (const Value& v : inputs) {
    new (to++) Value(v);
    ++v.node()->consumers;
  }
}

// The inputs are taken last: nothing after them can throw, and nothing is kept across the call
// of their uncommon case. (The members' destructors free nothing: what a constructor that
// throws has taken, it gives back itself.)
Node::Node(Tensor&& data_in, const char* op_in, bool requires_grad_in, std::span<const Value> inputs_in)
    : op(op_in), requires_grad(requires_grad_in) {
  tensor_.emplace(std::move(data_in));
  try {
    inputs.assign(inputs_in);
  } catch (...) {
    tensor_.reset();
    throw;
  }
  count_nodes(1);
}

Node::Node(double x, const char* op_in, bool requires_grad_in, std::span<const Value> inputs_in)
    : op(op_in), requires_grad(requires_grad_in), value_(x) {
  inputs.assign(inputs_in);
  count_nodes(1);
}

// One test for every part: a node freed by a backward pass has none left. (A test per part, in
// the members' destructors, and the registers saved around their calls, made up most of the
// cost of destroying a scalar op's node: benchmarks.md.)
Node::~Node() {
  count_nodes(-1);
  if (owns_parts()) [[unlikely]] {
    free_parts();
  }
}

void Node::free_parts() noexcept {
  inputs.clear();
  grad.reset();
  tensor_.reset();
  delete extras_;
}

Tensor& Node::build_tensor() const { return tensor_.emplace(scalar_tensor(value_)); }

Grads Node::backward(Tensor&&) const { throw graph_error("backward: a leaf has no backward step"); }

void Node::backward_scalar(double, double*) const {
  throw graph_error(std::string("backward: '") + op + "' has no 0-d backward step");
}

}  // namespace detail

Value::Value() : Value(0.0) {}
Value::Value(double x) : node_(new detail::Node(x, "leaf", false)) {}
Value::Value(Tensor data) : node_(new detail::Node(std::move(data), "leaf", false)) {}
Value::Value(std::initializer_list<std::initializer_list<double>> rows) : Value(from_nested(rows)) {}
Value::Value(std::initializer_list<std::initializer_list<std::initializer_list<double>>> blocks)
    : Value(Tensor(blocks)) {}

const Tensor& Value::grad() const { return mutable_grad(); }

Tensor& Value::mutable_grad() const {
  if (!node_->is_leaf) {
    if (!node_->retains_grad) {
      throw graph_error(std::string("grad: this value is the result of '") + node_->op +
                        "', whose gradient is not kept; call retain_grad() on it before backward");
    }
    std::unique_ptr<Tensor>& kept = node_->extras().retained_grad;
    if (!kept) {
      kept = std::make_unique<Tensor>(xt::zeros<double>(node_->shape()));
    }
    return *kept;
  }
  if (!node_->grad) {
    node_->grad.emplace(xt::zeros<double>(node_->shape()));
  }
  return *node_->grad;
}

bool Value::has_grad() const { return node_->is_leaf ? node_->grad.has_value() : node_->retained_grad() != nullptr; }

void Value::zero_grad() const {
  if (has_grad()) {
    mutable_grad().fill(0.0);
  }
}

void Value::clear_grad() const {
  if (node_->is_leaf) {
    node_->grad.reset();
  } else {
    if (node_->retained_grad() != nullptr) {
      node_->extras().retained_grad.reset();
    }
  }
}

double Value::item() const {
  if (size() != 1) {
    throw value_error("item: needs a value with exactly one element, got shape " + shape_str(shape()));
  }
  return node_->scalar();
}

const Value& Value::set_requires_grad(bool on) const {
  if (!node_->is_leaf) {
    throw graph_error(std::string("set_requires_grad: only a leaf can be marked; this value is the result of '") +
                      node_->op + "' (use detach() for a new leaf)");
  }
  node_->requires_grad = on;
  return *this;
}

void Value::retain_grad() const {
  if (!node_->is_leaf) {
    node_->retains_grad = true;
  }
}

Value Value::detach() const { return node_->dimension() == 0 ? Value(node_->scalar()) : Value(Tensor(node_->data())); }

std::span<const Value> Value::inputs() const { return node_->inputs.span(); }
const std::string& Value::label() const {
  static const std::string none;
  const std::string* label = node_->label();
  return label != nullptr ? *label : none;
}
const Value& Value::set_label(std::string label) const {
  if (!label.empty() || node_->label() != nullptr) {
    node_->extras().label = std::move(label);
  }
  return *this;
}

std::ostream& operator<<(std::ostream& os, const Value& v) {
  os << "Value(";
  if (!v.label().empty()) {
    os << "label=" << v.label() << ", ";
  }
  os << "data=";
  print_tensor(os, v.data());
  if (v.has_grad()) {
    os << ", grad=";
    print_tensor(os, v.grad());
  }
  return os << ")";
}

std::size_t live_nodes() {
  const std::lock_guard lock(balances_mutex);
  std::int64_t total = finished_balance.load(std::memory_order_relaxed);
  for (const NodeBalance* b = running_balances; b != nullptr; b = b->next) {
    total += b->count.load(std::memory_order_relaxed);
  }
  return static_cast<std::size_t>(total);
}

}  // namespace xgrad
