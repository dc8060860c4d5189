package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccConnectorDataSource(t *testing.T) {
	sb := startSandbox(t)
	procore := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("id"), knownvalue.StringExact(procoreID)),
		statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("key"), knownvalue.StringExact("procore")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("name"), knownvalue.StringExact("Procore")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("visibility"), knownvalue.StringExact("public")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("owner_account_id"), knownvalue.StringExact("xchange")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("auth_type"), knownvalue.StringExact("oauth2_code_flow")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("token_url"), knownvalue.StringExact("https://id.trimble.com/oauth/token")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("openid")})),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("client_authentication"), knownvalue.Null()),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("apiKeyAuth").AtMapKey("auth_type"), knownvalue.StringExact("api_key")),
		statecheck.ExpectKnownValue("data.appxchange_connector.this",
			tfjsonpath.New("connection_definitions").AtMapKey("apiKeyAuth").AtMapKey("properties").AtMapKey("apiKey").AtMapKey("sensitive"), knownvalue.Bool(true)),
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// A public connector of another account, looked up by key.
			{
				Config:            sb.providerConfig(acmeToken) + `data "appxchange_connector" "this" { key = "procore" }`,
				ConfigStateChecks: procore,
			},
			// The same connector by id.
			{
				Config:            sb.providerConfig(acmeToken) + `data "appxchange_connector" "this" { id = "` + procoreID + `" }`,
				ConfigStateChecks: procore,
			},
			// Presets and properties of another connector: client authentication and an enum-free property.
			{
				Config: sb.providerConfig(acmeToken) + `data "appxchange_connector" "this" { key = "powerbi" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connector.this",
						tfjsonpath.New("connection_definitions").AtMapKey("oAuth2ClientCredentials").AtMapKey("client_authentication"), knownvalue.StringExact("client_credentials_body")),
					statecheck.ExpectKnownValue("data.appxchange_connector.this",
						tfjsonpath.New("connection_definitions").AtMapKey("oAuth2ClientCredentials").AtMapKey("properties").AtMapKey("tenantId").AtMapKey("enum_values"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.appxchange_connector.this",
						tfjsonpath.New("connection_definitions").AtMapKey("oAuth2ClientCredentials").AtMapKey("scopes"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestAccConnectorDataSource_errors(t *testing.T) {
	sb := startSandbox(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// An unknown key names what was asked for.
			{
				Config:      sb.providerConfig(acmeToken) + `data "appxchange_connector" "this" { key = "no-such-connector" }`,
				ExpectError: regexp.MustCompile(`No connector with key "no-such-connector" is visible to your account`),
			},
		},
	})
}

func TestConnectorDataSourceModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewConnectorDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	model := sampleConnectorModel(t)
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	var back connectorModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatalf("the schema does not match the model: %v", diags)
	}
}
