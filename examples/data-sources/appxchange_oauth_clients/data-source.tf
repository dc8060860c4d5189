data "appxchange_connector" "procore" {
  key = "procore"
}

# The OAuth clients of Procore that are not public: the account's private
# clients (public = false leaves out every public client, the account's own too).
data "appxchange_oauth_clients" "procore" {
  connector_id = data.appxchange_connector.procore.id
  public       = false
}

output "procore_oauth_client_ids" {
  value = data.appxchange_oauth_clients.procore.ids
}

# Names of the clients whose secret expires within 30 days.
output "expiring_secrets" {
  value = [
    for client in data.appxchange_oauth_clients.procore.oauth_clients : client.name
    if client.client_secret_expires_at == null ? false : timecmp(client.client_secret_expires_at, timeadd(plantimestamp(), "720h")) < 0
  ]
}
