# The quickstart that `make demo` applies against the sandbox. The provider's
# settings come from the environment (APPXCHANGE_BASE_URL and credentials).
terraform {
  required_providers {
    appxchange = {
      source  = "appxchange/appxchange"
      version = "~> 0.1"
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

# A connector of the account's own, published to every account, with a public
# OAuth client on it: only a connector's owner may publish its clients. A public
# client serves every account, so never make a company- or customer-specific
# client public.
resource "appxchange_connector" "acme_crm" {
  key         = "acme-crm"
  name        = "Acme CRM"
  description = "The CRM that Acme offers to every App Xchange account."
  visibility  = "public"

  connection_definitions = {
    oAuth2CodeFlow = {
      title             = "Sign in with Acme CRM"
      auth_type         = "oauth2_code_flow"
      authorization_url = "https://crm.acme.example/oauth/authorize"
      token_url         = "https://crm.acme.example/oauth/token"
      scopes            = ["crm.read", "offline_access"]
    }
  }
}

resource "appxchange_oauth_client" "acme_crm_public" {
  name                  = "Acme CRM (shared)"
  connector_id          = appxchange_connector.acme_crm.id
  connection_definition = "oAuth2CodeFlow"
  client_id             = "acme-crm-shared-app"
  public                = true
}

output "acme_crm" {
  value = {
    connector_id     = appxchange_connector.acme_crm.id
    public_client_id = appxchange_oauth_client.acme_crm_public.id
    token_url        = appxchange_oauth_client.acme_crm_public.token_url
  }
}
