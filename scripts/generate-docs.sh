#!/usr/bin/env bash
# `make generate`: formats the examples and generates docs/ with tfplugindocs
# from the provider's schema, templates/ and examples/, then validates docs/.
#
# The schema is exported here rather than by tfplugindocs, so that the same
# Terraform-compatible CLI as `make test` serves (scripts/terraform-cli.sh finds
# or builds it) and nothing is downloaded: the provider is built, reached
# through a dev_overrides entry, and `providers schema -json` is handed to
# tfplugindocs with --providers-schema. The source address
# registry.terraform.io/hashicorp/appxchange is written in full, the name
# tfplugindocs looks up. Only Terraform 1.14 and later export the schemas of
# list resources and resource identities, which the pages show: an older CLI,
# or OpenTofu, is refused rather than allowed to write pages without them.
set -euo pipefail
cd "$(dirname "$0")/.."

cli="$(scripts/terraform-cli.sh)" || { echo "generate: no Terraform CLI could be found or built (see above)" >&2; exit 1; }
version="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version | sed -n 1p)"
if ! [[ "$version" =~ ^Terraform\ v(1\.(1[4-9]|[2-9][0-9])|[2-9])\. ]]; then
  echo "generate: the docs need Terraform 1.14 or later, which exports list resources and identities; $cli is $version" >&2
  exit 1
fi
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
