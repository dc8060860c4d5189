#!/usr/bin/env bash
# Prints the path of a Chromium that starts headless, for the browser test of the
# sandbox's console (TestAccConsole_browser, which reads it from
# APPXCHANGE_CHROMIUM). The browser is Debian's package `chromium`: when no
# Chromium is found and this runs as root, it installs it with apt-get; as
# another user it says how and exits 1. Nothing else is ever downloaded.
#
# Usage: export APPXCHANGE_CHROMIUM="$(scripts/chromium.sh)"
#   APPXCHANGE_CHROMIUM, when already set, is the one checked and printed.
set -euo pipefail

say() { echo "chromium: $*" >&2; }

# Debian's /usr/bin/chromium is a shell launcher that adds the flags of
# /etc/chromium.d (remote extensions allowed, extensions loaded, GPU
# rasterization) and runs /usr/lib/chromium/chromium; its /dev/shm check also
# fails on machines with two /dev/shm mounts. The test sets every flag itself,
# so it gets the browser binary that the launcher runs.
unwrap() {
  local exe real
  exe="$(command -v "$1" 2>/dev/null)" || return 1
  real="$(readlink -f "$exe")"
  # shellcheck disable=SC2016 # the launcher's own text, not an expansion
  if [ "$(head -c 2 "$real" 2>/dev/null)" = '#!' ] && [ -x /usr/lib/chromium/chromium ] &&
    grep -q 'LIBDIR=/usr/lib/\$APPNAME' "$real"; then
    real=/usr/lib/chromium/chromium
  fi
  echo "$real"
}

if [ -n "${APPXCHANGE_CHROMIUM:-}" ]; then
  exe="$(unwrap "$APPXCHANGE_CHROMIUM")" || { say "APPXCHANGE_CHROMIUM=$APPXCHANGE_CHROMIUM is not an executable"; exit 1; }
elif ! exe="$(unwrap chromium)"; then
  if [ "$(id -u)" -ne 0 ]; then
    say "no Chromium found. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium"
    say "(or set APPXCHANGE_CHROMIUM to a Chromium or Chrome executable)"
    exit 1
  fi
  say "no Chromium found: installing Debian's package chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y chromium >&2
  exe="$(unwrap chromium)" || { say "apt-get installed chromium, but there is no chromium on PATH"; exit 1; }
fi

# It must start headless with the flags of the test, which keep it off the network.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
if ! version="$(timeout 60 "$exe" --version 2>&1)"; then
  say "$exe does not run: $version"
  exit 1
fi
version="$(grep -m 1 -iE '^(chromium|google chrome)' <<<"$version" || echo "$version")"
version="${version%"${version##*[![:space:]]}"}"
if ! out="$(timeout 60 "$exe" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --dump-dom 'data:text/html,<p>chromium-ok</p>' 2>&1)" ||
  ! grep -q '<p>chromium-ok</p>' <<<"$out"; then
  say "$exe ($version) does not render a page headless:"
  echo "$out" | tail -n 20 >&2
  exit 1
fi
say "$version at $exe"
echo "$exe"
