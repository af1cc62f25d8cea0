// graph_to_dot — see the graph: one neuron, its backward pass, drawn as a picture.
//
// Run:  build/<preset>/examples/graph_to_dot [folder]     (files go to the current folder by default)
//
// Output:
//   o = tanh(n) = 0.905148, do/dn = 1 - o^2 = 0.180707
//   do/dw1 = 0.180707, do/dw2 = -0.361413, do/db = 0.180707
//
//   digraph xgrad {
//     rankdir=LR;
//     node [shape=record, fontname="Helvetica"];
//     n0 [label="{o (tanh) | data 0.9051 | grad 1}"];
//     n1 [label="{n (add) | data 1.5 | grad 0.1807}"];
//     n3 [label="{b (leaf) | data 0.1 | grad 0.1807}", style=filled, fillcolor=lightblue];
//     n2 [label="{x1*w1 + x2*w2 (add) | data 1.4 | grad 0.1807}"];
//     n5 [label="{x2*w2 (mul) | data 0.6 | grad 0.1807}"];
//     n7 [label="{w2 (leaf) | data -0.3 | grad -0.3614}", style=filled, fillcolor=lightblue];
//     n6 [label="{x2 (leaf) | data -2 | grad –}"];
//     n4 [label="{x1*w1 (mul) | data 0.8 | grad 0.1807}"];
//     n9 [label="{w1 (leaf) | data 0.8 | grad 0.1807}", style=filled, fillcolor=lightblue];
//     n8 [label="{x1 (leaf) | data 1 | grad –}"];
//     n1 -> n0;
//     n2 -> n1;
//     n3 -> n1;
//     n4 -> n2;
//     n5 -> n2;
//     n6 -> n5;
//     n7 -> n5;
//     n8 -> n4;
//     n9 -> n4;
//   }
//
//   wrote ./neuron.dot
//   wrote ./neuron.png
#include "files.hpp"  // examples/support

#include <xgrad/xgrad.hpp>

#include <filesystem>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using xgrad::Value;

// Builds the neuron, runs backward, writes neuron.dot (and neuron.png) into `folder`.
int draw_neuron(const fs::path& folder) {
  fs::create_directories(folder);

  // 1. A neuron: o = tanh(x1·w1 + x2·w2 + b). The inputs are data; the weights and the bias
  //    are parameters. Labels name the boxes in the picture.
  Value x1 = Value(1.0).set_label("x1");
  Value x2 = Value(-2.0).set_label("x2");
  Value w1 = Value(0.8).set_requires_grad().set_label("w1");
  Value w2 = Value(-0.3).set_requires_grad().set_label("w2");
  Value b = Value(0.1).set_requires_grad().set_label("b");
  Value x1w1 = (x1 * w1).set_label("x1*w1");
  Value x2w2 = (x2 * w2).set_label("x2*w2");
  Value weighted_sum = (x1w1 + x2w2).set_label("x1*w1 + x2*w2");
  Value n = (weighted_sum + b).set_label("n");
  Value o = tanh(n).set_label("o");

  // 2. Only leaves keep their gradients after backward; an interior node's gradient exists
  //    during one sweep. retain_grad() asks to keep it, so the picture can show it.
  for (const Value& v : {x1w1, x2w2, weighted_sum, n, o}) {
    v.retain_grad();
  }

  // 3. Backward normally frees the graph as it goes (saved tensors and the links between
  //    nodes). To draw the graph afterwards, keep it with retain_graph.
  o.backward({.retain_graph = true});
  std::cout << "o = tanh(n) = " << o.item() << ", do/dn = 1 - o^2 = " << n.grad()() << "\n"
            << "do/dw1 = " << w1.grad()() << ", do/dw2 = " << w2.grad()() << ", do/db = " << b.grad()() << "\n\n";

  // 4. The graph as Graphviz DOT text: one box per node (op, data, grad), parameters filled.
  const std::string dot = xgrad::to_dot(o);
  std::cout << dot << "\n";
  // 5. The text goes to neuron.dot and, if Graphviz is installed, the picture to neuron.png
  //    (`dot -Tpng neuron.dot -o neuron.png`).
  const fs::path png = examples::write_graph(folder, "neuron", dot);
  std::cout << "wrote " << (folder / "neuron.dot").string() << "\n";
  if (png.empty()) {
    std::cout << "Graphviz's `dot` was not found; render the file elsewhere with dot -Tpng\n";
  } else {
    std::cout << "wrote " << png.string() << "\n";
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return draw_neuron(argc > 1 ? fs::path(argv[1]) : fs::path("."));
  } catch (const std::exception& e) {  // a folder or file that cannot be written
    std::cerr << "graph_to_dot: " << e.what() << "\n";
    return 1;
  }
}
