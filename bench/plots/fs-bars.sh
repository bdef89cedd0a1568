#!/usr/bin/env bash
# The filesystem benchmark table (bench/fuse-compare.sh) as bar charts. Writes docs/fs-compare.png; see usage().
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IN="$ROOT/artifacts/bench/fuse-compare.tsv"
OUT="$DOCS/fs-compare.png"

usage() {
  cat <<EOF2
Usage: bench/plots/fs-bars.sh [--in FILE] [--out FILE]

Draws the numbers of the last bench/fuse-compare.sh run (${IN#"$ROOT"/}) as bars, one cluster per fio job
and one bar per target (median, with the min–max of the rounds as whiskers): IOPS jobs on the left, MiB/s
jobs on the right. Writes ${OUT#"$ROOT"/}. Run bench/fuse-compare.sh first; installs gnuplot-nox when missing.
EOF2
}

while (($#)); do
  case $1 in
    --in) IN=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
[[ -s $IN ]] || die "$IN not found: run bench/fuse-compare.sh first"
need_packages

WORK=$(mktemp -d /tmp/throttlefs-plot.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# One wide table per unit for gnuplot's clustered histogram: a row per job, then median, min and max per target
# (targets in the order the run listed them). Units are thousands of IOPS, and MiB/s.
targets=$(awk -F'\t' '!/^#/ && !seen[$4]++ { printf "%s%s", sep, $4; sep = " " }' "$IN")
for unit in iops mibs; do
  awk -F'\t' -v unit="$unit" -v targets="$targets" '
    /^#/ || $3 != unit { next }
    {
      scale = unit == "iops" ? 1000 : 1
      if (!($1 in label)) { order[++jobs] = $1; label[$1] = $1 }
      value[$1, $4] = sprintf("%.2f %.2f %.2f", $5 / scale, $6 / scale, $7 / scale)
    }
    END {
      n = split(targets, t, " ")
      for (j = 1; j <= jobs; j++) {
        line = "\"" label[order[j]] "\""
        for (i = 1; i <= n; i++) line = line " " ((order[j], t[i]) in value ? value[order[j], t[i]] : "? ? ?")
        print line
      }
    }' "$IN" >"$WORK/$unit.dat"
done
caption=$(grep -m1 '^#' "$IN" | sed 's/^# *//; s/"/\\"/g')

plot_for() {  # UNIT FILE: the plot command for one panel, a bar per target
  local i=0 t cmd=""
  for t in $targets; do
    cmd+="${cmd:+, } \"$2\" using $((2 + 3 * i)):$((3 + 3 * i)):$((4 + 3 * i))$( ((i == 0)) && echo ":xtic(1)") title \"$t\""
    i=$((i + 1))
  done
  echo "plot $cmd"
}

mkdir -p "$(dirname "$OUT")"
gnuplot <<EOF2
set terminal pngcairo size 1200,560 font "Sans,10" noenhanced
set output "$OUT"
set multiplot layout 1,2 title "fio through each filesystem, unthrottled, O_DIRECT (bench/fuse-compare.sh): median of the rounds, whiskers min–max"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -25 font "Sans,9"
set key top left font "Sans,9"
set logscale y
set yrange [*:*]
set bmargin 7
set label 1 "$caption" at screen 0.01, screen 0.02 font "Sans,8"
set ylabel "thousand IOPS (4 KiB), log scale"
$(plot_for iops "$WORK/iops.dat")
unset label 1
set ylabel "MiB/s (1 MiB), log scale"
$(plot_for mibs "$WORK/mibs.dat")
unset multiplot
EOF2
log "wrote ${OUT#"$ROOT"/}"
