#!/usr/bin/env bash
# `make console`: builds the sandbox and serves the database that `make demo`
# leaves (.sandbox/demo.db), so that its web console shows what the demo made.
# It listens on CONSOLE_LISTEN (default 127.0.0.1:8089) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

db=.sandbox/demo.db
listen="${CONSOLE_LISTEN:-127.0.0.1:8089}"
if [ ! -f "$db" ]; then
  echo "console: $db does not exist: run make demo first (it applies examples/quickstart to a sandbox that keeps its data there)" >&2
  exit 1
fi

mkdir -p bin
go build -o bin/appxchange-sandbox ./internal/sandbox/cmd/appxchange-sandbox

out="$(mktemp)"
log=.sandbox/console.log
bin/appxchange-sandbox -listen "$listen" -data "$db" >"$out" 2>"$log" &
pid=$!
stop() {
  trap - INT TERM
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$out"
  [ -z "$started" ] || echo "console: sandbox stopped"
}
started=""
trap stop EXIT
# Ctrl-C or a SIGTERM ends the script, whose EXIT trap stops the sandbox.
trap 'exit 130' INT
trap 'exit 143' TERM

line=""
for _ in $(seq 100); do
  line="$(head -n 1 "$out")"
  [ -n "$line" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "console: the sandbox did not start on $listen:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
url="${line#appxchange sandbox listening on }"
if [ -z "$line" ] || [ "$url" = "$line" ]; then
  echo "console: unexpected first line from the sandbox: $line" >&2
  exit 1
fi

started=1
echo "console: ${url}/ — sign in with the token acme-admin-token (the demo's account)"
echo "console: serving $db (the sandbox's log is in $log); Ctrl-C stops it"
wait "$pid" || { status=$?; echo "console: the sandbox exited with status $status:" >&2; tail -n 20 "$log" >&2; exit "$status"; }
