#!/usr/bin/env bash
# `make test`: every test, the acceptance tests included, against a real
# Terraform CLI (or OpenTofu) and the sandbox started inside the test process.
# Fails, never skips, when no CLI, no Chromium for the console's browser
# test (scripts/chromium.sh, exported as APPXCHANGE_CHROMIUM), or no PostgreSQL
# server (scripts/postgres.sh, exported as APPXCHANGE_PG_BIN) can be had.
#
# Usage: scripts/test.sh [go test flags...] [packages...]
#   Trailing arguments that start with ./ are the packages (default ./...).
#
# APPXCHANGE_TF_CLI_ROLE (newest|terraform-1.11|opentofu, default newest)
# picks the CLI through scripts/terraform-cli.sh and is exported to the tests.
# On the newest CLI a skipped acceptance test fails the run. On an older CLI
# acceptance tests may skip only for the CLI's version: each skip must be
# explained by one line containing "cli-version-skip: " (the tests' t.Skipf).
set -euo pipefail
cd "$(dirname "$0")/.."

role="${APPXCHANGE_TF_CLI_ROLE:-newest}"
case "$role" in
newest | terraform-1.11 | opentofu) ;;
*)
  echo "test: APPXCHANGE_TF_CLI_ROLE=${role} is not one of newest, terraform-1.11, opentofu" >&2
  exit 2
  ;;
esac
export APPXCHANGE_TF_CLI_ROLE="$role"

# go test takes flags, then packages: split the trailing ./ arguments off.
args=("$@")
n=${#args[@]}
while [ "$n" -gt 0 ] && [[ "${args[n - 1]}" == ./* ]]; do
  n=$((n - 1))
done
flags=("${args[@]:0:n}")
packages=("${args[@]:n}")
if [ "${#packages[@]}" -eq 0 ]; then
  packages=(./...)
fi

tf_env="$(scripts/terraform-cli.sh --env "$role")" || { echo "test: no Terraform CLI for the role ${role} could be found or built (see above)" >&2; exit 1; }
eval "$tf_env"
export TF_ACC=1

# The browser test of the sandbox's console (TestAccConsole_browser) drives a
# headless Chromium, Debian's package: scripts/chromium.sh finds it, installing
# it when it runs as root. The test fails, never skips, without one.
chromium="$(scripts/chromium.sh)" || { echo "test: no Chromium for the console's browser test (see above): install Debian's package chromium, or run scripts/chromium.sh as root, which installs it" >&2; exit 1; }
export APPXCHANGE_CHROMIUM="$chromium"

# The tests of the sandbox's PostgreSQL store and of internal/pgcluster start
# clusters of their own from PostgreSQL's server binaries, Debian's package:
# scripts/postgres.sh finds them, installing them when it runs as root. Those
# tests fail, never skip, without them.
pg_bin="$(scripts/postgres.sh)" || { echo "test: no PostgreSQL server for the tests of the PostgreSQL store (see above): install Debian's package postgresql, or run scripts/postgres.sh as root, which installs it" >&2; exit 1; }
export APPXCHANGE_PG_BIN="$pg_bin"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# An empty CLI configuration: no dev_overrides or mirrors of the caller leak in,
# and the CLI does not warn about a configuration file that does not exist.
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"

cli_label="$(CHECKPOINT_DISABLE=1 "$TF_ACC_TERRAFORM_PATH" version </dev/null 2>&1 | grep -Eo '^(Terraform|OpenTofu) v[0-9][^ ]*' | head -n 1 || true)"
cli_label="${cli_label:-unknown CLI}"
echo "test: ${role} CLI: ${cli_label} at ${TF_ACC_TERRAFORM_PATH}"
log="$work/test.log"
set +e
go test -count=1 -v "${flags[@]}" "${packages[@]}" 2>&1 | tee "$log" | grep --line-buffered -vE '^=== (RUN|PAUSE|CONT|NAME)'
status=${PIPESTATUS[0]}
set -e

# One storage suite, both stores: the sandbox's tests run on SQLite above, and
# here again with every test's sandbox on a PostgreSQL schema of its own.
if [ "$status" -eq 0 ] && printf '%s\n' "${packages[@]}" | grep -qxE '\./\.\.\.|\./internal/sandbox(/\.\.\.)?'; then
  echo "test: the sandbox's tests on its PostgreSQL store (APPXCHANGE_SANDBOX_STORE=postgres)"
  set +e
  APPXCHANGE_SANDBOX_STORE=postgres go test -count=1 "${flags[@]}" ./internal/sandbox
  status=$?
  set -e
fi

passed=$(grep -cE '^--- PASS: TestAcc' "$log" || true)
skipped=$(grep -cE '^--- SKIP: TestAcc' "$log" || true)
failed=$(grep -cE '^--- FAIL: TestAcc' "$log" || true)
version_skips=$(grep -cF 'cli-version-skip: ' "$log" || true)
summary="test: ${cli_label}: acceptance tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$version_skips" -ne 0 ]; then
  summary="${summary} (${version_skips} skipped by CLI version)"
fi
echo "$summary"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$passed" -eq 0 ]; then
  echo "test: no acceptance test ran: acceptance tests must run, not be skipped" >&2
  exit 1
fi
if [ "$skipped" -ne 0 ]; then
  if [ "$role" = newest ]; then
    echo "test: acceptance tests must run, not be skipped: every one must run on the newest CLI (${cli_label})" >&2
    exit 1
  fi
  if [ "$skipped" -ne "$version_skips" ]; then
    echo "test: ${skipped} acceptance tests were skipped but ${version_skips} said 'cli-version-skip: ': on ${cli_label} a test may skip only because the CLI is too old, and must say so with one 'cli-version-skip: ' line" >&2
    grep -E '^--- SKIP: TestAcc|cli-version-skip: ' "$log" >&2 || true
    exit 1
  fi
fi
