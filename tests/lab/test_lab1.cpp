// The lab program, tested from the outside: each case runs the built lab1 as a user would and
// checks what it prints, what it writes, and how it exits.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;  ///< exit status
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `word` for the shell, in single quotes.
std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

// A fresh, empty folder for one test case.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(LAB1_WORK_DIR) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs lab1 with `args`; its stdout and stderr are captured in files inside `dir`. With
// `timeout_s`, coreutils' timeout stops a run that hangs (exit status 124).
Run run_lab(const fs::path& dir, const std::vector<std::string>& args, int timeout_s = 0) {
  std::string command;
  if (timeout_s > 0) {
    command += "timeout ";
    command += std::to_string(timeout_s);
    command += ' ';
  }
  command += shell_quote(LAB1_PATH);
  for (const std::string& a : args) {
    command += ' ';  // appended piece by piece: GCC 12 misreports " " + string (-Wrestrict)
    command += shell_quote(a);
  }
  const fs::path out = dir / "stdout.txt";
  const fs::path err = dir / "stderr.txt";
  command += " >";
  command += shell_quote(out.string());
  command += " 2>";
  command += shell_quote(err.string());
  const int raw = std::system(command.c_str());
  Run run;
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

std::vector<std::string> lines_matching(const std::string& text, const std::regex& pattern) {
  std::vector<std::string> found;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, pattern)) {
      found.push_back(line);
    }
  }
  return found;
}

const std::regex epoch_line(R"(epoch \d+ loss \S+ accuracy [01]\.\d{4})");
const std::regex iter_line(R"(Iter +\d+ \| Ground truth [01] \| prediction [01]\.\d{5})");
const std::regex final_line(R"(final loss (\S+) accuracy ([0-9.]+)% \((\d+)/(\d+)\))");

// The loss printed on the final line, as printed (17 significant digits).
std::string final_loss(const Run& run) {
  std::smatch m;
  REQUIRE(std::regex_search(run.out, m, final_line));
  return m[1];
}

// The final line's "right/total".
std::string final_score(const Run& run) {
  std::smatch m;
  REQUIRE(std::regex_search(run.out, m, final_line));
  return m[3].str() + "/" + m[4].str();
}

bool has_gnuplot() { return std::system("gnuplot --version >/dev/null 2>&1") == 0; }

void check_non_empty(const fs::path& file) {
  INFO(file.string());
  REQUIRE(fs::exists(file));
  CHECK(fs::file_size(file) > 0);
}

void check_png(const fs::path& file) {
  check_non_empty(file);
  CHECK(read_text(file).substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
}

// No temporary file (hidden, left by an interrupted write) remains in `dir`.
void check_no_leftovers(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    INFO(entry.path().string());
    CHECK(entry.path().filename().string().front() != '.');
  }
}

}  // namespace

TEST_CASE("a short run prints the lab's logs and writes its figures") {
  const fs::path dir = scratch("short");
  const Run run =
      run_lab(dir, {"--data", "xor", "--epochs", "50", "--print-every", "10", "--out", (dir / "out").string()});
  INFO(run.out, run.err);
  REQUIRE(run.status == 0);
  CHECK(lines_matching(run.out, epoch_line).size() == 5);  // epochs 10, 20, …, 50
  CHECK(lines_matching(run.out, epoch_line).back().rfind("epoch 50 ", 0) == 0);
  CHECK(lines_matching(run.out, iter_line).size() == 21);  // one per XOR sample
  CHECK(lines_matching(run.out, final_line).size() == 1);
  CHECK(run.out.find('\r') == std::string::npos);  // no progress bar when stdout is a file
  CHECK(run.out.find('\033') == std::string::npos);
  for (const char* file : {"learning_curve.dat", "learning_curve.gp", "samples.dat", "grid.dat", "comparison.gp"}) {
    check_non_empty(dir / "out" / file);
  }
  if (has_gnuplot()) {
    check_png(dir / "out" / "learning_curve.png");
    check_png(dir / "out" / "comparison.png");
  } else {
    MESSAGE("gnuplot is not installed: PNG checks skipped");
    CHECK(run.out.find("gnuplot not found") != std::string::npos);
  }
  check_no_leftovers(dir / "out");
}

TEST_CASE("--no-plots writes the data and scripts but no PNG") {
  const fs::path dir = scratch("no_plots");
  const Run run = run_lab(dir, {"--epochs", "20", "--no-plots", "--out", (dir / "out").string()});
  REQUIRE(run.status == 0);
  check_non_empty(dir / "out" / "comparison.gp");
  check_non_empty(dir / "out" / "samples.dat");
  CHECK_FALSE(fs::exists(dir / "out" / "comparison.png"));
  CHECK(lines_matching(run.out, iter_line).size() == 100);  // the linear dataset's default n
}

TEST_CASE("the defaults reach 100% accuracy on xor") {
  const fs::path dir = scratch("default_xor");
  const Run run = run_lab(dir, {"--data", "xor", "--no-plots", "--out", (dir / "out").string()});
  INFO(run.out, run.err);
  REQUIRE(run.status == 0);
  CHECK(final_score(run) == "21/21");
  CHECK(run.out.find("accuracy 100.00%") != std::string::npos);
}

TEST_CASE("the defaults reach 100% accuracy on linear data with n = 100") {
  const fs::path dir = scratch("default_linear");
  const Run run = run_lab(dir, {"--data", "linear", "--n", "100", "--no-plots", "--out", (dir / "out").string()});
  INFO(run.out, run.err);
  REQUIRE(run.status == 0);
  CHECK(final_score(run) == "100/100");
  CHECK(run.out.find("accuracy 100.00%") != std::string::npos);
}

// A bad command line: the arguments, and a part of the message that must explain it.
struct BadInput {
  std::vector<std::string> args;
  std::string message;
};

// Runs each case with --out inside `dir` and expects a non-zero exit, the message on stderr, no
// training, and no output folder.
void expect_stopped(const fs::path& dir, const std::vector<BadInput>& cases) {
  const std::string out = (dir / "out").string();
  for (const auto& bad : cases) {
    std::vector<std::string> args = bad.args;
    args.insert(args.end(), {"--out", out});
    const Run run = run_lab(dir, args);
    std::string shown;
    for (const std::string& a : bad.args) {
      shown += a;
      shown += ' ';
    }
    INFO(shown, "\nstdout: ", run.out, "\nstderr: ", run.err);
    CHECK(run.status != 0);
    CHECK(run.err.find(bad.message) != std::string::npos);
    CHECK(lines_matching(run.out, epoch_line).empty());
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("a bad flag or value stops with a message, before anything is written") {
  const fs::path dir = scratch("bad_flags");
  const std::string from_1 = "expected a whole number from 1 to ";
  const std::string positive = "--lr: expected a positive number, got '";
  expect_stopped(
      dir, {
               // Sizes: negative, zero, too large, fractional, not numbers, empty.
               {{"--n", "-5"}, "--n: " + from_1 + "100000, got '-5'"},
               {{"--n", "0"}, "--n: " + from_1 + "100000, got '0'"},
               {{"--n", "2.5"}, "got '2.5'"},
               {{"--n", "100001"}, "got '100001'"},
               {{"--n", "0x10"}, "got '0x10'"},
               {{"--n", ""}, "--n: " + from_1 + "100000, got ''"},
               {{"--h1", "0"}, "--h1: " + from_1 + "4096, got '0'"},
               {{"--h1", "4097"}, "--h1: " + from_1 + "4096, got '4097'"},
               {{"--h2", "-1"}, "--h2: " + from_1 + "4096, got '-1'"},
               {{"--h2", "1e3"}, "--h2: " + from_1 + "4096, got '1e3'"},
               {{"--epochs", "-1"}, "--epochs: " + from_1 + "1000000, got '-1'"},
               {{"--epochs", "0"}, "--epochs: " + from_1 + "1000000, got '0'"},
               {{"--epochs", "ten"}, "--epochs: " + from_1 + "1000000, got 'ten'"},
               {{"--print-every", "0"}, "--print-every: " + from_1 + "1000000, got '0'"},
               {{"--batch", "0"}, "--batch: expected 'full' or a whole number from 1 to 1000000, got '0'"},
               {{"--batch", "-2"}, "--batch: expected 'full' or a whole number from 1 to 1000000, got '-2'"},
               {{"--batch", "half"}, "got 'half'"},
               {{"--seed", "-3"}, "--seed: expected a whole number from 0 to 18446744073709551615, got '-3'"},
               {{"--seed", "x"}, "--seed: expected a whole number from 0 to"},
               {{"--seed", "18446744073709551616"}, "got '18446744073709551616'"},
               // Learning rates: not numbers, NaN, infinities, overflow, zero, negative.
               {{"--lr", "abc"}, positive + "abc'"},
               {{"--lr", "1e-3x"}, positive + "1e-3x'"},
               {{"--lr", ""}, positive + "'"},
               {{"--lr", "nan"}, positive + "nan'"},
               {{"--lr", "inf"}, positive + "inf'"},
               {{"--lr", "-inf"}, positive + "-inf'"},
               {{"--lr", "1e999"}, positive + "1e999'"},
               {{"--lr", "0"}, positive + "0'"},
               {{"--lr", "1e-400"}, positive + "1e-400'"},
               {{"--lr", "-0.1"}, positive + "-0.1'"},
               // Every flag that takes a name: unknown, wrong case, empty.
               {{"--data", "circle"}, "--data: circle not in {linear,xor}"},
               {{"--data", "XOR"}, "--data: XOR not in {linear,xor}"},
               {{"--activation", "foo"}, "--activation: foo not in {sigmoid,tanh,relu,none}"},
               {{"--activation", ""}, "--activation:  not in"},
               {{"--optimizer", "rms"}, "--optimizer: rms not in {sgd,momentum,adam}"},
               {{"--loss", "hinge"}, "--loss: hinge not in {mse,bce}"},
               {{"--sweep", "depth"}, "--sweep: depth not in {none,lr,hidden,activation,optimizer}"},
               // Flags that do not exist, lack their value, or do not go together.
               {{"--no-such-flag"}, "The following argument was not expected: --no-such-flag"},
               {{"--epochs"}, "--epochs: expected a whole number from 1 to 1000000, got '--out'"},  // the next word
               {{"--sweep", "lr", "--save", (dir / "m.ckpt").string()}, "--save excludes --sweep"},
               {{"--sweep", "lr", "--load", LAB1_PATH}, "--load excludes --sweep"},
               // Files: a missing checkpoint, a folder as checkpoint, an empty name.
               {{"--load", "/nonexistent/model.ckpt"}, "--load: File does not exist: /nonexistent/model.ckpt"},
               {{"--load", dir.string()}, "--load: File is actually a directory"},
               {{"--load", ""}, "--load: File does not exist"},
               {{"--save", ""}, "--save: expected a file name, got ''"},
           });
}

TEST_CASE("an output folder that cannot be created stops the run before training") {
  const fs::path dir = scratch("bad_out");
  const Run run = run_lab(dir, {"--epochs", "5", "--out", "/proc/xgrad"});
  INFO(run.out, run.err);
  CHECK(run.status != 0);
  CHECK(run.err.find("/proc/xgrad") != std::string::npos);
  CHECK(lines_matching(run.out, epoch_line).empty());
  CHECK_FALSE(fs::exists("/proc/xgrad"));
}

TEST_CASE("an output folder that exists but cannot be written, or is a file, stops the run before training") {
  const fs::path dir = scratch("unwritable_out");
  std::ofstream(dir / "file.txt") << "keep";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/proc", "lab1: cannot write to the output folder '/proc'"},
      {(dir / "file.txt").string(), "cannot create the output folder '" + (dir / "file.txt").string() + "'"},
      {(dir / "file.txt" / "sub").string(), "Not a directory"},
      {"", "cannot create the output folder ''"},
  };
  for (const auto& [out, message] : cases) {
    const Run run = run_lab(dir, {"--epochs", "5", "--out", out});
    INFO(out, "\n", run.out, run.err);
    CHECK(run.status == 1);
    CHECK(run.err.find(message) != std::string::npos);
    CHECK(lines_matching(run.out, epoch_line).empty());
  }
  CHECK(read_text(dir / "file.txt") == "keep");
  if (::geteuid() == 0) {
    MESSAGE("running as root, which may write to a read-only folder: that case is skipped");
    return;
  }
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  const Run run = run_lab(dir, {"--epochs", "5", "--out", locked.string()});
  fs::permissions(locked, fs::perms::owner_all);
  INFO(run.out, run.err);
  CHECK(run.status == 1);
  CHECK(run.err.find("cannot write to the output folder '" + locked.string() + "'") != std::string::npos);
  CHECK(fs::is_empty(locked));
}

TEST_CASE("--save into a missing folder, onto a folder or where nothing can be written stops before training") {
  const fs::path dir = scratch("bad_save");
  const std::string out = (dir / "out").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {(dir / "no" / "such" / "m.ckpt").string(),
       "lab1: cannot write to the checkpoint's folder '" + (dir / "no" / "such").string() + "'"},
      {dir.string(), "lab1: --save needs a file name, but '" + dir.string() + "' is a folder"},
      {"/proc/m.ckpt", "lab1: cannot write to the checkpoint's folder '/proc'"},
  };
  for (const auto& [save, message] : cases) {
    const Run run = run_lab(dir, {"--epochs", "5", "--save", save, "--out", out});
    INFO(save, "\n", run.out, run.err);
    CHECK(run.status == 1);
    CHECK(run.err.find(message) != std::string::npos);
    CHECK(lines_matching(run.out, epoch_line).empty());
    CHECK_FALSE(fs::exists(out));  // checked before the output folder is created
  }
  CHECK_FALSE(fs::exists(dir / "no"));
  check_no_leftovers(dir);
}

TEST_CASE("--load of a damaged, mismatched or endless file is refused with its name and the reason") {
  const fs::path dir = scratch("bad_load");
  const std::string out = (dir / "out").string();
  const fs::path good = dir / "good.ckpt";
  const std::vector<std::string> setup = {"--data", "xor", "--epochs", "3", "--no-plots"};
  const std::vector<std::string> as_saved = {"--h1", "5"};  // and Adam, the default
  std::vector<std::string> save_args = setup;
  save_args.insert(save_args.end(), as_saved.begin(), as_saved.end());
  save_args.insert(save_args.end(), {"--save", good.string(), "--out", (dir / "first").string()});
  REQUIRE(run_lab(dir, save_args).status == 0);
  const std::string bytes = read_text(good);
  REQUIRE(bytes.size() > 100);
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  std::string flipped = bytes;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x10);
  const std::string fifo = (dir / "pipe").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);

  struct Case {
    std::string file;
    std::vector<std::string> network;  ///< empty: as saved
    std::string reason;
  };
  const std::vector<Case> cases = {
      {write("text.ckpt", "not a checkpoint"), {}, "not an xgrad checkpoint (bad magic)"},
      {write("empty.ckpt", ""), {}, "truncated: 0 bytes is shorter than any checkpoint"},
      {write("half.ckpt", bytes.substr(0, bytes.size() / 2)), {}, "checksum mismatch"},
      {write("short.ckpt", bytes.substr(0, bytes.size() - 1)), {}, "checksum mismatch"},
      {write("flipped.ckpt", flipped), {}, "checksum mismatch"},
      {good.string(), {"--h1", "6"}, "mismatch: the file has 'layers.0.weight' (2,5) where 'layers.0.weight' (2,6)"},
      {good.string(),
       {"--h1", "5", "--optimizer", "sgd"},
       "mismatch: the file has 'optimizer.Adam.steps' () where 'optimizer.SGD.steps' ()"},
      {fifo, {}, "not a regular file"},
  };
  // (/dev/zero is refused the same way; the nn tests try it where a regression could not read
  // on without bound. A FIFO that load waited on would end here after 60 s with status 124.)
  for (const Case& c : cases) {
    std::vector<std::string> args = setup;
    const std::vector<std::string>& network = c.network.empty() ? as_saved : c.network;
    args.insert(args.end(), network.begin(), network.end());
    args.insert(args.end(), {"--load", c.file, "--out", out});
    const Run run = run_lab(dir, args, 60);
    INFO(c.file, "\n", run.out, run.err);
    CHECK(run.status == 1);
    std::string message = "lab1: load: ";  // appended: GCC 12 misreports "…" + string (-Wrestrict)
    message += c.file;
    message += ": ";
    message += c.reason;
    CHECK(run.err.find(message) != std::string::npos);
    CHECK(lines_matching(run.out, epoch_line).empty());
    CHECK_FALSE(fs::exists(out));
  }
  CHECK(read_text(good) == bytes);  // the checkpoint itself is never touched
}

TEST_CASE("a corrupt checkpoint is refused with a message") {
  const fs::path dir = scratch("bad_checkpoint");
  std::ofstream(dir / "broken.ckpt") << "not a checkpoint";
  const Run run =
      run_lab(dir, {"--epochs", "5", "--load", (dir / "broken.ckpt").string(), "--out", (dir / "out").string()});
  CHECK(run.status == 1);
  CHECK(run.err.find("broken.ckpt") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("--save then --load continues exactly like an uninterrupted run") {
  const std::vector<std::vector<std::string>> setups = {
      {"--data", "xor"},
      {"--data", "linear", "--n", "40", "--optimizer", "momentum", "--batch", "8"},
      {"--data", "linear", "--n", "30", "--optimizer", "sgd", "--batch", "1", "--loss", "bce"},
  };
  for (const auto& setup : setups) {
    const fs::path dir = scratch("checkpoint");
    const std::string ckpt = (dir / "model.ckpt").string();
    auto with = [&](std::vector<std::string> more) {
      more.insert(more.begin(), setup.begin(), setup.end());
      more.insert(more.end(), {"--no-plots", "--print-every", "60", "--out", (dir / "out").string()});
      return more;
    };
    const Run whole = run_lab(dir, with({"--epochs", "120"}));
    const Run first = run_lab(dir, with({"--epochs", "60", "--save", ckpt}));
    const Run second = run_lab(dir, with({"--epochs", "60", "--load", ckpt}));
    INFO(setup[1], "\n", whole.out, "\n", second.out, second.err);
    REQUIRE(whole.status == 0);
    REQUIRE(first.status == 0);
    REQUIRE(second.status == 0);
    CHECK(final_loss(second) == final_loss(whole));
    CHECK(final_loss(first) != final_loss(whole));
    CHECK(lines_matching(second.out, epoch_line).back() == lines_matching(whole.out, epoch_line).back());
  }
}

TEST_CASE("a sweep writes its table and its figure") {
  const fs::path dir = scratch("sweep");
  const Run run =
      run_lab(dir, {"--data", "xor", "--sweep", "activation", "--epochs", "100", "--out", (dir / "out").string()});
  INFO(run.out, run.err);
  REQUIRE(run.status == 0);
  CHECK(lines_matching(run.out, final_line).size() == 4);
  const std::string table = read_text(dir / "out" / "sweep_activation.md");
  for (const char* setting : {"| sigmoid |", "| tanh |", "| relu |", "| none |"}) {
    CHECK(table.find(setting) != std::string::npos);
  }
  check_non_empty(dir / "out" / "sweep_activation.dat");
  if (has_gnuplot()) {
    check_png(dir / "out" / "sweep_activation.png");
  }
  check_no_leftovers(dir / "out");
}
