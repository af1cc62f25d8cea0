#include <xgrad/nn/data.hpp>

#include <algorithm>
#include <numeric>

namespace xgrad::nn {

Dataset linear(std::size_t n, Generator& gen) {
  Dataset d{Tensor::from_shape({n, 2}), Tensor::from_shape({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    const double x = gen.uniform();
    const double y = gen.uniform();
    d.inputs(i, 0) = x;
    d.inputs(i, 1) = y;
    d.labels(i, 0) = x > y ? 0.0 : 1.0;
  }
  return d;
}

Dataset xor_easy() {
  std::vector<double> xs;
  std::vector<double> labels;
  for (int i = 0; i < 11; ++i) {
    const double t = 0.1 * i;
    xs.insert(xs.end(), {t, t});
    labels.push_back(0.0);
    if (i != 5) {
      xs.insert(xs.end(), {t, 1.0 - t});
      labels.push_back(1.0);
    }
  }
  Dataset d{Tensor::from_shape({labels.size(), 2}), Tensor::from_shape({labels.size(), 1})};
  std::copy(xs.begin(), xs.end(), d.inputs.begin());
  std::copy(labels.begin(), labels.end(), d.labels.begin());
  return d;
}

namespace {

// Batching copies rows by index: inputs must be (n, features) and labels (n, 1).
void require_rows(const Dataset& data) {
  const Shape& in = data.inputs.shape();
  const Shape& out = data.labels.shape();
  if (in.size() != 2 || out.size() != 2 || out[1] != 1 || out[0] != in[0]) {
    throw shape_error("batches: inputs " + shape_str(in) + " and labels " + shape_str(out) +
                      " are not (n, features) and (n, 1)");
  }
}

}  // namespace

std::vector<Dataset> batches(const Dataset& data, std::size_t batch_size, Generator* shuffle) {
  require_rows(data);
  const std::size_t n = data.size();
  const std::size_t size = batch_size == 0 ? n : batch_size;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle != nullptr) {
    for (std::size_t i = n; i > 1; --i) {  // Fisher–Yates
      std::swap(order[i - 1], order[shuffle->below(i)]);
    }
  }
  const std::size_t features = data.inputs.shape()[1];
  std::vector<Dataset> out;
  for (std::size_t start = 0; start < n; start += size) {
    const std::size_t rows = std::min(size, n - start);
    Dataset b{Tensor::from_shape({rows, features}), Tensor::from_shape({rows, 1})};
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t src = order[start + r];
      for (std::size_t f = 0; f < features; ++f) {
        b.inputs(r, f) = data.inputs(src, f);
      }
      b.labels(r, 0) = data.labels(src, 0);
    }
    out.push_back(std::move(b));
  }
  return out;
}

double accuracy(const Tensor& predictions, const Tensor& labels, double threshold) {
  if (predictions.shape() != labels.shape()) {
    throw shape_error("accuracy: predictions " + shape_str(predictions.shape()) + " and labels " +
                      shape_str(labels.shape()) + " differ in shape");
  }
  if (labels.size() == 0) {
    throw value_error("accuracy: no samples");
  }
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    right += ((predictions.data()[i] >= threshold ? 1.0 : 0.0) == labels.data()[i]) ? 1 : 0;
  }
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

}  // namespace xgrad::nn
