# Runs the module against an App Xchange API: the sandbox in CI. Set
# APPXCHANGE_BASE_URL and APPXCHANGE_ACCESS_TOKEN (or a service account's
# APPXCHANGE_CLIENT_ID and APPXCHANGE_CLIENT_SECRET), then run
#   terraform test -filter=tests/integration.tftest.hcl
# Terraform destroys what the runs made when the file ends.

variables {
  connector_key            = "procore"
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "module-test-app"
  client_secret            = "module-test-secret"
  client_secret_expires_at = "2099-12-31T23:59:59Z"
  client_secret_version    = 1
}

run "create" {
  variables {
    name = "Module test (Procore)"
  }

  assert {
    condition     = output.auth_type == "oauth2_code_flow"
    error_message = "The definition's auth type is ${output.auth_type}, not oauth2_code_flow."
  }
  assert {
    condition     = output.client_secret_set
    error_message = "App Xchange holds no secret for the client."
  }
  assert {
    condition     = output.token_url == "https://id.trimble.com/oauth/token"
    error_message = "The token URL is ${output.token_url}, not the definition's preset."
  }
}

run "rename_in_place" {
  variables {
    name = "Module test (Procore), renamed"
  }

  # Updated in place: a replacement would be a new client, made when it was last changed.
  assert {
    condition     = appxchange_oauth_client.this.updated_at != appxchange_oauth_client.this.created_at
    error_message = "Renaming replaced the client ${output.id} instead of updating it."
  }
  assert {
    condition     = appxchange_oauth_client.this.name == "Module test (Procore), renamed"
    error_message = "The client is named ${appxchange_oauth_client.this.name}."
  }
}

run "client_credentials_need_a_secret" {
  command = plan

  variables {
    name                  = "Module test (Power BI)"
    connector_key         = "powerbi"
    connection_definition = "oAuth2ClientCredentials"
    client_secret         = null
    client_secret_version = null
  }

  expect_failures = [appxchange_oauth_client.this]
}

run "client_credentials_preset" {
  variables {
    name                  = "Module test (Power BI)"
    connector_key         = "powerbi"
    connection_definition = "oAuth2ClientCredentials"
    client_id             = "module-test-powerbi"
  }

  assert {
    condition     = output.client_authentication == "client_credentials_body"
    error_message = "The client authenticates with ${output.client_authentication}, not the definition's preset client_credentials_body."
  }
}
