#pragma once
/// @file
/// The graph behind a value as Graphviz DOT text: `dot -Tpng graph.dot -o graph.png`.

#include <xgrad/value.hpp>

#include <string>

namespace xgrad {

/// The graph that produced `root`, as a DOT digraph read left to right: one box per node with
/// its op (or label), its data (the number for a one-element value, the shape otherwise) and
/// its gradient; leaves that require grad — the parameters — are filled. An op with a number
/// operand shows it in its title, with `x` for its input: `mul (x · 0.5)`, `sub (1 − x)`.
std::string to_dot(const Value& root);

}  // namespace xgrad
