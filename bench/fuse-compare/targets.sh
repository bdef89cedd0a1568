# shellcheck shell=bash
# The targets of bench/fuse-compare.sh, which sources this file: setting each one up (mounting it and noting its
# daemon), unmounting it, and cleanup() on exit. The functions use the script's settings and run state (WORK,
# BACKING_WORK, TARGET_FILE, DAEMON_PIDS, MOUNT_ERROR, COMMANDS, ...), so this file does nothing on its own. It also
# turns the fuse module's enable_uring on for the throttlefs-uring target, and back off on exit.
#
# Checked on its own, shellcheck cannot see the script's declare -A of TARGET_FILE, DAEMON_PIDS and MOUNT_ERROR and
# takes them for plain arrays indexed by unset variables; checked through the script (shellcheck -x) it needs none of
# these exceptions.
# shellcheck disable=SC2004,SC2034,SC2154

is_mounted() { awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' /proc/mounts; }
# True while PID runs. A zombie (an exited child of ours not yet reaped) counts as gone, unlike with kill -0.
alive() {
  local stat
  [[ -n $1 ]] || return 1
  { stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# PIDs whose command line mentions PATH. Our temp paths are unique, so this finds exactly the daemons and fio
# processes of this run, including daemons we only know by mount point (throttlefs starts its own).
pids_mentioning() {
  local p cmd
  [[ -n $1 ]] || return 0
  for p in /proc/[0-9]*; do
    [[ ${p#/proc/} == "$$" ]] && continue
    # 2>/dev/null first: it must already apply when the < redirection fails for a process that has just exited.
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    [[ $cmd == *"$1"* ]] && echo "${p#/proc/}"
  done
  return 0
}

# Polls until PATH is a mount point; fails early if the daemon PID (when given) dies.
wait_for_mount() {
  local path=$1 pid=$2 tries=$(($3 * 10))
  while ((tries--)); do
    is_mounted "$path" && return 0
    [[ -n $pid ]] && ! alive "$pid" && return 1
    sleep 0.1
  done
  return 1
}

# FUSE over io_uring (Linux 6.14+): the kernel offers it to new mounts only while this fuse module parameter is Y.
URING_PARAM=/sys/module/fuse/parameters/enable_uring
URING_PARAM_FOUND="" # its value before enable_fuse_uring set it to Y; cleanup() writes it back. Empty: left alone.
URING_ERROR=""       # why throttlefs-uring cannot be mounted here, when it cannot

# For throttlefs-uring: turns enable_uring on for the run. Called before any target is mounted, so that the auto
# transport (targets throttlefs and baseline) sees the same kernel offer throughout the run, whatever the order of
# --targets; the report says which transport each ThrottleFs daemon ended up using.
enable_fuse_uring() {
  # With fuse built as a module that nothing has loaded yet, the parameter does not exist until it is loaded.
  [[ -d /sys/module/fuse ]] || modprobe fuse 2>/dev/null || true
  if [[ ! -e $URING_PARAM ]]; then
    URING_ERROR="this kernel has no FUSE over io_uring, no $URING_PARAM: it needs Linux 6.14+ with CONFIG_FUSE_IO_URING"
    return 0
  fi
  local found
  found=$(<"$URING_PARAM")
  [[ $found == Y ]] && return 0
  URING_PARAM_FOUND=$found # before writing: a Ctrl-C right after the write must still restore it
  if echo Y 2>/dev/null >"$URING_PARAM"; then
    log "set $URING_PARAM to Y for this run (it was $found; restored on exit)"
  else
    URING_PARAM_FOUND=""
    URING_ERROR="could not set $URING_PARAM to Y (it is $found)"
  fi
}

# Writes back the value enable_fuse_uring found, only if it changed it, once our mounts are gone. Someone else's
# io_uring mount made meanwhile keeps working: the parameter only decides whether new connections are offered io_uring
# (since 6.14, when it appeared, the kernel keeps io_uring on for connections already using it).
restore_fuse_uring() {
  [[ -n $URING_PARAM_FOUND ]] || return 0
  if echo "$URING_PARAM_FOUND" 2>/dev/null >"$URING_PARAM"; then
    log "restored $URING_PARAM to $URING_PARAM_FOUND"
  else
    log "warning: could not restore $URING_PARAM to $URING_PARAM_FOUND"
  fi
  URING_PARAM_FOUND=""
}

mount_failed() { # target log-file [fallback message]
  local msg
  msg=$(first_line "$2")
  MOUNT_ERROR[$1]="mount failed: ${msg:-${3:-no output}}"
  log "$1: ${MOUNT_ERROR[$1]}"
}

setup_native() {
  TARGET_FILE[native]="$BACKING_WORK/data.bin"
  COMMANDS+=("native: fio --filename=$BACKING_WORK/data.bin")
}

setup_passthrough_ll() {
  local mnt="$WORK/mnt-passthrough_ll" logf="$WORK/passthrough_ll.log"
  mkdir "$mnt"
  # Foreground mode in the background: we get its PID directly instead of hunting for a daemonized child.
  local cmd=("$PLL_BIN" -f -o "source=$BACKING_WORK,cache=never" "$mnt")
  COMMANDS+=("passthrough_ll: ${cmd[*]} &")
  "${cmd[@]}" >"$logf" 2>&1 &
  DAEMON_PIDS[passthrough_ll]=$!
  if wait_for_mount "$mnt" "$!" 20; then
    TARGET_FILE[passthrough_ll]="$mnt/data.bin"
  else
    mount_failed passthrough_ll "$logf" "not mounted after 20 s"
  fi
}

setup_qemu_storage_daemon() {
  local mnt="$WORK/qsd-export.img" logf="$WORK/qsd.log" pidf="$WORK/qsd.pid"
  touch "$mnt" # the FUSE export mounts over a regular file
  # --daemonize returns once the export is mounted; cache.direct=off keeps O_DIRECT off the backing fd, the same
  # policy as the patched passthrough_ll.
  local cmd=(qemu-storage-daemon --daemonize --pidfile "$pidf"
    --blockdev "driver=file,node-name=file0,filename=$BACKING_WORK/data.bin,cache.direct=off"
    --export "type=fuse,id=exp0,node-name=file0,mountpoint=$mnt,writable=on")
  COMMANDS+=("qemu-storage-daemon: ${cmd[*]}")
  if timeout --foreground 60 "${cmd[@]}" >"$logf" 2>&1 && is_mounted "$mnt"; then
    DAEMON_PIDS[qemu-storage-daemon]=$(<"$pidf")
    TARGET_FILE[qemu-storage-daemon]="$mnt"
  else
    DAEMON_PIDS[qemu-storage-daemon]=$(cat "$pidf" 2>/dev/null || true)
    mount_failed qemu-storage-daemon "$logf"
  fi
}

# ThrottleFs through a launcher: this checkout's (targets throttlefs, throttlefs-dev and throttlefs-uring, which
# differ only in --transport) or the --baseline one's (target baseline).
setup_throttlefs() { mount_throttlefs throttlefs "$THROTTLEFS_MOUNT_CMD"; }
setup_baseline() { mount_throttlefs baseline "$BASELINE/throttlefs mount --config $ROOT/bench/unthrottled.json"; }

setup_throttlefs_dev() {
  mount_throttlefs throttlefs-dev "$THROTTLEFS_MOUNT_CMD --transport dev"
  [[ -n ${TARGET_FILE[throttlefs-dev]:-} ]] || return 0
  # The column is labelled /dev/fuse; numbers from io_uring queues under that label would mislead.
  if (($(uring_rings "${DAEMON_PIDS[throttlefs-dev]:-}") > 0)); then
    transport_failed throttlefs-dev "--transport dev, yet the daemon serves io_uring queues (fuse-uring-N threads)"
  fi
}

# --transport uring falls back to /dev/fuse with only a warning in the daemon's log, so a mount that succeeded proves
# nothing: the daemon must be seen serving io_uring queues, or the column would show /dev/fuse numbers as io_uring's.
setup_throttlefs_uring() {
  if [[ -n $URING_ERROR ]]; then
    COMMANDS+=("throttlefs-uring: not mounted: $URING_ERROR")
    MOUNT_ERROR[throttlefs-uring]="mount failed: $URING_ERROR"
    log "throttlefs-uring: ${MOUNT_ERROR[throttlefs-uring]}"
    return 0
  fi
  mount_throttlefs throttlefs-uring "$THROTTLEFS_MOUNT_CMD --transport uring"
  [[ -n ${TARGET_FILE[throttlefs-uring]:-} ]] || return 0
  # The queue threads start when the kernel's INIT arrives, right as the mount becomes ready: allow them a moment.
  local tries=30
  while (($(uring_rings "${DAEMON_PIDS[throttlefs-uring]:-}") == 0)); do
    if ((--tries == 0)); then
      local why
      why=$(uring_refusal "$WORK/mnt-throttlefs-uring")
      transport_failed throttlefs-uring "io_uring was not used: the daemon has no fuse-uring-N threads${why:+; $why}"
      return 0
    fi
    sleep 0.1
  done
}

# How many io_uring rings the ThrottleFs daemon(s) with these PIDs serve: each ring has its own thread, named
# fuse-uring-QUEUE.RING (/dev/fuse is read by fuse-reader-N threads instead). 0 for a /dev/fuse daemon, or when none runs.
uring_rings() { # "pid pid ..." (DAEMON_PIDS' form)
  local p comm name n=0 pids
  read -r -a pids <<<"$*"
  for p in "${pids[@]}"; do
    for comm in /proc/"$p"/task/*/comm; do
      { name=$(<"$comm"); } 2>/dev/null || continue # the thread may have ended since the glob
      [[ $name == fuse-uring-[0-9]* ]] && n=$((n + 1))
    done
  done
  echo "$n"
}

# Why a daemon asked for io_uring serves /dev/fuse, when it said so: it warns "Requests travel through /dev/fuse, not
# io_uring: WHY" in its log, /run/throttlefs/MOUNT-POINT-WITH-DASHES.log for root (the launcher's output has no such
# line once the daemon has detached). Best effort: prints nothing when there is no such line.
uring_refusal() { # mount-point
  local daemon_log mnt=${1#/}
  daemon_log="/run/throttlefs/${mnt//\//-}.log"
  { grep -h -m1 -o 'not io_uring: .*' "$WORK/throttlefs-uring.log" "$daemon_log" 2>/dev/null || true; } |
    head -n1 | sed 's/^not io_uring: //' | cut -c1-200
}

# A ThrottleFs target that mounted but does not use the transport its column claims: reported like a failed mount,
# and no fio runs against it. It stays mounted until cleanup(), which unmounts it with the others.
transport_failed() { # target message
  unset "TARGET_FILE[$1]"
  MOUNT_ERROR[$1]=$2
  log "$1: $2"
}

mount_throttlefs() { # target mount-command
  local target=$1 mnt="$WORK/mnt-$1" logf="$WORK/$1.log" cmd
  mkdir "$mnt"
  read -r -a cmd <<<"$2"
  COMMANDS+=("$target: $2 $BACKING_WORK $mnt")
  # Generous timeout: the default launcher builds the CLI first when the sources changed. --foreground keeps
  # the command in our process group, so Ctrl-C reaches it instead of waiting for it to finish.
  if timeout --foreground 300 "${cmd[@]}" "$BACKING_WORK" "$mnt" >"$logf" 2>&1 </dev/null; then
    if is_mounted "$mnt" && [[ -f $mnt/data.bin ]]; then
      TARGET_FILE[$target]="$mnt/data.bin"
    else
      mount_failed "$target" /dev/null "the mount command succeeded but $mnt does not show data.bin"
    fi
  else
    mount_failed "$target" "$logf" "exit status $?"
  fi
  DAEMON_PIDS[$target]=$(pids_mentioning "$mnt" | tr '\n' ' ')
}

unmount_target() {
  local target=$1 mnt=$2 cmd
  case $target in
    throttlefs | throttlefs-dev | throttlefs-uring | baseline)
      local unmount=$THROTTLEFS_UNMOUNT_CMD
      [[ $target == baseline ]] && unmount="$BASELINE/throttlefs unmount"
      read -r -a cmd <<<"$unmount"
      timeout --foreground 60 "${cmd[@]}" "$mnt" </dev/null >&2 || log "$target: '$unmount' failed" ;;
    qemu-storage-daemon)
      # QEMU unmounts its export when it exits on SIGTERM.
      local pid=${DAEMON_PIDS[$target]:-}
      alive "$pid" && kill -TERM "$pid" 2>/dev/null
      wait_gone "$pid" 10 || true ;;
    *) fusermount3 -u "$mnt" 2>/dev/null || true ;;
  esac
  if is_mounted "$mnt"; then
    log "$target: still mounted, detaching $mnt lazily"
    fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  fi
}

wait_gone() { # pids... seconds (last argument)
  local secs=${*: -1} pids=("${@:1:$#-1}") tries p
  tries=$((secs * 10))
  while ((tries--)); do
    for p in "${pids[@]}"; do alive "$p" && break; p=""; done
    [[ -z ${p:-} ]] && return 0
    sleep 0.1
  done
  return 1
}

stop_pids() { # pids...: TERM, then KILL whatever ignores it
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  wait_gone "$@" 5 || kill -KILL "$@" 2>/dev/null || true
  wait_gone "$@" 5 || log "warning: could not stop PIDs $*"
}

# Runs on every exit (normal, error, Ctrl-C, TERM): stop fio, unmount, stop daemons, restore enable_uring, remove
# temp files.
CLEANED=""
cleanup() {
  [[ -n $CLEANED ]] && return
  CLEANED=1
  trap '' INT TERM # finish cleaning even if Ctrl-C is pressed again
  set +e           # best effort: one failed step must not skip the rest
  [[ -z $WORK ]] && { restore_fuse_uring; return; }
  alive "$FIO_PID" && stop_pids "$FIO_PID"

  local target mnt
  for target in "${TARGETS[@]}"; do
    case $target in
      passthrough_ll | throttlefs | throttlefs-dev | throttlefs-uring | baseline) mnt="$WORK/mnt-$target" ;;
      qemu-storage-daemon) mnt="$WORK/qsd-export.img" ;;
      *) continue ;;
    esac
    if is_mounted "$mnt"; then unmount_target "$target" "$mnt"; fi
  done

  # Daemons exit once unmounted; give them a moment, then stop any leftovers (and any stray fio).
  local pids daemons
  read -r -a daemons <<<"${DAEMON_PIDS[*]:-}"
  wait_gone "${daemons[@]}" 5 || true
  pids=$( (pids_mentioning "$WORK"; pids_mentioning "$BACKING_WORK") | sort -u | tr '\n' ' ')
  # shellcheck disable=SC2086
  [[ -n ${pids// /} ]] && { log "stopping leftover processes: $pids"; stop_pids $pids; }

  # Last, once our mounts are gone: the kernel is left as we found it.
  restore_fuse_uring

  # Never rm -rf through a live mount: that would walk into the FUSE filesystem.
  local dir
  for dir in "$WORK" "$BACKING_WORK"; do
    [[ -n $dir ]] || continue
    if grep -qF " $dir/" /proc/mounts; then
      log "warning: mounts remain under $dir; not deleting it"
    else
      rm -rf "$dir"
    fi
  done
}
