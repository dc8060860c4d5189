package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
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
	"github.com/appxchange/terraform-provider-appxchange/internal/timestamp"
)

const procoreClient = "appxchange_oauth_client.procore"

// checkNoOAuthClients is a CheckDestroy: the acme account holds no OAuth client any more.
func checkNoOAuthClients(t *testing.T, sb *testSandbox) resource.TestCheckFunc {
	return func(*terraform.State) error {
		left, err := sb.apiClient(t, acmeToken).AllOAuthClients(context.Background(), client.OAuthClientFilter{})
		if err != nil {
			return err
		}
		var own []string
		for _, c := range left {
			if c.AccountID == "acme" {
				own = append(own, c.ID)
			}
		}
		if len(own) > 0 {
			return fmt.Errorf("OAuth clients left after destroy: %v", own)
		}
		return nil
	}
}

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
		CheckDestroy:             checkNoOAuthClients(t, sb),
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

// expectStoredSecret checks the secret the sandbox holds for the OAuth client *id.
func expectStoredSecret(t *testing.T, sb *testSandbox, id *string, secret string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := ""
		if secret != "" {
			want = sb.secretHash(t, secret)
		}
		if got := sb.storedSecretHash(t, *id); got != want {
			return fmt.Errorf("the sandbox holds secret hash %q for %s, want the hash of %q (%q)", got, *id, secret, want)
		}
		return nil
	}
}

func powerbiClientConfig(sb *testSandbox, secretLines string) string {
	return sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "powerbi" {
  name                  = "Power BI reporting"
  connector_id          = %q
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "powerbi-app"
  scopes                = ["https://analysis.windows.net/powerbi/api/.default"]
%s
}
`, powerbiID, secretLines)
}

const powerbiClient = "appxchange_oauth_client.powerbi"

func TestAccOAuthClientResource_drift(t *testing.T) {
	sb := startSandbox(t)
	api := sb.apiClient(t, acmeToken)
	ctx := context.Background()
	config := powerbiClientConfig(sb, `  client_secret = "drift-secret"`)
	var id, firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// Create; client authentication comes from the definition's preset, the token URL from the default.
			{
				Config: config,
				Check:  resource.ComposeTestCheckFunc(captureID(powerbiClient, &firstID), captureID(powerbiClient, &id)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(powerbiClient, "client_authentication", knownvalue.StringExact("client_credentials_body")),
					expectAttr(powerbiClient, "token_url", knownvalue.StringExact(DefaultTokenURL)),
				},
			},
			// Deleted outside Terraform: the refresh drops it with a warning and the plan creates it again.
			{
				PreConfig: func() {
					if err := api.DeleteOAuthClient(ctx, id, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(powerbiClient, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(captureID(powerbiClient, &id), func(*terraform.State) error {
					if id == firstID {
						return fmt.Errorf("the client was not created again: id %s", id)
					}
					return nil
				}, expectStoredSecret(t, sb, &id, "drift-secret")),
			},
			// Edited outside Terraform: the plan changes back what the configuration sets, and keeps
			// the client authentication it leaves to the API.
			{
				PreConfig: func() {
					_, err := api.UpdateOAuthClient(ctx, id, "", &client.OAuthClientPatch{
						Name:                 client.Set("renamed in the web app"),
						ClientID:             client.Set("another-app"),
						Scopes:               client.Null[[]string](),
						ClientAuthentication: client.Set(client.ClientAuthBasicAuthHeader),
					})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(powerbiClient, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(powerbiClient, tfjsonpath.New("name"), knownvalue.StringExact("Power BI reporting")),
					plancheck.ExpectKnownValue(powerbiClient, tfjsonpath.New("client_authentication"), knownvalue.StringExact("basic_auth_header")),
				}},
				Check: func(*terraform.State) error {
					got, err := api.GetOAuthClient(ctx, id)
					if err != nil {
						return err
					}
					if got.Name != "Power BI reporting" || got.ClientID != "powerbi-app" || len(got.Scopes) != 1 ||
						got.ClientAuthentication != client.ClientAuthBasicAuthHeader {
						return fmt.Errorf("the client was not changed back: %+v", got)
					}
					return nil
				},
			},
			// The secret cleared outside Terraform: the plan sends the configured secret again.
			{
				PreConfig: func() {
					if _, err := api.UpdateOAuthClient(ctx, id, "", &client.OAuthClientPatch{ClientSecret: client.Null[string]()}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(powerbiClient, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(powerbiClient, tfjsonpath.New("client_secret_set")),
				}},
				Check: expectStoredSecret(t, sb, &id, "drift-secret"),
			},
			// Nothing left to do.
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccOAuthClientResource_writeOnlySecret(t *testing.T) {
	sb := startSandbox(t)
	var id string
	onlyPatches := func(n int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			w := sb.writes(t)
			if len(w) != min(n, 1) || w["PATCH /management/v1/oauth-clients/{id} 200"] != n {
				return fmt.Errorf("want %d PATCH of the client and no other write, the sandbox saw %v", n, w)
			}
			return nil
		}
	}
	reset := func() { sb.resetStats(t) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// Create with the write-only secret: the API gets it, the state never holds it.
			{
				Config: powerbiClientConfig(sb, `  client_secret_wo = "wo-canary-one"
  client_secret_wo_version = 1`),
				Check: resource.ComposeTestCheckFunc(captureID(powerbiClient, &id), expectStoredSecret(t, sb, &id, "wo-canary-one")),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(powerbiClient, "client_secret_wo", knownvalue.Null()),
					expectAttr(powerbiClient, "client_secret", knownvalue.Null()),
					expectAttr(powerbiClient, "client_secret_wo_version", knownvalue.Int64Exact(1)),
					expectAttr(powerbiClient, "client_secret_set", knownvalue.Bool(true)),
					expectStateWithout("wo-canary-one"),
				},
			},
			// A new write-only value under the same version is not sent: no change, no write.
			{
				PreConfig: reset,
				Config: powerbiClientConfig(sb, `  client_secret_wo = "wo-canary-two"
  client_secret_wo_version = 1`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(onlyPatches(0), expectStoredSecret(t, sb, &id, "wo-canary-one")),
			},
			// A new version sends it, in one PATCH.
			{
				PreConfig: reset,
				Config: powerbiClientConfig(sb, `  client_secret_wo = "wo-canary-two"
  client_secret_wo_version = 2`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(powerbiClient, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(powerbiClient, tfjsonpath.New("client_secret_set")),
				}},
				Check:             resource.ComposeTestCheckFunc(onlyPatches(1), expectStoredSecret(t, sb, &id, "wo-canary-two")),
				ConfigStateChecks: []statecheck.StateCheck{expectStateWithout("wo-canary-two")},
			},
			// From the write-only pair to client_secret: one PATCH that sends the new secret, never a clear.
			{
				PreConfig:         reset,
				Config:            powerbiClientConfig(sb, `  client_secret = "plain-canary-three"`),
				Check:             resource.ComposeTestCheckFunc(onlyPatches(1), expectStoredSecret(t, sb, &id, "plain-canary-three")),
				ConfigStateChecks: []statecheck.StateCheck{expectAttr(powerbiClient, "client_secret_wo_version", knownvalue.Null())},
			},
			// And back to the write-only pair, again in one PATCH.
			{
				PreConfig: reset,
				Config: powerbiClientConfig(sb, `  client_secret_wo = "wo-canary-four"
  client_secret_wo_version = 3`),
				Check: resource.ComposeTestCheckFunc(onlyPatches(1), expectStoredSecret(t, sb, &id, "wo-canary-four")),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(powerbiClient, "client_secret", knownvalue.Null()),
					expectStateWithout("wo-canary-four"),
					expectStateWithout("plain-canary-three"),
				},
			},
			// Removing every secret attribute clears the secret.
			{
				PreConfig: reset,
				Config:    powerbiClientConfig(sb, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(powerbiClient, tfjsonpath.New("client_secret_set")),
				}},
				Check:             resource.ComposeTestCheckFunc(onlyPatches(1), expectStoredSecret(t, sb, &id, "")),
				ConfigStateChecks: []statecheck.StateCheck{expectAttr(powerbiClient, "client_secret_set", knownvalue.Bool(false))},
			},
		},
	})
}

// createOwnConnector registers, through the API, a connector of acme with an OAuth
// code-flow definition that presets nothing and a password definition.
func createOwnConnector(t *testing.T, sb *testSandbox) *client.Connector {
	t.Helper()
	conn, err := sb.apiClient(t, acmeToken).CreateConnector(context.Background(), &client.ConnectorInput{
		Key:  "acme-erp",
		Name: "Acme ERP",
		ConnectionDefinitions: []client.ConnectionDefinition{
			{Key: "oAuth2CodeFlow", Title: "Sign in", AuthType: client.AuthTypeOAuth2CodeFlow},
			{Key: "oAuth2Password", Title: "Service user", AuthType: client.AuthTypeOAuth2Password, TokenURL: "https://erp.acme.example/token"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestAccOAuthClientResource_importBlock: a client made outside Terraform, adopted
// with an import block, plans no change. (-generate-config-out is proven in cli_test.go:
// the testing framework's GenerateConfig step cannot reattach the provider under OpenTofu.)
func TestAccOAuthClientResource_importBlock(t *testing.T) {
	sb := startSandbox(t)
	made, err := sb.apiClient(t, acmeToken).CreateOAuthClient(context.Background(), &client.OAuthClientInput{
		Name:                    "Made in the web app",
		ConnectorID:             procoreID,
		ConnectionDefinitionKey: "oAuth2CodeFlow",
		ClientID:                "web-app-client",
		ClientSecret:            "web-app-secret",
		ClientSecretExpiresAt:   "2029-03-01T12:00:00+01:00",
		RefreshURL:              "https://auth.example.com/refresh",
		Scopes:                  []string{"openid", "profile"},
		Prompts:                 []string{"select_account"},
		ClientAuthentication:    client.ClientAuthCredentialsInBody,
	})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := sb.apiClient(t, xchangeToken).CreateOAuthClient(context.Background(), &client.OAuthClientInput{
		Name: "Procore for everyone", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "shared", Public: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	const address = "appxchange_oauth_client.imported"
	config := sb.providerConfig(acmeToken) + fmt.Sprintf(`
import {
  to = appxchange_oauth_client.imported
  id = %q
}

resource "appxchange_oauth_client" "imported" {
  name                     = "Made in the web app"
  connector_id             = %q
  connection_definition    = "oAuth2CodeFlow"
  client_id                = "web-app-client"
  client_secret_expires_at = "2029-03-01T11:00:00Z"
  refresh_url              = "https://auth.example.com/refresh"
  scopes                   = ["profile", "openid"]
  prompts                  = ["select_account"]
  client_authentication    = "client_credentials_body"
}
`, made.ID, procoreID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The import block adopts the client without changing it; the secret stays at the API.
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(address, "id", knownvalue.StringExact(made.ID)),
					expectAttr(address, "client_secret_set", knownvalue.Bool(true)),
					expectAttr(address, "token_url", knownvalue.StringExact("https://id.trimble.com/oauth/token")),
					expectAttr(address, "created_at", knownvalue.StringExact(made.CreatedAt)),
				},
				Check: expectStoredSecret(t, sb, &made.ID, "web-app-secret"),
			},
			// An id that is not a UUID says what an id looks like.
			{
				ResourceName:  address,
				ImportState:   true,
				ImportStateId: "Made in the web app",
				ExpectError:   wrapped(`"Made in the web app" is not an OAuth client id. Import an OAuth client by its id, a UUID such as`),
			},
			// Another account's public client can be read, not imported.
			{
				ResourceName:  address,
				ImportState:   true,
				ImportStateId: foreign.ID,
				ExpectError:   wrapped(`is a public client of the account "xchange", and your credentials act for "acme"`),
			},
		},
	})
}

// TestAccOAuthClientResource_connectorUnknownAtPlan: with a connector_id known only at
// apply, the plan makes no false error and leaves the presets unknown; a broken rule
// then fails at apply with the API's message on the attribute.
func TestAccOAuthClientResource_connectorUnknownAtPlan(t *testing.T) {
	sb := startSandbox(t)
	// Each step replaces terraform_data, so that its output is unknown at plan.
	config := func(step int, definition, lines string) string {
		return sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "terraform_data" "connector" {
  input = { id = %q, step = %d, none = null }
}

resource "appxchange_oauth_client" "later" {
  name                  = "connector known at apply"
  connector_id          = terraform_data.connector.output.id
  connection_definition = %q
  client_id             = "app"
%s
}
`, powerbiID, step, definition, lines)
	}
	const address = "appxchange_oauth_client.later"
	// A known connector, and attributes that a client-credentials definition refuses
	// given values unknown at plan that turn out null: no false error.
	knownConnector := config(3, "oAuth2ClientCredentials", `  client_secret = "later-secret"`) + fmt.Sprintf(`
resource "appxchange_oauth_client" "known_connector" {
  name                  = "attributes known at apply"
  connector_id          = %q
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "app"
  client_secret         = "known-secret"
  authorization_url     = terraform_data.connector.output.none
  refresh_url           = terraform_data.connector.output.none
  prompts               = terraform_data.connector.output.none
}
`, powerbiID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// A client-credentials client without its secret: the plan passes, and the apply
			// (where Terraform plans the client again with its connector known) refuses it on client_secret.
			{
				Config:      config(1, "oAuth2ClientCredentials", ""),
				ExpectError: wrapped(`(?s)Error running apply.*The connection definition "oAuth2ClientCredentials" \(oauth2_client_credentials\) needs a client secret`),
			},
			// The same with its secret: planned with the presets unknown, created with the definition's.
			{
				Config: config(2, "oAuth2ClientCredentials", `  client_secret = "later-secret"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(address, tfjsonpath.New("token_url")),
					plancheck.ExpectUnknownValue(address, tfjsonpath.New("client_authentication")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(address, "client_authentication", knownvalue.StringExact("client_credentials_body")),
					expectAttr(address, "token_url", knownvalue.StringExact(DefaultTokenURL)),
				},
			},
			{
				Config: knownConnector,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr("appxchange_oauth_client.known_connector", "refresh_url", knownvalue.Null()),
				},
			},
		},
	})
}

// TestAccOAuthClientResource_public: the connector's owner may publish a client, which
// other accounts can then read but not change.
func TestAccOAuthClientResource_public(t *testing.T) {
	sb := startSandbox(t)
	own := createOwnConnector(t, sb)
	if _, err := sb.apiClient(t, acmeToken).UpdateConnector(context.Background(), own.ID, "",
		&client.ConnectorPatch{Visibility: client.Set(client.VisibilityPublic)}); err != nil {
		t.Fatal(err)
	}
	const address = "appxchange_oauth_client.shared"
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// Public on the account's own connector: allowed at plan and by the API.
			{
				Config: sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "shared" {
  name                  = "Acme ERP for everyone"
  connector_id          = %q
  connection_definition = "oAuth2Password"
  client_id             = "erp-public"
  public                = true
}
`, own.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAttr(address, "public", knownvalue.Bool(true)),
					expectAttr(address, "token_url", knownvalue.StringExact("https://erp.acme.example/token")),
				},
				Check: resource.ComposeTestCheckFunc(captureID(address, &id), func(*terraform.State) error {
					globex := sb.apiClient(t, globexToken)
					got, err := globex.GetOAuthClient(context.Background(), id)
					if err != nil {
						return fmt.Errorf("globex cannot read acme's public client: %w", err)
					}
					if _, err := globex.UpdateOAuthClient(context.Background(), id, got.ETag, &client.OAuthClientPatch{Name: client.Set("taken over")}); err == nil {
						return fmt.Errorf("globex changed acme's public client")
					}
					return nil
				}),
			},
		},
	})
}

func TestOAuthClientModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp fwresource.SchemaResponse
	NewOAuthClientResource().Schema(ctx, fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("the schema is not valid: %v", diags)
	}
	model := oauthClientModel{
		ClientSecretExpiresAt: timestamp.New("2030-01-01T00:00:00Z"),
		Scopes:                types.SetNull(types.StringType),
		Prompts:               types.SetNull(types.StringType),
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	var back oauthClientModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatalf("the schema does not match the model: %v", diags)
	}
	if !back.ClientSecretExpiresAt.Equal(model.ClientSecretExpiresAt) {
		t.Errorf("the expiry came back as %v", back.ClientSecretExpiresAt)
	}
}

// TestAccOAuthClientResource_presets: a client made without token_url keeps its token
// URL when the connector's preset changes later; written and then removed, it goes
// back to the preset of the day.
func TestAccOAuthClientResource_presets(t *testing.T) {
	sb := startSandbox(t)
	own := createOwnConnector(t, sb)
	api := sb.apiClient(t, acmeToken)
	const address = "appxchange_oauth_client.erp"
	config := func(tokenURL string) string {
		return sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "erp" {
  name                  = "ERP service user"
  connector_id          = %q
  connection_definition = "oAuth2Password"
  client_id             = "erp-app"
%s}
`, own.ID, tokenURL)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkNoOAuthClients(t, sb),
		Steps: []resource.TestStep{
			// Created with the definition's preset.
			{
				Config:            config(""),
				ConfigStateChecks: []statecheck.StateCheck{expectAttr(address, "token_url", knownvalue.StringExact("https://erp.acme.example/token"))},
			},
			// The connector's owner changes the preset: the client keeps what it has.
			{
				PreConfig: func() {
					defs := slices.Clone(own.ConnectionDefinitions)
					defs[1].TokenURL = "https://erp.acme.example/v2/token"
					if _, err := api.UpdateConnector(context.Background(), own.ID, "", &client.ConnectorPatch{ConnectionDefinitions: client.Set(defs)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// Written in the configuration, it is sent.
			{
				Config:            config(`  token_url = "https://login.example.com/token"` + "\n"),
				ConfigStateChecks: []statecheck.StateCheck{expectAttr(address, "token_url", knownvalue.StringExact("https://login.example.com/token"))},
			},
			// Removed from the configuration, it goes back to the preset, which the plan shows.
			{
				Config: config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(address, tfjsonpath.New("token_url"), knownvalue.StringExact("https://erp.acme.example/v2/token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectAttr(address, "token_url", knownvalue.StringExact("https://erp.acme.example/v2/token"))},
			},
			// And stays there.
			{
				Config:           config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
