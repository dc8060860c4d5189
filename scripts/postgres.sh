#!/usr/bin/env bash
# Prints the directory of PostgreSQL's server binaries (initdb, pg_ctl,
# postgres), from which internal/pgcluster starts the throwaway clusters of the
# tests and of make sandbox-pg (they read it from APPXCHANGE_PG_BIN). The
# server is Debian's package `postgresql`: when none is found and this runs as
# root, it installs it with apt-get; as another user it says how and exits 1.
# Nothing else is ever downloaded.
#
# Usage: export APPXCHANGE_PG_BIN="$(scripts/postgres.sh)"
#   APPXCHANGE_PG_BIN, when already set, is the one checked and printed.
# The search, as internal/pgcluster's: `pg_config --bindir`, then the newest
# /usr/lib/postgresql/*/bin, then the directory of initdb on PATH.
set -euo pipefail

say() { echo "postgres: $*" >&2; }

# has_server DIR: DIR holds the three programs a cluster is made and run with.
has_server() {
  [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]
}

# find_bin prints the first directory of the search that has the server. Debian's
# pg_config comes with libpq-dev too, without the server, so its answer is checked.
find_bin() {
  local dir exe
  dir="$(pg_config --bindir 2>/dev/null || true)"
  if has_server "$dir"; then
    echo "$dir"
    return 0
  fi
  for dir in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -t / -k 5 -V -r); do
    if has_server "$dir"; then
      echo "$dir"
      return 0
    fi
  done
  exe="$(command -v initdb 2>/dev/null)" || return 1
  dir="$(dirname "$(readlink -f "$exe")")"
  has_server "$dir" || return 1
  echo "$dir"
}

if [ -n "${APPXCHANGE_PG_BIN:-}" ]; then
  bin="$APPXCHANGE_PG_BIN"
  has_server "$bin" || { say "APPXCHANGE_PG_BIN=$bin has no initdb, pg_ctl and postgres: set it to PostgreSQL's server bin directory (such as /usr/lib/postgresql/15/bin), or unset it to search"; exit 1; }
elif ! bin="$(find_bin)"; then
  if [ "$(id -u)" -ne 0 ]; then
    say "no PostgreSQL server found. Install Debian's package: sudo apt-get update && sudo apt-get install -y postgresql"
    say "(or set APPXCHANGE_PG_BIN to the directory of initdb, pg_ctl and postgres)"
    exit 1
  fi
  say "no PostgreSQL server found: installing Debian's package postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  bin="$(find_bin)" || { say "apt-get installed postgresql, but no directory has initdb, pg_ctl and postgres"; exit 1; }
fi

# PostgreSQL refuses to run as root: a root process runs it as the user postgres,
# whom Debian's package creates.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  say "running as root, and there is no user postgres to run the server as (PostgreSQL refuses root): install Debian's package postgresql, which creates it, or: useradd --system postgres"
  exit 1
fi

if ! version="$("$bin/postgres" --version 2>&1)"; then
  say "$bin/postgres does not run: $version"
  exit 1
fi
say "$version at $bin"
echo "$bin"
