package provider

import (
	"context"
	"fmt"
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

const procoreClient = "appxchange_oauth_client.procore"

// expectAttr checks one attribute of a resource in the state.
func expectAttr(address, attribute string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), check)
}

// stringSet is a check for a set of exactly these strings.
func stringSet(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// checkNoOAuthClients is a CheckDestroy: the account holds no OAuth client any more.
func checkNoOAuthClients(t *testing.T, sb *testSandbox, token string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		left, err := sb.apiClient(t, token).AllOAuthClients(context.Background(), client.OAuthClientFilter{})
		if err != nil {
			return err
		}
		var own []string
		for _, c := range left {
			if c.AccountID == accountOf(token) {
				own = append(own, c.ID)
			}
		}
		if len(own) > 0 {
			return fmt.Errorf("OAuth clients left after destroy: %v", own)
		}
		return nil
	}
}

func accountOf(token string) string { return strings.TrimSuffix(token, "-admin-token") }

func TestAccOAuthClientResource(t *testing.T) {
	sb := startSandbox(t)
	config := func(name, scopes, prompts, expires string) string {
		return sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "procore" {
  name                     = %q
  connector_id             = %q
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "procore-app"
  client_secret            = "procore-secret"
  client_secret_expires_at = %q
  scopes                   = %s
%s}
`, name, procoreID, expires, scopes, prompts)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb, acmeToken),
		Steps: []resource.TestStep{
			// Create: omitted attributes take the definition's presets or the defaults.
			{
				Config: config("Procore (acme)", `["openid", "offline_access"]`, `  prompts = ["login", "consent"]`+"\n", "2030-01-01T00:00:00Z"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(procoreClient, "id", knownvalue.StringRegexp(uuidPattern)),
					expectAttr(procoreClient, "account_id", knownvalue.StringExact("acme")),
					expectAttr(procoreClient, "token_url", knownvalue.StringExact("https://id.trimble.com/oauth/token")),
					expectAttr(procoreClient, "client_authentication", knownvalue.StringExact("basic_auth_header")),
					expectAttr(procoreClient, "public", knownvalue.Bool(false)),
					expectAttr(procoreClient, "client_secret_set", knownvalue.Bool(true)),
					expectAttr(procoreClient, "client_secret_expires_at", knownvalue.StringExact("2030-01-01T00:00:00Z")),
					expectAttr(procoreClient, "authorization_url", knownvalue.Null()),
					expectAttr(procoreClient, "refresh_url", knownvalue.Null()),
					expectAttr(procoreClient, "scopes", stringSet("openid", "offline_access")),
					expectAttr(procoreClient, "prompts", stringSet("login", "consent")),
				},
			},
			// Import by id: every attribute but the secret, which the API never returns, matches.
			{
				ResourceName:            procoreClient,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"client_secret"},
			},
			// Update in place: name, scopes and expiry (written with an offset) change, prompts go; the secret is not touched.
			{
				Config: config("Procore", `["openid", "offline_access", "email"]`, "", "2031-06-01T02:00:00+02:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(procoreClient, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(procoreClient, tfjsonpath.New("client_secret_set"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(procoreClient, "name", knownvalue.StringExact("Procore")),
					expectAttr(procoreClient, "scopes", stringSet("openid", "offline_access", "email")),
					expectAttr(procoreClient, "prompts", knownvalue.Null()),
					expectAttr(procoreClient, "client_secret_expires_at", knownvalue.StringExact("2031-06-01T02:00:00+02:00")),
				},
			},
			// Scopes in another order and the same expiry instant written in UTC: nothing to do.
			{
				Config:           config("Procore", `["email", "openid", "offline_access"]`, "", "2031-06-01T00:00:00.000Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
