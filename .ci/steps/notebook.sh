#!/usr/bin/env bash
# Runs docs/notebooks/*.ipynb headless with dotnet-repl (pinned in .config/dotnet-tools.json) against freshly packed
# packages: each notebook's `#r "nuget: DataEng.Core*, <version>"` lines are pointed at the local pack output
# (`#i "nuget: <folder>"` + the CI version) in a temporary copy. Fails if any cell fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/.ci/steps/lib/pack.sh"
work=$(mktemp -d)
trap 'forget_packages; rm -rf "$work"' EXIT
fail() { echo "notebook: $*"; exit 1; }

cd "$root"
dotnet tool restore >/dev/null || fail "dotnet tool restore failed"
pack_packages "$work/packages" || fail "packing failed"

status=0
for notebook in docs/notebooks/*.ipynb; do
  name=$(basename "$notebook" .ipynb)
  copy="$work/$name.ipynb"
  python3 - "$notebook" "$copy" "$work/packages" "$PACKAGE_VERSION" <<'PY' || fail "could not point $notebook at the local packages"
import json, re, sys
source, target, folder, version = sys.argv[1:]
nb = json.load(open(source, encoding="utf-8"))
pattern = re.compile(r'^#r "nuget: (DataEng\.Core[A-Za-z.]*), [^"]+"')
found = False
for cell in nb["cells"]:
    if cell["cell_type"] != "code":
        continue
    lines = []
    for line in cell["source"]:
        m = pattern.match(line)
        if m:
            if not found:
                lines.append(f'#i "nuget: {folder}"\n')
            found = True
            line = f'#r "nuget: {m.group(1)}, {version}"\n'
        lines.append(line)
    cell["source"] = lines
if not found:
    sys.exit(f"{source} has no '#r \"nuget: DataEng.Core, ...\"' line")
json.dump(nb, open(target, "w", encoding="utf-8"), indent=1)
PY
  # dotnet-repl reports every cell (markdown ones pass trivially) as one test.
  cells=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$copy")
  trx="$work/$name.trx"
  echo "running $notebook ($cells cells)"
  rc=0
  timeout 600 dotnet tool run dotnet-repl --run "$copy" --exit-after-run --output-format trx --output-path "$trx" >"$work/$name.log" 2>&1 || rc=$?
  counters=$(grep -o '<Counters [^>]*' "$trx" 2>/dev/null || true)
  passed=$(echo "$counters" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  failed=$(echo "$counters" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*' || echo 0)
  echo "$notebook: exit code $rc, $passed of $cells cells passed, $failed failed"
  if [ "$rc" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -ne "$cells" ]; then
    tail -n 40 "$work/$name.log"
    python3 - "$trx" <<'PY' || true
import re, sys, html
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for name, body in re.findall(r'testName="([^"]*)"[^>]*outcome="Failed".*?<Output>(.*?)</Output>', text, re.S):
    print("FAILED:", html.unescape(name))
    print(html.unescape(re.sub(r"<[^>]+>", " ", body))[:2000])
PY
    status=1
  fi
done
[ "$status" -eq 0 ] || fail "a notebook cell failed"
echo "notebook: ok"
