# OAuth clients whose secrets expire, and a check that warns, in every plan and
# apply, about each secret that expires within var.secret_expiry_warning_days
# days (30 unless set). The provider reads its settings from
# APPXCHANGE_BASE_URL and APPXCHANGE_ACCESS_TOKEN (or APPXCHANGE_CLIENT_ID and
# APPXCHANGE_CLIENT_SECRET); the secrets come from TF_VAR_client_secrets.
terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
    }
  }
}

provider "appxchange" {}

data "appxchange_connector" "procore" {
  key = "procore"
}

# One client per entry of var.oauth_clients. The secret is write-only: it never
# reaches the plan or the state, and a higher client_secret_wo_version sends a
# new one.
resource "appxchange_oauth_client" "clients" {
  for_each = var.oauth_clients

  name                     = each.value.name
  connector_id             = data.appxchange_connector.procore.id
  connection_definition    = "oAuth2CodeFlow"
  client_id                = each.value.client_id
  client_secret_wo         = var.client_secrets[each.key]
  client_secret_wo_version = each.value.client_secret_version
  client_secret_expires_at = each.value.client_secret_expires_at
  scopes                   = ["openid", "offline_access"]
}

locals {
  # A secret that expires before this instant gets a warning: the time of the
  # plan plus the warning period. plantimestamp() appears here and in the check
  # only, never in a resource argument, so the plan stays empty.
  secret_expiry_warning_before = timeadd(plantimestamp(), "${var.secret_expiry_warning_days * 24}h")

  # Every client whose secret expires before then (or has expired), with its
  # expiry. A client without an expiry never matches: the conditional takes
  # the timecmp branch only for a date.
  expiring_client_secrets = sort([
    for client in appxchange_oauth_client.clients : "${client.name} expires ${client.client_secret_expires_at}"
    if client.client_secret_expires_at == null ? false : timecmp(client.client_secret_expires_at, local.secret_expiry_warning_before) < 0
  ])
}

# A failed check is a warning: the plan and the apply go on and exit 0.
check "client_secret_expiry" {
  assert {
    condition     = length(local.expiring_client_secrets) == 0
    error_message = "OAuth client secrets expire within ${var.secret_expiry_warning_days} days: ${join("; ", local.expiring_client_secrets)}. Register a new secret at the external service, then apply it with a higher client_secret_version and its new client_secret_expires_at."
  }
}

output "client_secret_expires_at" {
  description = "When the secret of each client expires, by key; null when no expiry is recorded."
  value       = { for key, client in appxchange_oauth_client.clients : key => client.client_secret_expires_at }
}
