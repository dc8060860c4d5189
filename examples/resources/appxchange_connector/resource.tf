# A connector of the account's own, with an OAuth 2.0 code flow definition that
# presets the URLs, scopes and client authentication its OAuth clients default
# to, and an API key definition.
resource "appxchange_connector" "example" {
  key         = "acme-crm"
  name        = "Acme CRM"
  description = "The CRM that Acme runs for its customers."

  connection_definitions = {
    oAuth2CodeFlow = {
      title                 = "Sign in with Acme CRM"
      auth_type             = "oauth2_code_flow"
      authorization_url     = "https://crm.acme.example/oauth/authorize"
      token_url             = "https://crm.acme.example/oauth/token"
      refresh_url           = "https://crm.acme.example/oauth/token"
      scopes                = ["crm.read", "crm.write", "offline_access"]
      client_authentication = "basic_auth_header"

      properties = {
        region = {
          title       = "Region"
          description = "The data centre of the CRM tenant."
          type        = "enum"
          required    = true
          enum_values = ["us", "eu"]
        }
      }
    }

    apiKeyAuth = {
      title     = "API key"
      auth_type = "api_key"

      properties = {
        apiKey = {
          title     = "API key"
          type      = "string"
          required  = true
          sensitive = true
        }
      }
    }
  }
}
