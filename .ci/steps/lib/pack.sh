# Sourced by the CI steps that need the packages. Defines:
#   pack_packages DIR  -> packs every package (eng/pack.sh: DataEng.Core, .Testing, .Sqlite, .PostgreSql, .Hosting) into DIR with a
#                         unique prerelease version (so no NuGet cache can serve an older build), sets PACKAGE_VERSION
#   forget_packages    -> removes that version from the global packages folder again
# Needs: root (the repository root).

pack_packages() {
  local dir=$1
  PACKAGE_VERSION="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$root/Directory.Build.props" | head -1)-ci.$(date -u +%Y%m%d%H%M%S).$$"
  export PACKAGE_VERSION
  # eng/pack.sh builds only the packable projects (DataEng.Core.Packages.slnf); after CI's solution build it is
  # incremental.
  "$root/eng/pack.sh" "$dir" "$PACKAGE_VERSION" >/dev/null || { echo "eng/pack.sh failed"; return 1; }
  local p
  for p in DataEng.Core DataEng.Core.Testing DataEng.Core.Sqlite DataEng.Core.PostgreSql DataEng.Core.Hosting; do
    [ -f "$dir/$p.$PACKAGE_VERSION.nupkg" ] && [ -f "$dir/$p.$PACKAGE_VERSION.snupkg" ] || { echo "no $p package in $dir"; return 1; }
  done
  echo "packed $PACKAGE_VERSION into $dir"
}

forget_packages() {
  [ -n "${PACKAGE_VERSION:-}" ] || return 0
  local cache p
  cache=$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')
  for p in dataeng.core dataeng.core.testing dataeng.core.sqlite dataeng.core.postgresql dataeng.core.hosting; do
    rm -rf "${cache%/}/$p/$PACKAGE_VERSION"
  done
}
