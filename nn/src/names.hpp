#pragma once
// Internal: enum ↔ name tables for options and command lines, and numbers in messages.

#include <xgrad/tensor.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <string>
#include <utility>

namespace xgrad::nn::detail {

// The shortest text that reads back as x: "-1e-09" and "0.01", where std::to_string would
// print "-0.000000" and "0.010000".
inline std::string number(double x) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, x);
  return {buf, result.ptr};
}

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

template <class E, std::size_t N>
std::string name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [kind, name] : table) {
    if (kind == value) {
      return name;
    }
  }
  return "unknown";
}

// The entry called `name`; value_error "<what>: unknown <what> 'x' (known: a, b, c)" otherwise.
template <class E, std::size_t N>
E parse_name(const NameTable<E, N>& table, const char* what, const std::string& name) {
  std::string known;
  for (const auto& [kind, text] : table) {
    if (name == text) {
      return kind;
    }
    if (!known.empty()) {
      known += ", ";
    }
    known += text;
  }
  throw value_error(std::string(what) + ": unknown " + what + " '" + name + "' (known: " + known + ")");
}

}  // namespace xgrad::nn::detail
