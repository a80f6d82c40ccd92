#!/usr/bin/env bash
# Runs docs/notebooks/*.ipynb headless with dotnet-repl (pinned in .config/dotnet-tools.json) as a new user would:
# with an EMPTY NuGet package cache (NUGET_PACKAGES is a fresh folder, so nothing restored earlier on this machine can
# hide a missing package) and a local feed of freshly packed packages (eng/pack.sh). Each notebook's
# `#r "nuget: DataEng.Core*, <version>"` lines are pointed at that feed (`#i "nuget: <folder>"` + the CI version) in
# a temporary copy, which runs from a folder whose nuget.config lists the feed and the repository's sources (for
# third-party dependencies). Fails, and says why, if dotnet-repl exits non-zero, writes no results, any cell fails,
# or DataEng.Core did not come from the local feed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/.ci/steps/lib/pack.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "notebook: $*"; exit 1; }

cd "$root"
pack_packages "$work/packages" || fail "packing failed"

# From here on every restore (the dotnet-repl tool itself, the kernel's `#r "nuget: …"`) starts from an empty cache.
export NUGET_PACKAGES="$work/nuget-packages"
mkdir -p "$NUGET_PACKAGES"
[ -z "$(ls -A "$NUGET_PACKAGES")" ] || fail "the package cache $NUGET_PACKAGES is not empty"
run="$work/run"
mkdir -p "$run"
cp -r "$root/.config" "$run/.config"
python3 - "$root/nuget.config" "$run/nuget.config" "$work/packages" <<'PY' || fail "could not write nuget.config"
import sys, xml.etree.ElementTree as ET
source, target, folder = sys.argv[1:]
tree = ET.parse(source)
sources = tree.getroot().find("packageSources")
index = next((i + 1 for i, e in enumerate(sources) if e.tag == "clear"), 0)
sources.insert(index, ET.Element("add", {"key": "dataeng-local", "value": folder}))
tree.write(target, encoding="utf-8", xml_declaration=True)
PY
(cd "$run" && dotnet tool restore >"$work/tool-restore.log" 2>&1) || { cat "$work/tool-restore.log"; fail "dotnet tool restore failed on an empty cache"; }

status=0
for notebook in docs/notebooks/*.ipynb; do
  name=$(basename "$notebook" .ipynb)
  copy="$run/$name.ipynb"
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
  echo "running $notebook ($cells cells, empty package cache)"
  rc=0
  (cd "$run" && timeout 900 dotnet tool run dotnet-repl --run "$copy" --exit-after-run --output-format trx --output-path "$trx") >"$work/$name.log" 2>&1 || rc=$?
  if [ ! -s "$trx" ]; then
    cat "$work/$name.log"
    echo "notebook: $notebook: dotnet-repl exited with code $rc and wrote no results"
    status=1
    continue
  fi
  counters=$(grep -o '<Counters [^>]*' "$trx" || true)
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
  [ -d "$NUGET_PACKAGES/dataeng.core/$PACKAGE_VERSION" ] \
    || { echo "notebook: $notebook did not restore DataEng.Core $PACKAGE_VERSION from the local feed into the empty cache"; status=1; }
done
[ "$status" -eq 0 ] || fail "a notebook failed (see above)"
echo "notebook: ok"
