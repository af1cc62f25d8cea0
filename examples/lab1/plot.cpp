// The lab's figures: data files and gnuplot scripts, turned into PNGs by gnuplot.

#include "plot.hpp"

#include "files.hpp"  // examples/support

#include <cstdio>
#include <initializer_list>
#include <utility>

namespace lab {

namespace nn = xgrad::nn;
using xgrad::Tensor;

namespace {

// printf into a std::string.
template <class... Args>
std::string format(const char* pattern, Args... args) {
  const int size = std::snprintf(nullptr, 0, pattern, args...);
  std::string out(static_cast<std::size_t>(size), '\0');
  std::snprintf(out.data(), out.size() + 1, pattern, args...);
  return out;
}

// `text` as a gnuplot single-quoted string ('it''s' for it's).
std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  return quoted + "'";
}

// A gnuplot script from its lines.
std::string script(std::initializer_list<std::string> lines) {
  std::string text;
  for (const std::string& line : lines) {
    text += line + '\n';
  }
  return text;
}

// `text` inside a gnuplot double-quoted string.
std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// A two-line title as a gnuplot double-quoted string, where "\n" breaks the line.
std::string two_line_title(const std::string& first, const std::string& second) {
  return "\"" + escaped(first) + "\\n" + escaped(second) + "\"";
}

// Every k-th epoch, so that a long run plots about 2000 points; the last epoch always.
bool plotted(std::size_t index, std::size_t count) {
  const std::size_t stride = count > 2000 ? (count + 1999) / 2000 : 1;
  return index % stride == 0 || index + 1 == count;
}

// Two stacked panels sharing the epoch axis: loss on a log scale above, accuracy below.
// `loss_lines` and `accuracy_lines` are the two panels' plot clauses.
std::string two_panels(const std::string& title, const std::string& loss_lines, const std::string& accuracy_lines) {
  return script({
      "set multiplot layout 2,1 title " + title + " noenhanced font ',12'",
      "set grid",
      "set lmargin 10  # the same for both panels, so that their epoch axes line up",
      "set key outside right top noenhanced",
      "set xlabel 'epoch'",
      "set ylabel 'loss'",
      "set logscale y",
      "set format y '10^{%L}'",
      "plot " + loss_lines,
      "unset logscale y",
      "set format y '%g'",
      "set ylabel 'accuracy'",
      "set yrange [0:1.05]",
      "plot " + accuracy_lines,
      "unset multiplot",
  });
}

// The points of the grid behind the prediction panel: x and y from −0.1 to 1.1 in steps of 0.01.
Tensor grid_points() {
  constexpr std::size_t steps = 121;
  Tensor points = Tensor::from_shape({steps * steps, 2});
  for (std::size_t i = 0; i < steps; ++i) {
    for (std::size_t j = 0; j < steps; ++j) {
      points(i * steps + j, 0) = -0.1 + 0.01 * static_cast<double>(i);
      points(i * steps + j, 1) = -0.1 + 0.01 * static_cast<double>(j);
    }
  }
  return points;
}

// grid.dat: "x y class" for every grid point, one block (scan line) per x, for `with image`.
std::string grid_table(nn::MLP& model) {
  const Tensor points = grid_points();
  const Tensor p = predict(model, points);
  std::string text = "# x y predicted_class (network output >= 0.5)\n";
  for (std::size_t r = 0; r < p.shape()[0]; ++r) {
    if (r > 0 && points(r, 0) != points(r - 1, 0)) {
      text += '\n';
    }
    text += format("%.2f %.2f %d\n", points(r, 0), points(r, 1), p(r, 0) >= 0.5 ? 1 : 0);
  }
  return text;
}

// samples.dat: "x y label prediction predicted_class" for every sample.
std::string sample_table(const nn::Dataset& data, const Tensor& p) {
  std::string text = "# x y label prediction predicted_class\n";
  for (std::size_t r = 0; r < data.size(); ++r) {
    text += format("%.10g %.10g %.0f %.10g %d\n", data.inputs(r, 0), data.inputs(r, 1), data.labels(r, 0), p(r, 0),
                   p(r, 0) >= 0.5 ? 1 : 0);
  }
  return text;
}

// Plot clauses drawing the samples red where column `column` is 0 and blue where it is 1.
std::string class_points(const std::string& column, const std::string& what) {
  const std::string red = "'#d62728'";
  const std::string blue = "'#1f77b4'";
  return "'samples.dat' using 1:($" + column + " < 0.5 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb " + red + " title '" +
         what + " 0', '' using 1:($" + column + " >= 0.5 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb " + blue +
         " title '" + what + " 1'";
}

}  // namespace

Plotter::Plotter(std::filesystem::path folder, bool run_gnuplot) : folder_(std::move(folder)), run_(run_gnuplot) {}

void Plotter::write_data(const std::string& file, const std::string& text) {
  examples::write_file(folder_ / file, text);
}

void Plotter::draw(const std::string& name, int width, int height, const std::string& commands) {
  const std::string header = script({
      "# " + name + ".gp: redraw with `gnuplot " + name + ".gp` in this folder.",
      "if (!exists('output')) output = '" + name + ".png'",
      format("set terminal pngcairo size %d,%d font 'Sans,11'", width, height),
      "set output output",
  });
  examples::write_file(folder_ / (name + ".gp"), header + commands + "unset output\n");
  if (!run_ || missing_) {
    return;
  }
  // gnuplot works in the folder and draws into a temporary file, renamed once it is complete.
  const std::filesystem::path png = folder_ / (name + ".png");
  const std::filesystem::path temp = examples::temp_path_for(png);
  const std::string setup = "cd " + gnuplot_quote(folder_.string()) + "; output = " + gnuplot_quote(temp.filename());
  const examples::RunStatus status = examples::run_program("gnuplot", {"-e", setup, name + ".gp"});
  if (status == examples::RunStatus::missing) {
    missing_ = true;
    return;
  }
  std::error_code error;
  if (status == examples::RunStatus::ok) {
    std::filesystem::rename(temp, png, error);
  }
  const bool drawn = status == examples::RunStatus::ok && !error;
  if (!drawn) {
    std::filesystem::remove(temp, error);
  }
  (drawn ? drawn_ : failed_).push_back(png.string());
}

void Plotter::print_summary() const {
  if (!run_) {
    std::printf("figures not drawn (--no-plots); data and gnuplot scripts are in %s\n", folder_.c_str());
  } else if (missing_) {
    std::printf("gnuplot not found: figures skipped; data and gnuplot scripts are in %s\n", folder_.c_str());
  }
  for (const std::string& png : drawn_) {
    std::printf("figure: %s\n", png.c_str());
  }
  for (const std::string& png : failed_) {
    std::printf("figure not drawn (gnuplot failed): %s\n", png.c_str());
  }
}

void plot_learning_curve(Plotter& plotter, const std::vector<EpochStats>& history, const std::string& title) {
  std::string table = "# epoch loss accuracy\n";
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (plotted(i, history.size())) {
      table += format("%zu %.10g %.10g\n", history[i].epoch, history[i].loss, history[i].accuracy);
    }
  }
  plotter.write_data("learning_curve.dat", table);
  const std::string loss = "'learning_curve.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' notitle";
  const std::string accuracy = "'learning_curve.dat' using 1:3 with lines lw 2 lc rgb '#2ca02c' notitle";
  plotter.draw("learning_curve", 1000, 720, two_panels(two_line_title("Learning curve", title), loss, accuracy));
}

void plot_comparison(Plotter& plotter, Experiment& e, const std::string& title) {
  const Tensor p = predict(*e.model, e.data.inputs);
  plotter.write_data("samples.dat", sample_table(e.data, p));
  plotter.write_data("grid.dat", grid_table(*e.model));
  const double accuracy = nn::accuracy(p, e.data.labels);
  std::string wrong;  // a black ring around each misclassified sample, if there is any
  if (accuracy < 1.0) {
    wrong = ", '' using 1:($5 != $3 ? $2 : NaN) with points pt 6 ps 2.4 lw 2 lc rgb 'black' title 'misclassified'";
  }
  const std::string commands = script({
      "set multiplot layout 1,2 title " + two_line_title("Ground truth and prediction", title) +
          " noenhanced font ',12'",
      "set size ratio -1",
      "set xrange [-0.1:1.1]",
      "set yrange [-0.1:1.1]",
      "set xlabel 'x_1'",
      "set ylabel 'x_2'",
      "set key below horizontal",
      "set bmargin 6  # the same room for both panels' keys, so the two squares match",
      "set title 'Ground truth'",
      "plot " + class_points("3", "class"),
      "set title " + gnuplot_quote(format("Prediction (accuracy %.2f%%)", 100.0 * accuracy)),
      "set palette defined (0 '#f6c6c6', 1 '#c6d9f6')  # light red: class 0, light blue: class 1",
      "set cbrange [0:1]",
      "unset colorbox",
      "plot 'grid.dat' using 1:2:3 with image notitle, " + class_points("5", "predicted") + wrong,
      "unset multiplot",
  });
  plotter.draw("comparison", 1100, 560, commands);
}

void plot_sweep(Plotter& plotter, const std::string& name, const std::string& heading, const std::string& settings,
                const std::vector<Curve>& curves) {
  std::string table = "# epoch, then loss and accuracy of each setting:";
  for (const Curve& c : curves) {
    table += " [" + c.label + "]";
  }
  table += '\n';
  const std::size_t rows = curves.empty() ? 0 : curves.front().history.size();
  for (std::size_t i = 0; i < rows; ++i) {
    if (!plotted(i, rows)) {
      continue;
    }
    table += std::to_string(curves.front().history[i].epoch);
    for (const Curve& c : curves) {
      table += format(" %.10g %.10g", c.history.at(i).loss, c.history.at(i).accuracy);
    }
    table += '\n';
  }
  plotter.write_data(name + ".dat", table);
  std::string loss;
  std::string accuracy;
  for (std::size_t k = 0; k < curves.size(); ++k) {
    const std::string sep = k == 0 ? "'" + name + ".dat'" : ", ''";
    const std::string label = " with lines lw 2 title " + gnuplot_quote(curves[k].label);
    loss += sep + format(" using 1:%zu", 2 * k + 2) + label;
    accuracy += sep + format(" using 1:%zu", 2 * k + 3) + label;
  }
  plotter.draw(name, 1000, 800, two_panels(two_line_title(heading, settings), loss, accuracy));
}

}  // namespace lab
