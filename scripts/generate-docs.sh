#!/usr/bin/env bash
# `make generate`: formats the examples and generates docs/ with tfplugindocs
# from the provider's schema, templates/ and examples/, then validates docs/.
#
# The schema is exported here rather than by tfplugindocs, so that the same
# Terraform-compatible CLI as `make test` serves (scripts/terraform-cli.sh finds
# or builds it) and nothing is downloaded: the provider is built, reached
# through a dev_overrides entry, and `providers schema -json` is handed to
# tfplugindocs with --providers-schema. The source address
# registry.terraform.io/hashicorp/appxchange is written in full so that
# Terraform and OpenTofu name the schema alike, the name tfplugindocs looks up.
set -euo pipefail
cd "$(dirname "$0")/.."

cli="$(scripts/terraform-cli.sh)" || { echo "generate: no Terraform CLI could be found or built (see above)" >&2; exit 1; }
tfplugindocs=(go tool -modfile=tools/go.mod tfplugindocs)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/config"

go build -o "$work/bin/terraform-provider-appxchange" .
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/appxchange" = "$work/bin"
  }
  direct {}
}
RC
cat >"$work/config/main.tf" <<'TF'
terraform {
  required_providers {
    appxchange = {
      source = "registry.terraform.io/hashicorp/appxchange"
    }
  }
}
TF

export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
"$cli" fmt -recursive examples/
"$cli" -chdir="$work/config" providers schema -json >"$work/schema.json"

"${tfplugindocs[@]}" generate --provider-dir . --provider-name appxchange --providers-schema "$work/schema.json"
"${tfplugindocs[@]}" validate --provider-dir . --provider-name appxchange --providers-schema "$work/schema.json"
