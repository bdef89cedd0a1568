#!/usr/bin/env bash
# IOPS over time of a throttled fio run beside QEMU's model: the burst, the sustained rate, and the re-burst after
# idle. Writes docs/burst.png; see usage().
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AVG=500 PEAK=2000 LENGTH=5 RUN1=15 IDLE=8 RUN2=10
OUT="$DOCS/burst.png"

usage() {
  cat <<EOF2
Usage: bench/plots/burst.sh [--out FILE]

Mounts a tmpfs directory through ThrottleFs with
  --limit iops-total=$AVG,iops-total-max=$PEAK,iops-total-max-length=$LENGTH
runs fio (4 KiB random reads, O_DIRECT, one job at queue depth 1) for $RUN1 s, leaves the mount idle for $IDLE s,
runs it again for $RUN2 s, and plots fio's IOPS per second beside QEMU's model of the same limits
(bench/plots/qemu-model.py) as ${OUT#"$ROOT"/}. Takes about a minute; needs root (FUSE), installs fio and
gnuplot-nox when missing.
EOF2
}

parse_out_option "$@"

need_packages fio fuse3
scratch
dd if=/dev/zero of="$DATA/disk.img" bs=1M count=64 status=none
limit="iops-total=$AVG,iops-total-max=$PEAK,iops-total-max-length=$LENGTH"
mount_throttled burst --limit "$limit"
mnt=$MOUNTED

run_fio() {  # NAME SECONDS
  log "fio $1: $2 s"
  fio --name="$1" --filename="$mnt/disk.img" --rw=randread --bs=4k --direct=1 --ioengine=psync --iodepth=1 \
    --time_based --runtime="$2" --write_iops_log="$WORK/$1" --log_avg_msec=1000 --log_unix_epoch=1 \
    --output="$WORK/$1.out" >/dev/null
}
run_fio run1 "$RUN1"
log "idle: $IDLE s"
sleep "$IDLE"
run_fio run2 "$RUN2"

# fio stamps each one-second average at the end of its window, in Unix milliseconds. Time 0 is the start of the
# first run; the model idles for as long as the mount really was idle between the runs.
start1=$(awk -F, 'NR == 1 { printf "%.0f", $1 - 1000 }' "$WORK/run1_iops.1.log")
start2=$(awk -F, 'NR == 1 { printf "%.0f", $1 - 1000 }' "$WORK/run2_iops.1.log")
idle=$(awk -v a="$start1" -v b="$start2" -v r="$RUN1" 'BEGIN { printf "%.3f", (b - a) / 1000 - r }')
cat "$WORK/run1_iops.1.log" "$WORK/run2_iops.1.log" \
  | awk -F, -v t0="$start1" '{ printf "%.3f\t%s\n", ($1 - t0) / 1000 - 0.5, $2 }' >"$WORK/measured.tsv"
python3 "$PLOTS/qemu-model.py" "$AVG" "$PEAK" "$LENGTH" "run:$RUN1,idle:$idle,run:$RUN2" \
  >"$WORK/model.tsv"

caption=$(machine_caption "$DATA")
mkdir -p "$(dirname "$OUT")"
gnuplot <<EOF2
set terminal pngcairo size 1000,520 font "Sans,10" noenhanced
set output "$OUT"
set title "ThrottleFs --limit $limit\nfio 4 KiB random reads, O_DIRECT, QD1: ${RUN1} s, idle ${idle} s, ${RUN2} s"
set xlabel "seconds since the first request"
set ylabel "IOPS (one-second windows)"
set yrange [0:$((PEAK * 13 / 10))]
set xrange [0:*]
set grid
set key top right
set label 1 "$caption" at screen 0.01, screen 0.02 font "Sans,8"
set bmargin 5
plot "$WORK/model.tsv" using 1:2 with steps lw 2 lc rgb "#999999" title "QEMU's model (util/throttle.c rules)", \
     "$WORK/measured.tsv" using 1:2 with points pt 7 ps 1 lc rgb "#1f77b4" title "ThrottleFs, measured by fio"
EOF2
log "wrote ${OUT#"$ROOT"/}"
awk -F'\t' '{ printf "%6.1f s %6.0f IOPS\n", $1, $2 }' "$WORK/measured.tsv" >&2
