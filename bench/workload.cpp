#include "workload.hpp"

#include <cblas.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

namespace bench {

namespace nn = xgrad::nn;
using xgrad::Value;

namespace {

constexpr std::uint64_t data_seed = 2024;
constexpr std::uint64_t weight_seed = 7;

nn::MLP make_model(const Size& size) {
  xgrad::Generator gen(weight_seed);
  return nn::MLP({2, size.hidden, size.hidden, 1}, gen);
}

class XgradTrainer final : public Trainer {
 public:
  explicit XgradTrainer(const Problem& p)
      : model_(make_model(p.size)), x_(p.data.inputs), y_(p.data.labels), sgd_(init(p), {.lr = p.lr}) {}

  double step() override {
    sgd_.zero_grad();
    const Value loss = nn::half_mse_loss(model_(x_), y_);
    loss.backward();
    sgd_.step();
    return loss.item();
  }
  const char* name() const override { return "xgrad"; }

 private:
  // Copies the problem's weights into the model and returns its parameters.
  std::vector<Value> init(const Problem& p) {
    const Tensor* w[] = {&p.initial.w1, &p.initial.b1, &p.initial.w2, &p.initial.b2, &p.initial.w3, &p.initial.b3};
    std::vector<Value> params = model_.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      params[i].mutable_data() = *w[i];
    }
    return params;
  }

  nn::MLP model_;
  Value x_, y_;
  nn::SGD sgd_;
};

class HandTrainer final : public Trainer {
 public:
  explicit HandTrainer(const Problem& p) : net_(p.initial), x_(p.data.inputs), y_(p.data.labels), lr_(p.lr) {}

  double step() override {
    const lab::Gradients& g = backprop_(net_, x_, y_);
    lab::sgd_step(net_, g, lr_);
    return g.loss;
  }
  const char* name() const override { return "hand"; }

 private:
  lab::Network net_;
  Tensor x_, y_;
  double lr_;
  lab::Backprop backprop_;
};

}  // namespace

std::string Size::label() const {
  char text[48];
  std::snprintf(text, sizeof text, "(%zu,%zu)", points, hidden);
  return text;
}

const std::vector<Size>& standard_sizes() {
  static const std::vector<Size> sizes{{21, 10}, {100, 10}, {1000, 64}, {10000, 256}, {65536, 512}};
  return sizes;
}

Problem make_problem(const Size& size) {
  Problem p{size, {}, {}};
  if (size.points == 21) {
    p.data = nn::xor_easy();
  } else {
    xgrad::Generator gen(data_seed);
    p.data = nn::linear(size.points, gen);
  }
  const nn::MLP model = make_model(size);
  p.initial = {model.linear(0).weight().data(), model.linear(0).bias().data(),   model.linear(1).weight().data(),
               model.linear(1).bias().data(),   model.linear(2).weight().data(), model.linear(2).bias().data()};
  return p;
}

std::unique_ptr<Trainer> make_xgrad_trainer(const Problem& problem) { return std::make_unique<XgradTrainer>(problem); }
std::unique_ptr<Trainer> make_hand_trainer(const Problem& problem) { return std::make_unique<HandTrainer>(problem); }

ScalarWorkload::ScalarWorkload(std::size_t hidden, std::uint64_t seed)
    : hidden_(hidden),
      data_(nn::xor_easy()),
      model_([&] {
        xgrad::Generator gen(seed);
        return nn::scalar::MLP({2, hidden, hidden, 1}, gen, nn::Activation::sigmoid, nn::Activation::sigmoid);
      }()),
      params_(model_.parameters()) {
  for (std::size_t i = 0; i < data_.size(); ++i) {
    inputs_.push_back({Value(data_.inputs(i, 0)), Value(data_.inputs(i, 1))});
  }
  // Count the op nodes of one recorded graph (leaves — parameters, inputs, constants — excluded).
  const Value loss = record();
  std::unordered_set<const void*> seen{loss.id()};
  std::vector<Value> stack{loss};
  while (!stack.empty()) {
    const Value v = stack.back();
    stack.pop_back();
    ops_ += v.is_leaf() ? 0 : 1;
    for (const Value& in : v.inputs()) {
      if (seen.insert(in.id()).second) {
        stack.push_back(in);
      }
    }
  }
}

Value ScalarWorkload::record() {
  // ½·mean((ŷ − y)²), summed one sample at a time as a micrograd user writes it.
  Value total(0.0);
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    const Value err = model_(inputs_[i])[0] - data_.labels(i, 0);
    total = total + err * err;
  }
  return total * (0.5 / static_cast<double>(inputs_.size()));
}

double ScalarWorkload::pass() {
  for (const Value& p : params_) {
    p.zero_grad();
  }
  const Value loss = record();
  loss.backward();
  return loss.item();
}

std::vector<double> ScalarWorkload::weights() const {
  std::vector<double> w;
  for (const Value& p : params_) {
    w.push_back(p.item());
  }
  return w;
}

std::vector<double> ScalarWorkload::gradients() const {
  std::vector<double> g;
  for (const Value& p : params_) {
    g.push_back(p.grad()());
  }
  return g;
}

std::function<void()> make_xgrad_chain(std::size_t k, std::size_t links) {
  xgrad::Generator gen(5);
  const Value x = xgrad::normal({k, k}, gen);
  const Value w = xgrad::normal({k, k}, gen, 0.0, 0.5).set_requires_grad();
  const Value b = xgrad::normal({k, k}, gen, 0.0, 0.5).set_requires_grad();
  return [x, w, b, links] {
    Value y = x;
    for (std::size_t i = 0; i < links; ++i) {
      y = xgrad::sigmoid(y * w + b);
    }
    xgrad::sum(y).backward();
  };
}

void single_threaded(int argc, char** argv) {
  (void)argc;
  const char* blas = std::getenv("OPENBLAS_NUM_THREADS");
  const char* omp = std::getenv("OMP_NUM_THREADS");
  if (blas == nullptr || std::strcmp(blas, "1") != 0 || omp == nullptr || std::strcmp(omp, "1") != 0) {
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    setenv("OMP_NUM_THREADS", "1", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then go on with the call below
  }
  openblas_set_num_threads(1);
}

}  // namespace bench
