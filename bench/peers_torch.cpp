// LibTorch's side of the training-step comparison.
#include "peers.hpp"

#include <torch/torch.h>

namespace bench::peers {

namespace {

// A (rows, cols) float64 copy of an xgrad tensor: (in, out) for W, (out) for b.
torch::Tensor to_torch(const Tensor& t) {
  std::vector<std::int64_t> shape(t.shape().begin(), t.shape().end());
  return torch::from_blob(const_cast<double*>(t.data()), shape, torch::kFloat64).clone();
}

class TorchTrainer final : public Trainer {
 public:
  explicit TorchTrainer(const Problem& p)
      : model_(torch::nn::Linear(2, p.size.hidden), torch::nn::Sigmoid(),
               torch::nn::Linear(p.size.hidden, p.size.hidden), torch::nn::Sigmoid(),
               torch::nn::Linear(p.size.hidden, 1), torch::nn::Sigmoid()),
        x_(to_torch(p.data.inputs)),
        y_(to_torch(p.data.labels)),
        sgd_((load(p), model_->parameters()), torch::optim::SGDOptions(p.lr)) {}

  double step() override {
    sgd_.zero_grad();
    const torch::Tensor loss = 0.5 * torch::mse_loss(model_->forward(x_), y_);
    loss.backward();
    sgd_.step();
    return loss.item<double>();
  }
  const char* name() const override { return "torch"; }

 private:
  // float64 parameters holding the problem's weights; Linear keeps W as (out, in).
  void load(const Problem& p) {
    model_->to(torch::kFloat64);
    torch::NoGradGuard no_grad;
    const Tensor* w[] = {&p.initial.w1, &p.initial.w2, &p.initial.w3};
    const Tensor* b[] = {&p.initial.b1, &p.initial.b2, &p.initial.b3};
    for (std::size_t i = 0; i < 3; ++i) {
      auto* linear = model_[2 * i]->as<torch::nn::Linear>();
      linear->weight.copy_(to_torch(*w[i]).t());
      linear->bias.copy_(to_torch(*b[i]));
    }
  }

  torch::nn::Sequential model_;
  torch::Tensor x_, y_;
  torch::optim::SGD sgd_;
};

}  // namespace

std::function<void()> make_torch_chain(std::size_t k, std::size_t links) {
  torch::manual_seed(5);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const std::int64_t n = static_cast<std::int64_t>(k);
  const torch::Tensor x = torch::randn({n, n}, opts);
  const torch::Tensor w = (0.5 * torch::randn({n, n}, opts)).requires_grad_();
  const torch::Tensor b = (0.5 * torch::randn({n, n}, opts)).requires_grad_();
  return [x, w, b, links] {
    torch::Tensor y = x;
    for (std::size_t i = 0; i < links; ++i) {
      y = torch::sigmoid(y * w + b);
    }
    y.sum().backward();
  };
}

void init_torch() {
  torch::set_num_threads(1);
  torch::set_num_interop_threads(1);
}

std::unique_ptr<Trainer> make_torch_trainer(const Problem& problem) { return std::make_unique<TorchTrainer>(problem); }

}  // namespace bench::peers
