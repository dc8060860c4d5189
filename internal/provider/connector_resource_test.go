package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

const connectorAddress = "appxchange_connector.test"

// crmConnector is a connector with an OAuth definition (every preset, an enum and a
// string property) and an API key definition.
const crmConnector = `
resource "appxchange_connector" "test" {
  key         = "acc-crm"
  name        = "Acceptance CRM"
  description = "A connector of the acceptance tests."
  connection_definitions = {
    oAuth2CodeFlow = {
      title                 = "OAuth 2.0 code flow"
      description           = "Sign in to the CRM."
      auth_type             = "oauth2_code_flow"
      authorization_url     = "https://crm.example.com/oauth/authorize"
      token_url             = "https://crm.example.com/oauth/token"
      refresh_url           = "https://crm.example.com/oauth/refresh"
      scopes                = ["read", "write", "offline"]
      client_authentication = "client_credentials_body"
      properties = {
        region = { title = "Region", type = "enum", required = true, enum_values = ["us", "eu"] }
        tenant = { title = "Tenant", description = "The CRM tenant.", type = "string" }
      }
    }
    apiKeyAuth = {
      title     = "API key"
      auth_type = "api_key"
      properties = {
        apiKey = { title = "API key", type = "string", required = true, sensitive = true }
      }
    }
  }
}
`

// crmConnectorReordered is crmConnector with every map entry, attribute and set
// element in another order.
const crmConnectorReordered = `
resource "appxchange_connector" "test" {
  connection_definitions = {
    apiKeyAuth = {
      properties = {
        apiKey = { sensitive = true, required = true, type = "string", title = "API key" }
      }
      auth_type = "api_key"
      title     = "API key"
    }
    oAuth2CodeFlow = {
      properties = {
        tenant = { type = "string", description = "The CRM tenant.", title = "Tenant" }
        region = { enum_values = ["us", "eu"], required = true, type = "enum", title = "Region" }
      }
      client_authentication = "client_credentials_body"
      scopes                = ["offline", "write", "read"]
      refresh_url           = "https://crm.example.com/oauth/refresh"
      token_url             = "https://crm.example.com/oauth/token"
      authorization_url     = "https://crm.example.com/oauth/authorize"
      auth_type             = "oauth2_code_flow"
      description           = "Sign in to the CRM."
      title                 = "OAuth 2.0 code flow"
    }
  }
  description = "A connector of the acceptance tests."
  name        = "Acceptance CRM"
  key         = "acc-crm"
}
`

// crmConnectorUpdated changes crmConnector in place: a new name, no description,
// other scopes, a property added and one changed, apiKeyAuth replaced by basicAuth.
const crmConnectorUpdated = `
resource "appxchange_connector" "test" {
  key  = "acc-crm"
  name = "Acceptance CRM v2"
  connection_definitions = {
    oAuth2CodeFlow = {
      title                 = "OAuth 2.0 code flow"
      description           = "Sign in to the CRM."
      auth_type             = "oauth2_code_flow"
      authorization_url     = "https://crm.example.com/oauth/authorize"
      token_url             = "https://crm.example.com/oauth/token"
      refresh_url           = "https://crm.example.com/oauth/refresh"
      scopes                = ["read"]
      client_authentication = "client_credentials_body"
      properties = {
        region  = { title = "Region", type = "enum", required = true, enum_values = ["eu", "us", "apac"] }
        tenant  = { title = "Tenant", description = "The CRM tenant.", type = "string", required = true }
        sandbox = { title = "Sandbox", type = "bool" }
      }
    }
    basicAuth = {
      title     = "User name and password"
      auth_type = "basic"
    }
  }
}
`

func definitionPath(key string, steps ...string) tfjsonpath.Path {
	p := tfjsonpath.New("connection_definitions").AtMapKey(key)
	for _, s := range steps {
		p = p.AtMapKey(s)
	}
	return p
}

func TestAccConnectorResource(t *testing.T) {
	sb := startSandbox(t)
	config := sb.providerConfig(acmeToken) + crmConnector
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// Create a connector with every kind of attribute.
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("id"), knownvalue.StringRegexp(uuidPattern)),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("owner_account_id"), knownvalue.StringExact("acme")),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("visibility"), knownvalue.StringExact("account")),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("offline"), knownvalue.StringExact("read"), knownvalue.StringExact("write"),
					})),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "tenant", "required"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "tenant", "sensitive"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "tenant", "enum_values"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "region", "enum_values"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("us"), knownvalue.StringExact("eu"),
					})),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("apiKeyAuth", "description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("apiKeyAuth", "scopes"), knownvalue.Null()),
				},
				Check: checkConnectorOnServer(t, sb, "acc-crm", func(c *client.Connector) error {
					if len(c.ConnectionDefinitions) != 2 || c.ConnectionDefinitions[1].ClientAuthentication != client.ClientAuthCredentialsInBody {
						return fmt.Errorf("the API holds the definitions %+v", c.ConnectionDefinitions)
					}
					return nil
				}),
			},
			// Import by id: every attribute matches the server.
			{
				ResourceName:      connectorAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			// Import by key.
			{
				ResourceName:      connectorAddress,
				ImportState:       true,
				ImportStateId:     "key:acc-crm",
				ImportStateVerify: true,
			},
			// Map entries, attributes and set elements in another order: no diff, no write.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config:    sb.providerConfig(acmeToken) + crmConnectorReordered,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: func(*terraform.State) error { sb.expectNoWrites(t)(); return nil },
			},
			// Definitions, name and description change in place, with one PATCH.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config:    sb.providerConfig(acmeToken) + crmConnectorUpdated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("name"), knownvalue.StringExact("Acceptance CRM v2")),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("connection_definitions"), knownvalue.MapSizeExact(2)),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("basicAuth", "auth_type"), knownvalue.StringExact("basic")),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "region", "enum_values"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("eu"), knownvalue.StringExact("us"), knownvalue.StringExact("apac"),
					})),
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("oAuth2CodeFlow", "properties", "sandbox", "type"), knownvalue.StringExact("bool")),
				},
				Check: func(*terraform.State) error {
					if w := sb.writes(t); len(w) != 1 || w["PATCH /management/v1/connectors/{id} 200"] != 1 {
						return fmt.Errorf("the update made the writes %v, want one PATCH", w)
					}
					return nil
				},
			},
			// The same configuration again plans nothing.
			{
				Config: sb.providerConfig(acmeToken) + crmConnectorUpdated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			// Made public in place.
			{
				Config: sb.providerConfig(acmeToken) + strings.Replace(crmConnectorUpdated, `name = "Acceptance CRM v2"`, `name = "Acceptance CRM v2"`+"\n  visibility = \"public\"", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("visibility"), knownvalue.StringExact("public")),
				},
			},
			// Without visibility in the configuration it goes back to account.
			{
				Config: sb.providerConfig(acmeToken) + crmConnectorUpdated,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("visibility"), knownvalue.StringExact("account")),
				},
			},
			// A new key replaces the connector.
			{
				Config: sb.providerConfig(acmeToken) + strings.Replace(crmConnectorUpdated, `"acc-crm"`, `"acc-crm-2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkConnectorGone(t, sb, "acc-crm"),
			},
		},
		CheckDestroy: checkConnectorGone(t, sb, "acc-crm-2"),
	})
}

// checkConnectorOnServer reads the connector with this key through the API and checks it.
func checkConnectorOnServer(t *testing.T, sb *testSandbox, key string, check func(*client.Connector) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := sb.apiClient(t, acmeToken).ConnectorByKey(context.Background(), key)
		if err != nil {
			return err
		}
		return check(c)
	}
}

// checkConnectorGone checks that the API no longer has a connector with this key.
func checkConnectorGone(t *testing.T, sb *testSandbox, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := sb.apiClient(t, acmeToken).ConnectorByKey(context.Background(), key)
		switch {
		case err == nil:
			return fmt.Errorf("the connector %q is still there", key)
		case !errors.Is(err, client.ErrNotFound):
			return fmt.Errorf("looking up the connector %q: %w", key, err)
		}
		return nil
	}
}

// connectorConfig is a connector acc-rules with these connection definitions and extra top-level lines.
func connectorConfig(definitions string, extra ...string) string {
	return fmt.Sprintf(`
resource "appxchange_connector" "test" {
  key  = "acc-rules"
  name = "Acceptance rules"
%s
  connection_definitions = {
%s
  }
}
`, strings.Join(extra, "\n"), definitions)
}

// apiKeyDefinition is a valid definition to build rule cases from.
const apiKeyDefinition = `apiKeyAuth = { title = "API key", auth_type = "api_key" }`

// message matches a phrase of a diagnostic however Terraform wraps its lines.
func message(phrase string) *regexp.Regexp {
	return wrapped(regexp.QuoteMeta(phrase))
}

// diagnostic matches a diagnostic's summary and a phrase of its detail.
func diagnostic(summary, detail string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + message(summary).String() + `.*` + message(detail).String())
}

// atPlan matches a diagnostic that Terraform reported at plan, before any apply.
func atPlan(summary, detail string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Error running pre-apply plan: .*` + diagnostic(summary, detail).String())
}

// atApply matches a phrase of an error that Terraform reported at apply, after the plan succeeded.
func atApply(phrase string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Error running apply: .*` + message(phrase).String())
}

// An auth type or property type known only at apply breaks no rule at plan;
// Terraform validates the configuration again once the value is known, so the
// same rule fails at apply, before the connector is written.
func TestAccConnectorResource_unknownAtPlan(t *testing.T) {
	sb := startSandbox(t)
	definitions := func(authType, propertyType string) string {
		return fmt.Sprintf(`
resource "terraform_data" "types" {
  input = { auth_type = %q, property_type = %q }
}
%s`, authType, propertyType, connectorConfig(`
    tokenAuth = {
      title      = "Token"
      auth_type  = terraform_data.types.output.auth_type
      token_url  = "https://crm.example.com/token"
      properties = { env = { title = "Env", type = terraform_data.types.output.property_type, enum_values = ["prod", "test"] } }
    }`))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// A preset on what turns out an api_key definition fails at apply.
			{
				PreConfig:   func() { sb.resetStats(t) },
				Config:      sb.providerConfig(acmeToken) + definitions("api_key", "enum"),
				ExpectError: atApply(`The connection definition "tokenAuth" has auth_type "api_key", but token_url is an OAuth 2.0 preset: it applies only when auth_type is oauth2_code_flow, oauth2_client_credentials or oauth2_password.`),
			},
			// enum_values on what turns out a string property: likewise.
			{
				PreConfig:   sb.expectNoWrites(t),
				Config:      sb.providerConfig(acmeToken) + definitions("oauth2_client_credentials", "string"),
				ExpectError: atApply(`The property "env" of the connection definition "tokenAuth" has type "string", and enum_values applies only when type is "enum".`),
			},
			// Values that turn out valid apply.
			{
				PreConfig: sb.expectNoWrites(t),
				Config:    sb.providerConfig(acmeToken) + definitions("oauth2_client_credentials", "enum"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, definitionPath("tokenAuth", "auth_type"), knownvalue.StringExact("oauth2_client_credentials")),
				},
			},
		},
	})
}

// crmConnectorAPIKeyOnly is crmConnector without its OAuth definition.
const crmConnectorAPIKeyOnly = `
resource "appxchange_connector" "test" {
  key         = "acc-crm"
  name        = "Acceptance CRM"
  description = "A connector of the acceptance tests."
  connection_definitions = {
    apiKeyAuth = {
      title     = "API key"
      auth_type = "api_key"
      properties = {
        apiKey = { title = "API key", type = "string", required = true, sensitive = true }
      }
    }
  }
}
`

func TestAccConnectorResource_inUse(t *testing.T) {
	sb := startSandbox(t)
	ctx := context.Background()
	api := sb.apiClient(t, acmeToken)
	var oauthClient, globexClient *client.OAuthClient
	config := sb.providerConfig(acmeToken) + crmConnector
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The connector.
			{Config: config},
			// An OAuth client on its OAuth definition, made beside Terraform, keeps the definition from being removed.
			{
				PreConfig: func() {
					conn, err := api.ConnectorByKey(ctx, "acc-crm")
					if err != nil {
						t.Fatal(err)
					}
					oauthClient, err = api.CreateOAuthClient(ctx, &client.OAuthClientInput{
						Name: "CRM app", ConnectorID: conn.ID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "crm-app",
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: sb.providerConfig(acmeToken) + crmConnectorAPIKeyOnly,
				ExpectError: diagnostic("Unable to Update Connector", `The change would strand 1 OAuth client(s) that use the connector "acc-crm"; delete or replace them first. `+
					`Delete those OAuth clients, or move them to another definition or connector (which replaces them), then apply again.`),
			},
			// The API's count is in the message.
			{
				Config:      sb.providerConfig(acmeToken) + crmConnectorAPIKeyOnly,
				ExpectError: message(`the definition "oAuth2CodeFlow" is used by 1 OAuth client(s); delete or replace them before you remove it`),
			},
			// Nor can its auth type change.
			{
				Config:      sb.providerConfig(acmeToken) + strings.Replace(crmConnector, `"oauth2_code_flow"`, `"oauth2_password"`, 1),
				ExpectError: message(`the definition "oAuth2CodeFlow" is used by 1 OAuth client(s); delete or replace them before you change its auth type`),
			},
			// Other changes to the definition in use are made.
			{
				Config: sb.providerConfig(acmeToken) + strings.Replace(crmConnector, `"OAuth 2.0 code flow"`, `"Sign in with the CRM"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionUpdate),
				}},
			},
			// Made public, then used by a client of another account, it cannot become private again.
			{
				Config: sb.providerConfig(acmeToken) + strings.Replace(crmConnector, `name        = "Acceptance CRM"`, `name        = "Acceptance CRM"`+"\n  visibility  = \"public\"", 1),
			},
			{
				PreConfig: func() {
					var err error
					globexClient, err = sb.apiClient(t, globexToken).CreateOAuthClient(ctx, &client.OAuthClientInput{
						Name: "Globex CRM app", ConnectorID: oauthClient.ConnectorID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "globex-crm-app",
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: sb.providerConfig(acmeToken) + crmConnector,
				ExpectError: diagnostic("Unable to Update Connector", `The connector "acc-crm" cannot become private: 1 OAuth client(s) of other accounts use it. `+
					`Keep visibility = "public" until those accounts have deleted their clients.`),
			},
			// Once that client is gone, it becomes private.
			{
				PreConfig: func() {
					if err := sb.apiClient(t, globexToken).DeleteOAuthClient(ctx, globexClient.ID, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: sb.providerConfig(acmeToken) + crmConnector,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("visibility"), knownvalue.StringExact("account")),
				},
			},
			// The connector cannot be destroyed while the client exists; the error says how many and what to do.
			{
				Config: sb.providerConfig(acmeToken),
				ExpectError: diagnostic("Unable to Delete Connector", `The connector "acc-crm" is used by 1 OAuth client(s); delete them first, then delete the connector. `+
					`Delete those OAuth clients first (or move them to another connector, which replaces them), then destroy the connector again.`),
			},
			// Once the client is gone, the connector is destroyed.
			{
				PreConfig: func() {
					if err := api.DeleteOAuthClient(ctx, oauthClient.ID, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: sb.providerConfig(acmeToken),
				Check:  checkConnectorGone(t, sb, "acc-crm"),
			},
		},
	})
}

func TestAccConnectorResource_drift(t *testing.T) {
	sb := startSandbox(t)
	ctx := context.Background()
	api := sb.apiClient(t, acmeToken)
	config := sb.providerConfig(acmeToken) + crmConnector
	lookup := func() *client.Connector {
		conn, err := api.ConnectorByKey(ctx, "acc-crm")
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The connector.
			{Config: config},
			// Deleted outside Terraform: the plan creates it again.
			{
				PreConfig: func() {
					if err := api.DeleteConnector(ctx, lookup().ID, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionCreate),
				}},
				Check: checkConnectorOnServer(t, sb, "acc-crm", func(*client.Connector) error { return nil }),
			},
			// Changed outside Terraform: the plan changes it back.
			{
				PreConfig: func() {
					_, err := api.UpdateConnector(ctx, lookup().ID, "", &client.ConnectorPatch{
						Name:                  client.Set("Renamed by hand"),
						Description:           client.Null[string](),
						ConnectionDefinitions: client.Set(lookup().ConnectionDefinitions[:1]),
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(connectorAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("name"), knownvalue.StringExact("Acceptance CRM")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("description"), knownvalue.StringExact("A connector of the acceptance tests.")),
					statecheck.ExpectKnownValue(connectorAddress, tfjsonpath.New("connection_definitions"), knownvalue.MapSizeExact(2)),
				},
			},
			// An import id of neither form names both forms.
			{
				ResourceName:  connectorAddress,
				ImportState:   true,
				ImportStateId: "acc-crm",
				ExpectError:   message(`"acc-crm" is neither a connector id nor a key. Import a connector by its id, a UUID such as 6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01, or by its key written as key:KEY, such as key:my-crm.`),
			},
			// An unknown key is not found.
			{
				ResourceName:  connectorAddress,
				ImportState:   true,
				ImportStateId: "key:no-such-connector",
				ExpectError:   message(`No connector "key:no-such-connector" is visible to your account.`),
			},
			// Another account's public connector is not imported: it can only be read.
			{
				ResourceName:  connectorAddress,
				ImportState:   true,
				ImportStateId: procoreID,
				ExpectError:   message(`The connector "procore" belongs to the account "xchange", and your credentials act for "acme": only its owner can manage it.`),
			},
		},
	})
}

func connectorSchema(t *testing.T) rsschema.Schema {
	t.Helper()
	var resp fwresource.SchemaResponse
	NewConnectorResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

func TestConnectorResourceModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	s := connectorSchema(t)
	model := sampleConnectorModel(t)
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	var back connectorModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatalf("the schema does not match the model: %v", diags)
	}
	if !reflect.DeepEqual(back, model) {
		t.Errorf("the model changed on the way through the state:\n%+v\nwant\n%+v", back, model)
	}
}

// modifyPlan runs the resource's ModifyPlan from state to plan (either may be nil)
// and returns what it recorded for the connector's id.
func modifyPlan(t *testing.T, state, plan *connectorModel) (*client.Connector, bool) {
	t.Helper()
	ctx := context.Background()
	s := connectorSchema(t)
	null := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	req := fwresource.ModifyPlanRequest{
		State: tfsdk.State{Schema: s, Raw: null},
		Plan:  tfsdk.Plan{Schema: s, Raw: null},
	}
	if state != nil {
		if diags := req.State.Set(ctx, state); diags.HasError() {
			t.Fatal(diags)
		}
	}
	if plan != nil {
		if diags := req.Plan.Set(ctx, plan); diags.HasError() {
			t.Fatal(diags)
		}
	}
	r := &connectorResource{data: &providerData{}}
	resp := &fwresource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return r.data.plannedConnectors.lookup(sampleConnector().ID)
}

func TestConnectorResourceModifyPlanRecordsPlannedConnector(t *testing.T) {
	ctx := context.Background()
	state := sampleConnectorModel(t)

	// An update records the connector it will become, definitions in API form.
	changed := sampleConnector()
	changed.Visibility = client.VisibilityPublic
	changed.ConnectionDefinitions[0].AuthType = client.AuthTypeOAuth2Password
	changed.ConnectionDefinitions = changed.ConnectionDefinitions[:1]
	var plan connectorModel
	var diags diag.Diagnostics
	plan.fromAPI(ctx, changed, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	plan.UpdatedAt = types.StringUnknown()
	got, ok := modifyPlan(t, &state, &plan)
	if !ok || got == nil {
		t.Fatalf("an update recorded %v, %v; want the planned connector", got, ok)
	}
	want := sampleConnector().ConnectionDefinitions[:1]
	want[0].AuthType = client.AuthTypeOAuth2Password
	want[0].Scopes = []string{"read", "write"}
	want[0].Properties = []client.Property{want[0].Properties[1], want[0].Properties[0]}
	if got.ID != changed.ID || got.Key != "my-crm" || got.OwnerAccountID != "acme" || got.Visibility != client.VisibilityPublic ||
		!reflect.DeepEqual(got.ConnectionDefinitions, want) {
		t.Errorf("an update recorded %+v; want the plan's connector with definitions %+v", got, want)
	}

	// Definitions not known until apply: recorded as nil, so OAuth clients skip their checks.
	unknown := state
	unknown.ConnectionDefinitions = types.MapUnknown(definitionObjectType)
	if got, ok := modifyPlan(t, &state, &unknown); !ok || got != nil {
		t.Errorf("unknown definitions recorded %v, %v; want nil, true", got, ok)
	}
	partly := state
	apiKeyAuth, ok := state.ConnectionDefinitions.Elements()["apiKeyAuth"].(types.Object)
	if !ok {
		t.Fatalf("the apiKeyAuth definition is %T", state.ConnectionDefinitions.Elements()["apiKeyAuth"])
	}
	title := apiKeyAuth.Attributes()
	title["title"] = types.StringUnknown()
	def, diags := types.ObjectValue(definitionObjectType.AttrTypes, title)
	if diags.HasError() {
		t.Fatal(diags)
	}
	elems := state.ConnectionDefinitions.Elements()
	elems["apiKeyAuth"] = def
	partly.ConnectionDefinitions = types.MapValueMust(definitionObjectType, elems)
	if got, ok := modifyPlan(t, &state, &partly); !ok || got != nil {
		t.Errorf("a definition with an unknown title recorded %v, %v; want nil, true", got, ok)
	}

	// Create, destroy and replacement (a new key) record nothing.
	replaced := state
	replaced.Key = types.StringValue("my-crm-2")
	for name, c := range map[string][2]*connectorModel{"create": {nil, &state}, "destroy": {&state, nil}, "replace": {&state, &replaced}} {
		if got, ok := modifyPlan(t, c[0], c[1]); ok {
			t.Errorf("%s recorded %v", name, got)
		}
	}
}

func TestConnectorPatchHoldsOnlyChanges(t *testing.T) {
	ctx := context.Background()
	state := sampleConnectorModel(t)
	for name, tc := range map[string]struct {
		change func(*client.Connector)
		want   string
	}{
		"nothing":     {func(*client.Connector) {}, `{}`},
		"name":        {func(c *client.Connector) { c.Name = "CRM" }, `{"name":"CRM"}`},
		"description": {func(c *client.Connector) { c.Description = "" }, `{"description":null}`},
		"visibility":  {func(c *client.Connector) { c.Visibility = client.VisibilityPublic }, `{"visibility":"public"}`},
		"definitions in another order": {func(c *client.Connector) {
			d := c.ConnectionDefinitions
			d[0], d[1] = d[1], d[0]
			d[1].Scopes = []string{"read", "write"}
		}, `{}`},
		"a definition": {func(c *client.Connector) { c.ConnectionDefinitions = c.ConnectionDefinitions[1:] },
			`{"connectionDefinitions":[{"key":"apiKeyAuth","title":"API key","authType":"apiKey"}]}`},
	} {
		c := sampleConnector()
		tc.change(c)
		var plan connectorModel
		var diags diag.Diagnostics
		plan.fromAPI(ctx, c, &diags)
		patch := plan.toPatch(ctx, &plan, &state, &diags)
		if diags.HasError() {
			t.Fatal(diags)
		}
		got, err := json.Marshal(patch)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: the patch is %s, want %s", name, got, tc.want)
		}
	}
}

// TestAccConnectorResource_importBlock: a connector registered outside Terraform,
// adopted with an import block by id or by key, plans no change. (Written as plain
// configuration: the testing framework's import-block mode cannot reattach the
// provider under OpenTofu.)
func TestAccConnectorResource_importBlock(t *testing.T) {
	for name, importID := range map[string]func(*client.Connector) string{
		"by id":  func(c *client.Connector) string { return c.ID },
		"by key": func(c *client.Connector) string { return "key:" + c.Key },
	} {
		t.Run(name, func(t *testing.T) {
			sb := startSandbox(t)
			made, err := sb.apiClient(t, acmeToken).CreateConnector(context.Background(), &client.ConnectorInput{
				Key:  "web-erp",
				Name: "ERP registered in the web app",
				ConnectionDefinitions: []client.ConnectionDefinition{{
					Key: "oAuth2CodeFlow", Title: "Sign in", AuthType: client.AuthTypeOAuth2CodeFlow,
					TokenURL: "https://erp.example.com/token", Scopes: []string{"read", "write"},
					Properties: []client.Property{{Key: "region", Title: "Region", Type: "enum", Required: true, EnumValues: []string{"us", "eu"}}},
				}},
			})
			if err != nil {
				t.Fatal(err)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
import {
  to = appxchange_connector.erp
  id = %q
}

resource "appxchange_connector" "erp" {
  key  = "web-erp"
  name = "ERP registered in the web app"
  connection_definitions = {
    oAuth2CodeFlow = {
      title     = "Sign in"
      auth_type = "oauth2_code_flow"
      token_url = "https://erp.example.com/token"
      scopes    = ["write", "read"]
      properties = {
        region = { title = "Region", type = "enum", required = true, enum_values = ["us", "eu"] }
      }
    }
  }
}
`, importID(made)),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("appxchange_connector.erp", plancheck.ResourceActionNoop),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("appxchange_connector.erp", tfjsonpath.New("id"), knownvalue.StringExact(made.ID)),
						statecheck.ExpectKnownValue("appxchange_connector.erp", tfjsonpath.New("visibility"), knownvalue.StringExact("account")),
					},
				}},
			})
		})
	}
}
