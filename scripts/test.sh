#!/usr/bin/env bash
# `make test`: every test, the acceptance tests included, against a real
# Terraform CLI (or OpenTofu) and the sandbox started inside the test process.
# Fails, never skips, when no CLI can be had.
set -euo pipefail
cd "$(dirname "$0")/.."

tf_env="$(scripts/terraform-cli.sh --env)" || { echo "test: no Terraform CLI could be found or built (see above)" >&2; exit 1; }
eval "$tf_env"
export TF_ACC=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# An empty CLI configuration: no dev_overrides or mirrors of the caller leak in,
# and the CLI does not warn about a configuration file that does not exist.
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"

echo "test: CLI $TF_ACC_TERRAFORM_PATH ($("$TF_ACC_TERRAFORM_PATH" version | head -n 1))"
log="$work/test.log"
set +e
go test -count=1 -v "$@" ./... 2>&1 | tee "$log" | grep --line-buffered -vE '^=== (RUN|PAUSE|CONT|NAME)'
status=${PIPESTATUS[0]}
set -e

passed=$(grep -cE '^--- PASS: TestAcc' "$log" || true)
skipped=$(grep -cE '^--- SKIP: TestAcc' "$log" || true)
failed=$(grep -cE '^--- FAIL: TestAcc' "$log" || true)
echo "test: acceptance tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$skipped" -ne 0 ] || [ "$passed" -eq 0 ]; then
  echo "test: acceptance tests must run, not be skipped" >&2
  exit 1
fi
