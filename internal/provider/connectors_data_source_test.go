package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// acmeConnectors are a public and a private connector of acme, made in this order.
const acmeConnectors = `
resource "appxchange_connector" "public" {
  key        = "acc-public-crm"
  name       = "Public CRM"
  visibility = "public"
  connection_definitions = {
    oAuth2CodeFlow = {
      title             = "OAuth 2.0 code flow"
      auth_type         = "oauth2_code_flow"
      authorization_url = "https://crm.example.com/oauth/authorize"
      scopes            = ["read"]
    }
  }
}

resource "appxchange_connector" "private" {
  key  = "acc-private-crm"
  name = "Private CRM"
  connection_definitions = {
    apiKeyAuth = { title = "API key", auth_type = "api_key" }
  }
  depends_on = [appxchange_connector.public]
}
`

func TestAccConnectorsDataSource(t *testing.T) {
	sb := startSandbox(t)
	lists := `
# Acme's own two by a search on their names in another case.
data "appxchange_connectors" "acme_crm" {
  search     = "crm"
  depends_on = [appxchange_connector.private]
}

# The public ones: the platform's three and acme's.
data "appxchange_connectors" "public" {
  visibility = "public"
  depends_on = [appxchange_connector.private]
}

# Acme's private one alone.
data "appxchange_connectors" "account" {
  visibility = "account"
  depends_on = [appxchange_connector.private]
}

# A seed connector by a search on its key.
data "appxchange_connectors" "procore" {
  search = "PROCORE"
}

# Acme reads its private connector by key.
data "appxchange_connector" "own_private" {
  key = appxchange_connector.private.key
}
`
	same := compare.ValuesSame()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The data sources find public and own connectors by key and by search.
			{
				Config: sb.providerConfig(acmeToken) + acmeConnectors + lists,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connectors.acme_crm", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					statecheck.CompareValuePairs("data.appxchange_connectors.acme_crm", tfjsonpath.New("ids").AtSliceIndex(0),
						"appxchange_connector.public", tfjsonpath.New("id"), same),
					statecheck.CompareValuePairs("data.appxchange_connectors.acme_crm", tfjsonpath.New("ids").AtSliceIndex(1),
						"appxchange_connector.private", tfjsonpath.New("id"), same),
					statecheck.CompareValuePairs("data.appxchange_connectors.acme_crm", tfjsonpath.New("connectors").AtSliceIndex(0).AtMapKey("connection_definitions"),
						"appxchange_connector.public", tfjsonpath.New("connection_definitions"), same),
					statecheck.ExpectKnownValue("data.appxchange_connectors.acme_crm", tfjsonpath.New("connectors").AtSliceIndex(1).AtMapKey("visibility"),
						knownvalue.StringExact("account")),

					statecheck.ExpectKnownValue("data.appxchange_connectors.public", tfjsonpath.New("connectors"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("procore")}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("powerbi")}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("vista")}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("acc-public-crm"), "owner_account_id": knownvalue.StringExact("acme")}),
					})),
					statecheck.ExpectKnownValue("data.appxchange_connectors.public", tfjsonpath.New("ids"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue("data.appxchange_connectors.account", tfjsonpath.New("connectors"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("acc-private-crm")}),
					})),

					statecheck.ExpectKnownValue("data.appxchange_connectors.procore", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(procoreID)})),
					statecheck.ExpectKnownValue("data.appxchange_connectors.procore",
						tfjsonpath.New("connectors").AtSliceIndex(0).AtMapKey("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("scopes"),
						stringSet("openid")),

					statecheck.CompareValuePairs("data.appxchange_connector.own_private", tfjsonpath.New("updated_at"), "appxchange_connector.private", tfjsonpath.New("updated_at"), same),
					statecheck.ExpectKnownValue("data.appxchange_connector.own_private", tfjsonpath.New("description"), knownvalue.Null()),
				},
			},
		},
	})
}

// Another account reads acme's public connector and cannot change it. Terraform runs
// one provider server per test, so acme's connectors are made through the API.
func TestAccConnectorsDataSource_otherAccount(t *testing.T) {
	sb := startSandbox(t)
	ctx := context.Background()
	acme := sb.apiClient(t, acmeToken)
	public, err := acme.CreateConnector(ctx, &client.ConnectorInput{
		Key: "acc-public-crm", Name: "Public CRM",
		ConnectionDefinitions: []client.ConnectionDefinition{{Key: "oAuth2CodeFlow", Title: "OAuth", AuthType: client.AuthTypeOAuth2CodeFlow, Scopes: []string{"read"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if public, err = acme.UpdateConnector(ctx, public.ID, public.ETag, &client.ConnectorPatch{Visibility: client.Set(client.VisibilityPublic)}); err != nil {
		t.Fatal(err)
	}
	if _, err := acme.CreateConnector(ctx, &client.ConnectorInput{
		Key: "acc-private-crm", Name: "Private CRM",
		ConnectionDefinitions: []client.ConnectionDefinition{{Key: "apiKeyAuth", Title: "API key", AuthType: client.AuthTypeAPIKey}},
	}); err != nil {
		t.Fatal(err)
	}
	takeOver := `
resource "appxchange_connector" "taken" {
  key  = "acc-public-crm"
  name = "Taken over"
  connection_definitions = {
    apiKeyAuth = { title = "API key", auth_type = "api_key" }
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Globex finds acme's public connector by search and by key, never the private one.
			{
				Config: sb.providerConfig(globexToken) + `
data "appxchange_connectors" "crm" {
  search = "acc-"
}

data "appxchange_connector" "public" {
  key = "acc-public-crm"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connectors.crm", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(public.ID)})),
					statecheck.ExpectKnownValue("data.appxchange_connector.public", tfjsonpath.New("owner_account_id"), knownvalue.StringExact("acme")),
					statecheck.ExpectKnownValue("data.appxchange_connector.public", tfjsonpath.New("visibility"), knownvalue.StringExact("public")),
					statecheck.ExpectKnownValue("data.appxchange_connector.public", tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("scopes"), stringSet("read")),
				},
			},
			// Globex cannot read acme's private connector.
			{
				Config:      sb.providerConfig(globexToken) + `data "appxchange_connector" "private" { key = "acc-private-crm" }`,
				ExpectError: message(`No connector with key "acc-private-crm" is visible to your account.`),
			},
			// Nor import acme's public connector to manage it: the import block fails at plan.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config: sb.providerConfig(globexToken) + takeOver + `
import {
  to = appxchange_connector.taken
  id = "key:acc-public-crm"
}
`,
				ExpectError: diagnostic("Connector Owned by Another Account",
					`The connector "acc-public-crm" belongs to the account "acme", and your credentials act for "globex": only its owner can manage it.`),
			},
			// Nor register its key again.
			{
				PreConfig:   sb.expectNoWrites(t),
				Config:      sb.providerConfig(globexToken) + takeOver,
				ExpectError: diagnostic("Unable to Create Connector", `The connector key "acc-public-crm" is already taken; keys are unique across the platform. Choose another key.`),
			},
			// Acme's connector is as acme left it.
			{
				Config: sb.providerConfig(globexToken),
				Check: func(*terraform.State) error {
					got, err := acme.GetConnector(ctx, public.ID)
					if err != nil {
						return err
					}
					if got.Name != "Public CRM" || got.ETag != public.ETag {
						return fmt.Errorf("acme's connector changed: %+v", got)
					}
					return nil
				},
			},
		},
	})
}

func TestConnectorsDataSourceModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewConnectorsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	model := connectorsDataSourceModel{
		Search:     types.StringValue("crm"),
		Visibility: types.StringNull(),
		Connectors: []connectorModel{sampleConnectorModel(t)},
		IDs:        []types.String{types.StringValue(sampleConnector().ID)},
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	var back connectorsDataSourceModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatalf("the schema does not match the model: %v", diags)
	}
	if len(back.Connectors) != 1 || !back.Connectors[0].ConnectionDefinitions.Equal(model.Connectors[0].ConnectionDefinitions) {
		t.Errorf("the connectors changed on the way through the state: %+v", back.Connectors)
	}
}
