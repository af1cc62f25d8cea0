#pragma once
/// @file
/// The sequence type of a Tensor's shape, strides and back-strides.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace xgrad {

/// A vector of trivially copyable elements that keeps up to `inline_capacity` (4) of them
/// inside the object and only longer sequences on the heap, through `Alloc`.
///
/// Every Tensor carries three of these (shape, strides, back-strides), and a graph builds,
/// moves and destroys its tensors by the thousand: with the elements inline, a tensor of up
/// to four dimensions allocates nothing for them, and a move copies 40 bytes. It has the
/// interface of `std::vector` that xtensor and ordinary code use (sizes, iterators, element
/// access, `resize`, `push_back`, comparisons). Sizes are held in 32 bits (up to 4,294,967,295 elements).
template <class T, class Alloc = std::allocator<T>>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T>, "SmallVector holds trivially copyable elements only");
  using alloc_traits = std::allocator_traits<Alloc>;

 public:
  using value_type = T;
  using allocator_type = Alloc;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using pointer = T*;
  using const_pointer = const T*;
  using iterator = T*;
  using const_iterator = const T*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  /// How many elements live inside the object.
  static constexpr size_type inline_capacity = 4;

  SmallVector() noexcept = default;
  /// `n` value-initialised (zero) elements.
  explicit SmallVector(size_type n) { resize(n); }
  SmallVector(size_type n, const T& value) { assign(n, value); }
  SmallVector(std::initializer_list<T> il) { assign(il.begin(), il.end()); }
  template <class It, class = std::enable_if_t<!std::is_integral_v<It>>>
  SmallVector(It first, It last) {
    assign(first, last);
  }
  SmallVector(const SmallVector& other) { assign(other.begin(), other.end()); }
  SmallVector(SmallVector&& other) noexcept { take(other); }
  ~SmallVector() { release(); }

  SmallVector& operator=(const SmallVector& other) {
    if (this != &other) {
      assign(other.begin(), other.end());
    }
    return *this;
  }
  SmallVector& operator=(SmallVector&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  SmallVector& operator=(std::initializer_list<T> il) {
    assign(il.begin(), il.end());
    return *this;
  }

  void assign(size_type n, const T& value) {
    size_ = 0;
    if (n <= inline_capacity && !on_heap()) {
      fill_inline(value);
    } else {
      reserve(n);  // then on the heap: capacity is over the inline one, or was already
      std::fill_n(store_.heap, n, value);
    }
    size_ = static_cast<std::uint32_t>(n);
  }
  template <class It, class = std::enable_if_t<!std::is_integral_v<It>>>
  void assign(It first, It last) {
    size_ = 0;
    if constexpr (std::is_base_of_v<std::forward_iterator_tag, typename std::iterator_traits<It>::iterator_category>) {
      const auto n = static_cast<size_type>(std::distance(first, last));
      if (n <= inline_capacity && !on_heap()) {
        for (size_type k = 0; k < inline_capacity; ++k, ++first) {  // unrolled: no library call
          if (k == n) {
            break;
          }
          store_.local[k] = *first;
        }
      } else {
        reserve(n);
        std::copy(first, last, store_.heap);
      }
      size_ = static_cast<std::uint32_t>(n);
    } else {
      for (; first != last; ++first) {
        push_back(*first);
      }
    }
  }
  void assign(std::initializer_list<T> il) { assign(il.begin(), il.end()); }

  size_type size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_type capacity() const noexcept { return capacity_; }
  size_type max_size() const noexcept { return std::numeric_limits<std::uint32_t>::max(); }

  T* data() noexcept { return on_heap() ? store_.heap : store_.local; }
  const T* data() const noexcept { return on_heap() ? store_.heap : store_.local; }

  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + size_; }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + size_; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }
  reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
  reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
  const_reverse_iterator crbegin() const noexcept { return rbegin(); }
  const_reverse_iterator crend() const noexcept { return rend(); }

  T& operator[](size_type i) noexcept { return data()[i]; }
  const T& operator[](size_type i) const noexcept { return data()[i]; }
  T& at(size_type i) { return data()[checked(i)]; }
  const T& at(size_type i) const { return data()[checked(i)]; }
  T& front() noexcept { return data()[0]; }
  const T& front() const noexcept { return data()[0]; }
  T& back() noexcept { return data()[size_ - 1]; }
  const T& back() const noexcept { return data()[size_ - 1]; }

  /// Value-initialises (zeroes) the elements added.
  void resize(size_type n) { resize(n, T{}); }
  void resize(size_type n, const T& value) {
    if (n > size_) {
      const T copy = value;  // `value` may be one of the elements, which growing moves
      if (n <= inline_capacity && !on_heap()) {
        for (size_type k = 0; k < inline_capacity; ++k) {  // unrolled: no library call
          if (k >= size_) {
            store_.local[k] = copy;
          }
        }
      } else {
        reserve(n);
        std::fill(store_.heap + size_, store_.heap + n, copy);
      }
    }
    size_ = static_cast<std::uint32_t>(n);
  }
  void reserve(size_type n) {
    if (n > capacity_) {
      grow(n);
    }
  }
  void clear() noexcept { size_ = 0; }
  void push_back(const T& value) {
    const T copy = value;  // `value` may be one of the elements, which growing moves
    if (size_ == capacity_) {
      grow(2 * size_);
    }
    data()[size_++] = copy;
  }
  void pop_back() noexcept { --size_; }

  iterator insert(const_iterator pos, const T& value) {
    const auto at = pos - begin();
    push_back(value);
    std::rotate(begin() + at, end() - 1, end());
    return begin() + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const auto at = first - begin();
    const auto n = last - first;
    std::copy(begin() + at + n, end(), begin() + at);
    size_ -= static_cast<std::uint32_t>(n);
    return begin() + at;
  }

  void swap(SmallVector& other) noexcept {
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    std::swap(store_, other.store_);
  }

  allocator_type get_allocator() const noexcept { return Alloc{}; }

  friend bool operator==(const SmallVector& a, const SmallVector& b) noexcept {
    if (a.size_ != b.size_) {
      return false;
    }
    for (size_type k = 0; k < a.size_; ++k) {  // a loop, not std::equal's memcmp call: shapes are short
      if (a[k] != b[k]) {
        return false;
      }
    }
    return true;
  }
  friend auto operator<=>(const SmallVector& a, const SmallVector& b) noexcept {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
  }
  friend void swap(SmallVector& a, SmallVector& b) noexcept { a.swap(b); }

 private:
  // The elements live in `local` while the capacity is the inline one, in a heap block of
  // `capacity_` elements once they have outgrown it (like std::vector, the block is then kept
  // until the vector is destroyed or assigned a moved vector).
  union Store {
    T local[inline_capacity];
    T* heap;
  };

  bool on_heap() const noexcept { return capacity_ > inline_capacity; }

  // Every inline slot set to `value`, in a loop of constant length that the compiler unrolls
  // into a few stores: a fill of the exact count becomes a call to memset, which costs more than
  // the stores it makes. (Tensor's strides are made this way, as zeros, for every tensor.)
  void fill_inline(const T& value) noexcept {
    for (size_type k = 0; k < inline_capacity; ++k) {
      store_.local[k] = value;
    }
  }

  size_type checked(size_type i) const {
    if (i >= size_) {
      throw std::out_of_range("SmallVector::at: index " + std::to_string(i) + " out of range for size " +
                              std::to_string(size_));
    }
    return i;
  }

  // Takes other's elements (a copy of at most four numbers, or its heap block) and leaves it
  // empty and inline.
  void take(SmallVector& other) noexcept {
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, std::uint32_t{inline_capacity});
    store_ = other.store_;
  }

  void release() noexcept {
    if (on_heap()) {
      Alloc a;
      alloc_traits::deallocate(a, store_.heap, capacity_);
    }
  }

  // Moves the elements to a heap block with room for at least `room` of them.
  void grow(size_type room) {
    room = std::max(room, size_type{inline_capacity} + 1);
    if (room > max_size()) {
      throw std::length_error("SmallVector: " + std::to_string(room) + " elements is more than it holds");
    }
    Alloc a;
    T* block = alloc_traits::allocate(a, room);
    std::copy_n(data(), size_, block);
    release();
    store_.heap = block;
    capacity_ = static_cast<std::uint32_t>(room);
  }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = inline_capacity;
  Store store_{};
};

}  // namespace xgrad
