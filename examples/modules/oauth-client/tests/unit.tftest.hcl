# Runs the module's logic with no API at all: the provider is mocked, so these
# runs need neither credentials nor a sandbox.
#   terraform test -filter=tests/unit.tftest.hcl

mock_provider "appxchange" {
  mock_resource "appxchange_oauth_client" {
    defaults = {
      id                    = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
      token_url             = "https://id.trimble.com/oauth/token"
      client_authentication = "basic_auth_header"
      client_secret_set     = true
    }
  }
}

# The connector module reads the connector; here it answers as Procore would.
override_module {
  target = module.connector
  outputs = {
    id              = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
    definition_keys = ["apiKeyAuth", "oAuth2CodeFlow"]
    auth_type       = "oauth2_code_flow"
  }
}

variables {
  name                  = "Unit test"
  connector_key         = "procore"
  connection_definition = "oAuth2CodeFlow"
  client_id             = "unit-test-app"
  client_secret         = "unit-test-secret"
  client_secret_version = 1
}

run "code_flow" {
  assert {
    condition     = output.auth_type == "oauth2_code_flow"
    error_message = "The definition's auth type is ${output.auth_type}."
  }
  assert {
    condition     = output.id == "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
    error_message = "The id is not the mocked one."
  }
  assert {
    condition     = appxchange_oauth_client.this.client_secret_wo_version == 1
    error_message = "A secret is sent with version 1."
  }
}

run "unknown_definition" {
  command = plan

  variables {
    connection_definition = "oAuth2Password"
  }

  override_module {
    target = module.connector
    outputs = {
      id              = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
      definition_keys = ["apiKeyAuth", "oAuth2CodeFlow"]
      auth_type       = null
    }
  }

  expect_failures = [appxchange_oauth_client.this]
}

run "client_credentials_need_a_secret" {
  command = plan

  variables {
    connection_definition = "oAuth2ClientCredentials"
    client_secret         = null
    client_secret_version = null
  }

  override_module {
    target = module.connector
    outputs = {
      id              = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02"
      definition_keys = ["oAuth2ClientCredentials"]
      auth_type       = "oauth2_client_credentials"
    }
  }

  expect_failures = [appxchange_oauth_client.this]
}

run "name_too_long" {
  command = plan

  variables {
    name = join("", [for i in range(201) : "x"])
  }

  expect_failures = [var.name]
}

run "secret_about_to_expire" {
  command = plan

  variables {
    client_secret_expires_at = "2020-01-01T00:00:00Z"
  }

  expect_failures = [check.secret_expiry]
}
