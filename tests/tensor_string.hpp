#pragma once
// Lets doctest show a Tensor in a failed check: its shape, then its elements in row-major order.
#include <doctest/doctest.h>

#include <xgrad/tensor.hpp>

#include <cstddef>
#include <sstream>

namespace doctest {

template <>
struct StringMaker<xgrad::Tensor> {
  static String convert(const xgrad::Tensor& t) {
    std::ostringstream os;
    os.precision(17);
    os << "Tensor" << xgrad::shape_str(t.shape()) << " [";
    for (std::size_t i = 0; i < t.size(); ++i) {
      os << (i > 0 ? ", " : "") << t.data()[i];
    }
    os << "]";
    return os.str().c_str();
  }
};

}  // namespace doctest
