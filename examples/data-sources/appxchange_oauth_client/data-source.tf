data "appxchange_connector" "procore" {
  key = "procore"
}

# An OAuth client by name. Names need not be unique, so narrow the lookup to one
# connector; a name that still matches more than one client is an error that lists their ids.
data "appxchange_oauth_client" "build_bot" {
  name         = "build-bot"
  connector_id = data.appxchange_connector.procore.id
}

# The same client by id.
data "appxchange_oauth_client" "by_id" {
  id = data.appxchange_oauth_client.build_bot.id
}

# Whether the platform holds a secret for it, and until when; the secret itself is never exposed.
output "build_bot_secret" {
  value = {
    set        = data.appxchange_oauth_client.build_bot.client_secret_set
    expires_at = data.appxchange_oauth_client.build_bot.client_secret_expires_at
  }
}
