// The command line: every flag, its check, and its default.
//
// Each flag is validated while parsing (CLI11 validators), so a wrong value stops the program
// with a message naming the flag before anything is computed or written.

#include "options.hpp"

#include <unistd.h>

#include <CLI/Validators.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lab {

namespace {

template <class Enum>
using Names = std::vector<std::pair<std::string, Enum>>;

const Names<DataKind> data_names = {{"linear", DataKind::linear}, {"xor", DataKind::xor_easy}};
const Names<xgrad::nn::Activation> activation_names = {{"sigmoid", xgrad::nn::Activation::sigmoid},
                                                       {"tanh", xgrad::nn::Activation::tanh},
                                                       {"relu", xgrad::nn::Activation::relu},
                                                       {"none", xgrad::nn::Activation::none}};
const Names<OptimizerKind> optimizer_names = {
    {"sgd", OptimizerKind::sgd}, {"momentum", OptimizerKind::momentum}, {"adam", OptimizerKind::adam}};
const Names<LossKind> loss_names = {{"mse", LossKind::mse}, {"bce", LossKind::bce}};
const Names<SweepKind> sweep_names = {{"none", SweepKind::none},
                                      {"lr", SweepKind::lr},
                                      {"hidden", SweepKind::hidden},
                                      {"activation", SweepKind::activation},
                                      {"optimizer", SweepKind::optimizer}};

template <class Enum>
std::string name_of(const Names<Enum>& names, Enum value) {
  for (const auto& [name, v] : names) {
    if (v == value) {
      return name;
    }
  }
  return "?";
}

// A flag taking one of a few names (checked by CLI::IsMember) and storing the matching enum.
template <class Enum>
void add_choice(CLI::App& app, const std::string& flag, Enum& target, const Names<Enum>& names,
                const std::string& help) {
  std::vector<std::string> accepted;
  for (const auto& entry : names) {
    accepted.push_back(entry.first);
  }
  auto store = [&target, &names](const std::string& name) {
    for (const auto& [n, value] : names) {
      if (n == name) {
        target = value;
      }
    }
  };
  app.add_option_function<std::string>(flag, store, help)
      ->check(CLI::IsMember(accepted))
      ->default_str(name_of(names, target));
}

// A whole number in [lo, hi], written in decimal. CLI11 alone would read "-5" into an unsigned
// as 2⁶⁴ − 5 and "010" as octal, so the text is checked here and rewritten in plain decimal.
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
  auto check = [lo, hi](std::string& text) -> std::string {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || value < lo || value > hi) {
      return "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + text +
             "'";
    }
    text = std::to_string(value);
    return {};
  };
  return CLI::Validator(check, "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// A finite number greater than 0 ("nan" and "inf" pass CLI::PositiveNumber, not this).
const CLI::Validator positive_rate(
    [](std::string& text) -> std::string {
      char* stop = nullptr;
      const double value = std::strtod(text.c_str(), &stop);
      if (text.empty() || *stop != '\0' || !std::isfinite(value) || value <= 0.0) {
        return "expected a positive number, got '" + text + "'";
      }
      return {};
    },
    "POSITIVE");

// A file name. Without this check "--save ''" (an unset shell variable, say) would quietly mean
// "no checkpoint" and the run would end without one.
const CLI::Validator file_name(
    [](std::string& text) -> std::string { return text.empty() ? "expected a file name, got ''" : std::string(); },
    "FILE");

// "full" or a positive whole number of rows per update (stored as 0 for "full").
void add_batch_flag(CLI::App& app, std::size_t& batch) {
  const CLI::Validator rows = whole_number(1, 1'000'000);
  auto check = [rows](std::string& text) -> std::string {
    if (text == "full" || rows(text).empty()) {
      return {};
    }
    return "expected 'full' or a whole number from 1 to 1000000, got '" + text + "'";
  };
  auto store = [&batch](const std::string& text) { batch = text == "full" ? 0 : std::stoul(text); };
  app.add_option_function<std::string>("--batch", store,
                                       "Rows per update: full, K (shuffled each epoch) or 1 (one sample at a time)")
      ->transform(CLI::Validator(check, "full|INT"))
      ->default_str("full");
}

}  // namespace

// SGD at 1 is the lab's rate for XOR (report 000). Momentum 0.9 at 0.1 takes steps of the same
// size once its velocity has built up (lr/(1 − μ) = 1), so the optimizer sweep compares like with
// like. Adam normalises its steps, so it needs a far smaller rate.
double default_lr(OptimizerKind optimizer) {
  switch (optimizer) {
    case OptimizerKind::sgd:
      return 1.0;
    case OptimizerKind::momentum:
      return 0.1;
    case OptimizerKind::adam:
      return 0.01;
  }
  return 0.1;
}

void add_flags(CLI::App& app, Options& o) {
  add_choice(app, "--data", o.data, data_names, "Dataset: linear (n random points) or xor (the lab's 21)");
  app.add_option("--n", o.n, "Points in the linear dataset")
      ->transform(whole_number(1, 100'000))
      ->capture_default_str();
  app.add_option("--lr", o.lr, "Learning rate [default: sgd 1, momentum 0.1, adam 0.01]")->check(positive_rate);
  app.add_option("--h1", o.h1, "Units in hidden layer 1")->transform(whole_number(1, 4096))->capture_default_str();
  app.add_option("--h2", o.h2, "Units in hidden layer 2")->transform(whole_number(1, 4096))->capture_default_str();
  add_choice(app, "--activation", o.activation, activation_names, "Activation after each hidden layer");
  add_choice(app, "--optimizer", o.optimizer, optimizer_names, "sgd, momentum (SGD, 0.9) or adam (0.9, 0.999)");
  add_choice(app, "--loss", o.loss, loss_names, "mse (the lab's ½·mean squared error) or bce (cross-entropy)");
  app.add_option("--epochs", o.epochs, "Passes over the data")
      ->transform(whole_number(1, 1'000'000))
      ->capture_default_str();
  add_batch_flag(app, o.batch);
  app.add_option("--seed", o.seed, "Seed of the data, the weights and the shuffling")
      ->transform(whole_number(0, UINT64_MAX))
      ->capture_default_str();
  app.add_option("--print-every", o.print_every, "Print a log line every this many epochs [default: epochs/10]")
      ->transform(whole_number(1, 1'000'000));
  app.add_option("--out", o.out, "Folder for figures and their data (created if missing)")->capture_default_str();
  auto* save =
      app.add_option("--save", o.save, "Write a checkpoint (model and optimizer) after training")->check(file_name);
  auto* load = app.add_option("--load", o.load, "Continue training from a checkpoint")->check(CLI::ExistingFile);
  add_choice(app, "--sweep", o.sweep, sweep_names,
             "Run a Discussion experiment instead of a single training run (none)");
  app.get_option("--sweep")->excludes(save)->excludes(load);
  app.add_flag_callback(
      "--no-plots", [&o] { o.plots = false; }, "Write the data and scripts but do not run gnuplot");
}

void resolve_defaults(Options& o) {
  if (o.lr == 0.0) {
    o.lr = default_lr(o.optimizer);
  }
  if (o.print_every == 0) {
    o.print_every = o.epochs >= 10 ? o.epochs / 10 : 1;
  }
}

namespace {

// Creates and removes a hidden file in `folder`: the cheapest proof that writing works there.
void probe_folder(const std::filesystem::path& folder, const std::string& what) {
  std::string temp = (folder / ".lab1-probe-XXXXXX").string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    throw std::runtime_error("cannot write to " + what + " '" + folder.string() + "': " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(temp.c_str());
}

}  // namespace

void check_writable(const Options& o) {
  if (!o.save.empty()) {  // checked first: the output folder is not created for a run that cannot save
    if (std::filesystem::is_directory(o.save)) {
      throw std::runtime_error("--save needs a file name, but '" + o.save + "' is a folder");
    }
    const std::filesystem::path parent = std::filesystem::path(o.save).parent_path();
    probe_folder(parent.empty() ? "." : parent, "the checkpoint's folder");
  }
  std::error_code error;
  std::filesystem::create_directories(o.out, error);
  if (error) {
    throw std::runtime_error("cannot create the output folder '" + o.out + "': " + error.message());
  }
  probe_folder(o.out, "the output folder");
}

std::string to_string(DataKind data) { return name_of(data_names, data); }
std::string to_string(OptimizerKind optimizer) { return name_of(optimizer_names, optimizer); }
std::string to_string(LossKind loss) { return name_of(loss_names, loss); }
std::string to_string(SweepKind sweep) { return name_of(sweep_names, sweep); }

std::string describe(const Options& o) {
  char lr[32];
  std::snprintf(lr, sizeof lr, "%g", o.lr);
  const std::string data = o.data == DataKind::linear ? "linear, n = " + std::to_string(o.n) : "xor, 21 points";
  const std::string epochs = std::to_string(o.epochs) + (o.epochs == 1 ? " epoch, " : " epochs, ");
  const std::string batch = o.batch == 0   ? "full batch"
                            : o.batch == 1 ? "one sample at a time"
                                           : "batches of " + std::to_string(o.batch);
  return "data " + data + " | MLP 2-" + std::to_string(o.h1) + "-" + std::to_string(o.h2) + "-1, " +
         xgrad::nn::to_string(o.activation) + " | " + to_string(o.optimizer) + " lr " + lr + " | loss " +
         to_string(o.loss) + " | " + epochs + batch + " | seed " + std::to_string(o.seed);
}

}  // namespace lab
