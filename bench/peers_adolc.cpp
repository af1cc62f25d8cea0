// ADOL-C's side of the scalar-graph comparison: the same micrograd-style network on a tape.
#include "peers.hpp"

#include <adolc/adolc.h>

#include <stdexcept>

namespace bench::peers {

namespace {

constexpr short tape = 1;

// 1/(1 + e^−z): ADOL-C has no sigmoid, so it records the formula's operations.
adouble sigmoid(const adouble& z) { return 1.0 / (1.0 + exp(-z)); }

// One neuron, in nn::scalar::Neuron's order: sum = b; sum = sum + wᵢxᵢ; σ(sum).
template <class In>
adouble neuron(const std::vector<In>& x, const std::vector<adouble>& w, std::size_t& k) {
  adouble sum = w[k + x.size()];
  for (std::size_t i = 0; i < x.size(); ++i) {
    sum = sum + w[k + i] * x[i];
  }
  k += x.size() + 1;
  return sigmoid(sum);
}

template <class In>
std::vector<adouble> layer(const std::vector<In>& x, std::size_t outputs, const std::vector<adouble>& w,
                           std::size_t& k) {
  std::vector<adouble> y;
  y.reserve(outputs);
  for (std::size_t j = 0; j < outputs; ++j) {
    y.push_back(neuron(x, w, k));
  }
  return y;
}

}  // namespace

AdolcScalar::AdolcScalar(const ScalarWorkload& like)
    : hidden_(like.hidden()), weights_(like.weights()), grad_(weights_.size()) {
  const auto& data = like.data();
  for (std::size_t i = 0; i < data.size(); ++i) {
    inputs_.push_back(data.inputs(i, 0));
    inputs_.push_back(data.inputs(i, 1));
    labels_.push_back(data.labels(i, 0));
  }
}

double AdolcScalar::record() {
  trace_on(tape, 1);  // keep the values for the reverse sweep right after
  std::vector<adouble> w(weights_.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] <<= weights_[i];
  }
  adouble total = 0.0;
  for (std::size_t s = 0; s < labels_.size(); ++s) {
    const std::vector<double> x{inputs_[2 * s], inputs_[2 * s + 1]};
    std::size_t k = 0;
    const std::vector<adouble> a1 = layer(x, hidden_, w, k);
    const std::vector<adouble> a2 = layer(a1, hidden_, w, k);
    const adouble err = layer(a2, 1, w, k)[0] - labels_[s];
    total = total + err * err;
  }
  adouble loss = total * (0.5 / static_cast<double>(labels_.size()));
  double value = 0.0;
  loss >>= value;
  trace_off();
  return value;
}

double AdolcScalar::record_pass() {
  const double loss = record();
  double seed = 1.0;
  if (fos_reverse(tape, 1, static_cast<int>(weights_.size()), &seed, grad_.data()) < 0) {
    throw std::runtime_error("ADOL-C: fos_reverse failed");
  }
  return loss;
}

double AdolcScalar::replay_pass() {
  double loss = 0.0;
  const int n = static_cast<int>(weights_.size());
  if (zos_forward(tape, 1, n, 1, weights_.data(), &loss) < 0) {
    throw std::runtime_error("ADOL-C: zos_forward failed");
  }
  double seed = 1.0;
  if (fos_reverse(tape, 1, n, &seed, grad_.data()) < 0) {
    throw std::runtime_error("ADOL-C: fos_reverse failed");
  }
  return loss;
}

std::size_t AdolcScalar::tape_ops() const {
  std::size_t stats[STAT_SIZE] = {};
  tapestats(tape, stats);
  return stats[NUM_OPERATIONS];
}

std::size_t AdolcScalar::tape_bytes() const {
  std::size_t stats[STAT_SIZE] = {};
  tapestats(tape, stats);
  return stats[NUM_OPERATIONS] * sizeof(unsigned char) + stats[NUM_LOCATIONS] * sizeof(locint) +
         stats[NUM_VALUES] * sizeof(double) + stats[TAY_STACK_SIZE] * sizeof(double);
}

}  // namespace bench::peers
