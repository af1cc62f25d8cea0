// The lab program, tested from the outside: each case runs the built lab1 as a user would and
// checks what it prints, what it writes, and how it exits.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <sys/wait.h>

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

// Runs lab1 with `args`; its stdout and stderr are captured in files inside `dir`.
Run run_lab(const fs::path& dir, const std::vector<std::string>& args) {
  std::string command = shell_quote(LAB1_PATH);
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

TEST_CASE("a bad flag or value stops with a message, before anything is written") {
  const fs::path dir = scratch("bad_flags");
  const std::string out = (dir / "out").string();
  const std::vector<std::vector<std::string>> cases = {
      {"--n", "-5"},           {"--n", "0"},         {"--n", "2.5"},
      {"--lr", "abc"},         {"--lr", "-0.1"},     {"--lr", "nan"},
      {"--activation", "foo"}, {"--data", "circle"}, {"--optimizer", "rms"},
      {"--loss", "hinge"},     {"--epochs", "-1"},   {"--batch", "0"},
      {"--batch", "half"},     {"--h1", "0"},        {"--seed", "-3"},
      {"--sweep", "depth"},    {"--no-such-flag"},   {"--load", "/nonexistent/model.ckpt"},
  };
  for (const auto& bad : cases) {
    std::vector<std::string> args = bad;
    args.insert(args.end(), {"--out", out});
    const Run run = run_lab(dir, args);
    INFO(bad.front(), " ", bad.size() > 1 ? bad[1] : "", "\nstdout: ", run.out, "\nstderr: ", run.err);
    CHECK(run.status != 0);
    CHECK_FALSE(run.err.empty());
    CHECK(lines_matching(run.out, epoch_line).empty());
    CHECK_FALSE(fs::exists(out));
  }
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
