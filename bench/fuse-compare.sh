#!/usr/bin/env bash
# Side-by-side fio comparison, in one run, of a plain directory, libfuse's passthrough_ll, qemu-storage-daemon's
# FUSE export and ThrottleFs (unthrottled; over either kernel transport if asked), optionally beside another ThrottleFs
# checkout (--baseline), on a tmpfs or (--same-disk) a disk. Prints a markdown table; see usage() below.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPERS="$ROOT/bench/fuse-compare"
CACHE="$ROOT/artifacts/bench"          # git-ignored: the built passthrough_ll and the last report live here
REPORT="$CACHE/fuse-compare.md"
MEDIANS="$CACHE/fuse-compare.tsv"      # the same numbers for bench/plots/fs-bars.sh

THROTTLEFS_MOUNT_CMD=${THROTTLEFS_MOUNT_CMD:-"$ROOT/throttlefs mount --config $ROOT/bench/unthrottled.json"}
THROTTLEFS_UNMOUNT_CMD=${THROTTLEFS_UNMOUNT_CMD:-"$ROOT/throttlefs unmount"}
BASELINE=""                            # --baseline DIR: another ThrottleFs checkout, the "baseline" target

ALL_TARGETS=(native passthrough_ll qemu-storage-daemon throttlefs throttlefs-dev throttlefs-uring baseline)
# id|label|unit|fio options. Every job also gets the time-based options and, unless it says otherwise, --direct=1
# (see run_fio).
ALL_JOBS=(
  "randread-4k-qd1|randread 4 KiB, psync, 1 job (QD1)|iops|--rw=randread --bs=4k --ioengine=psync --numjobs=1"
  "randread-4k-4j|randread 4 KiB, psync, 4 jobs|iops|--rw=randread --bs=4k --ioengine=psync --numjobs=4"
  "randwrite-4k-qd1|randwrite 4 KiB, psync, 1 job|iops|--rw=randwrite --bs=4k --ioengine=psync --numjobs=1"
  "randwrite-4k-4j|randwrite 4 KiB, psync, 4 jobs (one file)|iops|--rw=randwrite --bs=4k --ioengine=psync --numjobs=4"
  "read-1m|seq read 1 MiB, psync, 1 job|mibs|--rw=read --bs=1m --ioengine=psync --numjobs=1"
  "write-1m|seq write 1 MiB, psync, 1 job|mibs|--rw=write --bs=1m --ioengine=psync --numjobs=1"
  "read-128k-buffered|seq read 128 KiB, psync, buffered (cp's size)|mibs|--rw=read --bs=128k --ioengine=psync --numjobs=1 --direct=0"
  "randread-4k-aio32|randread 4 KiB, libaio, iodepth 32|iops|--rw=randread --bs=4k --ioengine=libaio --iodepth=32"
  "randwrite-4k-aio32|randwrite 4 KiB, libaio, iodepth 32|iops|--rw=randwrite --bs=4k --ioengine=libaio --iodepth=32"
)
APT_PACKAGES=(fio fuse3 libfuse3-dev pkg-config gcc qemu-utils qemu-system-common python3)

ROUNDS=3 RUNTIME=5 SIZE_MIB=256 BACKING=/dev/shm
TARGETS=(native passthrough_ll qemu-storage-daemon throttlefs) JOBS=("${ALL_JOBS[@]}")
SAME_DISK_DEFAULT=/var/tmp # --same-disk without DIR: on most systems a disk, unlike /tmp on some
SAME_DISK=""               # --same-disk given: a disk backing, and the report adds ThrottleFs ÷ native columns

# Run state, used by cleanup(). WORK holds mount points, logs and raw results; BACKING_WORK holds the data file.
WORK="" BACKING_WORK="" FIO_PID=""
declare -A TARGET_FILE=()   # target -> the file fio opens
declare -A MOUNT_ERROR=()   # target -> why it has no numbers
declare -A DAEMON_PIDS=()   # target -> PIDs of the daemon(s) serving it
declare -a COMMANDS=()      # what was run to set up each target, for the report

usage() {
  cat <<EOF
Usage: bench/fuse-compare.sh [options]

Runs fio against these targets, all backed by one data file, and prints a markdown table (also written to
${REPORT#"$ROOT"/}, its numbers to ${MEDIANS#"$ROOT"/} for bench/plots/fs-bars.sh):
  native               the data file in a plain directory (no FUSE)
  passthrough_ll       libfuse's C example, built from libfuse3-dev's sources with O_DIRECT masked on its
                       backing fds (stock fails O_DIRECT writes with EINVAL), mounted -o cache=never
  qemu-storage-daemon  its FUSE export of the data file (cache.direct=off)
  throttlefs           ThrottleFs, unthrottled: \$THROTTLEFS_MOUNT_CMD SOURCE MOUNTPOINT (transport auto: io_uring
                       when the kernel offers it, else /dev/fuse)
  throttlefs-dev       the same with --transport dev: requests through read() and write() on /dev/fuse
  throttlefs-uring     the same with --transport uring: requests through io_uring queues. Needs Linux 6.14+ with
                       FUSE over io_uring; the script sets /sys/module/fuse/parameters/enable_uring to Y before
                       mounting anything (so throttlefs, on auto, uses io_uring too) and restores it on exit. The
                       target is reported n/a unless its daemon really serves io_uring queues (fuse-uring-N threads).
  baseline             with --baseline DIR only: the ThrottleFs checkout in DIR (another revision, e.g. from
                       'git worktree add DIR main~1'), mounted by its own launcher with the same config, so a change
                       is measured before and after in one run
A target that fails to mount is reported as "n/a (mount failed: ...)" and the others still run.

Each round runs every job on every target in turn, so drift affects them all alike; cells show the median
and the min–max over the rounds. 4 KiB jobs report IOPS, larger ones MiB/s. All jobs but the buffered one use
--direct=1.
Ratio columns divide each ThrottleFs target of this checkout by passthrough_ll, by baseline and (--same-disk)
by native, when both ran; the report's footnote names the transport each ThrottleFs daemon used.

Options:
  --rounds N        rounds (default $ROUNDS)
  --runtime S       seconds per fio run (default $RUNTIME)
  --size N[M|G]     data file size, MiB unless suffixed (default ${SIZE_MIB}M)
  --backing DIR     directory holding the data file (default $BACKING, a tmpfs, so the numbers show the FUSE
                    round trip and the daemon rather than a disk)
  --same-disk [DIR] put the data file on a disk instead: DIR (default $SAME_DISK_DEFAULT, or the --backing DIR),
                    refused on tmpfs. Adds "÷ native" columns: native and ThrottleFs do O_DIRECT I/O on the
                    disk, so these show what ThrottleFs costs over the disk itself. passthrough_ll and
                    qemu-storage-daemon go through the page cache (see the report's footnote), so theirs are
                    not disk numbers
  --targets LIST    comma-separated subset of: $(IFS=,; echo "${ALL_TARGETS[*]}")
  --jobs LIST       comma-separated subset of: $(for j in "${ALL_JOBS[@]}"; do printf '%s ' "${j%%|*}"; done)
  --baseline DIR    add the target "baseline": the ThrottleFs checkout in DIR
  -h, --help        this text

Environment:
  THROTTLEFS_MOUNT_CMD    command that mounts and returns once the mount is ready (default: ./throttlefs mount --config bench/unthrottled.json)
  THROTTLEFS_UNMOUNT_CMD  command that unmounts (default: ./throttlefs unmount)
  Both are split on spaces; SOURCE MOUNTPOINT (or MOUNTPOINT) are appended, after --transport dev or
  --transport uring for throttlefs-dev and throttlefs-uring.

Needs root (FUSE mounts, enable_uring, apt-get). Missing packages are installed with apt-get: ${APT_PACKAGES[*]}.
Everything it mounts or starts is unmounted and stopped on exit, and enable_uring is set back to what it was,
including failures and Ctrl-C; only the build cache and the report under ${CACHE#"$ROOT"/}/ are left behind.
EOF
}

log() { printf '[fuse-compare] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# One line of a log for an error cell: its first line, or its first line mentioning "error" when there is one
# (a failed build, e.g. the launcher's dotnet publish, starts with progress chatter). Skips the launcher's
# "building..." notice.
first_line() {
  local lines
  lines=$(grep -v -e '^[[:space:]]*$' -e 'building (first use' "$1" 2>/dev/null) || return 0
  { grep -i -m1 'error' <<<"$lines" || head -n1 <<<"$lines"; } | tr '\t' ' ' | sed 's/^[[:space:]]*//' | cut -c1-160
}

# ---------------------------------------------------------------------------------------------------------
# Arguments and prerequisites

parse_args() {
  local backing_given="" same_disk_dir=""
  while (($#)); do
    case $1 in
      --rounds) ROUNDS=${2:?}; shift ;;
      --runtime) RUNTIME=${2:?}; shift ;;
      --size) SIZE_MIB=$(to_mib "${2:?}"); shift ;;
      --backing) BACKING=${2:?} backing_given=1; shift ;;
      --same-disk) # DIR is optional: the next word is taken as DIR unless it is an option
        SAME_DISK=1
        if [[ -n ${2:-} && $2 != -* ]]; then same_disk_dir=$2; shift; fi ;;
      --targets) IFS=, read -r -a TARGETS <<<"${2:?}"; shift ;;
      --jobs) select_jobs "${2:?}"; shift ;;
      --baseline) BASELINE=$(cd "${2:?}" && pwd) || die "--baseline $2 is not a directory"; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
  done
  [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
  [[ $RUNTIME =~ ^[1-9][0-9]*$ ]] || die "--runtime must be a positive number of seconds"
  if [[ -n $SAME_DISK ]]; then
    # --same-disk is a disk backing by another name, so --backing may say which disk, but not a different one.
    [[ -z $same_disk_dir || -z $backing_given || $same_disk_dir == "$BACKING" ]] ||
      die "--same-disk $same_disk_dir and --backing $BACKING disagree; give the directory to one of them"
    [[ -n $backing_given ]] || BACKING=${same_disk_dir:-$SAME_DISK_DEFAULT}
    [[ -d $BACKING ]] || die "--same-disk $BACKING is not a directory"
    # On tmpfs native's O_DIRECT reads memory too, so the "÷ native" columns would claim a disk that is not there.
    # stat asks the kernel about the very path, so it has the last word should findmnt's view differ.
    local type
    for type in "$(fs_type "$BACKING")" "$(stat -f -c %T "$BACKING")"; do
      [[ $type == tmpfs || $type == ramfs ]] &&
        die "--same-disk $BACKING is on $type, in memory, not on a disk; give a directory on a disk (ext4, xfs, ...)"
    done
  fi
  [[ -d $BACKING ]] || die "--backing $BACKING is not a directory"
  # passthrough_ll's -o source= and QEMU's option syntax both split on commas.
  [[ $BACKING != *,* ]] || die "--backing must not contain a comma"
  local t
  for t in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || die "unknown target: $t"
  done
  if [[ -n $BASELINE ]]; then
    [[ -x $BASELINE/throttlefs ]] || die "--baseline $BASELINE has no throttlefs launcher"
    [[ " ${TARGETS[*]} " == *" baseline "* ]] || TARGETS+=(baseline)
  elif [[ " ${TARGETS[*]} " == *" baseline "* ]]; then
    die "the baseline target needs --baseline DIR"
  fi
}

# The filesystem type holding PATH, as mount(8) names it ("ext4", "tmpfs"); stat's names lump ext2/3/4 together.
# findmnt lists every mount stacked on that mount point (/dev/shm is often mounted twice); the last is on top.
fs_type() {
  local type
  type=$(findmnt -n -o FSTYPE -T "$1" 2>/dev/null | tail -n1)
  echo "${type:-$(stat -f -c %T "$1")}"
}

to_mib() {
  case $1 in
    *[gG]) echo $((${1%[gG]} * 1024)) ;;
    *[mM]) echo "${1%[mM]}" ;;
    *) echo "$1" ;;
  esac
}

select_jobs() {
  local wanted id j found
  JOBS=()
  IFS=, read -r -a wanted <<<"$1"
  for id in "${wanted[@]}"; do
    found=""
    for j in "${ALL_JOBS[@]}"; do [[ ${j%%|*} == "$id" ]] && JOBS+=("$j") && found=1; done
    [[ -n $found ]] || die "unknown job: $id"
  done
}

ensure_packages() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing packages (run as root to install them): ${missing[*]}"
  log "installing ${missing[*]} ..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 ||
    die "apt-get install ${missing[*]} failed"
}

# Builds libfuse's passthrough_ll example into the cache. The copy masks O_DIRECT when it opens backing files:
# the stock example passes the caller's O_DIRECT through, and libfuse hands it WRITE payloads at offset 80 of
# its receive buffer, so every O_DIRECT write fails with EINVAL (seen here on tmpfs).
PLL_BIN="$CACHE/fuse-compare/passthrough_ll"
build_passthrough_ll() {
  local src stamp build
  src=$(dpkg -L libfuse3-dev | grep -E '/passthrough_ll\.c(\.gz)?$' | head -n1) ||
    die "passthrough_ll.c not found in libfuse3-dev"
  # Rebuild when the example, this script (which holds the patch) or libfuse changes.
  stamp="$(sha256sum "$src" "$0" | sha256sum | cut -c1-16) $(pkg-config --modversion fuse3)"
  if [[ -x $PLL_BIN && -f $PLL_BIN.stamp && $(<"$PLL_BIN.stamp") == "$stamp" ]]; then return 0; fi

  log "building passthrough_ll from $src"
  mkdir -p "$CACHE/fuse-compare"
  build=$(mktemp -d "$CACHE/fuse-compare/build.XXXXXX")
  cp "$(dirname "$src")"/passthrough_*.h "$build/" 2>/dev/null || true
  if [[ $src == *.gz ]]; then zcat "$src" >"$build/passthrough_ll.c"; else cp "$src" "$build/passthrough_ll.c"; fi
  # The example has exactly two backing opens (lo_open and lo_create), both masking only O_NOFOLLOW.
  sed -i 's/& ~O_NOFOLLOW/\& ~(O_NOFOLLOW | O_DIRECT)/' "$build/passthrough_ll.c"
  [[ $(grep -c 'O_NOFOLLOW | O_DIRECT' "$build/passthrough_ll.c") == 2 ]] ||
    { rm -rf "$build"; die "passthrough_ll.c changed shape; update the O_DIRECT patch in $0"; }
  # shellcheck disable=SC2046  # pkg-config output is meant to be word-split
  gcc -O2 -Wall -o "$build/passthrough_ll" "$build/passthrough_ll.c" $(pkg-config --cflags --libs fuse3) >&2 ||
    { rm -rf "$build"; die "building passthrough_ll failed"; }
  mv -f "$build/passthrough_ll" "$PLL_BIN"
  echo "$stamp" >"$PLL_BIN.stamp"
  rm -rf "$build"
}

# ---------------------------------------------------------------------------------------------------------
# Mounting and unmounting: setup_TARGET for each target, unmount_target and cleanup, in fuse-compare/targets.sh

# shellcheck source=SCRIPTDIR/fuse-compare/targets.sh
source "$HELPERS/targets.sh"

# ---------------------------------------------------------------------------------------------------------
# Benchmark

make_data_file() {
  local avail
  avail=$(df -Pm "$BACKING" | awk 'NR == 2 { print $4 }')
  ((avail > SIZE_MIB + 64)) || die "$BACKING has ${avail} MiB free; need $((SIZE_MIB + 64))"
  log "writing a ${SIZE_MIB} MiB data file in $BACKING_WORK"
  # Real data, not a sparse file: reads of holes would be served from the zero page and flatter native.
  dd if=/dev/urandom of="$BACKING_WORK/data.bin" bs=1M count="$SIZE_MIB" status=none
}

# One fio run; appends "round job target value error" to results.tsv.
run_fio() {
  local round=$1 spec=$2 target=$3 id label unit opts value="" err=""
  IFS='|' read -r id label unit opts <<<"$spec"
  local out="$WORK/fio.json" errf="$WORK/fio.err"
  [[ $opts == *--direct=* ]] || opts+=" --direct=1"
  # shellcheck disable=SC2086  # $opts holds several fio options
  timeout -k 10 $((RUNTIME + 120)) fio --name="$id" --filename="${TARGET_FILE[$target]}" --size="${SIZE_MIB}m" \
    $opts --time_based --runtime="$RUNTIME" --group_reporting \
    --allow_file_create=0 --fallocate=none --output-format=json --output="$out" >/dev/null 2>"$errf" &
  FIO_PID=$! # run in the background so a trapped signal interrupts `wait` and cleanup can stop fio
  if wait "$FIO_PID" && value=$(python3 "$HELPERS/report.py" value "$out" "$unit" 2>>"$errf"); then
    log "    $target: $(printf '%.0f' "$value") $([[ $unit == iops ]] && echo IOPS || echo MiB/s)"
  else
    value="" err=$(first_line "$errf")
    err=${err:-fio failed}
    log "    $target: FAILED: $err"
  fi
  FIO_PID=""
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$id" "$target" "$value" "$err" >>"$WORK/results.tsv"
}

run_rounds() {
  local round j t spec ready=() order
  for t in "${TARGETS[@]}"; do [[ -n ${TARGET_FILE[$t]:-} ]] && ready+=("$t"); done
  ((${#ready[@]})) || { log "no target could be set up"; return; }
  for ((round = 1; round <= ROUNDS; round++)); do
    # Rotate the starting target each round so no target always runs first (right after another's writes).
    order=("${ready[@]:$(((round - 1) % ${#ready[@]}))}" "${ready[@]:0:$(((round - 1) % ${#ready[@]}))}")
    for ((j = 0; j < ${#JOBS[@]}; j++)); do
      spec=${JOBS[$j]}
      log "round $round/$ROUNDS, job $((j + 1))/${#JOBS[@]} ${spec%%|*}"
      for t in "${order[@]}"; do run_fio "$round" "$spec" "$t"; done
    done
  done
}

# The report's line on transports: which one each ThrottleFs daemon used (targets throttlefs and baseline pick it
# themselves, as auto), and the enable_uring setting that decided the kernel's offer.
transports_note() {
  local t n seen=""
  for t in throttlefs throttlefs-dev throttlefs-uring baseline; do
    [[ " ${TARGETS[*]} " == *" $t "* && -n ${TARGET_FILE[$t]:-} ]] || continue
    n=$(uring_rings "${DAEMON_PIDS[$t]:-}")
    seen+="${seen:+, }$t $( ((n > 0)) && echo "io_uring ($n rings)" || echo /dev/fuse)"
  done
  [[ -n $seen ]] || return 0
  local param="no $URING_PARAM (no FUSE over io_uring in this kernel)"
  if [[ -e $URING_PARAM ]]; then
    param="$URING_PARAM $(<"$URING_PARAM")"
    [[ -n $URING_PARAM_FOUND ]] && param+=" (set for this run; it was $URING_PARAM_FOUND and is restored on exit)"
  fi
  echo "ThrottleFs transports, seen from the daemons' threads: $seen; $param."
}

write_report() {
  local spec id label unit opts t references=passthrough_ll,baseline backing_fs
  # The ratio columns: each ThrottleFs target of this checkout divided by these targets (report.py skips absent ones).
  [[ -n $SAME_DISK ]] && references=passthrough_ll,native,baseline
  backing_fs=$(fs_type "$BACKING")
  : >"$WORK/status.tsv"
  for t in "${TARGETS[@]}"; do
    [[ -n ${MOUNT_ERROR[$t]:-} ]] && printf '%s\t%s\n' "$t" "${MOUNT_ERROR[$t]}" >>"$WORK/status.tsv"
  done
  : >"$WORK/jobs.tsv"
  for spec in "${JOBS[@]}"; do
    IFS='|' read -r id label unit opts <<<"$spec"
    printf '%s\t%s\t%s\n' "$id" "$label" "$unit" >>"$WORK/jobs.tsv"
  done
  touch "$WORK/results.tsv"

  mkdir -p "$CACHE"
  {
    echo "## FUSE comparison ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    python3 "$HELPERS/report.py" table "$WORK/results.tsv" "$WORK/status.tsv" "$WORK/jobs.tsv" \
      "$(IFS=,; echo "${TARGETS[*]}")" "$references"
    echo
    echo "Median (min–max) of $ROUNDS round(s), ${RUNTIME} s per fio run, --direct=1 but the buffered job, one ${SIZE_MIB} MiB data file"
    echo "on $backing_fs ($BACKING${SAME_DISK:+, --same-disk}); $(fio --version), kernel $(uname -r), $(nproc) CPUs."
    echo "Backing-fd policy: native opens the data file itself with O_DIRECT; ThrottleFs passes the caller's O_DIRECT"
    echo "on to its backing file; passthrough_ll (patched) and qemu-storage-daemon (cache.direct=off) open it without"
    echo "O_DIRECT, so their backing I/O uses the page cache."
    if [[ -n $SAME_DISK ]]; then
      echo "Same disk: native and ThrottleFs read and write the disk itself, so \"÷ native\" is what ThrottleFs costs"
      echo "over the disk; passthrough_ll and qemu-storage-daemon are served by the page cache (which holds the data"
      echo "file once it has been written or read), so their numbers are not disk numbers."
    fi
    transports_note
    echo
    echo "Setup commands:"
    for t in "${COMMANDS[@]}"; do echo "- \`$t\`"; done
  } | tee "$REPORT"
  python3 "$HELPERS/report.py" medians "$WORK/results.tsv" "$WORK/jobs.tsv" "$(IFS=,; echo "${TARGETS[*]}")" \
    >"$MEDIANS"
  { echo "# $(fio --version), kernel $(uname -r), $(nproc) CPUs, $backing_fs backing${SAME_DISK:+ (same disk)}," \
      "$ROUNDS round(s) of ${RUNTIME} s, $(date -u '+%Y-%m-%d'), CPU$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"; } >>"$MEDIANS"
  log "report written to $REPORT (numbers for plots: $MEDIANS)"
}

main() {
  parse_args "$@"
  [[ $EUID -eq 0 ]] || die "run as root (FUSE mounts with allow_other, apt-get)"
  ensure_packages
  [[ " ${TARGETS[*]} " == *" passthrough_ll "* ]] && build_passthrough_ll

  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
  WORK=$(mktemp -d /tmp/fuse-compare.XXXXXX)
  BACKING_WORK=$(mktemp -d "${BACKING%/}/fuse-compare-data.XXXXXX")
  make_data_file
  # Before the first mount, not in setup_throttlefs_uring: see enable_fuse_uring.
  [[ " ${TARGETS[*]} " == *" throttlefs-uring "* ]] && enable_fuse_uring

  local t
  for t in "${TARGETS[@]}"; do
    log "setting up $t"
    "setup_${t//-/_}"
  done
  run_rounds
  write_report
}

main "$@"
