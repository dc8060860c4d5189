# A public connector of the platform, by key.
data "appxchange_connector" "procore" {
  key = "procore"
}

# The connection definitions that take OAuth clients.
output "procore_oauth_definitions" {
  value = [
    for key, definition in data.appxchange_connector.procore.connection_definitions : key
    if startswith(definition.auth_type, "oauth2_")
  ]
}
