#!/usr/bin/env bash
# Cluster-wide groups: (1) admission of a request that spends leased credit, beside a local group with the same limit
# (BenchmarkDotNet: ns and bytes allocated per request); (2) hosts sharing iops-total=10000 at saturation through a
# real redis-server (needs redis-server installed): what passed, and the Redis commands per second per host.
# Usage: bench/cluster-lease.sh [--hosts "1 4"] [BenchmarkDotNet options, e.g. --job short]
set -euo pipefail
cd "$(dirname "$0")/.."
hosts="1 4"
if [[ "${1:-}" == "--hosts" ]]; then hosts="$2"; shift 2; fi
command -v redis-server >/dev/null || { echo "cluster-lease.sh: redis-server is needed: apt-get install redis-server" >&2; exit 1; }
dotnet build -c Release bench/Cluster.Benchmarks/Cluster.Benchmarks.csproj -v q -nologo >/dev/null
run() { dotnet artifacts/bin/Cluster.Benchmarks/release/Cluster.Benchmarks.dll "$@"; }
echo "## Redis traffic at saturation (10 s per row)"
echo
echo "| Hosts | Limit (IOPS) | Admitted IOPS, all hosts | Per host | Lease calls/s per host (hosts' count) | Script calls/s per host (Redis's count) |"
echo "|---:|---:|---:|---|---:|---:|"
# shellcheck disable=SC2086
run saturate $hosts
echo
echo "## Admission with leased credit"
run --filter '*LeasedAdmission*' "$@"
