// The reverse-mode engine: a sweep from the root down, each node's step run once its gradient is complete.
#include <xgrad/allocator.hpp>
#include <xgrad/anomaly.hpp>
#include <xgrad/value.hpp>

#include <xtensor/xnoalias.hpp>

#include "ops/broadcast.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace xgrad {

namespace {

std::atomic<std::uint64_t> sweep_counter{0};

[[noreturn]] void throw_freed(const detail::Node* node) {
  throw graph_error(std::string("backward: the graph through '") + node->op +
                    "' was already freed by an earlier backward; pass {.retain_graph = true} to the "
                    "earlier call to backpropagate through it again");
}

// On xgrad's allocator: the lists of a graph too large for the thread to keep them (WorkLists)
// come back from its buffer cache at the next pass, not as fresh pages from the system.
using Order = std::vector<Value, buffer_allocator<Value>>;
using Stack =
    std::vector<std::pair<detail::Node*, std::size_t>, buffer_allocator<std::pair<detail::Node*, std::size_t>>>;

std::uint64_t next_stamp() { return sweep_counter.fetch_add(1, std::memory_order_relaxed) + 1; }

// The op results reachable from `root` that need a gradient and were not yet stamped `stamp`,
// inputs before consumers, appended to `order`. An explicit stack instead of recursion, so depth
// never matters; a per-search stamp instead of a visited set. The handles in `order` keep every
// node alive until the sweep reaches it.
void topological_order(detail::Node* root, std::uint64_t stamp, Order& order, Stack& stack) {
  auto enter = [&](detail::Node* node) {
    if (node->freed) {
      throw_freed(node);
    }
    node->visit = stamp;
    stack.emplace_back(node, 0);
  };
  enter(root);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      detail::Node* input = node->inputs.span()[next++].node();
      if (input->requires_grad && !input->is_leaf && input->visit != stamp) {
        enter(input);  // may reallocate the stack: `node` and `next` are not used after this
      }
      continue;
    }
    ++node->refs;
    order.push_back(Value::adopt(node));
    stack.pop_back();
  }
}

// The work lists of a backward pass, kept per thread between passes so that a backward pass
// allocates nothing for them. A backward pass started while another runs on the same thread
// (from inside a backward step) uses lists of its own. Lists that grew past `kept` entries
// (2.5 MiB for the four) are freed afterwards rather than held for the thread's lifetime.
// (At 4096 entries, a scalar graph of 6000 ops grew its lists from nothing at every pass, through
// fresh pages from the system: three times the time per op of one of 5000; benchmarks.md.)
class WorkLists {
 public:
  struct Lists {
    Order order;    // a topological order (retain_graph, and what is left over without it)
    Order ready;    // op results whose gradient is complete, their steps still to run
    Order waiting;  // op results with part of their gradient, until the last consumer adds its own
    Stack stack;    // the depth-first search's
    bool busy = false;
  };
  WorkLists() : lists_(spare_.busy ? &own_ : &spare_) { lists_->busy = true; }
  WorkLists(const WorkLists&) = delete;
  WorkLists& operator=(const WorkLists&) = delete;
  ~WorkLists() {
    // Drops the handles: nodes that only the pass held are destroyed here.
    for (Order* list : {&lists_->order, &lists_->ready, &lists_->waiting}) {
      list->clear();
      if (list->capacity() > kept) {
        Order().swap(*list);
      }
    }
    lists_->stack.clear();
    if (lists_->stack.capacity() > kept) {
      Stack().swap(lists_->stack);
    }
    lists_->busy = false;
  }
  Lists* operator->() const { return lists_; }

 private:
  static constexpr std::size_t kept = std::size_t{1} << 16;
  static thread_local Lists spare_;
  Lists* lists_;
  Lists own_;
};

thread_local WorkLists::Lists WorkLists::spare_;

// A leaf's share of accumulate(Node*, double): into its tensor gradient.
[[gnu::noinline]] void accumulate_leaf(detail::Node* leaf, double g) {
  if (leaf->grad) {
    *leaf->grad->data() += g;
  } else {
    leaf->grad.emplace(detail::scalar_tensor(g));
  }
}

// Adds the 0-d gradient `g` into the gradient of the 0-d node `input`: an op result keeps it
// as a number (scalar_grad, inline here: it is most of the calls), a leaf in its tensor.
inline void accumulate(detail::Node* input, double g) {
  if (!input->is_leaf) [[likely]] {
    input->scalar_grad = input->has_scalar_grad ? input->scalar_grad + g : g;
    input->has_scalar_grad = true;
  } else {
    accumulate_leaf(input, g);
  }
}

// Adds g into the gradient of `input` (the shapes are equal: the sweep checked), or moves it in.
void accumulate(detail::Node* input, Tensor&& g) {
  if (!input->is_leaf && input->dimension() == 0) {
    accumulate(input, *g.data());
  } else if (!input->grad) {
    input->grad.emplace(std::move(g));
  } else {
    detail::zip_into(*input->grad, g, std::plus<>{});  // a plain loop: equal shapes
  }
}

[[noreturn]] void throw_shape(const detail::Node* node, std::size_t i, const Shape& grad, const Shape& input) {
  throw shape_error(std::string(node->op) + ": gradient for input " + std::to_string(i) + " has shape " +
                    shape_str(grad) + " but the input has shape " + shape_str(input));
}

// What a sweep that keeps the graph does after handing an input its gradient: nothing.
struct KeepGraph {
  void operator()(Value& /*input*/) const noexcept {}
};

// Runs the tensor form of `node`'s backward step and, once every gradient it returned has passed
// the checks (so that a failed step hands on nothing), hands each input its gradient; then
// `handed(input)` for each input that got one.
template <class Handed>
void step(detail::Node* node, Tensor&& grad_out, bool check_anomalies, Handed& handed) {
  Grads grads = node->backward(std::move(grad_out));
  std::span<Value> inputs = node->inputs.span();
  if (grads.size() != inputs.size()) {
    throw graph_error(std::string(node->op) + ": backward returned " + std::to_string(grads.size()) +
                      " gradients for " + std::to_string(inputs.size()) + " inputs");
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const detail::Node* input = inputs[i].node();
    if (!input->requires_grad) {
      continue;
    }
    if (!grads[i]) {
      throw graph_error(std::string(node->op) + ": backward gave no gradient for input " + std::to_string(i) +
                        ", which requires grad");
    }
    if (grads[i]->shape() != input->shape()) {
      throw_shape(node, i, grads[i]->shape(), input->shape());
    }
    if (check_anomalies) {
      detail::check_backward(node->op, *grads[i], i, inputs);
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].node()->requires_grad) {
      accumulate(inputs[i].node(), std::move(*grads[i]));
      handed(inputs[i]);
    }
  }
}

// The same with the step's 0-d form: every gradient a number, no tensor built. Only nodes whose
// inputs were all 0-d (or took no gradient) when recorded have one, so no shape needs checking.
template <class Handed>
void step(detail::Node* node, double grad_out, Handed& handed) {
  double grads[detail::max_scalar_step_inputs];  // record_op checked the arity against this
  std::span<Value> inputs = node->inputs.span();
  node->backward_scalar(grad_out, grads);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].node()->requires_grad) {
      accumulate(inputs[i].node(), grads[i]);
      handed(inputs[i]);
    }
  }
}

// Keeps the gradient arriving at an op result that called retain_grad().
void retain(detail::Node* node, const Tensor& grad_out) {
  std::unique_ptr<Tensor>& kept = node->extras().retained_grad;
  if (kept) {
    xt::noalias(*kept) += grad_out;
  } else {
    kept = std::make_unique<Tensor>(grad_out);
  }
}

bool has_gradient(const detail::Node* node) { return node->has_scalar_grad || node->grad; }

// Empties the gradient an op result received in this pass: a pass interrupted by an exception
// leaves none behind for the next one.
void drop_gradient(detail::Node* node) noexcept {
  node->grad.reset();
  node->has_scalar_grad = false;
}

// Drops the gradient of `node` if its step throws.
class DropOnThrow {
 public:
  explicit DropOnThrow(detail::Node* node) : node_(node) {}
  DropOnThrow(const DropOnThrow&) = delete;
  DropOnThrow& operator=(const DropOnThrow&) = delete;
  ~DropOnThrow() {
    if (node_ != nullptr) {
      drop_gradient(node_);
    }
  }
  void done() { node_ = nullptr; }

 private:
  detail::Node* node_;
};

// Runs the step of `node` with the gradient that reached it, if any did (false if none: every
// consumer declared it constant).
template <class Handed>
bool run_step(detail::Node* node, bool check_anomalies, Handed& handed) {
  DropOnThrow guard(node);
  if (node->freed) {
    throw_freed(node);
  }
  if (node->dimension() == 0) {
    if (!node->has_scalar_grad) {
      guard.done();
      return false;
    }
    const double grad_out = node->scalar_grad;
    node->has_scalar_grad = false;
    if (node->retains_grad) {
      retain(node, detail::scalar_tensor(grad_out));
    }
    if (node->has_scalar_step && !check_anomalies) {
      step(node, grad_out, handed);
    } else {
      step(node, detail::scalar_tensor(grad_out), check_anomalies, handed);
    }
  } else {
    if (!node->grad) {
      guard.done();
      return false;
    }
    if (node->retains_grad) {
      retain(node, *node->grad);
    }
    // The step receives the slot's tensor itself (moving a Tensor out first would cost as much
    // as building a small one); the slot is emptied right after, whatever the step took from it.
    step(node, std::move(*node->grad), check_anomalies, handed);
    node->grad.reset();
  }
  guard.done();
  return true;
}

// Frees what the step of `node` held: its saved closure and its inputs. Inline in the sweeps:
// a call cost a third of what it does for a scalar op's node.
[[gnu::always_inline]] inline void release(detail::Node* node) {
  if (node->has_saved) {  // a virtual call fewer for the many steps that saved only numbers
    node->release_saved();
  }
  node->freed = true;
  node->inputs.clear();
}

// Empties the gradient of every op result still in `list`, then passes on the exception.
[[noreturn]] void abandon(std::initializer_list<Order*> lists) {
  for (Order* list : lists) {
    for (const Value& v : *list) {
      if (v.node() != nullptr) {
        drop_gradient(v.node());
      }
    }
  }
  throw;
}

// A sweep in topological order: from the end of `order` to its front, each node's gradient
// complete before its step runs.
void sweep(Order& order, bool retain_graph) {
  const bool check_anomalies = anomaly_detection_enabled();
  KeepGraph keep;
  try {
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      // The sweep's handle goes with this iteration: a node nothing else holds is destroyed as
      // soon as its step has run, while it is still in cache, instead of in one more pass.
      const Value held = std::move(*it);
      if (run_step(held.node(), check_anomalies, keep) && !retain_graph) {
        release(held.node());
      }
    }
  } catch (...) {
    abandon({&order});
  }
}

// What a sweep that frees the graph does after handing a (non-leaf) input its gradient: it takes
// back the input's consumer count, and the input handle, from the consumer that has run. The
// input whose last consumer that was is complete: its handle goes to `ready`. One that still waits
// for others goes to `waiting` the first time (the handle of a later consumer is just dropped).
class HandOn {
 public:
  HandOn(Order& ready, Order& waiting, std::uint64_t stamp) : ready_(ready), waiting_(waiting), stamp_(stamp) {}
  void operator()(Value& input) {
    detail::Node* node = input.node();
    if (node->is_leaf) {
      return;  // release() drops the handle
    }
    if (--node->consumers == 0) {
      ready_.push_back(std::move(input));
    } else if (node->visit != stamp_) {
      node->visit = stamp_;
      waiting_.push_back(std::move(input));
    } else {
      const Value dropped = std::move(input);  // `waiting` holds the node
    }
  }

 private:
  Order& ready_;
  Order& waiting_;
  std::uint64_t stamp_;
};

// A sweep that frees the graph as it goes, with no topological order computed first: a node's
// step runs when every consumer it has has run, which the consumer counts kept since recording
// tell. (A search for the order touched every node once more, dependent load after dependent
// load: a quarter of the time of a scalar op; benchmarks.md.) A node some consumer outside the
// root's graph still holds never becomes ready that way: those left with part of a gradient,
// and what lies behind them, are then swept in a topological order computed for them alone.
void sweep_releasing(const Value& root, WorkLists& lists) {
  const bool check_anomalies = anomaly_detection_enabled();
  Order& ready = lists->ready;
  Order& waiting = lists->waiting;
  HandOn hand_on(ready, waiting, next_stamp());
  try {
    ready.push_back(root);
    while (!ready.empty()) {
      Value held = std::move(ready.back());
      ready.pop_back();
      try {
        run_step(held.node(), check_anomalies, hand_on);
      } catch (...) {
        // Only running out of memory while handing gradients on gets here with some input
        // handles already passed on; the node is then released, never left with empty slots.
        if (std::ranges::any_of(held.node()->inputs.span(), [](const Value& v) { return v.node() == nullptr; })) {
          release(held.node());
        }
        throw;
      }
      release(held.node());
      // The pass's handle goes here: a node nothing else holds is deleted right away, with no
      // walk over inputs it no longer has (a call fewer than the handle's destructor makes).
      detail::Node* node = held.release();
      if (--node->refs == 0) {
        delete node;
      }
    }
    const std::uint64_t stamp = next_stamp();
    for (const Value& v : waiting) {
      detail::Node* node = v.node();
      if (has_gradient(node) && node->visit != stamp) {
        topological_order(node, stamp, lists->order, lists->stack);
      }
    }
  } catch (...) {
    abandon({&ready, &waiting});
  }
  sweep(lists->order, false);
}

void run_backward(const Value& root, Tensor seed, BackwardOptions options) {
  detail::Node* node = root.node();
  if (!node->requires_grad) {
    throw graph_error("backward: this value does not require grad (no leaf of its graph has set_requires_grad)");
  }
  if (seed.shape() != node->shape()) {
    throw shape_error("backward: the seed has shape " + shape_str(seed.shape()) + " but the value has shape " +
                      shape_str(node->shape()));
  }
  if (node->is_leaf) {
    accumulate(node, std::move(seed));
    return;
  }
  WorkLists lists;
  if (options.retain_graph) {
    topological_order(node, next_stamp(), lists->order, lists->stack);
    accumulate(node, std::move(seed));
    sweep(lists->order, true);
  } else {
    accumulate(node, std::move(seed));
    sweep_releasing(root, lists);
  }
}

}  // namespace

void Value::backward(BackwardOptions options) const {
  if (size() != 1) {
    throw graph_error("backward: an implicit seed of 1 needs a one-element value, got shape " + shape_str(shape()) +
                      "; pass a seed of that shape: v.backward(seed)");
  }
  Tensor seed = detail::empty_tensor(shape());
  *seed.data() = 1.0;
  run_backward(*this, std::move(seed), options);
}

void Value::backward(const Tensor& seed, BackwardOptions options) const { run_backward(*this, seed, options); }

}  // namespace xgrad
