#!/usr/bin/env bash
# Installs what the tests need and runs every test in the solution. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

# System packages the tests use (FUSE mounts, fio, qemu-img and qemu-io, setfattr and getfattr, redis-server for cluster groups, curl to scrape /metrics, kill from procps, which a minimal Debian lacks). Installed when missing, as root, with apt-get.
packages=(fuse3 fio qemu-utils attr redis-server curl procps)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "test.sh: missing packages: ${missing[*]}; install them (apt-get install ${missing[*]}) and run again." >&2
    echo "0 passed, 0 failed"
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The mount tests run over one transport, THROTTLEFS_TEST_TRANSPORT: uring (FUSE over io_uring, Linux 6.14+) or dev
# (/dev/fuse). By default uring where the kernel has it. Its switch, /sys/module/fuse/parameters/enable_uring, is set
# to match for the run (on for uring, off for dev, so that no mount picks io_uring by itself) and put back on exit.
uring_switch=/sys/module/fuse/parameters/enable_uring
[[ -e $uring_switch ]] || modprobe fuse 2>/dev/null || true # a fuse module not loaded yet has no switch to show
if [[ -z ${THROTTLEFS_TEST_TRANSPORT:-} ]]; then
  if [[ -w $uring_switch ]]; then THROTTLEFS_TEST_TRANSPORT=uring; else THROTTLEFS_TEST_TRANSPORT=dev; fi
fi
export THROTTLEFS_TEST_TRANSPORT
case $THROTTLEFS_TEST_TRANSPORT in
  uring | dev) ;;
  *) echo "test.sh: THROTTLEFS_TEST_TRANSPORT=$THROTTLEFS_TEST_TRANSPORT: give uring or dev." >&2; echo "0 passed, 0 failed"; exit 1 ;;
esac
if [[ -w $uring_switch ]]; then
  uring_saved=$(<"$uring_switch")
  trap 'echo "$uring_saved" >"$uring_switch"' EXIT
  if [[ $THROTTLEFS_TEST_TRANSPORT == uring ]]; then echo Y >"$uring_switch"; else echo N >"$uring_switch"; fi
elif [[ $THROTTLEFS_TEST_TRANSPORT == uring ]]; then
  echo "test.sh: THROTTLEFS_TEST_TRANSPORT=uring needs $uring_switch (Linux 6.14 or later, as root)." >&2
  echo "0 passed, 0 failed"
  exit 1
fi
echo "test.sh: mount tests over $THROTTLEFS_TEST_TRANSPORT (THROTTLEFS_TEST_TRANSPORT=uring|dev to choose)"

# The hostile-input tests are seeded: one seed for the whole run, printed so that a failure can be replayed with it.
export THROTTLEFS_FUZZ_SEED="${THROTTLEFS_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}"
echo "test.sh: THROTTLEFS_FUZZ_SEED=$THROTTLEFS_FUZZ_SEED (set it to replay the hostile-input tests)"

results=artifacts/test-results
rm -rf "$results"

# Build everything (benchmarks included, so they keep compiling), then test.
if ! dotnet build ThrottleFs.sln -c Release --nologo -v quiet; then
  echo "test.sh: the build failed."
  echo "0 passed, 0 failed"
  exit 1
fi

# The Windows executable is published for win-x64 on every run, so that it keeps compiling where it cannot run.
if ! dotnet publish src/Platform.Windows/Platform.Windows.csproj -c Release -r win-x64 --nologo -v quiet -o artifacts/publish/win-x64; then
  echo "test.sh: publishing the Windows executable (win-x64) failed."
  echo "0 passed, 0 failed"
  exit 1
fi

# One test assembly at a time: the mount tests measure rates and must not share the CPU with the others.
dotnet test ThrottleFs.sln -c Release --no-build --nologo -m:1 \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")))
done

# Name the failures last, where a log that keeps only its tail still shows them.
if ((failed > 0)); then
  echo "test.sh: failed tests:"
  grep -ho '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$results"/*.trx \
    | sed -E 's/.* testName="([^"]*)".*/  \1/' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g'
fi

if ((passed + failed == 0)); then
  echo "test.sh: no test ran."
  status=1
fi
echo "$passed passed, $failed failed"
exit $((status != 0 || failed != 0))
