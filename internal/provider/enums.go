package provider

import (
	"slices"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

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

// toAPI returns the API spelling of a Terraform value; an unknown value passes unchanged.
func (e enum) toAPI(tf string) string {
	for api, v := range e {
		if v == tf {
			return api
		}
	}
	return tf
}

// terraformValues lists the Terraform spellings, sorted, for validators and docs.
func (e enum) terraformValues() []string {
	values := make([]string, 0, len(e))
	for _, v := range e {
		values = append(values, v)
	}
	slices.Sort(values)
	return values
}

// toTerraform returns the Terraform spelling; an unknown API value passes unchanged.
func (e enum) toTerraform(api string) string {
	if v, ok := e[api]; ok {
		return v
	}
	return api
}
