# shellcheck shell=bash
# The targets of bench/fuse-compare.sh, which sources this file: setting each one up (mounting it and noting its
# daemon), unmounting it, and cleanup() on exit. The functions use the script's settings and run state (WORK,
# BACKING_WORK, TARGET_FILE, DAEMON_PIDS, MOUNT_ERROR, COMMANDS, ...), so this file does nothing on its own.
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
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
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

# ThrottleFs through a launcher: this checkout's (target throttlefs) or the --baseline one's (target baseline).
setup_throttlefs() { mount_throttlefs throttlefs "$THROTTLEFS_MOUNT_CMD"; }
setup_baseline() { mount_throttlefs baseline "$BASELINE/throttlefs mount --config $ROOT/bench/unthrottled.json"; }

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
    throttlefs | baseline)
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

# Runs on every exit (normal, error, Ctrl-C, TERM): stop fio, unmount, stop daemons, remove temp files.
CLEANED=""
cleanup() {
  [[ -n $CLEANED ]] && return
  CLEANED=1
  trap '' INT TERM # finish cleaning even if Ctrl-C is pressed again
  set +e           # best effort: one failed step must not skip the rest
  [[ -z $WORK ]] && return
  alive "$FIO_PID" && stop_pids "$FIO_PID"

  local target mnt
  for target in "${TARGETS[@]}"; do
    case $target in
      passthrough_ll | throttlefs | baseline) mnt="$WORK/mnt-$target" ;;
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
