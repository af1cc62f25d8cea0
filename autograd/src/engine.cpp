// The reverse-mode engine: an iterative topological sort, then one reverse sweep.
#include <xgrad/allocator.hpp>
#include <xgrad/anomaly.hpp>
#include <xgrad/value.hpp>

#include <xtensor/xnoalias.hpp>

#include "ops/broadcast.hpp"

#include <atomic>
#include <functional>
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

// Phase 1: the op results reachable from `root` that need a gradient, inputs before consumers,
// appended to `order`. An explicit stack instead of recursion, so depth never matters; a
// per-sweep stamp instead of a visited set. The handles in `order` keep every node alive until
// the sweep reaches it.
void topological_order(const Value& root, Order& order, Stack& stack) {
  const std::uint64_t stamp = sweep_counter.fetch_add(1, std::memory_order_relaxed) + 1;
  auto enter = [&](detail::Node* node) {
    if (node->freed) {
      throw_freed(node);
    }
    node->visit = stamp;
    node->grad.reset();  // a sweep interrupted by an exception may have left a partial gradient
    node->has_scalar_grad = false;
    stack.emplace_back(node, 0);
  };
  enter(root.node());
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

// The two work lists of a backward pass, kept per thread between passes so that a backward
// pass allocates nothing for them. A backward pass started while another runs on the same
// thread (from inside a backward step) uses lists of its own. Lists that grew past `kept`
// entries (1.5 MiB for both) are freed afterwards rather than held for the thread's lifetime.
// (At 4096 entries, a scalar graph of 6000 ops grew its lists from nothing at every pass, through
// fresh pages from the system: three times the time per op of one of 5000; benchmarks.md.)
class WorkLists {
 public:
  WorkLists() {
    if (!spare_.busy) {
      spare_.busy = true;
      order_ = &spare_.order;
      stack_ = &spare_.stack;
    } else {
      order_ = &own_order_;
      stack_ = &own_stack_;
    }
  }
  WorkLists(const WorkLists&) = delete;
  WorkLists& operator=(const WorkLists&) = delete;
  ~WorkLists() {
    order_->clear();  // drops the handles: nodes that only the sweep held are destroyed here
    stack_->clear();
    if (order_ == &spare_.order) {
      if (spare_.order.capacity() > kept || spare_.stack.capacity() > kept) {
        Order().swap(spare_.order);
        Stack().swap(spare_.stack);
      }
      spare_.busy = false;
    }
  }
  Order& order() { return *order_; }
  Stack& stack() { return *stack_; }

 private:
  static constexpr std::size_t kept = std::size_t{1} << 16;
  struct Spare {
    Order order;
    Stack stack;
    bool busy = false;
  };
  static thread_local Spare spare_;
  Order* order_;
  Stack* stack_;
  Order own_order_;
  Stack own_stack_;
};

thread_local WorkLists::Spare WorkLists::spare_;

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

// Runs the tensor form of `node`'s backward step and hands each input its gradient.
void step(detail::Node* node, Tensor&& grad_out, bool check_anomalies) {
  Grads grads = node->backward(std::move(grad_out));
  std::span<const Value> inputs = node->inputs.span();
  if (grads.size() != inputs.size()) {
    throw graph_error(std::string(node->op) + ": backward returned " + std::to_string(grads.size()) +
                      " gradients for " + std::to_string(inputs.size()) + " inputs");
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    detail::Node* input = inputs[i].node();
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
    accumulate(input, std::move(*grads[i]));
  }
}

// The same with the step's 0-d form: every gradient a number, no tensor built.
void step(detail::Node* node, double grad_out) {
  double grads[detail::max_scalar_step_inputs];  // record_op checked the arity against this
  std::span<const Value> inputs = node->inputs.span();
  node->backward_scalar(grad_out, grads);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    detail::Node* input = inputs[i].node();
    if (!input->requires_grad) {
      continue;
    }
    if (input->dimension() != 0) {
      throw_shape(node, i, Shape{}, input->shape());
    }
    accumulate(input, grads[i]);
  }
}

// Keeps the gradient arriving at an op result that called retain_grad().
void retain(detail::Node* node, const Tensor& grad_out) {
  if (node->retained_grad) {
    xt::noalias(*node->retained_grad) += grad_out;
  } else {
    node->retained_grad = std::make_unique<Tensor>(grad_out);
  }
}

// Phase 2: one sweep from the root down, each node's gradient complete before its step runs.
void sweep(Order& order, bool retain_graph) {
  const bool check_anomalies = anomaly_detection_enabled();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    // The sweep's handle goes with this iteration: a node nothing else holds is destroyed as soon
    // as its step has run, while it is still in cache, instead of in one more pass over the graph.
    const Value held = std::move(*it);
    detail::Node* node = held.node();
    if (node->dimension() == 0) {
      if (!node->has_scalar_grad) {
        continue;  // no gradient reached it (every consumer declared it constant)
      }
      const double grad_out = node->scalar_grad;
      node->has_scalar_grad = false;
      if (node->retains_grad) {
        retain(node, detail::scalar_tensor(grad_out));
      }
      if (node->has_scalar_step && !check_anomalies) {
        step(node, grad_out);
      } else {
        step(node, detail::scalar_tensor(grad_out), check_anomalies);
      }
    } else {
      if (!node->grad) {
        continue;
      }
      if (node->retains_grad) {
        retain(node, *node->grad);
      }
      // The step receives the slot's tensor itself (moving a Tensor out first would cost as much
      // as building a small one); the slot is emptied right after, whatever the step took from it.
      step(node, std::move(*node->grad), check_anomalies);
      node->grad.reset();
    }
    if (!retain_graph) {
      if (node->has_saved) {  // a virtual call fewer for the many steps that saved only numbers
        node->release_saved();
      }
      node->freed = true;
      node->inputs.clear();
    }
  }
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
  topological_order(root, lists.order(), lists.stack());
  accumulate(node, std::move(seed));
  sweep(lists.order(), options.retain_graph);
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
