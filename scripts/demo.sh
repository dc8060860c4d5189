#!/usr/bin/env bash
# `make demo`: builds the provider and the sandbox, starts the sandbox with its
# data under .sandbox/, applies examples/quickstart with the provider as a
# dev override, prints the outputs, and stops the sandbox. Running it again
# is a no-op apply.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

cli="$(scripts/terraform-cli.sh)" || { echo "demo: no Terraform CLI could be found or built (see above)" >&2; exit 1; }

mkdir -p bin .sandbox/quickstart
go build -o bin/terraform-provider-appxchange .
go build -o bin/appxchange-sandbox ./internal/sandbox/cmd/appxchange-sandbox

out=.sandbox/sandbox.out
: >"$out"
bin/appxchange-sandbox -listen 127.0.0.1:0 -data .sandbox/demo.db >"$out" 2>.sandbox/sandbox.log &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" && echo "demo: sandbox stopped" || echo "demo: sandbox exited with status $?" >&2
  fi
}
trap stop EXIT

line=""
for _ in $(seq 100); do
  line="$(head -n 1 "$out")"
  [ -n "$line" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "demo: the sandbox did not start:" >&2; cat .sandbox/sandbox.log >&2; exit 1; }
  sleep 0.1
done
url="${line#appxchange sandbox listening on }"
[ -n "$line" ] && [ "$url" != "$line" ] || { echo "demo: unexpected first line from the sandbox: $line" >&2; exit 1; }
echo "demo: sandbox on $url (log in .sandbox/sandbox.log)"

cat >.sandbox/terraformrc <<RC
provider_installation {
  dev_overrides {
    "appxchange/appxchange" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$root/.sandbox/terraformrc"

# The seeded service account of the sandbox, exchanged for tokens at its token endpoint.
export APPXCHANGE_BASE_URL="$url/management/v1"
export APPXCHANGE_TOKEN_URL="$url/oauth/token"
export APPXCHANGE_CLIENT_ID=acme-automation
export APPXCHANGE_CLIENT_SECRET=acme-automation-secret
# The quickstart's OAuth client secret, a write-only value that never reaches the state.
export TF_VAR_procore_client_secret=quickstart-demo-secret

cp examples/quickstart/*.tf .sandbox/quickstart/
"$cli" -chdir=.sandbox/quickstart apply -auto-approve -input=false
echo "demo: to look at the result in the sandbox console, run make console"
