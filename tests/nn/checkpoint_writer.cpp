// The kill test's writer: saves one of two models, then the other, then the first again, … to
// the path it is given, until it is killed. On stdout it writes 'r' once both models are built
// (so the test kills it while it is saving rather than while it is starting), then 's' after
// each save that returned.
#include <xgrad/nn.hpp>

#include "kill_models.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[2]) != "0" && std::string(argv[2]) != "1")) {
    std::fprintf(stderr, "usage: %s CHECKPOINT FIRST (0: A first, 1: B first)\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int first = argv[2][0] - '0';
  try {
    const auto a = kill_test::model(0);
    const auto b = kill_test::model(1);
    if (::write(STDOUT_FILENO, "r", 1) != 1) {
      return 1;
    }
    for (int i = first;; i = 1 - i) {
      xgrad::nn::save(i == 0 ? *a : *b, path);
      if (::write(STDOUT_FILENO, "s", 1) != 1) {
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint_writer: %s\n", e.what());
    return 1;
  }
}
