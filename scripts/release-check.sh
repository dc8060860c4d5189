#!/usr/bin/env bash
# `make release-check`: checks .goreleaser.yml, builds a snapshot release of
# every target into dist/ with signing and publishing skipped, and verifies
# what the Terraform Registry will be given:
#   - one zip per os/arch pair that Go supports among the systems and
#     architectures of .goreleaser.yml, and no other zip;
#   - in each zip, the provider binary named for the version, built for that
#     pair, without cgo, with -trimpath and with the version set in it;
#   - a SHA256SUMS file listing every zip and the registry manifest, and
#     nothing else, whose sums hold.
set -euo pipefail
cd "$(dirname "$0")/.."

project=terraform-provider-appxchange
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

expected=()
for pair in "${pairs[@]}"; do
  expected+=("${project}_${version}_${pair%/*}_${pair#*/}.zip")
done
mapfile -t built < <(cd dist && ls -1 -- *.zip)
if [ "$(printf '%s\n' "${built[@]}" | sort)" != "$(printf '%s\n' "${expected[@]}" | sort)" ]; then
  diff -u --label "supported pairs" --label "zips in dist/" \
    <(printf '%s\n' "${expected[@]}" | sort) <(printf '%s\n' "${built[@]}" | sort) >&2 || true
  fail "the zips in dist/ are not one per supported pair"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for pair in "${pairs[@]}"; do
  goos="${pair%/*}" goarch="${pair#*/}"
  zip="dist/${project}_${version}_${goos}_${goarch}.zip"
  binary="${project}_v${version}"
  [ "$goos" = windows ] && binary+=.exe
  grep -qxF "$binary" <<<"$(unzip -Z1 "$zip")" || fail "$zip does not hold $binary"
  unzip -q -o "$zip" "$binary" -d "$work/$goos-$goarch"
  info="$(go version -m "$work/$goos-$goarch/$binary")"
  for setting in "GOOS=$goos" "GOARCH=$goarch" "CGO_ENABLED=0" "-trimpath=true"; do
    grep -qxF "$(printf '\tbuild\t%s' "$setting")" <<<"$info" || fail "$zip: $binary was not built with $setting"
  done
  grep -qaF "$version" "$work/$goos-$goarch/$binary" || fail "$zip: $binary does not carry the version $version"
done
echo "release-check: ${#pairs[@]} zips, one per supported pair, each with its binary"

# The release uploads the manifest under this name beside the zips.
cp terraform-registry-manifest.json "dist/${project}_${version}_manifest.json"
listed="$(awk '{print $2}' "$sums" | sort)"
wanted="$(printf '%s\n' "${expected[@]}" "${project}_${version}_manifest.json" | sort)"
if [ "$listed" != "$wanted" ]; then
  diff -u --label "zips and manifest" --label "listed in $sums" <(echo "$wanted") <(echo "$listed") >&2 || true
  fail "$sums does not list exactly the zips and the manifest"
fi
(cd dist && sha256sum --strict --quiet -c "${sums#dist/}") || fail "a sum in $sums does not hold"
echo "release-check: $sums lists every zip and the manifest, and every sum holds"
