package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

const crmClient = "appxchange_oauth_client.crm"

// clientsConnector is an own connector for OAuth clients: a code flow definition
// with presets, a client-credentials definition without any, an API key definition,
// and extra definitions and top-level lines.
func clientsConnector(extra string, definitions ...string) string {
	defs := ""
	for _, d := range definitions {
		defs += "    " + d + "\n"
	}
	return fmt.Sprintf(`
resource "appxchange_connector" "crm" {
  key  = "acc-crm-clients"
  name = "CRM with clients"
%s
  connection_definitions = {
    oAuth2CodeFlow = {
      title                 = "OAuth 2.0 code flow"
      auth_type             = "oauth2_code_flow"
      authorization_url     = "https://crm.example.com/oauth/authorize"
      token_url             = "https://crm.example.com/oauth/token"
      client_authentication = "client_credentials_body"
    }
    oAuth2ClientCredentials = { title = "OAuth 2.0 client credentials", auth_type = "oauth2_client_credentials" }
    apiKeyAuth              = { title = "API key", auth_type = "api_key" }
%s  }
}
`, extra, defs)
}

// crmOAuthClient is an OAuth client on the connector of clientsConnector, with extra lines.
func crmOAuthClient(definition string, extra string) string {
	return fmt.Sprintf(`
resource "appxchange_oauth_client" "crm" {
  name                  = "CRM app"
  connector_id          = appxchange_connector.crm.id
  connection_definition = %q
  client_id             = "crm-app"
%s
}
`, definition, extra)
}

// A connector and a client on it in one apply: the connector's id is unknown at
// plan, so the plan passes; at apply, once the connector exists, Terraform plans the
// client again and the same definition checks fail it, before it is written.
func TestAccConnectorOAuthClient_sameApply(t *testing.T) {
	sb := startSandbox(t)
	config := func(client string) string {
		return sb.providerConfig(acmeToken) + clientsConnector("") + client
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// A client-credentials client without a secret plans, then fails at apply.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config:    config(crmOAuthClient("oAuth2ClientCredentials", "")),
				ExpectError: atApply(`The connection definition "oAuth2ClientCredentials" (oauth2_client_credentials) needs a client secret. ` +
					`Set client_secret, or client_secret_wo with client_secret_wo_version.`),
			},
			// The client never reached the API; the connector made before it goes.
			{
				Config: sb.providerConfig(acmeToken),
				Check:  noOAuthClientWrites(t, sb),
			},
			// A client on the API key definition likewise.
			{
				PreConfig:   func() { sb.resetStats(t) },
				Config:      config(crmOAuthClient("apiKeyAuth", `  client_secret = "crm-secret"`)),
				ExpectError: atApply(`"apiKeyAuth" of connector "acc-crm-clients" has the auth type api_key, and OAuth clients do not apply to it`),
			},
			{
				Config: sb.providerConfig(acmeToken),
				Check:  noOAuthClientWrites(t, sb),
			},
			// A valid client on the code flow definition is made in the same apply as the connector,
			// with the definition's presets as defaults.
			{
				Config: config(crmOAuthClient("oAuth2CodeFlow", `  client_secret = "crm-secret"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("appxchange_connector.crm", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(crmClient, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(crmClient, tfjsonpath.New("connector_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(crmClient, tfjsonpath.New("connector_id"), "appxchange_connector.crm", tfjsonpath.New("id"), compare.ValuesSame()),
					expectAttr(crmClient, "token_url", knownvalue.StringExact("https://crm.example.com/oauth/token")),
					expectAttr(crmClient, "client_authentication", knownvalue.StringExact("client_credentials_body")),
					expectAttr(crmClient, "authorization_url", knownvalue.Null()),
				},
			},
		},
	})
}

// noOAuthClientWrites checks that no OAuth client was written since the stats were reset.
func noOAuthClientWrites(t *testing.T, sb *testSandbox) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for key := range sb.writes(t) {
			if strings.Contains(key, "/oauth-clients") {
				return fmt.Errorf("an OAuth client was written: %v", sb.writes(t))
			}
		}
		return nil
	}
}

// A client planned in the same run as a change to its connector is checked against
// the definitions the connector will have, not the ones on the server now.
func TestAccConnectorOAuthClient_plannedDefinitions(t *testing.T) {
	sb := startSandbox(t)
	password := `oAuth2Password = { title = "OAuth 2.0 password", auth_type = "oauth2_password" }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// The connector alone.
			{Config: sb.providerConfig(acmeToken) + clientsConnector("")},
			// A definition added and a client on it, in one plan: the plan passes.
			{
				Config: sb.providerConfig(acmeToken) + clientsConnector("", password) + crmOAuthClient("oAuth2Password", `  client_secret = "crm-secret"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("appxchange_connector.crm", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(crmClient, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(crmClient, "connection_definition", knownvalue.StringExact("oAuth2Password")),
				},
			},
			// A new client on a definition that the same plan retypes to api_key fails at plan, before any write,
			// though the server's connector still has it as a client-credentials definition.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config: sb.providerConfig(acmeToken) +
					strings.Replace(clientsConnector("", password), `auth_type = "oauth2_client_credentials"`, `auth_type = "api_key"`, 1) +
					crmOAuthClient("oAuth2Password", `  client_secret = "crm-secret"`) + `
resource "appxchange_oauth_client" "second" {
  name                  = "CRM app 2"
  connector_id          = appxchange_connector.crm.id
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "crm-app-2"
  client_secret         = "crm-secret-2"
}
`,
				ExpectError: atPlan("Not an OAuth Connection Definition",
					`"oAuth2ClientCredentials" of connector "acc-crm-clients" has the auth type api_key, and OAuth clients do not apply to it`),
			},
			// No write was made; the unchanged configuration plans nothing.
			{
				PreConfig: sb.expectNoWrites(t),
				Config:    sb.providerConfig(acmeToken) + clientsConnector("", password) + crmOAuthClient("oAuth2Password", `  client_secret = "crm-secret"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// A client that names its connector by a literal id has no order with it: Terraform
// may plan and apply either first. A change of the connector in the same plan that
// breaks the client still fails the plan, before any write, whichever is planned first.
func TestAccConnectorOAuthClient_literalConnectorID(t *testing.T) {
	sb := startSandbox(t)
	password := `oAuth2Password = { title = "OAuth 2.0 password", auth_type = "oauth2_password" }`
	var connectorID string
	literalClient := `
resource "appxchange_oauth_client" "literal" {
  name                  = "CRM app by id"
  connector_id          = var.connector_id
  connection_definition = "oAuth2Password"
  client_id             = "crm-app-literal"
  client_secret         = "crm-secret"
}

variable "connector_id" { type = string }
`
	variables := config.Variables{"connector_id": lazyString{&connectorID}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// The connector alone.
			{
				Config: sb.providerConfig(acmeToken) + clientsConnector("", password),
				Check: func(s *terraform.State) error {
					connectorID = s.RootModule().Resources["appxchange_connector.crm"].Primary.ID
					return nil
				},
			},
			// A client on it by its literal id.
			{
				Config:          sb.providerConfig(acmeToken) + clientsConnector("", password) + literalClient,
				ConfigVariables: variables,
			},
			// The same plan retypes the client's definition to api_key: the plan fails before any write.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config: sb.providerConfig(acmeToken) +
					strings.Replace(clientsConnector("", password), `auth_type = "oauth2_password"`, `auth_type = "api_key"`, 1) +
					strings.Replace(literalClient, `"crm-app-literal"`, `"crm-app-literal-2"`, 1),
				ConfigVariables: variables,
				ExpectError:     atPlan("", `"oAuth2Password" of connector "acc-crm-clients" has the auth type api_key, and OAuth clients do not apply to it`),
			},
			// No write was made; the unchanged configuration plans nothing.
			{
				PreConfig:       sb.expectNoWrites(t),
				Config:          sb.providerConfig(acmeToken) + clientsConnector("", password) + literalClient,
				ConfigVariables: variables,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			// The client goes first: without an order, a destroy of both could take the connector first.
			{Config: sb.providerConfig(acmeToken) + clientsConnector("", password)},
		},
	})
}

// lazyString is a configuration variable whose value is read when the step runs,
// such as an id that an earlier step made.
type lazyString struct{ value *string }

func (v lazyString) MarshalJSON() ([]byte, error) { return json.Marshal(*v.value) }

// Only the connector's owner may make its OAuth clients public.
func TestAccConnectorOAuthClient_public(t *testing.T) {
	sb := startSandbox(t)
	ctx := context.Background()
	var clientID string
	publicClient := crmOAuthClient("oAuth2CodeFlow", `  client_secret = "crm-secret"
  public        = true`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// An own public connector.
			{Config: sb.providerConfig(acmeToken) + clientsConnector(`  visibility = "public"`)},
			// A public client on it passes the plan-time owner check and is made.
			{
				Config: sb.providerConfig(acmeToken) + clientsConnector(`  visibility = "public"`) + publicClient,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(crmClient, "public", knownvalue.Bool(true)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(crmClient, &clientID),
					// Another account reads the public client but cannot change it.
					func(*terraform.State) error {
						globex := sb.apiClient(t, globexToken)
						got, err := globex.GetOAuthClient(ctx, clientID)
						if err != nil {
							return fmt.Errorf("globex cannot read acme's public client: %w", err)
						}
						_, err = globex.UpdateOAuthClient(ctx, clientID, got.ETag, &client.OAuthClientPatch{Name: client.Set("Taken over")})
						if err == nil {
							return errors.New("globex changed acme's public client, want a 403 or 404")
						}
						var apiErr *client.APIError
						if !errors.As(err, &apiErr) || (apiErr.StatusCode != 403 && apiErr.StatusCode != 404) {
							return fmt.Errorf("globex changing acme's public client: %w, want a 403 or 404", err)
						}
						return nil
					},
				),
			},
			// A public client on a connector of another account fails at plan, before any write.
			{
				PreConfig: func() { sb.resetStats(t) },
				Config: sb.providerConfig(acmeToken) + clientsConnector(`  visibility = "public"`) + publicClient + fmt.Sprintf(`
resource "appxchange_oauth_client" "procore" {
  name                  = "Procore app"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "procore-app"
  client_secret         = "procore-secret"
  public                = true
}
`, procoreID),
				ExpectError: atPlan("Public Client Not Allowed",
					`Only the owner of connector "procore" (account "xchange") may make its OAuth clients public, and your account is "acme".`),
			},
			// No write was made.
			{
				PreConfig: sb.expectNoWrites(t),
				Config:    sb.providerConfig(acmeToken) + clientsConnector(`  visibility = "public"`) + publicClient,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
