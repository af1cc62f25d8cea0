#include <xgrad/graphviz.hpp>

#include <cstdio>
#include <unordered_map>
#include <vector>

namespace xgrad {

namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '|' || c == '<' || c == '>') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// A number as every box shows it: four significant digits.
std::string number_str(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

// The number of a one-element tensor, the shape of any other.
std::string summary(const Tensor& t) { return t.size() == 1 ? number_str(t.data()[0]) : shape_str(t.shape()); }

// The op's name, with its number operand where it has one: `mul (x · 0.5)`, `sub (1 − x)`.
std::string op_title(const Value& v) {
  const detail::NumberOperand* operand = v.node()->number_operand();
  std::string op = v.op();
  if (operand == nullptr) {
    return op;
  }
  // The arithmetic ops and pow have a symbol; any other op with a number shows its name.
  const std::string symbol = op == "add"   ? "+"
                             : op == "sub" ? "−"
                             : op == "mul" ? "·"
                             : op == "div" ? "/"
                             : op == "pow" ? "^"
                                           : op;
  const std::string number = number_str(operand->number);
  const std::string expression = operand->side < 0 ? number + " " + symbol + " x" : "x " + symbol + " " + number;
  return op + " (" + expression + ")";
}

std::string node_line(const Value& v, std::size_t id) {
  const std::string op = op_title(v);
  std::string title = v.label().empty() ? op : v.label() + " (" + op + ")";
  std::string grad = v.has_grad() ? summary(v.grad()) : "–";
  std::string style = v.is_leaf() && v.requires_grad() ? ", style=filled, fillcolor=lightblue" : "";
  return "  n" + std::to_string(id) + " [label=\"{" + escape(title) + " | data " + escape(summary(v.data())) +
         " | grad " + escape(grad) + "}\"" + style + "];\n";
}

}  // namespace

std::string to_dot(const Value& root) {
  std::string nodes;
  std::string edges;
  std::unordered_map<const void*, std::size_t> ids;
  std::vector<Value> stack{root};
  ids.emplace(root.id(), 0);
  while (!stack.empty()) {  // iterative: any depth is fine
    const Value v = stack.back();
    stack.pop_back();
    const std::size_t id = ids.at(v.id());
    nodes += node_line(v, id);
    for (const Value& input : v.inputs()) {
      auto [it, fresh] = ids.emplace(input.id(), ids.size());
      if (fresh) {
        stack.push_back(input);
      }
      edges += "  n" + std::to_string(it->second) + " -> n" + std::to_string(id) + ";\n";
    }
  }
  return "digraph xgrad {\n  rankdir=LR;\n  node [shape=record, fontname=\"Helvetica\"];\n" + nodes + edges + "}\n";
}

}  // namespace xgrad
