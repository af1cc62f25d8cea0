# The paired ratios of the training step against problem size, from xgrad_paired's ratios.csv.
#   gnuplot -e "csv='build/bench/bench-output/ratios.csv'" -e "png='docs/figures/bench_ratios.png'" \
#       bench/plot_ratios.gp
# (the bench-ratios build target runs this for its own output). Bars span the interquartile
# range of the per-round ratios; the point is their median; dashed segments are the targets.
if (!exists("csv")) csv = 'bench-output/ratios.csv'
if (!exists("png")) png = 'bench-output/bench_ratios.png'

set terminal pngcairo size 1200,520 font "DejaVu Sans,11"
set output png
set datafile separator comma
set datafile missing "nan"
set key top left box opaque
set grid ytics mytics lc rgb "#dddddd"
set logscale y
set xrange [-0.5:4.5]
set xlabel "size (points, hidden units)"
label(i) = sprintf("(%d,%d)", int(column(1)), int(column(2)))

set multiplot layout 1,2 title "Training step of the lab network, one thread, paired medians (bars: interquartile range)"

# xgrad against the hand-derived backprop: lower is better, 1 is parity.
set title "xgrad / hand-derived (lower is better)"
set ylabel "time ratio"
set yrange [0.7:6]
set ytics (0.7, 0.8, 1, 1.1, 1.5, 2, 3, 4, 6)
hand_target(i) = i < 2 ? 1.5 : 1.10
plot csv skip 1 using 0:7:8:9:xticlabels(label(0)) with yerrorbars pt 7 ps 1.3 lw 2 lc rgb "#1f5fa8" \
         title "xgrad / hand", \
     '' skip 1 using ($0 - 0.3):(hand_target($0)):(0.6):(0) with vectors nohead dt 2 lw 2 lc rgb "#c03030" \
         title "target (≤ 1.5, then ≤ 1.10)", \
     '' skip 1 using 0:7:(sprintf("%.2f", $7)) with labels left offset 1.2,0 notitle, \
     1 with lines lc rgb "#888888" notitle

# LibTorch against xgrad: higher is better for xgrad, 1 is parity.
set title "LibTorch / xgrad (higher is better; below 1, LibTorch is faster)"
set ylabel "time ratio"
set yrange [0.1:50]
set ytics (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)
torch_target(i) = i == 0 ? 20 : i == 1 ? 5 : i == 2 ? 2 : NaN
plot csv skip 1 using 0:10:11:12:xticlabels(label(0)) with yerrorbars pt 7 ps 1.3 lw 2 lc rgb "#2a8a3a" \
         title "torch / xgrad", \
     '' skip 1 using ($0 - 0.3):(torch_target($0)):(0.6):(0) with vectors nohead dt 2 lw 2 lc rgb "#c03030" \
         title "target (≥ 20, 5, 2)", \
     '' skip 1 using 0:10:(sprintf("%.2f", $10)) with labels left offset 1.2,0 notitle, \
     1 with lines lc rgb "#888888" notitle

unset multiplot
