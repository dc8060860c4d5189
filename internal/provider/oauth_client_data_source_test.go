package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

func TestAccOAuthClientDataSource(t *testing.T) {
	sb := startSandbox(t)
	acme := sb.apiClient(t, acmeToken)
	full := seedOAuthClient(t, acme, client.OAuthClientInput{
		Name: "build-bot", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "build-bot-client",
		ClientSecret: "build-bot-secret", ClientSecretExpiresAt: "2030-01-02T03:04:05Z",
		AuthorizationURL: "https://login.example.com/authorize", RefreshURL: "https://login.example.com/refresh",
		Scopes: []string{"read", "write"}, Prompts: []string{"login", "consent"}, ClientAuthentication: client.ClientAuthCredentialsInBody,
	})
	bare := seedOAuthClient(t, acme, procoreCodeFlow("bare"))
	sharedProcore := seedOAuthClient(t, acme, procoreCodeFlow("shared"))
	seedOAuthClient(t, acme, procoreCodeFlow("SHARED"))
	sharedPowerBI := seedOAuthClient(t, acme, powerBIClientCredentials("shared"))
	seedOAuthClient(t, acme, powerBIClientCredentials("shared-too"))

	const this = "data.appxchange_oauth_client.this"
	expect := func(attribute string, check knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(this, tfjsonpath.New(attribute), check)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// By id: every attribute of a client that sets them all, the enum in snake_case.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" { id = %q }`, full.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					expect("id", knownvalue.StringExact(full.ID)),
					expect("name", knownvalue.StringExact("build-bot")),
					expect("connector_id", knownvalue.StringExact(procoreID)),
					expect("connection_definition", knownvalue.StringExact("oAuth2CodeFlow")),
					expect("client_id", knownvalue.StringExact("build-bot-client")),
					expect("client_secret_set", knownvalue.Bool(true)),
					expect("client_secret_expires_at", knownvalue.StringExact("2030-01-02T03:04:05Z")),
					expect("authorization_url", knownvalue.StringExact("https://login.example.com/authorize")),
					expect("token_url", knownvalue.StringExact("https://id.trimble.com/oauth/token")),
					expect("refresh_url", knownvalue.StringExact("https://login.example.com/refresh")),
					expect("scopes", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read"), knownvalue.StringExact("write")})),
					expect("prompts", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("consent"), knownvalue.StringExact("login")})),
					expect("client_authentication", knownvalue.StringExact("client_credentials_body")),
					expect("public", knownvalue.Bool(false)),
					expect("account_id", knownvalue.StringExact("acme")),
					expect("created_at", knownvalue.StringExact(full.CreatedAt)),
					expect("updated_at", knownvalue.StringExact(full.UpdatedAt)),
				},
			},
			// The same client by name.
			{
				Config: sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { name = "build-bot" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					expect("id", knownvalue.StringExact(full.ID)),
					expect("connector_id", knownvalue.StringExact(procoreID)),
					expect("client_id", knownvalue.StringExact("build-bot-client")),
				},
			},
			// What the API omits is null; the defaults the API fills in are shown.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" { id = %q }`, bare.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					expect("client_secret_set", knownvalue.Bool(false)),
					expect("client_secret_expires_at", knownvalue.Null()),
					expect("authorization_url", knownvalue.Null()),
					expect("refresh_url", knownvalue.Null()),
					expect("scopes", knownvalue.Null()),
					expect("prompts", knownvalue.Null()),
					expect("token_url", knownvalue.StringExact("https://id.trimble.com/oauth/token")),
					expect("client_authentication", knownvalue.StringExact("basic_auth_header")),
				},
			},
			// connector_id narrows a name that two connectors share; a name that only contains it does not match.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  name         = "shared"
  connector_id = %q
}`, powerbiID),
				ConfigStateChecks: []statecheck.StateCheck{
					expect("id", knownvalue.StringExact(sharedPowerBI.ID)),
					expect("connection_definition", knownvalue.StringExact("oAuth2ClientCredentials")),
					expect("client_authentication", knownvalue.StringExact("client_credentials_body")),
				},
			},
			// Names match case-sensitively: "SHARED" on the same connector is not a second match.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  name         = "shared"
  connector_id = %q
}`, procoreID),
				ConfigStateChecks: []statecheck.StateCheck{expect("id", knownvalue.StringExact(sharedProcore.ID))},
			},
			// With id, connector_id is a check that passes when it names the client's connector.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  id           = %q
  connector_id = %q
}`, full.ID, procoreID),
				ConfigStateChecks: []statecheck.StateCheck{expect("name", knownvalue.StringExact("build-bot"))},
			},
		},
	})
}

func TestAccOAuthClientDataSource_errors(t *testing.T) {
	sb := startSandbox(t)
	acme := sb.apiClient(t, acmeToken)
	onProcore := seedOAuthClient(t, acme, procoreCodeFlow("shared"))
	onPowerBI := seedOAuthClient(t, acme, powerBIClientCredentials("shared"))
	twin1 := seedOAuthClient(t, acme, procoreCodeFlow("twin"))
	twin2 := seedOAuthClient(t, acme, procoreCodeFlow("twin"))
	var crowd []*client.OAuthClient // more of one name than the error lists
	for range maxListedMatches + 2 {
		crowd = append(crowd, seedOAuthClient(t, acme, procoreCodeFlow("crowd")))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// A name on two connectors is ambiguous: the error lists both ids with their connectors.
			{
				Config: sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { name = "shared" }`,
				ExpectError: expectErrorDiagnostic("Ambiguous OAuth Client Name", `2 OAuth clients named "shared" are visible to your account:`,
					"- "+onProcore.ID+" (connector "+procoreID+", account acme)",
					"- "+onPowerBI.ID+" (connector "+powerbiID+", account acme)",
					"Set connector_id to narrow the lookup to one connector, or look the client up by id."),
			},
			// Two clients of one name on one connector: only the id can tell them apart.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  name         = "twin"
  connector_id = %q
}`, procoreID),
				ExpectError: expectErrorDiagnostic("Ambiguous OAuth Client Name", `2 OAuth clients named "twin" on the connector "`+procoreID+`" are visible to your account:`,
					"- "+twin1.ID+" (connector "+procoreID+", account acme)",
					"- "+twin2.ID+" (connector "+procoreID+", account acme)",
					"Look the client up by id instead."),
			},
			// A name that more clients have than the error lists: the first ones, oldest first, and how many more.
			{
				Config: sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { name = "crowd" }`,
				ExpectError: expectErrorDiagnostic("Ambiguous OAuth Client Name", `12 OAuth clients named "crowd" are visible to your account:`,
					"- "+crowd[0].ID+" (connector "+procoreID+", account acme)",
					"- "+crowd[maxListedMatches-1].ID+" (connector "+procoreID+", account acme)\n  - and 2 more\n"+
						"Set connector_id to narrow the lookup to one connector, or look the client up by id."),
			},
			// A name nobody has.
			{
				Config:      sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { name = "nobody" }`,
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", `No OAuth client named "nobody" is visible to your account. Names match exactly, case included;`),
			},
			// A name that exists, but not on the connector asked for.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  name         = "twin"
  connector_id = %q
}`, powerbiID),
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", `No OAuth client named "twin" on the connector "`+powerbiID+`" is visible to your account.`),
			},
			// An id nobody has.
			{
				Config:      sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { id = "00000000-0000-4000-8000-000000000000" }`,
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", `No OAuth client with id "00000000-0000-4000-8000-000000000000" is visible to your account.`),
			},
			// With id, a connector_id that is not the client's connector is an error naming both.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  id           = %q
  connector_id = %q
}`, onProcore.ID, powerbiID),
				ExpectError: expectErrorDiagnostic("OAuth Client Belongs to Another Connector",
					fmt.Sprintf(`The OAuth client with id %q belongs to the connector %q, not to the connector %q that connector_id names.`, onProcore.ID, procoreID, powerbiID)),
			},
		},
	})
}

func TestAccOAuthClientDataSources_visibility(t *testing.T) {
	sb := startSandbox(t)
	shared := powerBIClientCredentials("xchange shared")
	shared.Public = true
	public := seedOAuthClient(t, sb.apiClient(t, xchangeToken), shared)
	private := seedOAuthClient(t, sb.apiClient(t, globexToken), procoreCodeFlow("globex private"))
	own := seedOAuthClient(t, sb.apiClient(t, acmeToken), procoreCodeFlow("acme own"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Acme reads xchange's public client by id, by name and in the list; globex's private client is not listed.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
data "appxchange_oauth_client" "by_id" { id = %q }
data "appxchange_oauth_client" "by_name" { name = "xchange shared" }
data "appxchange_oauth_clients" "all" {}
`, public.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_id", tfjsonpath.New("account_id"), knownvalue.StringExact("xchange")),
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_id", tfjsonpath.New("public"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_id", tfjsonpath.New("client_secret_set"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_name", tfjsonpath.New("id"), knownvalue.StringExact(public.ID)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("ids"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(public.ID), knownvalue.StringExact(own.ID)})),
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("oauth_clients").AtSliceIndex(0).AtMapKey("account_id"),
						knownvalue.StringExact("xchange")),
				},
			},
			// Globex's private client is not found by id...
			{
				Config:      sb.providerConfig(acmeToken) + fmt.Sprintf(`data "appxchange_oauth_client" "this" { id = %q }`, private.ID),
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", `No OAuth client with id "`+private.ID+`" is visible to your account.`),
			},
			// ...nor by name.
			{
				Config:      sb.providerConfig(acmeToken) + `data "appxchange_oauth_client" "this" { name = "globex private" }`,
				ExpectError: expectErrorDiagnostic("OAuth Client Not Found", `No OAuth client named "globex private" is visible to your account.`),
			},
		},
	})
}

func TestAccOAuthClientDataSources_noSecretInState(t *testing.T) {
	const canary = "canary-secret-7d1e4b"
	sb := startSandbox(t)
	acme := sb.apiClient(t, acmeToken)
	withSecret := procoreCodeFlow("with secret")
	withSecret.ClientSecret = canary + "-procore"
	procore := seedOAuthClient(t, acme, withSecret)
	powerbi := powerBIClientCredentials("with secret too")
	powerbi.ClientSecret = canary + "-powerbi"
	seedOAuthClient(t, acme, powerbi)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Both data sources read clients that hold secrets; no value in the state carries one.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
data "appxchange_oauth_client" "by_id" { id = %q }
data "appxchange_oauth_client" "by_name" { name = "with secret too" }
data "appxchange_oauth_clients" "all" {}
`, procore.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_id", tfjsonpath.New("client_secret_set"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_client.by_name", tfjsonpath.New("client_secret_set"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.appxchange_oauth_clients.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					expectStateWithout(canary),
				},
			},
		},
	})
}

func TestExpectStateWithout(t *testing.T) {
	if err := jsonWithout(map[string]any{"values": map[string]any{"client_id": "x", "scopes": []string{"a"}}}, "canary"); err != nil {
		t.Errorf("a state without the text was refused: %v", err)
	}
	if err := jsonWithout(map[string]any{"values": map[string]any{"nested": []any{map[string]any{"v": "has-canary-inside"}}}}, "canary"); err == nil {
		t.Error("a state with the text deep inside passed")
	}
}

func TestOAuthClientDataModelsMatchSchemas(t *testing.T) {
	ctx := context.Background()
	oneClient := oauthClientDataModel{Scopes: types.SetNull(types.StringType), Prompts: types.SetNull(types.StringType)}
	for _, tc := range []struct {
		name       string
		dataSource datasource.DataSource
		model      any
		back       any
	}{
		{"appxchange_oauth_client", NewOAuthClientDataSource(), &oneClient, &oauthClientDataModel{}},
		{"appxchange_oauth_clients", NewOAuthClientsDataSource(), &oauthClientsDataSourceModel{
			OAuthClients: oneClientList(t, &oneClient),
			IDs:          types.ListNull(types.StringType),
		}, &oauthClientsDataSourceModel{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp datasource.SchemaResponse
			tc.dataSource.Schema(ctx, datasource.SchemaRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
			if diags := state.Set(ctx, tc.model); diags.HasError() {
				t.Fatalf("the model does not match the schema: %v", diags)
			}
			if diags := state.Get(ctx, tc.back); diags.HasError() {
				t.Fatalf("the schema does not match the model: %v", diags)
			}
		})
	}
}

// oneClientList is a list of one client, as appxchange_oauth_clients holds them.
func oneClientList(t *testing.T, m *oauthClientDataModel) types.List {
	t.Helper()
	object, diags := m.object()
	if diags.HasError() {
		t.Fatalf("the client is not an element of appxchange_oauth_clients: %v", diags)
	}
	list, diags := types.ListValue(oauthClientObjectType(), []attr.Value{object})
	if diags.HasError() {
		t.Fatal(diags)
	}
	return list
}

// seedOAuthClient creates an OAuth client through the API, beside Terraform.
func seedOAuthClient(t *testing.T, c *client.Client, in client.OAuthClientInput) *client.OAuthClient {
	t.Helper()
	out, err := c.CreateOAuthClient(context.Background(), &in)
	if err != nil {
		t.Fatalf("creating the OAuth client %q: %v", in.Name, err)
	}
	return out
}

// procoreCodeFlow is the smallest valid OAuth client of procore's code flow.
func procoreCodeFlow(name string) client.OAuthClientInput {
	return client.OAuthClientInput{Name: name, ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: name + "-client"}
}

// powerBIClientCredentials is the smallest valid OAuth client of powerbi's client credentials.
func powerBIClientCredentials(name string) client.OAuthClientInput {
	return client.OAuthClientInput{
		Name: name, ConnectorID: powerbiID, ConnectionDefinitionKey: "oAuth2ClientCredentials", ClientID: name + "-client", ClientSecret: name + "-secret",
	}
}

// expectErrorDiagnostic matches an error with this summary whose detail has these parts in
// order, however Terraform wraps its lines.
func expectErrorDiagnostic(summary string, detail ...string) *regexp.Regexp {
	pattern := `Error: ` + regexp.QuoteMeta(summary)
	for _, part := range detail {
		pattern += `[\s\S]*` + strings.Join(strings.Fields(regexp.QuoteMeta(part)), `\s+`)
	}
	return regexp.MustCompile(pattern)
}
