#pragma once
// Helpers shared by the nn tests: gradient checks through a module, exact tensor comparison,
// error messages, and a scratch folder.

#include <xgrad/nn.hpp>

#include <stdlib.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace nn_test {

using xgrad::Tensor;
using xgrad::Value;

/// A column (n, 1) of the given numbers (`Tensor{{1.0}, {2.0}}` is ambiguous to xtensor).
inline Tensor column(std::initializer_list<double> xs) {
  Tensor t = Tensor::from_shape({xs.size(), 1});
  std::copy(xs.begin(), xs.end(), t.begin());
  return t;
}

/// True when both tensors have the same shape and the same bits in every element.
inline bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

/// True when both modules hold bit-identical parameters.
inline bool same_parameters(const xgrad::nn::Module& a, const xgrad::nn::Module& b) {
  const std::vector<Value> pa = a.parameters();
  const std::vector<Value> pb = b.parameters();
  if (pa.size() != pb.size()) {
    return false;
  }
  for (std::size_t i = 0; i < pa.size(); ++i) {
    if (!same_bits(pa[i].data(), pb[i].data())) {
      return false;
    }
  }
  return true;
}

/// The message of the exception of type E that `f` throws; another type propagates, so a
/// wrong exception type fails the test case.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  }
  return "(nothing was thrown)";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The computation under test: the module applied to x, possibly followed by a loss.
using ModuleForward = std::function<Value(xgrad::nn::Module&, const Value&)>;

/// For every output element k, the gradient of y[k] with respect to each of `wrt`, as one
/// (outputs, elements) matrix per entry of `wrt`.
std::vector<Tensor> jacobian(const Value& y, const std::vector<Value>& wrt);

/// A gradcheck function of {x, p₁, …, pₖ}, where p₁…pₖ match `module.parameters()`. Each call
/// copies the pᵢ into the module's parameters and evaluates `forward(module, x)`. When the
/// inputs require grad, the result is recorded as one op whose backward step applies the
/// Jacobian that the module's own reverse mode computed, so gradcheck compares the module's
/// gradients with finite differences of the module's forward.
xgrad::GradcheckFunction through_module(xgrad::nn::Module& module, ModuleForward forward);

/// {x, p₁, …, pₖ}: the gradcheck inputs for `through_module`, starting from the module's
/// current parameters.
std::vector<Tensor> module_inputs(const xgrad::nn::Module& module, const Tensor& x);

/// A fresh empty folder, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// The path of `name` inside the folder.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// The names of the folder's entries, sorted.
  std::vector<std::string> entries() const;

 private:
  std::filesystem::path path_;
};

/// The bytes of a file, and writing them back.
std::vector<unsigned char> read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes);

}  // namespace nn_test
