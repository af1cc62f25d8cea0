// Training the lab's network with autograd.
//
// One update is five steps, the same for every optimizer and batch size:
//   forward   p = network(x)
//   loss      L = loss(p, y)
//   zero_grad forget the previous step's gradients
//   backward  ∂L/∂θ for every parameter θ, by the chain rule through the recorded graph
//   step      θ ← θ − lr·∂L/∂θ  (or the momentum / Adam variant)

#include "train.hpp"

#include <cstdint>
#include <utility>

namespace lab {

namespace nn = xgrad::nn;
using xgrad::Tensor;
using xgrad::Value;

namespace {

std::unique_ptr<nn::Optimizer> make_optimizer(OptimizerKind kind, std::vector<Value> params, double lr) {
  switch (kind) {
    case OptimizerKind::sgd:
      return std::make_unique<nn::SGD>(std::move(params), nn::SGDOptions{.lr = lr});
    case OptimizerKind::momentum:
      return std::make_unique<nn::SGD>(std::move(params), nn::SGDOptions{.lr = lr, .momentum = 0.9});
    case OptimizerKind::adam:
      return std::make_unique<nn::Adam>(std::move(params), nn::AdamOptions{.lr = lr, .beta1 = 0.9, .beta2 = 0.999});
  }
  throw xgrad::value_error("unknown optimizer");
}

// "mse" is the lab's ½·mean (p − y)²; "bce" is −mean [y·ln p + (1 − y)·ln(1 − p)].
Value loss_of(LossKind kind, const Value& p, const Value& y) {
  return kind == LossKind::mse ? nn::half_mse_loss(p, y) : nn::binary_cross_entropy(p, y);
}

std::size_t batches_per_epoch(std::size_t rows, std::size_t batch) {
  return batch == 0 ? 1 : (rows + batch - 1) / batch;
}

// The batches of one epoch: the whole set (batch 0); one sample at a time, in order, as in
// report 003 (batch 1); or K rows at a time, shuffled afresh each epoch. The shuffle's generator
// depends only on the seed and the epoch number, so a run resumed from a checkpoint sees the
// same batches as an uninterrupted one.
std::vector<nn::Dataset> batches_for(const nn::Dataset& data, const Options& o, std::size_t epoch) {
  if (o.batch <= 1 || o.batch >= data.size()) {
    return nn::batches(data, o.batch >= data.size() ? 0 : o.batch);
  }
  xgrad::Generator shuffle(o.seed ^ (epoch * 0x9E3779B97F4A7C15ULL));
  return nn::batches(data, o.batch, &shuffle);
}

EpochStats train_epoch(Experiment& e, const Options& o, std::size_t epoch) {
  double loss_sum = 0.0;
  double right = 0.0;
  for (const nn::Dataset& batch : batches_for(e.data, o, epoch)) {
    const Value p = (*e.model)(Value(batch.inputs));      // forward
    const Value loss = loss_of(o.loss, p, batch.labels);  // loss
    const auto rows = static_cast<double>(batch.size());
    loss_sum += loss.item() * rows;
    right += nn::accuracy(p.data(), batch.labels) * rows;
    e.optimizer->zero_grad();  // zero_grad
    loss.backward();           // backward
    e.optimizer->step();       // step
  }
  const auto n = static_cast<double>(e.data.size());
  return {epoch, loss_sum / n, right / n};
}

}  // namespace

Experiment make_experiment(const Options& o) {
  xgrad::Generator gen(o.seed);  // draws the linear dataset first, then the initial weights
  Experiment e;
  e.data = o.data == DataKind::linear ? nn::linear(o.n, gen) : nn::xor_easy();
  const nn::MLPOptions net{.activation = o.activation, .output = nn::Activation::sigmoid};
  e.model = std::make_shared<nn::MLP>(std::vector<std::size_t>{2, o.h1, o.h2, 1}, gen, net);
  e.optimizer = make_optimizer(o.optimizer, e.model->parameters(), o.lr);
  if (!o.load.empty()) {
    nn::load(*e.model, o.load, e.optimizer.get());
    // The checkpoint counts the optimizer's steps; with the same batch size, that gives the epochs.
    e.epochs_done = e.optimizer->state().steps / batches_per_epoch(e.data.size(), o.batch);
  }
  return e;
}

std::vector<EpochStats> train(Experiment& e, const Options& o, const EpochCallback& after_epoch) {
  std::vector<EpochStats> history;
  history.reserve(o.epochs);
  for (std::size_t i = 0; i < o.epochs; ++i) {
    history.push_back(train_epoch(e, o, e.epochs_done + 1));
    e.epochs_done += 1;
    after_epoch(history.back());
  }
  return history;
}

Tensor predict(nn::MLP& model, const Tensor& inputs) {
  xgrad::NoGradGuard no_grad;  // inference: no graph, no saved tensors
  return model(Value(inputs)).data();
}

EpochStats evaluate(Experiment& e, LossKind loss) {
  xgrad::NoGradGuard no_grad;
  const Value p = (*e.model)(Value(e.data.inputs));
  return {e.epochs_done, loss_of(loss, p, e.data.labels).item(), nn::accuracy(p.data(), e.data.labels)};
}

std::size_t epochs_to_perfect(const std::vector<EpochStats>& history) {
  for (const EpochStats& s : history) {
    if (s.accuracy == 1.0) {
      return s.epoch;
    }
  }
  return 0;
}

}  // namespace lab
