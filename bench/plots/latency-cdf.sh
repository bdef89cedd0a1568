#!/usr/bin/env bash
# Completion-latency CDF of the leaky (QEMU) and the token (librbd) algorithm at the same limit, under the same
# saturating client. Writes docs/latency-cdf.png; see usage().
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LIMIT=1000 DEPTH=16 SECONDS_PER_RUN=20
OUT="$DOCS/latency-cdf.png"

usage() {
  cat <<EOF2
Usage: bench/plots/latency-cdf.sh [--out FILE]

Mounts a tmpfs directory through ThrottleFs twice, with --limit iops-total=$LIMIT and --algorithm leaky, then
token. On each, fio keeps $DEPTH 4 KiB random reads in flight (O_DIRECT, libaio) for $SECONDS_PER_RUN s, asking for
more than the limit, and logs every completion latency. The leaky buckets admit one request every 1/$LIMIT s;
the token bucket admits a tick's worth at a time. Plots both distributions as ${OUT#"$ROOT"/}. Takes about 50 s;
needs root (FUSE), installs fio and gnuplot-nox when missing.
EOF2
}

parse_out_option "$@"

need_packages fio fuse3
scratch
dd if=/dev/zero of="$DATA/disk.img" bs=1M count=64 status=none

keys=()
for algorithm in leaky token; do
  mount_throttled "$algorithm" --limit "iops-total=$LIMIT" --algorithm "$algorithm"
  log "fio on $algorithm: $SECONDS_PER_RUN s"
  fio --name="$algorithm" --filename="$MOUNTED/disk.img" --rw=randread --bs=4k --direct=1 --ioengine=libaio \
    --iodepth="$DEPTH" --time_based --runtime="$SECONDS_PER_RUN" \
    --write_lat_log="$WORK/$algorithm" --log_avg_msec=0 --output="$WORK/$algorithm.out" >/dev/null
  # fio logs completion latency in nanoseconds, one line per request; the CDF is the sorted list.
  cut -d, -f2 "$WORK/${algorithm}_clat.1.log" | sort -n \
    | awk '{ v[NR] = $1 / 1e6 } END { for (i = 1; i <= NR; i++) printf "%.4f\t%.6f\n", v[i], i / NR }' \
      >"$WORK/$algorithm.cdf"
  keys+=("$(awk -v name="$algorithm" '
      { v[NR] = $1 }
      END { printf "%s: %d requests, p50 %.2f ms, p99 %.2f ms, max %.1f ms", name, NR, v[int(NR * 0.5)],
            v[int(NR * 0.99)], v[NR] }' "$WORK/$algorithm.cdf")")
  log "${keys[-1]}"
done

caption=$(machine_caption "$DATA")
mkdir -p "$(dirname "$OUT")"
gnuplot <<EOF2
set terminal pngcairo size 1000,520 font "Sans,10" noenhanced
set output "$OUT"
set title "Completion latency at --limit iops-total=$LIMIT, leaky (QEMU) vs token (librbd)\nfio 4 KiB random reads, O_DIRECT, libaio, $DEPTH in flight, $SECONDS_PER_RUN s each"
set xlabel "completion latency (ms, log scale)"
set ylabel "share of requests completed within"
set logscale x
set xrange [0.01:*]
set yrange [0:102]
set format y "%.0f%%"
set grid
set key top left
set label 1 "$caption" at screen 0.01, screen 0.02 font "Sans,8"
set bmargin 5
plot "$WORK/leaky.cdf" using 1:(\$2 * 100) with lines lw 2 lc rgb "#1f77b4" title "${keys[0]}", \
     "$WORK/token.cdf" using 1:(\$2 * 100) with lines lw 2 lc rgb "#d62728" title "${keys[1]}"
EOF2
log "wrote ${OUT#"$ROOT"/}"
