# Shared by the bench/plots scripts: packages, a throttled mount of a scratch data file, and the caption that says
# what ran on what machine. Source it; it sets ROOT, PLOTS and DOCS.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLOTS="$ROOT/bench/plots"
DOCS="$ROOT/docs"
THROTTLEFS="$ROOT/throttlefs"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The options of a script that only takes --out FILE (and --help, printed by its usage function).
parse_out_option() {
  while (($#)); do
    case $1 in
      --out) OUT=${2:?}; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
  done
}

# Installs what the plots need when it is missing (Debian packages; gnuplot-nox has the pngcairo terminal).
need_packages() {
  local missing=() pkg
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v python3 >/dev/null || missing+=(python3)
  for pkg in "$@"; do
    case $pkg in
      fio) command -v fio >/dev/null || missing+=(fio) ;;
      fuse3) command -v fusermount3 >/dev/null || missing+=(fuse3) ;;
    esac
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# "fio-3.33 on 2 CPUs (Intel(R) Xeon(R) Processor), kernel 6.1.0, tmpfs backing, 2026-12-01": the picture's footnote.
machine_caption() {
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  echo "$(fio --version) on $(nproc) CPUs (${cpu:-unknown CPU}), kernel $(uname -r), $(stat -f -c %T "$1") backing, $(date -u +%Y-%m-%d)"
}

# Scratch state: WORK (logs, mount points) and DATA (the backing directory, on tmpfs so the device is never the
# limit). cleanup unmounts whatever mount_throttled mounted.
WORK="" DATA="" MOUNTS=()
scratch() {
  WORK=$(mktemp -d /tmp/throttlefs-plot.XXXXXX)
  DATA=$(mktemp -d /dev/shm/throttlefs-plot-data.XXXXXX)
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
}
cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do "$THROTTLEFS" unmount "$m" >/dev/null 2>&1 || umount -l "$m" 2>/dev/null || true; done
  [[ -n $DATA ]] && rm -rf "$DATA"
  [[ -n $WORK ]] && rm -rf "$WORK"
}

# mount_throttled NAME ARGS...: mounts DATA at WORK/NAME with `throttlefs mount` ARGS; sets MOUNTED to the mount
# point (not printed: in a $(...) subshell cleanup would not learn of the mount).
mount_throttled() {
  local name=$1 mnt
  shift
  mnt="$WORK/$name"
  mkdir -p "$mnt"
  "$THROTTLEFS" mount "$DATA" "$mnt" "$@" >"$WORK/$name.mount.log" 2>&1 \
    || die "throttlefs mount $* failed: $(tail -n3 "$WORK/$name.mount.log")"
  MOUNTS+=("$mnt")
  MOUNTED=$mnt
}
