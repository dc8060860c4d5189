# An OAuth client for a connector's authorization-code definition. Omitted, the
# token URL and client authentication come from the definition's presets.
data "appxchange_connector" "procore" {
  key = "procore"
}

variable "procore_client_secret" {
  type      = string
  sensitive = true
}

resource "appxchange_oauth_client" "procore" {
  name                     = "Procore (production)"
  connector_id             = data.appxchange_connector.procore.id
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "3f9c2a7e-procore-app"
  client_secret            = var.procore_client_secret
  client_secret_expires_at = "2027-06-30T00:00:00Z"
  scopes                   = ["openid", "offline_access"]
  prompts                  = ["select_account"]
}

# A client-credentials client whose secret never reaches the plan or the state
# (Terraform 1.11 or later): bump client_secret_wo_version to send a new secret.
data "appxchange_connector" "powerbi" {
  key = "powerbi"
}

variable "powerbi_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "appxchange_oauth_client" "powerbi" {
  name                     = "Power BI reporting"
  connector_id             = data.appxchange_connector.powerbi.id
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "powerbi-reporting"
  client_secret_wo         = var.powerbi_client_secret
  client_secret_wo_version = 1
  scopes                   = ["https://analysis.windows.net/powerbi/api/.default"]
}
