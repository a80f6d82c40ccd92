#!/usr/bin/env bash
# Keeps the benchmarks from rotting: checks the instruments (selftest), runs every BenchmarkDotNet benchmark once (Dry job: one cold invocation, no
# warm-up, in-process) on a tiny dataset, then `compare` on 100,000 rows with one turn, and the stream case
# with --memory-breakdown on 200,000 rows. Fails if any benchmark or
# engine fails (a failed verification included). Not for numbers: nothing printed here is a measurement anyone
# should read. Bounded: each step is killed after its time limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=benchmarks/DataEng.Core.Benchmarks
artifacts=$(mktemp -d)
trap 'rm -rf "$artifacts"' EXIT

echo "benchmarks-dry: build"
dotnet build "$project" -c Release --nologo -v quiet 2>&1 | tail -n 5

echo "benchmarks-dry: selftest (the instruments: dataset, Arrow scan, output verification)"
timeout 300 dotnet run -c Release --no-build --project "$project" -- selftest

echo "benchmarks-dry: every benchmark, Dry job, 100,000 rows"
timeout 900 dotnet run -c Release --no-build --project "$project" -- \
  --filter '*' --job Dry --inProcess --rows 100000 --artifacts "$artifacts" --exporters github \
  > "$artifacts/bdn.log" 2>&1 || { tail -n 80 "$artifacts/bdn.log"; echo "benchmarks-dry: a benchmark failed"; exit 1; }
grep -E "executed benchmarks" "$artifacts/bdn.log" | tail -n 1

echo "benchmarks-dry: compare --rows 100000 --turns 1"
timeout 600 dotnet run -c Release --no-build --project "$project" -- compare --rows 100000 --turns 1 \
  > "$artifacts/compare.log" 2>&1 || { tail -n 60 "$artifacts/compare.log"; echo "benchmarks-dry: compare failed"; exit 1; }
grep -cE "^\| " "$artifacts/compare.log" | xargs -I{} echo "benchmarks-dry: compare printed a table of {} lines"

echo "benchmarks-dry: compare --cases stream --memory-breakdown, 200,000 rows"
timeout 300 dotnet run -c Release --no-build --project "$project" -- compare --rows 100000 --cases stream --stream-rows 200000 --turns 1 --memory-breakdown \
  > "$artifacts/breakdown.log" 2>&1 || { tail -n 60 "$artifacts/breakdown.log"; echo "benchmarks-dry: compare --memory-breakdown failed"; exit 1; }
grep -q "^Memory breakdown: " "$artifacts/breakdown.log" || { tail -n 60 "$artifacts/breakdown.log"; echo "benchmarks-dry: compare --memory-breakdown printed no breakdown"; exit 1; }
echo "benchmarks-dry: ok"
