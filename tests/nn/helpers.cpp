#include "helpers.hpp"

#include <xgrad/xgrad.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace nn_test {

std::vector<Tensor> jacobian(const Value& y, const std::vector<Value>& wrt) {
  const std::size_t outputs = y.size();
  std::vector<Tensor> jac;
  for (const Value& v : wrt) {
    jac.emplace_back(Tensor::from_shape({outputs, v.size()}));
  }
  for (std::size_t k = 0; k < outputs; ++k) {
    for (const Value& v : wrt) {
      v.zero_grad();
    }
    Tensor seed = xt::zeros<double>(y.shape());
    seed.data()[k] = 1.0;
    y.backward(seed, {.retain_graph = true});
    for (std::size_t j = 0; j < wrt.size(); ++j) {
      std::copy(wrt[j].grad().begin(), wrt[j].grad().end(), jac[j].data() + k * wrt[j].size());
    }
  }
  for (const Value& v : wrt) {
    v.zero_grad();
  }
  return jac;
}

namespace {

// Σₖ g[k]·J[k, ·] for each input: the vector-Jacobian product of the recorded op.
xgrad::Grads apply_jacobian(const std::vector<Tensor>& jac, const Tensor& g, xgrad::Inputs inputs) {
  xgrad::Grads grads;
  for (std::size_t j = 0; j < jac.size(); ++j) {
    Tensor gj = xt::zeros<double>(inputs[j].shape());
    const std::size_t n = gj.size();
    for (std::size_t k = 0; k < g.size(); ++k) {
      for (std::size_t e = 0; e < n; ++e) {
        gj.data()[e] += g.data()[k] * jac[j].data()[k * n + e];
      }
    }
    grads.push_back(std::move(gj));
  }
  return grads;
}

}  // namespace

xgrad::GradcheckFunction through_module(xgrad::nn::Module& module, ModuleForward forward) {
  return [&module, forward](const std::vector<Value>& in) -> Value {
    const std::vector<Value> params = module.parameters();
    if (in.size() != params.size() + 1) {
      throw std::logic_error("through_module: expected x and one input per parameter");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      params[i].mutable_data() = in[i + 1].data();
    }
    if (!xgrad::grad_enabled()) {  // gradcheck's finite differences
      return forward(module, in[0]);
    }
    const Value x = Value(in[0].data()).set_requires_grad();
    const Value y = forward(module, x);
    std::vector<Value> wrt{x};
    wrt.insert(wrt.end(), params.begin(), params.end());
    std::vector<Tensor> jac = jacobian(y, wrt);
    return xgrad::record_op("through_module", y.data(), std::span<const Value>(in.data(), in.size()),
                            [jac = std::move(jac)](const Tensor& g, const Tensor&, xgrad::Inputs inputs) {
                              return apply_jacobian(jac, g, inputs);
                            });
  };
}

std::vector<Tensor> module_inputs(const xgrad::nn::Module& module, const Tensor& x) {
  std::vector<Tensor> inputs{x};
  for (const Value& p : module.parameters()) {
    inputs.push_back(p.data());
  }
  return inputs;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "xgrad_nn_test.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("TempDir: cannot create " + pattern);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::entries() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("read_bytes: cannot open " + path);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("write_bytes: cannot write " + path);
  }
}

}  // namespace nn_test
