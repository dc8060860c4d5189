# One OAuth client on a connection definition of a connector, its secret
# write-only, with a warning when the secret is about to expire.

module "connector" {
  source = "./modules/connector"

  key                   = var.connector_key
  connection_definition = var.connection_definition
}

resource "appxchange_oauth_client" "this" {
  name                     = var.name
  connector_id             = module.connector.id
  connection_definition    = var.connection_definition
  client_id                = var.client_id
  client_secret_wo         = var.client_secret
  client_secret_wo_version = var.client_secret_version
  client_secret_expires_at = var.client_secret_expires_at
  scopes                   = var.scopes

  lifecycle {
    precondition {
      condition     = module.connector.auth_type != null
      error_message = "The connector ${var.connector_key} has no connection definition ${var.connection_definition}; it has ${join(", ", module.connector.definition_keys)}."
    }
    precondition {
      condition     = module.connector.auth_type != "oauth2_client_credentials" || var.client_secret_version != null
      error_message = "A client-credentials client needs client_secret and client_secret_version: the definition ${var.connection_definition} signs in with the client's own credentials."
    }
  }
}

check "secret_expiry" {
  assert {
    # No expiry is never about to expire.
    condition     = timecmp(coalesce(var.client_secret_expires_at, "9999-12-31T23:59:59Z"), timeadd(plantimestamp(), "${var.expiry_warning_days * 24}h")) > 0
    error_message = "The secret of ${var.name} expires at ${coalesce(var.client_secret_expires_at, "-")}, within ${var.expiry_warning_days} days: rotate it (a new client_secret and a higher client_secret_version)."
  }
}
