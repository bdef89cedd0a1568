#!/usr/bin/env bash
# What a running trace costs the I/O it records: fio through one unthrottled mount, rounds alternating between no
# trace and a trace into a file on tmpfs, side by side in one run. See usage().
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
THROTTLEFS="$ROOT/throttlefs"
ROUNDS=5 RUNTIME=5
JOBS=(
  "randread-4k-qd1-at-40k|--rw=randread --bs=4k --ioengine=psync --numjobs=1 --rate_iops=40000"
  "randread-4k-qd1|--rw=randread --bs=4k --ioengine=psync --numjobs=1"
  "randwrite-4k-qd1|--rw=randwrite --bs=4k --ioengine=psync --numjobs=1"
  "randread-4k-4j|--rw=randread --bs=4k --ioengine=psync --numjobs=4"
)

usage() {
  cat <<EOF2
Usage: bench/trace-cost.sh [--rounds N] [--runtime S]

Mounts a 256 MiB file on tmpfs through ThrottleFs with no limits (bench/unthrottled.json) and runs each fio job
(O_DIRECT, ${RUNTIME} s) once untraced and once while 'trace start' records every request into a file on tmpfs,
in alternating order, for ${ROUNDS} rounds. The first job asks for 40,000 IOPS and no more, so its cost shows as
latency and CPU; the others run flat out, so theirs shows as IOPS. Prints the medians of fio's IOPS, its mean
completion latency and the daemon's CPU time per second, untraced and traced, with the requests the traces wrote
and dropped. Needs root (FUSE); installs fio when missing.
EOF2
}

while (($#)); do
  case $1 in
    --rounds) ROUNDS=${2:?}; shift ;;
    --runtime) RUNTIME=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $EUID -eq 0 ]] || { echo "run as root (FUSE mounts)" >&2; exit 1; }
command -v fio >/dev/null || { apt-get update -qq && apt-get install -y -qq fio >/dev/null; }

WORK=$(mktemp -d /dev/shm/throttlefs-trace-cost.XXXXXX)
MNT="$WORK/mnt"
cleanup() { "$THROTTLEFS" unmount "$MNT" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/src" "$MNT"
dd if=/dev/zero of="$WORK/src/data.bin" bs=1M count=256 status=none
DAEMON=$("$THROTTLEFS" mount "$WORK/src" "$MNT" --config "$ROOT/bench/unthrottled.json" 2>&1 | sed -nE 's/.*daemon pid ([0-9]+).*/\1/p')
[[ -n $DAEMON ]] || { echo "no daemon pid in the mount's output" >&2; exit 1; }
TICKS=$(getconf CLK_TCK)

cpu() { awk '{ print $14 + $15 }' "/proc/$DAEMON/stat"; }

summary() {  # fio's JSON → "IOPS MEAN_LATENCY_US"
  python3 -c 'import json,sys
j = json.load(sys.stdin)["jobs"][0]
d = j["read"] if j["read"]["io_bytes"] else j["write"]
print(j["read"]["iops"] + j["write"]["iops"], d["clat_ns"]["mean"] / 1000)'
}

run() {  # JOB_OPTIONS → "IOPS MEAN_LATENCY_US DAEMON_CPU_PERCENT"
  local before after numbers
  before=$(cpu)
  # shellcheck disable=SC2086
  numbers=$(fio --name=cost --filename="$MNT/data.bin" --direct=1 --time_based --runtime="$RUNTIME" --group_reporting \
    --output-format=json $1 | summary)
  after=$(cpu)
  echo "$numbers $(awk -v t="$((after - before))" -v hz="$TICKS" -v s="$RUNTIME" 'BEGIN { printf "%.1f", 100 * t / hz / s }')"
}

declare -A results
written=0 dropped=0
for ((round = 1; round <= ROUNDS; round++)); do
  for spec in "${JOBS[@]}"; do
    id=${spec%%|*} opts=${spec#*|}
    order=(plain traced)
    ((round % 2 == 0)) && order=(traced plain)
    for mode in "${order[@]}"; do
      if [[ $mode == traced ]]; then
        echo "trace start $WORK/$id.$round.trace" >"$MNT/.throttlefs/control"
      fi
      value=$(run "$opts")
      if [[ $mode == traced ]]; then
        echo "trace stop" >"$MNT/.throttlefs/control"
        status=$(cat "$MNT/.throttlefs/trace")
        written=$((written + $(sed -E 's/.* ([0-9]+) requests written.*/\1/' <<<"$status")))
        dropped=$((dropped + $(sed -E 's/.*, ([0-9]+) dropped.*/\1/' <<<"$status")))
        rm -f "$WORK/$id.$round.trace"
      fi
      read -r value latency cpu_percent <<<"$value"
      results[$id.$mode.iops]+="$value "
      results[$id.$mode.lat]+="$latency "
      results[$id.$mode.cpu]+="$cpu_percent "
      printf '[trace-cost] round %d %-22s %-6s %8.0f IOPS %7.1f us %6.1f %% CPU\n' "$round" "$id" "$mode" "$value" "$latency" "$cpu_percent" >&2
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| Job | IOPS untraced | IOPS traced | mean latency untraced | traced | daemon CPU untraced | traced |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for spec in "${JOBS[@]}"; do
  id=${spec%%|*}
  row=()
  for what in iops lat cpu; do
    row+=("$(median <<<"${results[$id.plain.$what]}")" "$(median <<<"${results[$id.traced.$what]}")")
  done
  awk -v id="$id" -v a="${row[0]}" -v b="${row[1]}" -v c="${row[2]}" -v d="${row[3]}" -v e="${row[4]}" -v f="${row[5]}" \
    'BEGIN { printf "| %s | %.0f | %.0f (%+.1f %%) | %.1f µs | %.1f µs (%+.1f %%) | %.0f %% | %.0f %% |\n", id, a, b, 100 * (b / a - 1), c, d, 100 * (d / c - 1), e, f }'
done
echo
echo "Median of $ROUNDS rounds of ${RUNTIME} s, alternating order; traces wrote $written requests and dropped $dropped;"
echo "$(fio --version), kernel $(uname -r), $(nproc) CPUs, tmpfs backing, $(date -u +%Y-%m-%d)."
