#include "ops/broadcast.hpp"

#include <xtensor/xbroadcast.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace xgrad::detail {

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t k = 0; k < n; ++k) {
    // Align from the trailing axis; a missing axis counts as 1.
    const std::size_t da = k < n - a.size() ? 1 : a[k - (n - a.size())];
    const std::size_t db = k < n - b.size() ? 1 : b[k - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw shape_error(std::string(op) + ": shapes cannot be broadcast together: " + shape_str(a) + " vs " +
                        shape_str(b));
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

namespace {

// g summed over its leading axes down to its trailing `block` elements: the bias gradient case,
// (n, k) → (k) or (1, k). Columns are summed eight at a time into local accumulators, which the
// compiler keeps in registers, over a tile of rows small enough to stay in cache; the last few
// columns one at a time. Adding each row into `out` in memory instead makes every row wait for
// the previous row's stores: on a (21,10) or (21,1) gradient that chain took longer than the
// additions. Each column is still summed row by row, in order.
Tensor sum_rows(const Tensor& g, const Shape& shape, std::size_t block) {
  constexpr std::size_t lanes = 8;
  constexpr std::size_t tile_bytes = 16 * 1024;
  Tensor out = detail::empty_tensor(shape);
  double* dst = out.data();
  std::fill_n(dst, block, 0.0);
  const std::size_t rows = g.size() / block;
  const std::size_t tile = std::max<std::size_t>(1, tile_bytes / (block * sizeof(double)));
  for (std::size_t first = 0; first < rows; first += tile) {
    const double* src = g.data() + first * block;
    const std::size_t count = std::min(tile, rows - first);
    std::size_t j = 0;
    for (; j + lanes <= block; j += lanes) {
      double acc[lanes];
      std::copy_n(dst + j, lanes, acc);
      for (std::size_t r = 0; r < count; ++r) {
        for (std::size_t k = 0; k < lanes; ++k) {
          acc[k] += src[r * block + j + k];
        }
      }
      std::copy_n(acc, lanes, dst + j);
    }
    for (; j < block; ++j) {
      double acc = dst[j];
      for (std::size_t r = 0; r < count; ++r) {
        acc += src[r * block + j];
      }
      dst[j] = acc;
    }
  }
  return out;
}

// True when `shape`, aligned to the trailing axes of `g`, keeps g's trailing axes and has only
// 1s (or nothing) in front: then the reduction is a sum of contiguous rows.
bool is_row_sum(const Shape& g, const Shape& shape, std::size_t& block) {
  const std::size_t lead = g.size() - shape.size();
  std::size_t k = 0;
  while (k < shape.size() && shape[k] == 1 && g[lead + k] != 1) {
    ++k;
  }
  for (std::size_t j = k; j < shape.size(); ++j) {
    if (shape[j] != g[lead + j]) {
      return false;
    }
  }
  block = extent(shape, k, shape.size());
  return block > 0;
}

}  // namespace

Tensor sum_to(Tensor&& g, const Shape& shape) {
  if (g.shape() == shape) {
    return std::move(g);
  }
  return sum_to(static_cast<const Tensor&>(g), shape);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) {
    return g;
  }
  std::size_t block = 0;
  if (is_row_sum(g.shape(), shape, block)) {
    return sum_rows(g, shape, block);
  }
  const std::size_t nd = g.dimension();
  const std::size_t lead = nd - shape.size();
  // For each axis of g, the step in `out`'s flat index: 0 on axes that are summed away.
  std::vector<std::size_t> step(nd, 0);
  std::size_t stride = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    step[lead + k] = shape[k] == 1 ? 0 : stride;
    stride *= shape[k];
  }
  Tensor out = xt::zeros<double>(shape);
  const double* src = g.data();
  double* dst = out.data();
  std::vector<std::size_t> index(nd, 0);
  std::size_t offset = 0;
  for (std::size_t i = 0, n = g.size(); i < n; ++i) {
    dst[offset] += src[i];
    for (std::size_t ax = nd; ax-- > 0;) {  // row-major odometer over g's indices
      if (++index[ax] < g.shape()[ax]) {
        offset += step[ax];
        break;
      }
      offset -= step[ax] * (g.shape()[ax] - 1);
      index[ax] = 0;
    }
  }
  return out;
}

Tensor expand_to(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) {
    return t;
  }
  return xt::broadcast(t, shape);
}

std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, std::size_t dim) {
  const auto d = static_cast<std::ptrdiff_t>(dim);
  if (axis < -d || axis >= d) {
    throw value_error(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for a " +
                      std::to_string(dim) + "-d value");
  }
  return static_cast<std::size_t>(axis < 0 ? axis + d : axis);
}

std::size_t extent(const Shape& shape, std::size_t begin, std::size_t end) {
  std::size_t n = 1;
  for (std::size_t k = begin; k < end; ++k) {
    n *= shape[k];
  }
  return n;
}

}  // namespace xgrad::detail
