# The quickstart that `make demo` applies against the sandbox. The provider's
# settings come from the environment (APPXCHANGE_BASE_URL and credentials).
terraform {
  required_providers {
    appxchange = {
      source = "appxchange/appxchange"
    }
  }
}

provider "appxchange" {}

# A public connector, looked up by key.
data "appxchange_connector" "procore" {
  key = "procore"
}

output "procore_connector_id" {
  value = data.appxchange_connector.procore.id
}

output "procore_connection_definitions" {
  value = { for key, definition in data.appxchange_connector.procore.connection_definitions : key => definition.auth_type }
}

# The secret of the app registered at Procore. `make demo` sets it through
# TF_VAR_procore_client_secret; it is write-only, so it never reaches the state.
variable "procore_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# An OAuth client for Procore's authorization-code definition. The token URL and
# client authentication come from the definition's presets.
resource "appxchange_oauth_client" "procore" {
  name                     = "Procore (quickstart)"
  connector_id             = data.appxchange_connector.procore.id
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "quickstart-procore-app"
  client_secret_wo         = var.procore_client_secret
  client_secret_wo_version = 1
  client_secret_expires_at = "2030-12-31T23:59:59Z"
  scopes                   = ["openid", "offline_access"]
}

output "procore_oauth_client" {
  value = {
    id                = appxchange_oauth_client.procore.id
    token_url         = appxchange_oauth_client.procore.token_url
    client_secret_set = appxchange_oauth_client.procore.client_secret_set
  }
}
