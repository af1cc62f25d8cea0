#include <xgrad/gradcheck.hpp>

#include <xgrad/grad_mode.hpp>
#include <xgrad/random.hpp>

#include <xtensor/xmath.hpp>

#include <cmath>
#include <cstdio>
#include <ostream>

namespace xgrad {

namespace {

void check_options(const GradcheckOptions& o) {
  // Every number finite; and atol and rtol not both zero, or no element could pass (not even
  // rounding error is allowed) and the worst element would be undefined.
  const bool finite = std::isfinite(o.eps) && std::isfinite(o.atol) && std::isfinite(o.rtol);
  if (!finite || !(o.eps > 0.0) || !(o.atol >= 0.0) || !(o.rtol >= 0.0) || o.atol + o.rtol == 0.0) {
    throw value_error("gradcheck: needs finite eps > 0, atol >= 0 and rtol >= 0 with atol + rtol > 0, got eps " +
                      std::to_string(o.eps) + ", atol " + std::to_string(o.atol) + ", rtol " + std::to_string(o.rtol));
  }
}

// Position of flat element `flat` in a row-major tensor of `shape`.
Shape unravel(std::size_t flat, const Shape& shape) {
  Shape index(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    index[k] = flat % shape[k];
    flat /= shape[k];
  }
  return index;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

}  // namespace

GradcheckReport gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  check_options(options);
  GradcheckReport report;

  // Reverse mode: backward from the output with the weights as its seed.
  std::vector<Value> leaves;
  for (const Tensor& t : inputs) {
    leaves.push_back(Value(t).set_requires_grad());
  }
  const Value out = fn(leaves);
  if (!xt::all(xt::isfinite(out.data()))) {
    report.ok = false;
    report.problem = "the output is not finite at the given inputs";
    return report;
  }
  Generator gen(options.seed);
  Tensor weights = Tensor::from_shape(out.shape());
  for (double& w : weights) {
    w = gen.normal();
  }
  if (out.requires_grad()) {
    out.backward(weights);
  }

  // Central differences of Σ w ⊙ fn(x), one element at a time, on copies outside any graph.
  NoGradGuard no_grad;
  std::vector<Value> probes;
  for (const Tensor& t : inputs) {
    probes.emplace_back(t);
  }
  auto objective = [&] { return xt::sum(weights * fn(probes).data())(); };
  double worst = -1.0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    double* x = probes[i].mutable_data().data();
    const Tensor& analytic = leaves[i].grad();
    for (std::size_t k = 0; k < inputs[i].size(); ++k) {
      const double saved = x[k];
      x[k] = saved + options.eps;
      const double up = objective();
      x[k] = saved - options.eps;
      const double down = objective();
      x[k] = saved;
      const double numeric = (up - down) / (2.0 * options.eps);
      const double a = analytic.data()[k];
      const double error = std::abs(a - numeric);
      const double allowed = options.atol + options.rtol * std::abs(numeric);
      // error / allowed, except that an exact match is never bad, even where allowed is 0.
      const double badness = !std::isfinite(error) ? INFINITY : error == 0.0 ? 0.0 : error / allowed;
      ++report.elements_checked;
      if (badness > worst) {
        worst = badness;
        report.input = i;
        report.index = unravel(k, inputs[i].shape());
        report.analytic = a;
        report.numeric = numeric;
        report.error = error;
        report.allowed = allowed;
      }
      report.ok = report.ok && error <= allowed;
    }
  }
  return report;
}

std::string to_string(const GradcheckReport& r) {
  if (!r.problem.empty()) {
    return "gradcheck FAILED: " + r.problem;
  }
  if (r.elements_checked == 0) {
    return "gradcheck passed: no elements to check";
  }
  std::string where = "input " + std::to_string(r.input) + " at " + shape_str(r.index);
  std::string detail = ": analytic " + number(r.analytic) + " vs numeric " + number(r.numeric) + " (|diff| " +
                       number(r.error) + ", allowed " + number(r.allowed) + ")";
  if (r.ok) {
    return "gradcheck passed: " + std::to_string(r.elements_checked) + " elements; worst " + where + detail;
  }
  return "gradcheck FAILED: " + where + detail + " among " + std::to_string(r.elements_checked) + " elements";
}

std::ostream& operator<<(std::ostream& os, const GradcheckReport& r) { return os << to_string(r); }

}  // namespace xgrad
