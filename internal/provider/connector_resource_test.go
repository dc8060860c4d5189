package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

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
			// An import block with the id plans no change.
			{
				Config:          config,
				ResourceName:    connectorAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			// An import block with the key plans no change.
			{
				Config:          config,
				ResourceName:    connectorAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "key:acc-crm",
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
		if !errors.Is(err, client.ErrNotFound) {
			return fmt.Errorf("the connector %q is still there (or the lookup failed: %v)", key, err)
		}
		return nil
	}
}

var _ = regexp.MustCompile
