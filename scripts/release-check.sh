#!/usr/bin/env bash
# `make release-check`: checks .goreleaser.yml, builds a snapshot release of
# every target into dist/ with signing and publishing skipped, and verifies
# what the release will hold. The os/arch pairs are those that Go supports
# among the systems and architectures of .goreleaser.yml.
#   For the Terraform Registry:
#   - one provider zip per pair;
#   - in each, the provider binary named for the version, built for that pair
#     from the module's main package, without cgo, with -trimpath and with the
#     version set in it;
#   - a SHA256SUMS file listing every provider zip and the registry manifest,
#     and nothing else, whose sums hold.
#   For module authors' CI, the sandbox (appxchange-sandbox):
#   - one sandbox zip per pair;
#   - in each, the sandbox binary alone, built for that pair from
#     ./internal/sandbox/cmd/appxchange-sandbox, without cgo and with -trimpath;
#   - an appxchange-sandbox SHA256SUMS file listing every sandbox zip, and
#     nothing else, whose sums hold; the release uploads it.
#   And no zip in dist/ but those two sets.
set -euo pipefail
cd "$(dirname "$0")/.."

project=terraform-provider-appxchange
sandbox=appxchange-sandbox
module=github.com/appxchange/terraform-provider-appxchange
# The goos and goarch lists of .goreleaser.yml.
systems='freebsd|windows|linux|darwin'
arches='amd64|386|arm|arm64'

fail() { echo "release-check: $*" >&2; exit 1; }

command -v unzip >/dev/null || fail "unzip is required"

goreleaser() {
  # A clone without a remote (a local one, a worktree) would leave the
  # snapshot without its commit and commit time; give goreleaser the
  # project's repository for this run only.
  if [ -z "$(git remote)" ]; then
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
      GIT_CONFIG_VALUE_0=https://github.com/appxchange/terraform-provider-appxchange.git \
      go tool -modfile=tools/goreleaser/go.mod goreleaser "$@"
  else
    go tool -modfile=tools/goreleaser/go.mod goreleaser "$@"
  fi
}

goreleaser check
goreleaser release --snapshot --clean --skip=sign,publish

found=(dist/"$project"_*_SHA256SUMS)
[[ ${#found[@]} -eq 1 && -f ${found[0]} ]] || fail "expected one SHA256SUMS file in dist/, found: ${found[*]}"
sums="${found[0]}"
version="${sums#dist/"$project"_}"
version="${version%_SHA256SUMS}"
echo "release-check: version $version"

mapfile -t pairs < <(go tool dist list | grep -E "^($systems)/($arches)\$")
[ "${#pairs[@]}" -gt 0 ] || fail "go tool dist list has no pair of ($systems) x ($arches)"

# The provider's zips and the sandbox's, one of each per pair, are all the
# zips there may be.
expected=() sandbox_expected=()
for pair in "${pairs[@]}"; do
  expected+=("${project}_${version}_${pair%/*}_${pair#*/}.zip")
  sandbox_expected+=("${sandbox}_${version}_${pair%/*}_${pair#*/}.zip")
done
mapfile -t built < <(cd dist && ls -1 -- *.zip)
if [ "$(printf '%s\n' "${built[@]}" | sort)" != "$(printf '%s\n' "${expected[@]}" "${sandbox_expected[@]}" | sort)" ]; then
  diff -u --label "supported pairs" --label "zips in dist/" \
    <(printf '%s\n' "${expected[@]}" "${sandbox_expected[@]}" | sort) <(printf '%s\n' "${built[@]}" | sort) >&2 || true
  fail "the zips in dist/ are not one provider zip and one sandbox zip per supported pair"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# check_binary ZIP FILE PACKAGE GOOS GOARCH: FILE, taken out of ZIP, was built
# from PACKAGE for GOOS/GOARCH without cgo and with -trimpath.
check_binary() {
  local zip="$1" file="$2" package="$3" goos="$4" goarch="$5" info setting
  info="$(go version -m "$file")"
  grep -qxF "$(printf '\tpath\t%s' "$package")" <<<"$info" || fail "$zip: $(basename "$file") was not built from $package"
  for setting in "GOOS=$goos" "GOARCH=$goarch" "CGO_ENABLED=0" "-trimpath=true"; do
    grep -qxF "$(printf '\tbuild\t%s' "$setting")" <<<"$info" || fail "$zip: $(basename "$file") was not built with $setting"
  done
}

for pair in "${pairs[@]}"; do
  goos="${pair%/*}" goarch="${pair#*/}"
  exe=
  [ "$goos" = windows ] && exe=.exe

  # The provider zip: the binary named for the version, with the version in it.
  zip="dist/${project}_${version}_${goos}_${goarch}.zip"
  binary="${project}_v${version}${exe}"
  grep -qxF "$binary" <<<"$(unzip -Z1 "$zip")" || fail "$zip does not hold $binary"
  unzip -q -o "$zip" "$binary" -d "$work/$goos-$goarch"
  check_binary "$zip" "$work/$goos-$goarch/$binary" "$module" "$goos" "$goarch"
  grep -qaF "$version" "$work/$goos-$goarch/$binary" || fail "$zip: $binary does not carry the version $version"

  # The sandbox zip: its binary and nothing else.
  zip="dist/${sandbox}_${version}_${goos}_${goarch}.zip"
  binary="${sandbox}${exe}"
  held="$(unzip -Z1 "$zip")"
  [ "$held" = "$binary" ] || fail "$zip holds [$(paste -sd ' ' <<<"$held")], not $binary alone"
  unzip -q -o "$zip" "$binary" -d "$work/sandbox-$goos-$goarch"
  check_binary "$zip" "$work/sandbox-$goos-$goarch/$binary" "$module/internal/sandbox/cmd/$sandbox" "$goos" "$goarch"
done
echo "release-check: ${#pairs[@]} provider zips and ${#pairs[@]} sandbox zips, one of each per supported pair, each with its binary"

# check_sums SUMS NAME...: SUMS lists exactly the files NAME... of dist/, and
# every sum in it holds.
check_sums() {
  local sums="$1" listed wanted
  shift
  [ -f "$sums" ] || fail "there is no $sums"
  listed="$(awk '{print $2}' "$sums" | sort)"
  wanted="$(printf '%s\n' "$@" | sort)"
  if [ "$listed" != "$wanted" ]; then
    diff -u --label "expected" --label "listed in $sums" <(echo "$wanted") <(echo "$listed") >&2 || true
    fail "$sums does not list exactly the files it should"
  fi
  (cd dist && sha256sum --strict --quiet -c "${sums#dist/}") || fail "a sum in $sums does not hold"
}

# The release uploads the manifest under this name beside the zips.
cp terraform-registry-manifest.json "dist/${project}_${version}_manifest.json"
check_sums "$sums" "${expected[@]}" "${project}_${version}_manifest.json"
echo "release-check: $sums lists every provider zip and the manifest, nothing else, and every sum holds"

sandbox_sums="dist/${sandbox}_${version}_SHA256SUMS"
check_sums "$sandbox_sums" "${sandbox_expected[@]}"
# GoReleaser uploads the artifacts it records, of the uploadable types (the
# sboms entry of .goreleaser.yml records this file as an SBOM); a file it merely
# finds in dist/ it leaves behind.
grep -o '{"name":"[^"]*"[^}]*' dist/artifacts.json | grep -F "\"name\":\"${sandbox_sums#dist/}\"" | grep -qF '"type":"SBOM"' ||
  fail "$sandbox_sums is not among the artifacts GoReleaser will upload (dist/artifacts.json)"
echo "release-check: $sandbox_sums lists every sandbox zip, nothing else, and every sum holds"
