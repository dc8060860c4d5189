# Rotating a write-only secret: register the new secret at the external service,
# then apply with the new value and a higher version, for instance
#   TF_VAR_reporting_client_secret=... TF_VAR_reporting_secret_version=2 terraform apply
# The plan shows only the version change; the secret is sent once, in that apply.
# (data.appxchange_connector.powerbi is the one of the example above.)
variable "reporting_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "reporting_secret_version" {
  type    = number
  default = 1
}

resource "appxchange_oauth_client" "reporting" {
  name                     = "Reporting"
  connector_id             = data.appxchange_connector.powerbi.id
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "reporting"
  client_secret_wo         = var.reporting_client_secret
  client_secret_wo_version = var.reporting_secret_version
  client_secret_expires_at = "2027-12-31T00:00:00Z"
}
