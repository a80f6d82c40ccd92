#!/usr/bin/env bash
# Packs the five packages (DataEng.Core, .Testing, .Sqlite, .PostgreSql, .Hosting) into one folder, building only
# them: DataEng.Core.Packages.slnf lists the src/ projects alone, so the tests, benchmarks, samples and doc snippets
# are neither restored nor built (`dotnet pack DataEng.Core.sln` builds all of them first, IsPackable=false or not).
#
#   eng/pack.sh [OUTPUT_DIR] [VERSION]
#
# OUTPUT_DIR defaults to artifacts/packages; VERSION defaults to the <Version> in Directory.Build.props. Extra
# arguments after the two are passed to `dotnet pack` (for example --no-build after a Release build).
# Then point a project at the folder: `dotnet add package DataEng.Core --source OUTPUT_DIR` or a nuget.config
# (see docs/getting-started.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/packages}
version=${2:-}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$out"
out=$(cd "$out" && pwd)
args=(pack "$root/DataEng.Core.Packages.slnf" -c Release -o "$out" -nologo -v:q -clp:NoSummary)
[ -n "$version" ] && args+=("-p:PackageVersion=$version")
dotnet "${args[@]}" "$@"
version=${version:-$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$root/Directory.Build.props" | head -1)}
for p in DataEng.Core DataEng.Core.Testing DataEng.Core.Sqlite DataEng.Core.PostgreSql DataEng.Core.Hosting; do
  [ -f "$out/$p.$version.nupkg" ] || { echo "pack: no $p.$version.nupkg in $out" >&2; exit 1; }
done
echo "packed $version into $out"
