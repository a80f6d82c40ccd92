#!/usr/bin/env bash
# Runs samples/Hosting (a worker service scheduling an incremental pipeline every second) until it has committed 3 runs, and checks
# that every run reported a healthy pipeline. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "hosting-sample: $*"; exit 1; }

if ! timeout 180 dotnet run -c Release --project samples/Hosting -- --runs 3 >"$out" 2>&1; then
  cat "$out"; fail "the sample did not exit cleanly within 180 s"
fi
cat "$out"
grep -q "^'readings': run 3 committed [0-9]* new rows" "$out" || fail "no third committed run"
grep -q "^completed 3 runs; overall health: Healthy" "$out" || fail "no final healthy report"
healthy=$(grep -c "health: Healthy (Pipeline 'readings' is fresh" "$out" || true)
[ "$healthy" -ge 3 ] || fail "expected 3 healthy reports, saw $healthy"
echo "hosting-sample: ok"
