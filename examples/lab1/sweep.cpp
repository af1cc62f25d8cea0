// The Discussion experiments: how the learning rate, the hidden sizes, the activation and the
// optimizer change the learning curve.

#include "sweep.hpp"

#include "files.hpp"
#include "plot.hpp"
#include "report.hpp"
#include "train.hpp"

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace lab {

namespace {

// One run of a sweep: its label and its complete options.
struct Setting {
  std::string label;
  Options options;
};

std::string format_number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

std::vector<Setting> settings_of(const Options& base) {
  std::vector<Setting> out;
  auto add = [&](const std::string& label, const std::function<void(Options&)>& change) {
    Options o = base;
    change(o);
    resolve_defaults(o);  // after the change: an optimizer sweep starts each optimizer at its own rate
    out.push_back({label, o});
  };
  switch (base.sweep) {
    case SweepKind::lr:
      add("lr 0.01", [](Options& o) { o.lr = 0.01; });
      add("lr 0.1", [](Options& o) { o.lr = 0.1; });
      add("lr 1", [](Options& o) { o.lr = 1.0; });
      break;
    case SweepKind::hidden:
      for (const auto& [h1, h2] : {std::pair<std::size_t, std::size_t>{2, 1}, {5, 5}, {10, 10}, {100, 100}}) {
        add(std::to_string(h1) + "×" + std::to_string(h2), [h1, h2](Options& o) {
          o.h1 = h1;
          o.h2 = h2;
        });
      }
      break;
    case SweepKind::activation:
      for (const auto a : {xgrad::nn::Activation::sigmoid, xgrad::nn::Activation::tanh, xgrad::nn::Activation::relu,
                           xgrad::nn::Activation::none}) {
        add(xgrad::nn::to_string(a), [a](Options& o) { o.activation = a; });
      }
      break;
    case SweepKind::optimizer:
      for (const auto k : {OptimizerKind::sgd, OptimizerKind::momentum, OptimizerKind::adam}) {
        add(to_string(k), [k](Options& o) { o.optimizer = k; });
        out.back().label += " (lr " + format_number(out.back().options.lr) + ")";
      }
      break;
    case SweepKind::none:
      break;
  }
  return out;
}

// The same words for the title and the table's heading.
std::string heading(SweepKind kind) {
  switch (kind) {
    case SweepKind::lr:
      return "Sweep over the learning rate";
    case SweepKind::hidden:
      return "Sweep over the hidden sizes (h1×h2)";
    case SweepKind::activation:
      return "Sweep over the hidden activation";
    default:
      return "Sweep over the optimizer";
  }
}

std::string markdown_table(const std::string& title, const std::string& settings_line,
                           const std::vector<Setting>& settings, const std::vector<EpochStats>& finals,
                           const std::vector<Curve>& curves) {
  std::string md = "# " + title + "\n\n" + settings_line +
                   "\n\n| setting | final loss | accuracy | first epoch at 100% |\n|---|---:|---:|---:|\n";
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const std::size_t perfect = epochs_to_perfect(curves[i].history);
    char row[256];
    std::snprintf(row, sizeof row, "| %s | %.6g | %.2f%% | %s |\n", settings[i].label.c_str(), finals[i].loss,
                  100.0 * finals[i].accuracy, perfect == 0 ? "never" : std::to_string(perfect).c_str());
    md += row;
  }
  return md;
}

}  // namespace

void run_sweep(const Options& options) {
  const std::vector<Setting> settings = settings_of(options);
  Options shown = options;
  resolve_defaults(shown);
  const std::string settings_line = "base settings: " + describe(shown);
  check_writable(options);

  std::vector<Curve> curves;
  std::vector<EpochStats> finals;
  for (const Setting& s : settings) {
    std::printf("\n== %s: %s\n", s.label.c_str(), describe(s.options).c_str());
    Experiment e = make_experiment(s.options);
    curves.push_back({s.label, train(e, s.options, EpochLog(0, s.options.epochs, s.options.print_every))});
    finals.push_back(evaluate(e, s.options.loss));
    print_final(finals.back(), e.data.size());
  }

  const std::string name = "sweep_" + to_string(options.sweep);
  const std::string table = markdown_table(heading(options.sweep), settings_line, settings, finals, curves);
  const std::filesystem::path table_path = std::filesystem::path(options.out) / (name + ".md");
  examples::write_file(table_path, table);
  std::printf("\n%s\ntable: %s\n", table.c_str(), table_path.c_str());
  Plotter plotter(options.out, options.plots);
  plot_sweep(plotter, name, heading(options.sweep), settings_line, curves);
  plotter.print_summary();
}

}  // namespace lab
