# Sourced by the CI steps that need the packages. Defines:
#   pack_packages DIR  -> packs DataEng.Core, DataEng.Core.Testing and DataEng.Core.Hosting (Release) into DIR with a
#                         unique prerelease version (so no NuGet cache can serve an older build), sets PACKAGE_VERSION
#   forget_packages    -> removes that version from the global packages folder again
# Needs: root (the repository root).

pack_packages() {
  local dir=$1
  PACKAGE_VERSION="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$root/Directory.Build.props" | head -1)-ci.$(date -u +%Y%m%d%H%M%S).$$"
  export PACKAGE_VERSION
  mkdir -p "$dir"
  # Builds are incremental: after CI's solution build these are no-ops.
  dotnet build "$root/src/DataEng.Core.Testing" -c Release -v:q -nologo -clp:NoSummary >/dev/null || { echo "build of DataEng.Core.Testing failed"; return 1; }
  dotnet build "$root/src/DataEng.Core.Hosting" -c Release -v:q -nologo -clp:NoSummary >/dev/null || { echo "build of DataEng.Core.Hosting failed"; return 1; }
  local p
  for p in DataEng.Core DataEng.Core.Testing DataEng.Core.Hosting; do
    dotnet pack "$root/src/$p" -c Release --no-build -nologo -v:q -p:PackageVersion="$PACKAGE_VERSION" -o "$dir" >/dev/null \
      || { echo "pack of $p failed"; return 1; }
    [ -f "$dir/$p.$PACKAGE_VERSION.nupkg" ] && [ -f "$dir/$p.$PACKAGE_VERSION.snupkg" ] || { echo "no $p package in $dir"; return 1; }
  done
  echo "packed $PACKAGE_VERSION into $dir"
}

forget_packages() {
  [ -n "${PACKAGE_VERSION:-}" ] || return 0
  local cache p
  cache=$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')
  for p in dataeng.core dataeng.core.testing dataeng.core.hosting; do
    rm -rf "${cache%/}/$p/$PACKAGE_VERSION"
  done
}
