#!/usr/bin/env bash
# What-if, as a picture: a bursty fio job recorded through a mount, then replayed by `throttlefs simulate` under two
# candidate limits; requests done per second, recorded against simulated. Writes docs/whatif.png; see usage().
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PLAIN="iops-total=500"
BURST="iops-total=500,iops-total-max=1500,iops-total-max-length=4"
OUT="$DOCS/whatif.png"

usage() {
  cat <<EOF2
Usage: bench/plots/whatif.sh [--out FILE]

Mounts a tmpfs directory through ThrottleFs with no limits and records (throttlefs trace) a fio job that reads
at 1,500 IOPS for 4 s, then at 200 IOPS for 8 s (4 KiB, O_DIRECT, libaio, requests sent at those rates whatever
happens to them). Then simulates the trace open-loop under two candidates, $PLAIN and $BURST,
and plots the requests done per second, recorded and simulated, as ${OUT#"$ROOT"/}. Takes about 20 s; needs
root (FUSE), installs fio and gnuplot-nox when missing.
EOF2
}

parse_out_option "$@"

need_packages fio fuse3
scratch
dd if=/dev/zero of="$DATA/disk.img" bs=1M count=64 status=none
mount_throttled whatif --config "$ROOT/bench/unthrottled.json"
trace="$WORK/job.trace"
echo "trace start $trace" >"$MOUNTED/.throttlefs/control"
log "fio: 1,500 IOPS for 4 s, then 200 IOPS for 8 s"
fio --filename="$MOUNTED/disk.img" --rw=randread --bs=4k --direct=1 --ioengine=libaio --iodepth=32 --time_based \
  --name=busy --rate_iops=1500 --runtime=4 --stonewall \
  --name=quiet --rate_iops=200 --runtime=8 --stonewall >/dev/null
echo "trace stop" >"$MOUNTED/.throttlefs/control"
log "$(cat "$MOUNTED/.throttlefs/trace")"

"$THROTTLEFS" simulate "$trace" --mode open --limit "$PLAIN" --limit "$BURST" --timeline "$WORK/timeline.tsv" | tee "$WORK/table.txt" >&2

caption=$(machine_caption "$DATA")
mkdir -p "$(dirname "$OUT")"
gnuplot <<EOF2
set terminal pngcairo size 1000,520 font "Sans,10" noenhanced
set output "$OUT"
set title "What-if: a bursty fio job recorded through ThrottleFs, replayed (throttlefs simulate --mode open) under two candidates"
set xlabel "seconds since the first request"
set ylabel "requests done per second"
set yrange [0:1800]
set xrange [0:*]
set grid
set key top right
set label 1 "$caption" at screen 0.01, screen 0.02 font "Sans,8"
set bmargin 5
plot "$WORK/timeline.tsv" using 1:2 skip 1 with steps lw 3 lc rgb "#999999" title "recorded (no limits)", \
     "" using 1:3 skip 1 with steps lw 2 lc rgb "#d62728" title "simulated: $PLAIN", \
     "" using 1:4 skip 1 with steps lw 2 dt 2 lc rgb "#1f77b4" title "simulated: $BURST"
EOF2
log "wrote ${OUT#"$ROOT"/}"
