#!/usr/bin/env bash
# `make bench`: the provider against Terraform's own floor, a do-nothing plugin and
# HashiCorp's time provider, under its GC policy and Go's defaults, and against
# rate-limited sandboxes (internal/bench), through the CLI that `make test` uses.
# Arguments go to the benchmark, e.g. a quick look:
#   scripts/bench.sh -n 1000 -reps 1 -data-source 0 -peer=false -rate-limited-clients 0
# BENCH_ARGS in the environment are added first (make bench BENCH_ARGS='-reps 3').
set -euo pipefail
cd "$(dirname "$0")/.."

cli="$(scripts/terraform-cli.sh)" || { echo "bench: no Terraform CLI could be found or built (see above)" >&2; exit 1; }
mkdir -p bin
go build -o bin/appxchange-bench ./internal/bench/cmd/appxchange-bench
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
exec bin/appxchange-bench -cli "$cli" ${BENCH_ARGS:-} "$@"
