#!/usr/bin/env bash
# Runs every C# file-based app in docs/scripts (`dotnet run file.cs`, .NET 10) from a scratch directory; fails if any
# script fails to build or exits non-zero.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=0
count=0
for script in "$root"/docs/scripts/*.cs; do
  [ -f "$script" ] || continue
  count=$((count + 1))
  name=$(basename "$script")
  echo "running docs/scripts/$name"
  if (cd "$work" && timeout 900 dotnet run "$script" >"$work/$name.log" 2>&1); then
    tail -n 5 "$work/$name.log"
    echo "docs/scripts/$name: ok"
  else
    cat "$work/$name.log"
    echo "docs/scripts/$name: FAILED"
    failed=$((failed + 1))
  fi
done

[ "$count" -gt 0 ] || { echo "scripts: no scripts found in docs/scripts"; exit 1; }
[ "$failed" -eq 0 ] || { echo "scripts: $failed of $count scripts failed"; exit 1; }
echo "scripts: all $count ok"
