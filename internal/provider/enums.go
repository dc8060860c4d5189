package provider

import "github.com/appxchange/terraform-provider-appxchange/internal/client"

// The API spells enums in camelCase; Terraform attributes in snake_case.
var (
	authTypes = enum{
		client.AuthTypeOAuth2CodeFlow:          "oauth2_code_flow",
		client.AuthTypeOAuth2ClientCredentials: "oauth2_client_credentials",
		client.AuthTypeOAuth2Password:          "oauth2_password",
		client.AuthTypeAPIKey:                  "api_key",
		client.AuthTypeBasic:                   "basic",
		client.AuthTypeCustom:                  "custom",
	}
	clientAuthentications = enum{
		client.ClientAuthBasicAuthHeader:   "basic_auth_header",
		client.ClientAuthCredentialsInBody: "client_credentials_body",
	}
)

// enum maps API values to Terraform values.
type enum map[string]string

// toTerraform returns the Terraform spelling; an unknown API value passes unchanged.
func (e enum) toTerraform(api string) string {
	if v, ok := e[api]; ok {
		return v
	}
	return api
}
