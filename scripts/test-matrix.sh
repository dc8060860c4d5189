#!/usr/bin/env bash
# `make test-matrix`: the tests on every supported CLI, one after the other:
#   newest          the newest Terraform: `make test`, every package;
#   terraform-1.11  the oldest supported Terraform: the acceptance tests of
#                   ./internal/provider/... (-run '^TestAcc');
#   opentofu        OpenTofu 1.12: the same acceptance tests.
# scripts/terraform-cli.sh finds or builds each CLI; all three are had first,
# so that no build runs alongside the tests. scripts/test.sh runs each role
# (APPXCHANGE_TF_CLI_ROLE): on the newest CLI no acceptance test may skip, on
# the older ones only those that say "cli-version-skip: ".
#
# Usage: scripts/test-matrix.sh [--build-only]
#   --build-only   only find or build the three CLIs, with the time each took.
#
# A failure does not stop the matrix: every CLI runs, then one summary line
# per CLI (version, passed/failed/skipped acceptance tests, wall time) is
# printed, and the exit status is non-zero if any failed. Each CLI's full
# output is written to a temporary directory, whose path is printed on failure
# (it is removed when everything passed).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly roles=(newest terraform-1.11 opentofu)

usage() {
  printf 'usage: %s [--build-only]\n' "$0" >&2
}

build_only=""
case "$#:${1:-}" in
0:) ;;
1:--build-only) build_only=1 ;;
1:-h | 1:--help)
  usage
  exit 0
  ;;
*)
  usage
  exit 2
  ;;
esac

# cli_label PATH: "Terraform v1.16.4" or "OpenTofu v1.12.6".
cli_label() {
  local label
  label="$(env -u TF_CLI_CONFIG_FILE -u TERRAFORM_CONFIG -u TOFU_CLI_CONFIG_FILE CHECKPOINT_DISABLE=1 \
    "$1" version </dev/null 2>&1 | grep -Eo '^(Terraform|OpenTofu) v[0-9][^ ]*' | head -n 1 || true)"
  printf '%s\n' "${label:-unknown CLI}"
}

declare -A label=() result=() counts=() secs=()
any_failed=""

echo "test-matrix: --- CLIs (${roles[*]})"
total_start=$SECONDS
for role in "${roles[@]}"; do
  start=$SECONDS
  if path="$(scripts/terraform-cli.sh "$role")"; then
    label[$role]="$(cli_label "$path")"
    echo "test-matrix: ${role}: ${label[$role]} at ${path} (had in $((SECONDS - start))s)"
  else
    label[$role]="no CLI"
    result[$role]="FAILED: no CLI could be found or built (see above)"
    any_failed=1
    echo "test-matrix: ${role}: no CLI could be found or built after $((SECONDS - start))s (see above)" >&2
  fi
done
echo "test-matrix: the CLIs took $((SECONDS - total_start))s"

if [[ -n "$build_only" ]]; then
  [[ -z "$any_failed" ]] || exit 1
  exit 0
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/appxchange-test-matrix.XXXXXX")"
for role in "${roles[@]}"; do
  [[ -z "${result[$role]:-}" ]] || continue
  if [[ "$role" == newest ]]; then
    args=()
  else
    args=(-run '^TestAcc' ./internal/provider/...)
  fi
  log="${logs}/${role}.log"
  echo "test-matrix: --- ${label[$role]} (${role}): scripts/test.sh ${args[*]}"
  start=$SECONDS
  set +e
  APPXCHANGE_TF_CLI_ROLE="$role" scripts/test.sh "${args[@]}" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  secs[$role]=$((SECONDS - start))
  summary="$(grep -E '^test: .*: acceptance tests: ' "$log" | tail -n 1 || true)"
  counts[$role]="${summary#*: acceptance tests: }"
  counts[$role]="${counts[$role]:-no acceptance test results}"
  if [[ "$status" -eq 0 ]]; then
    result[$role]="ok"
  else
    result[$role]="FAILED (exit ${status}), log: ${log}"
    any_failed=1
  fi
done

echo "test-matrix: --- summary"
for role in "${roles[@]}"; do
  if [[ -n "${secs[$role]:-}" ]]; then
    printf 'test-matrix: %s (%s): %s; %ss: %s\n' "${label[$role]}" "$role" "${counts[$role]}" "${secs[$role]}" "${result[$role]}"
  else
    printf 'test-matrix: %s (%s): %s\n' "${label[$role]}" "$role" "${result[$role]}"
  fi
done
if [[ -n "$any_failed" ]]; then
  echo "test-matrix: FAILED; the logs are in ${logs}" >&2
  exit 1
fi
rm -rf -- "$logs"
echo "test-matrix: every CLI passed"
