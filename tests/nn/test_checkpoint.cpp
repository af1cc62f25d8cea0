// Checkpoints: round trips, exact resumption, refused architectures, files and folders.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using nn_test::contains;
using nn_test::message_of;
using nn_test::same_bits;
using nn_test::same_parameters;
using nn_test::TempDir;
using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

std::unique_ptr<nn::MLP> network(std::uint64_t seed, std::vector<std::size_t> sizes = {2, 10, 10, 1}) {
  Generator gen(seed);
  return std::make_unique<nn::MLP>(sizes, gen, nn::MLPOptions{.bias_init = nn::Init::normal});
}

// `steps` full-batch steps on XOR with ½·MSE.
void train(nn::Module& model, nn::Optimizer& opt, int steps) {
  const nn::Dataset data = nn::xor_easy();
  for (int s = 0; s < steps; ++s) {
    const Value loss = nn::half_mse_loss(model(Value(data.inputs)), Value(data.labels));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
}

bool same_state(const nn::OptimizerState& a, const nn::OptimizerState& b) {
  if (a.steps != b.steps || a.buffers.size() != b.buffers.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.buffers.size(); ++i) {
    if (!same_bits(a.buffers[i], b.buffers[i])) {
      return false;
    }
  }
  return true;
}

// The parameters' data, copied.
std::vector<Tensor> snapshot(const nn::Module& m) {
  std::vector<Tensor> out;
  for (const Value& p : m.parameters()) {
    out.push_back(p.data());
  }
  return out;
}

bool unchanged(const nn::Module& m, const std::vector<Tensor>& before) {
  const std::vector<Value> params = m.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!same_bits(params[i].data(), before[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("save then load gives identical parameters and optimizer state") {
  const TempDir dir;
  const std::string path = dir.file("model.ckpt");
  auto a = network(1);
  nn::Adam adam(a->parameters(), {.lr = 0.01});
  train(*a, adam, 5);
  nn::save(*a, path, &adam);
  CHECK(dir.entries() == std::vector<std::string>{"model.ckpt"});  // no temporary file remains

  auto b = network(2);
  nn::Adam adam_b(b->parameters(), {.lr = 0.01});
  REQUIRE_FALSE(same_parameters(*a, *b));
  nn::load(*b, path, &adam_b);
  CHECK(same_parameters(*a, *b));
  CHECK(same_state(adam.state(), adam_b.state()));

  auto c = network(3);  // the optimizer state in the file is simply not read
  nn::load(*c, path);
  CHECK(same_parameters(*a, *c));
}

TEST_CASE("resuming from a checkpoint equals an uninterrupted run, bit for bit") {
  const TempDir dir;
  const std::string path = dir.file("resume.ckpt");
  for (int kind = 0; kind < 2; ++kind) {
    CAPTURE(kind);
    auto make_opt = [kind](const nn::Module& m) -> std::unique_ptr<nn::Optimizer> {
      if (kind == 0) {
        return std::make_unique<nn::Adam>(m.parameters(), nn::AdamOptions{.lr = 0.02});
      }
      return std::make_unique<nn::SGD>(m.parameters(), nn::SGDOptions{.lr = 0.5, .momentum = 0.9, .nesterov = true});
    };
    auto whole = network(4);
    auto whole_opt = make_opt(*whole);
    train(*whole, *whole_opt, 12);

    auto first = network(4);
    auto first_opt = make_opt(*first);
    train(*first, *first_opt, 7);
    nn::save(*first, path, first_opt.get());

    auto resumed = network(5);  // freshly constructed, different start
    auto resumed_opt = make_opt(*resumed);
    nn::load(*resumed, path, resumed_opt.get());
    train(*resumed, *resumed_opt, 5);
    CHECK(same_parameters(*whole, *resumed));
    CHECK(same_state(whole_opt->state(), resumed_opt->state()));
  }
}

TEST_CASE("loading into a different architecture is refused, and nothing is loaded") {
  const TempDir dir;
  const std::string path = dir.file("small.ckpt");
  auto saved = network(6, {2, 3, 1});
  nn::SGD sgd(saved->parameters(), {.momentum = 0.5});
  train(*saved, sgd, 2);
  nn::save(*saved, path, &sgd);

  auto wider = network(7, {2, 4, 1});
  const std::vector<Tensor> before = snapshot(*wider);
  const std::string m = message_of<nn::checkpoint_error>([&] { nn::load(*wider, path); });
  CHECK(contains(m, path));
  CHECK(contains(m, "layers.0.weight"));
  CHECK(contains(m, "(2,3)"));
  CHECK(contains(m, "(2,4)"));
  CHECK(unchanged(*wider, before));

  auto deeper = network(8, {2, 3, 3, 1});
  const std::vector<Tensor> deeper_before = snapshot(*deeper);
  CHECK_THROWS_WITH_AS(nn::load(*deeper, path), doctest::Contains(path.c_str()), nn::checkpoint_error);
  CHECK(unchanged(*deeper, deeper_before));

  auto no_bias = network(9, {2, 3});
  CHECK_THROWS_AS(nn::load(*no_bias, path), nn::checkpoint_error);  // fewer parameters than the file

  // The right architecture with the wrong optimizer: neither the module nor the optimizer changes.
  auto same = network(10, {2, 3, 1});
  const std::vector<Tensor> same_before = snapshot(*same);
  nn::Adam adam(same->parameters());
  const std::string wrong_opt = message_of<nn::checkpoint_error>([&] { nn::load(*same, path, &adam); });
  CHECK(contains(wrong_opt, "optimizer.Adam"));
  CHECK(unchanged(*same, same_before));
  CHECK(adam.state().steps == 0);
}

TEST_CASE("loading optimizer state from a file saved without it is refused") {
  const TempDir dir;
  const std::string path = dir.file("bare.ckpt");
  auto saved = network(11, {2, 3, 1});
  nn::save(*saved, path);
  auto other = network(12, {2, 3, 1});
  const std::vector<Tensor> before = snapshot(*other);
  nn::SGD sgd(other->parameters());
  CHECK_THROWS_WITH_AS(nn::load(*other, path, &sgd), doctest::Contains(path.c_str()), nn::checkpoint_error);
  CHECK(unchanged(*other, before));
}

TEST_CASE("a missing file, a folder that does not exist, and a path that is a folder") {
  const TempDir dir;
  auto model = network(13, {2, 2, 1});
  const std::string missing = dir.file("nothing.ckpt");
  const std::string m = message_of<nn::checkpoint_error>([&] { nn::load(*model, missing); });
  CHECK(contains(m, missing));
  CHECK(contains(m, "No such file"));

  const std::string nowhere = dir.file("no/such/folder/model.ckpt");
  CHECK_THROWS_WITH_AS(nn::save(*model, nowhere), doctest::Contains(nowhere.c_str()), nn::checkpoint_error);
  CHECK(dir.entries().empty());

  std::filesystem::create_directory(dir.file("taken"));
  CHECK_THROWS_WITH_AS(nn::save(*model, dir.file("taken")), doctest::Contains("taken"), nn::checkpoint_error);
  CHECK(dir.entries() == std::vector<std::string>{"taken"});  // the temporary file was removed
  CHECK(std::filesystem::is_empty(dir.file("taken")));
  CHECK_THROWS_AS(nn::load(*model, dir.file("taken")), nn::checkpoint_error);
}

TEST_CASE("saving replaces the file atomically and leaves no temporary file") {
  const TempDir dir;
  const std::string path = dir.file("model.ckpt");
  auto first = network(14, {2, 3, 1});
  auto second = network(15, {2, 3, 1});
  nn::save(*first, path);
  const std::vector<unsigned char> old_bytes = nn_test::read_bytes(path);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  const ino_t old_inode = info.st_ino;
  nn::save(*second, path);
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK(info.st_ino != old_inode);  // a new file renamed into place, not the old one rewritten
  CHECK(dir.entries() == std::vector<std::string>{"model.ckpt"});
  CHECK(nn_test::read_bytes(path) != old_bytes);
  auto loaded = network(16, {2, 3, 1});
  nn::load(*loaded, path);
  CHECK(same_parameters(*loaded, *second));

  // The file is readable like any other the program writes: its mode follows the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((info.st_mode & 0777) == (0666 & ~mask));
}

TEST_CASE("a relative path in the working folder works too") {
  const TempDir dir;
  struct InFolder {
    std::filesystem::path previous = std::filesystem::current_path();
    explicit InFolder(const std::filesystem::path& p) { std::filesystem::current_path(p); }
    ~InFolder() { std::filesystem::current_path(previous); }
  };
  auto model = network(17, {2, 2, 1});
  auto loaded = network(18, {2, 2, 1});
  {
    const InFolder here(dir.path());
    nn::save(*model, "here.ckpt");
    nn::load(*loaded, "here.ckpt");
  }
  CHECK(same_parameters(*model, *loaded));
  CHECK(dir.entries() == std::vector<std::string>{"here.ckpt"});
}
