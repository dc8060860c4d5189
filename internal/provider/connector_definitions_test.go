package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// sampleConnector has every field of a connector set, in an order other than sorted.
func sampleConnector() *client.Connector {
	return &client.Connector{
		ID: "0b9f3a52-1c4d-4e8f-a6b7-2d3c4e5f6a7b", Key: "my-crm", Name: "My CRM", Description: "Our CRM.",
		Visibility: client.VisibilityAccount, OwnerAccountID: "acme",
		CreatedAt: "2026-01-02T03:04:05Z", UpdatedAt: "2026-01-02T03:04:06Z",
		ConnectionDefinitions: []client.ConnectionDefinition{
			{
				Key: "oAuth2CodeFlow", Title: "OAuth", Description: "Sign in.", AuthType: client.AuthTypeOAuth2CodeFlow,
				AuthorizationURL: "https://crm.example.com/authorize", TokenURL: "https://crm.example.com/token",
				RefreshURL: "https://crm.example.com/refresh", Scopes: []string{"write", "read"},
				ClientAuthentication: client.ClientAuthCredentialsInBody,
				Properties: []client.Property{
					{Key: "region", Title: "Region", Type: "enum", Required: true, EnumValues: []string{"us", "eu"}},
					{Key: "account", Title: "Account", Description: "The CRM account.", Type: "string", Sensitive: true},
				},
			},
			{Key: "apiKeyAuth", Title: "API key", AuthType: client.AuthTypeAPIKey},
		},
	}
}

// sampleConnectorModel is sampleConnector as the model holds it.
func sampleConnectorModel(t *testing.T) connectorModel {
	t.Helper()
	var m connectorModel
	var diags diag.Diagnostics
	m.fromAPI(context.Background(), sampleConnector(), &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return m
}

func TestConnectionDefinitionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	m := sampleConnectorModel(t)
	if got := m.ConnectionDefinitions.Elements()["apiKeyAuth"].String(); got == "" {
		t.Fatal("apiKeyAuth is missing from the model")
	}
	got, diags := definitionsToAPI(ctx, m.ConnectionDefinitions)
	if diags.HasError() {
		t.Fatal(diags)
	}
	// Definitions, properties and scopes come back sorted by key; enum values keep their order.
	in := sampleConnector().ConnectionDefinitions
	oauth := in[0]
	oauth.Scopes = []string{"read", "write"}
	oauth.Properties = []client.Property{oauth.Properties[1], oauth.Properties[0]}
	want := []client.ConnectionDefinition{in[1], oauth}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("definitionsToAPI(fromAPI(x)) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestConnectionDefinitionsFromAPINullsEmptyValues(t *testing.T) {
	var m connectorModel
	c := sampleConnector()
	c.Description = ""
	var diags diag.Diagnostics
	m.fromAPI(context.Background(), c, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !m.Description.IsNull() {
		t.Errorf("an empty description is %s, want null", m.Description)
	}
	var defs map[string]connectionDefinitionModel
	if diags := m.ConnectionDefinitions.ElementsAs(context.Background(), &defs, false); diags.HasError() {
		t.Fatal(diags)
	}
	api := defs["apiKeyAuth"]
	for name, null := range map[string]bool{
		"description":           api.Description.IsNull(),
		"authorization_url":     api.AuthorizationURL.IsNull(),
		"token_url":             api.TokenURL.IsNull(),
		"refresh_url":           api.RefreshURL.IsNull(),
		"scopes":                api.Scopes.IsNull(),
		"client_authentication": api.ClientAuthentication.IsNull(),
		"properties":            api.Properties.IsNull(),
	} {
		if !null {
			t.Errorf("apiKeyAuth.%s is not null though the API omitted it", name)
		}
	}
	if got := defs["oAuth2CodeFlow"].ClientAuthentication.ValueString(); got != "client_credentials_body" {
		t.Errorf("client_authentication = %q, want the Terraform spelling client_credentials_body", got)
	}
}
