package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// One write-error path for both resources: a 412 asks for a new plan, the API's
// field errors land on their attributes (the secret on the form the configuration
// uses), a 409 says why and what to do, and anything else keeps the API's message.
func TestAddWriteError(t *testing.T) {
	writeOnly := &oauthClientModel{ClientSecret: types.StringNull(), ClientSecretWO: types.StringValue("s3cret")}
	updateConnector := writeRefusal{inUse: map[string]string{"": "Move those clients.", "visibility": "Keep it public."}}
	for _, tc := range []struct {
		name    string
		kind    resourceKind
		op      string
		err     error
		refusal writeRefusal
		want    []wantDiag
	}{
		{"412", oauthClients, opUpdate, fmt.Errorf("wrapped: %w", &client.APIError{StatusCode: 412, Title: "Precondition Failed"}), writeRefusal{}, []wantDiag{
			{"", "Unable to Update OAuth Client", `The OAuth client "crm" changed outside Terraform since Terraform last read it, so nothing was written. Run terraform plan again`},
		}},
		{"422 of an OAuth client", oauthClients, opCreate, &client.APIError{StatusCode: 422, Title: "Unprocessable Entity", Errors: []client.FieldError{
			{Field: "scopes[1]", Detail: `repeats the scope "openid"`},
			{Field: "clientSecret", Detail: "must be at most 4096 characters long"},
			{Field: "somethingNew", Detail: "is wrong"},
		}}, writeOnly.refusal(), []wantDiag{
			{"scopes", "Unable to Create OAuth Client", `The create of the OAuth client "crm" failed: repeats the scope "openid" (Unprocessable Entity at scopes[1]).`},
			{"client_secret_wo", "Unable to Create OAuth Client", "failed: must be at most 4096 characters long (Unprocessable Entity)."},
			{"", "Unable to Create OAuth Client", "failed: somethingNew: is wrong (Unprocessable Entity)."},
		}},
		{"422 of a connector", connectors, opCreate, &client.APIError{StatusCode: 422, Title: "Unprocessable Entity", Errors: []client.FieldError{
			{Field: "connectionDefinitions[0].scopes", Detail: "must be a list of strings"},
		}}, writeRefusal{}, []wantDiag{
			{"connection_definitions", "Unable to Create Connector", `The create of the connector "crm" failed: must be a list of strings (Unprocessable Entity at connectionDefinitions[0].scopes).`},
		}},
		{"409 on the key", connectors, opCreate, &client.APIError{StatusCode: 409, Title: "Conflict",
			Detail: `The connector key "crm" is already taken; keys are unique across the platform. Choose another key.`,
			Errors: []client.FieldError{{Field: "key", Detail: "is already taken"}}}, writeRefusal{}, []wantDiag{
			{"key", "Unable to Create Connector", `The connector key "crm" is already taken; keys are unique across the platform. Choose another key.`},
		}},
		{"409 of a definition in use", connectors, opUpdate, &client.APIError{StatusCode: 409, Title: "Conflict",
			Detail: "The change would strand 3 OAuth client(s).",
			Errors: []client.FieldError{{Field: "connectionDefinitions[0].authType", Detail: `the definition "x" is used by 3 OAuth client(s)`}}}, updateConnector, []wantDiag{
			{"connection_definitions", "Unable to Update Connector",
				`The change would strand 3 OAuth client(s). Move those clients. (connectionDefinitions[0].authType: the definition "x" is used by 3 OAuth client(s))`},
		}},
		{"409 of a public connector", connectors, opUpdate, &client.APIError{StatusCode: 409, Title: "Conflict",
			Detail: "The connector cannot become private: 2 OAuth client(s) of other accounts use it.",
			Errors: []client.FieldError{{Field: "visibility", Detail: "2 OAuth client(s) of other accounts use this public connector"}}}, updateConnector, []wantDiag{
			{"visibility", "Unable to Update Connector", "The connector cannot become private: 2 OAuth client(s) of other accounts use it. Keep it public."},
		}},
		{"409 without fields", connectors, opDelete, &client.APIError{StatusCode: 409, Title: "Conflict", Detail: "The connector is used by 3 OAuth client(s)."},
			writeRefusal{inUse: map[string]string{"": "Delete them first."}}, []wantDiag{
				{"", "Unable to Delete Connector", "The connector is used by 3 OAuth client(s). Delete them first."},
			}},
		{"anything else", oauthClients, opDelete, &client.APIError{StatusCode: 503, Title: "Service Unavailable", Attempts: 5}, writeRefusal{}, []wantDiag{
			{"", "Unable to Delete OAuth Client", `The delete of the OAuth client "crm" failed: Service Unavailable (503) (gave up after 5 attempts)`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			tc.kind.addWriteError(&diags, tc.op, "crm", tc.err, tc.refusal)
			checkDiags(t, diags, tc.want)
			for _, d := range diags {
				if strings.Count(d.Detail(), ". ") > 2 {
					t.Errorf("the detail runs to more than three sentences: %s", d.Detail())
				}
			}
		})
	}
}
