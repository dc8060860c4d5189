# Lists the account's own OAuth clients and prints an import block for each:
#   terraform -chdir=discover init
#   terraform -chdir=discover apply
#   terraform -chdir=discover output -raw import_blocks > imports.tf
# The provider reads its settings from APPXCHANGE_BASE_URL and
# APPXCHANGE_ACCESS_TOKEN (or APPXCHANGE_CLIENT_ID and APPXCHANGE_CLIENT_SECRET).
terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}

provider "appxchange" {}

data "appxchange_account" "current" {}

# Every OAuth client the account can see, every page of the list.
data "appxchange_oauth_clients" "visible" {}

locals {
  # The list also holds the public clients of other accounts' connectors: the
  # account may use them but not manage them, so they are left out.
  own_clients = [
    for client in data.appxchange_oauth_clients.visible.oauth_clients : client
    if client.account_id == data.appxchange_account.current.id
  ]

  # A resource name from the client's name, made unique by the start of its id:
  # "Procore (production)" becomes procore_production_3f2b8c1e.
  resource_names = {
    for client in local.own_clients : client.id => format("%s_%s",
      replace(trim(replace(lower(client.name), "/[^a-z0-9]+/", "_"), "_"), "/^([0-9]|$)/", "client_$1"),
      substr(client.id, 0, 8),
    )
  }
}

output "import_blocks" {
  description = "One import block per OAuth client of the account."
  value = join("\n", [
    for client in local.own_clients : <<-EOT
      # ${client.name}
      import {
        to = appxchange_oauth_client.${local.resource_names[client.id]}
        id = "${client.id}"
      }
    EOT
  ])
}

output "count" {
  description = "How many OAuth clients the import blocks adopt."
  value       = length(local.own_clients)
}
