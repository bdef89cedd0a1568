#!/usr/bin/env bash
# Measures the uncontended admission path of the QoS engine beside .NET's TokenBucketRateLimiter, in one run.
# Usage: bench/qos-admission.sh [BenchmarkDotNet options, e.g. --job short]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run -c Release --project bench/Qos.Benchmarks -- --filter '*UncontendedAdmission*' "$@"
