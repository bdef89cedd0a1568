#!/usr/bin/env bash
# What the files the kernel has looked up cost the daemon: mounts a generated tree of FILES empty files (default
# 1,000,000, in directories of 25,000), lists and stats every one through the mount with `find -ls`, and reports,
# while the kernel holds them all, the daemon's managed heap and RSS per node, the descriptors it holds, and how long
# the listing took. Prints a markdown table; see usage() below.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FILES=1000000 PER_DIRECTORY=25000 PARENT=/tmp
WORK="" MOUNTED=""

usage() {
  cat <<EOF
Usage: bench/node-memory.sh [--files N] [--per-directory N] [--dir DIR]

Creates N empty files (default $FILES) in directories of --per-directory (default $PER_DIRECTORY) under a new
directory in --dir (default $PARENT: its filesystem is the backing store's), mounts it with ./throttlefs at the
Debug log level, runs find -ls over the mount, and reads the daemon's node report ("Nodes: N known; descriptors:
D held ...; managed heap H bytes", logged every 5 s while it changes) before and after. The managed heap is where
the nodes live; RSS is shown too, though the GC's own decisions move it. Needs root (a mount whose daemon can open
file handles). Everything is unmounted and deleted on exit.
EOF
}

log() { printf '[node-memory] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
  if [[ -n $MOUNTED ]] && grep -q " $MOUNTED " /proc/mounts; then
    "$ROOT/throttlefs" unmount "$MOUNTED" >/dev/null 2>&1 || umount -l "$MOUNTED" || true
  fi
  [[ -n $WORK ]] && rm -rf "$WORK"
}

while (($#)); do
  case $1 in
    --files) FILES=${2:?}; shift ;;
    --per-directory) PER_DIRECTORY=${2:?}; shift ;;
    --dir) PARENT=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
[[ $FILES =~ ^[1-9][0-9]*$ && $PER_DIRECTORY =~ ^[1-9][0-9]*$ ]] || die "--files and --per-directory take positive integers"
[[ $EUID -eq 0 ]] || die "run as root: a daemon that is not root cannot open file handles, and keeps a descriptor per node"

trap cleanup EXIT
WORK=$(mktemp -d "$PARENT/throttlefs-nodes.XXXXXX")
mkdir -p "$WORK/src" "$WORK/mnt" "$WORK/log"
printf '{ "logging": { "level": "Debug", "file": "%s/log/throttlefs.log" } }\n' "$WORK" >"$WORK/config.json"

cd "$WORK"
elapsed() { awk -v from="$1" -v to="$(date +%s.%N)" 'BEGIN { printf "%.1f", to - from }'; }

log "creating $FILES files in $WORK/src..."
started=$(date +%s.%N)
perl -MFcntl -MPOSIX -e '
  my ($files, $per) = @ARGV;
  for (my $i = 0; $i < $files; $i++) {
    my $dir = sprintf "src/d%03d", int($i / $per);
    mkdir $dir if $i % $per == 0;
    my $fd = POSIX::open(sprintf("%s/f%07d", $dir, $i), O_WRONLY | O_CREAT, 0644) // die "$dir: $!";
    POSIX::close($fd);
  }' -- "$FILES" "$PER_DIRECTORY"
log "created in $(elapsed "$started") s"

"$ROOT/throttlefs" mount "$WORK/src" "$WORK/mnt" --config "$WORK/config.json" >&2
MOUNTED="$WORK/mnt"
pid=$(cat "/run/throttlefs/$(echo "${MOUNTED#/}" | tr / -).pid")

# The last node report: nodes, descriptors held, managed heap bytes; nothing before the first.
report() { { grep -ho 'Nodes: [0-9]* known; descriptors: [0-9]* held.*managed heap [0-9]* bytes' "$WORK"/log/throttlefs*.log 2>/dev/null | tail -n1 | sed -E 's/Nodes: ([0-9]+) known; descriptors: ([0-9]+) held.*managed heap ([0-9]+) bytes/\1 \2 \3/'; } || true; }
rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status"; }
wait_for_nodes() {
  local deadline=$((SECONDS + 120)) line
  while ((SECONDS < deadline)); do
    line=$(report)
    if [[ -n $line ]] && (($(cut -d' ' -f1 <<<"$line") >= $1)); then
      echo "$line"
      return
    fi
    sleep 1
  done
  die "no node report with at least $1 nodes in the log"
}

stat mnt/d000 >/dev/null # one lookup served: what the first requests set up is in the baseline
read -r nodes0 held0 heap0 < <(wait_for_nodes 1)
rss0=$(rss)
log "before: $nodes0 nodes, $held0 descriptors held, managed heap $heap0 bytes, RSS $rss0 bytes"

log "find -ls over the mount..."
started=$(date +%s.%N)
listed=$(find mnt -ls 2>"$WORK/find.err" | wc -l)
seconds=$(elapsed "$started")
[[ ! -s $WORK/find.err ]] || die "find reported errors: $(head -n3 "$WORK/find.err")"

read -r nodes1 held1 heap1 < <(wait_for_nodes $((nodes0 + FILES)))
rss1=$(rss)
fds=$(ls "/proc/$pid/fd" | wc -l)
log "after: $nodes1 nodes, $held1 descriptors held, managed heap $heap1 bytes, RSS $rss1 bytes"

added=$((nodes1 - nodes0))
cat <<EOF

| Files the kernel holds | find -ls | Managed heap per node | RSS per node | Descriptors held (all the daemon's) |
|---:|---:|---:|---:|---:|
| $added | $seconds s, $listed lines | $(((heap1 - heap0) / added)) B | $(((rss1 - rss0) / added)) B | $held1 ($fds) |
EOF
