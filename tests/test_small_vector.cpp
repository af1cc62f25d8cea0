// SmallVector (xgrad/small_vector.hpp), the shape type of every Tensor: up to four elements
// inline, longer sequences on the heap, the std::vector behaviour xtensor relies on either way.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <cstddef>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <vector>

using xgrad::SmallVector;

namespace {

// Counts the blocks an allocator hands out and takes back, and the elements still out.
struct Ledger {
  int allocations = 0;
  int deallocations = 0;
  std::ptrdiff_t elements_out = 0;
};
Ledger ledger;

template <class T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() = default;
  template <class U>
  CountingAllocator(const CountingAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) {
    ++ledger.allocations;
    ledger.elements_out += static_cast<std::ptrdiff_t>(n);
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    ++ledger.deallocations;
    ledger.elements_out -= static_cast<std::ptrdiff_t>(n);
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const CountingAllocator<U>&) const {
    return true;
  }
};

using Vec = SmallVector<std::size_t, CountingAllocator<std::size_t>>;

std::vector<std::size_t> as_std(const Vec& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("SmallVector: up to four elements live inside, with no allocation") {
  ledger = {};
  {
    Vec v{1, 2, 3, 4};
    Vec copy = v;
    Vec moved = std::move(copy);
    moved.resize(2);
    moved.push_back(9);
    moved.push_back(8);
    CHECK(as_std(v) == std::vector<std::size_t>{1, 2, 3, 4});
    CHECK(as_std(moved) == std::vector<std::size_t>{1, 2, 9, 8});
    CHECK(copy.empty());  // a moved-from vector is empty
    CHECK(moved.capacity() == Vec::inline_capacity);
  }
  CHECK(ledger.allocations == 0);
}

TEST_CASE("SmallVector: a fifth element moves the elements to the heap, and every block comes back") {
  ledger = {};
  {
    Vec v{1, 2, 3, 4};
    v.push_back(5);
    CHECK(ledger.allocations == 1);
    CHECK(v.capacity() > Vec::inline_capacity);
    CHECK(as_std(v) == std::vector<std::size_t>{1, 2, 3, 4, 5});
    for (std::size_t k = 6; k <= 40; ++k) {
      v.push_back(k);
    }
    CHECK(v.size() == 40);
    CHECK(v.front() == 1);
    CHECK(v.back() == 40);
    CHECK(v[19] == 20);

    const Vec copy = v;
    CHECK(copy == v);
    Vec moved = std::move(v);
    const int before = ledger.allocations;
    CHECK(v.empty());
    CHECK(v.capacity() == Vec::inline_capacity);  // the heap block went with the move
    CHECK(moved == copy);
    CHECK(ledger.allocations == before);  // a move allocates nothing

    moved.resize(3);  // shrinking keeps the block, as std::vector does
    CHECK(as_std(moved) == std::vector<std::size_t>{1, 2, 3});
    moved = Vec{7};  // assigning a moved vector frees it
    CHECK(as_std(moved) == std::vector<std::size_t>{7});
  }
  CHECK(ledger.allocations == ledger.deallocations);
  CHECK(ledger.elements_out == 0);
}

TEST_CASE("SmallVector: the std::vector operations xtensor and callers use") {
  ledger = {};
  {
    SUBCASE("resize zero-fills what it adds, also across the inline boundary") {
      Vec v{5};
      v.resize(3);
      CHECK(as_std(v) == std::vector<std::size_t>{5, 0, 0});
      v.resize(7, 2);
      CHECK(as_std(v) == std::vector<std::size_t>{5, 0, 0, 2, 2, 2, 2});
      v.resize(0);
      CHECK(v.empty());
      v.resize(2);
      CHECK(as_std(v) == std::vector<std::size_t>{0, 0});
    }
    SUBCASE("assign and resize to four or fewer, inline and once on the heap") {
      Vec v{1, 2, 3};
      v.assign(2, 7);  // inline
      CHECK(as_std(v) == std::vector<std::size_t>{7, 7});
      v.resize(4, 5);  // inline, keeping what it holds
      CHECK(as_std(v) == std::vector<std::size_t>{7, 7, 5, 5});
      const std::vector<std::size_t> three{4, 3, 2};
      v.assign(three.begin(), three.end());
      CHECK(as_std(v) == three);
      CHECK(ledger.allocations == 0);
      v.assign(6, 1);  // to the heap
      CHECK(as_std(v) == std::vector<std::size_t>{1, 1, 1, 1, 1, 1});
      v.assign(3, 9);  // stays on the heap, as std::vector keeps its block
      CHECK(as_std(v) == std::vector<std::size_t>{9, 9, 9});
      v.resize(4, 8);
      CHECK(as_std(v) == std::vector<std::size_t>{9, 9, 9, 8});
      v.assign(three.begin(), three.end());
      CHECK(as_std(v) == three);
      CHECK(v.capacity() > Vec::inline_capacity);
      CHECK(ledger.allocations == 1);
      CHECK(v == Vec{4, 3, 2});  // equal elements, one vector on the heap and one inline
      CHECK(v != Vec{4, 3, 1});
    }
    SUBCASE("push_back of one of its own elements while growing") {
      Vec v{1, 2, 3, 4};
      v.push_back(v[0]);
      v.push_back(v.back());
      CHECK(as_std(v) == std::vector<std::size_t>{1, 2, 3, 4, 1, 1});
    }
    SUBCASE("insert and erase") {
      Vec v{1, 2, 4};
      v.insert(v.begin() + 2, 3);
      v.insert(v.end(), 5);
      v.insert(v.begin(), 0);
      CHECK(as_std(v) == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
      v.erase(v.begin());
      v.erase(v.begin() + 1, v.begin() + 3);
      CHECK(as_std(v) == std::vector<std::size_t>{1, 4, 5});
    }
    SUBCASE("construction from a count, a count and a value, and iterators of any kind") {
      CHECK(as_std(Vec(3)) == std::vector<std::size_t>{0, 0, 0});
      CHECK(as_std(Vec(6, 1)) == std::vector<std::size_t>{1, 1, 1, 1, 1, 1});
      const std::vector<std::size_t> src{9, 8, 7, 6, 5};
      CHECK(as_std(Vec(src.begin(), src.end())) == src);
      std::istringstream in("3 1 4 1 5 9");  // single-pass iterators
      const Vec read(std::istream_iterator<std::size_t>(in), std::istream_iterator<std::size_t>{});
      CHECK(as_std(read) == std::vector<std::size_t>{3, 1, 4, 1, 5, 9});
    }
    SUBCASE("comparisons are lexicographic, as std::vector's") {
      CHECK(Vec{1, 2} == Vec{1, 2});
      CHECK(Vec{1, 2} != Vec{1, 2, 0});
      CHECK(Vec{1, 2} < Vec{1, 3});
      CHECK(Vec{1, 2} < Vec{1, 2, 0});
      CHECK(Vec{2} > Vec{1, 9, 9, 9, 9});
    }
    SUBCASE("swap exchanges inline and heap contents") {
      Vec a{1, 2};
      Vec b{1, 2, 3, 4, 5, 6};
      swap(a, b);
      CHECK(as_std(a) == std::vector<std::size_t>{1, 2, 3, 4, 5, 6});
      CHECK(as_std(b) == std::vector<std::size_t>{1, 2});
    }
    SUBCASE("at() checks the index") {
      const Vec v{1, 2, 3};
      CHECK(v.at(2) == 3);
      CHECK_THROWS_AS(v.at(3), std::out_of_range);
      CHECK_THROWS_WITH(v.at(3), doctest::Contains("index 3 out of range for size 3"));
    }
  }
  CHECK(ledger.allocations == ledger.deallocations);
  CHECK(ledger.elements_out == 0);
}

TEST_CASE("SmallVector as Tensor's shape: tensors of more than four dimensions work like any other") {
  // Six axes: the shape, strides and back-strides are on the heap.
  xgrad::Generator gen(3);
  const xgrad::Value x = xgrad::normal({2, 1, 3, 1, 2, 2}, gen).set_requires_grad();
  const xgrad::Value y = xgrad::normal({3, 1, 2, 1}, gen).set_requires_grad();
  CHECK(x.shape() == xgrad::Shape{2, 1, 3, 1, 2, 2});
  const xgrad::Value z = xgrad::sum(xgrad::reshape(x * y, {12, 2}) * 2.0);
  CHECK(z.shape().empty());
  z.backward();
  CHECK(x.grad().shape() == x.shape());
  CHECK(y.grad().shape() == y.shape());
  for (std::size_t i = 0; i < x.data().size(); ++i) {
    // ∂z/∂x[a,0,c,0,e,f] = 2·y[c,0,e,0], broadcast over a and f.
    const std::size_t c = (i / 4) % 3;
    const std::size_t e = (i / 2) % 2;
    CHECK(x.grad().data()[i] == doctest::Approx(2.0 * y.data()(c, 0, e, 0)));
  }
  const xgrad::GradcheckReport report = xgrad::gradcheck(
      [](const std::vector<xgrad::Value>& in) {
        return xgrad::reshape(in[0] * in[1], {3, -1});
      },
      {x.data(), y.data()});
  CHECK_MESSAGE(report.ok, report);
}
