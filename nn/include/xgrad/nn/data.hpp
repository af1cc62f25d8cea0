#pragma once
/// @file
/// The lab's datasets, batching, and accuracy.

#include <xgrad/random.hpp>
#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <cstddef>
#include <vector>

namespace xgrad::nn {

/// Inputs of shape (n, features) and labels of shape (n, 1).
struct Dataset {
  Tensor inputs;
  Tensor labels;
  std::size_t size() const { return inputs.shape().empty() ? 0 : inputs.shape()[0]; }
};

/// `n` points uniform in [0, 1]²; label 0 if x > y (below the diagonal), else 1.
Dataset linear(std::size_t n, Generator& gen);

/// The lab's 21 points: (0.1i, 0.1i) with label 0 for i = 0..10 and, except at i = 5 where the
/// diagonals cross, (0.1i, 1 − 0.1i) with label 1, interleaved in that order.
Dataset xor_easy();

/// Splits `data` into batches of `batch_size` rows (the last may be smaller); 0 means one
/// full batch. With `shuffle`, rows are permuted first using that generator. Throws shape_error
/// unless the inputs are (n, features) and the labels (n, 1).
std::vector<Dataset> batches(const Dataset& data, std::size_t batch_size, Generator* shuffle = nullptr);

/// The fraction of rows where (prediction ≥ threshold) equals the label (0 or 1).
/// Throws shape_error if the shapes differ.
double accuracy(const Tensor& predictions, const Tensor& labels, double threshold = 0.5);

}  // namespace xgrad::nn
