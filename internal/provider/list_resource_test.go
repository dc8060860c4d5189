package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// importableAccount is what the sandbox holds for the list and bulk import tests:
// acme's clients of several connection definitions, with and without secrets, on
// presets, one public; a connector of acme's own; and, beside them, a public client of
// another account and a private client of globex, which acme's lists must leave out.
type importableAccount struct {
	erp                                                *client.Connector
	production, staging, reporting, partners, internal *client.OAuthClient
	foreignPublic, globexPrivate                       *client.OAuthClient
}

// acmeClientCount is how many OAuth clients importableAccount gives acme.
const acmeClientCount = 5

func makeImportableAccount(t *testing.T, sb *testSandbox) importableAccount {
	t.Helper()
	ctx := context.Background()
	acme := sb.apiClient(t, acmeToken)
	var a importableAccount
	var err error
	a.erp, err = acme.CreateConnector(ctx, &client.ConnectorInput{
		Key: "acme-erp", Name: "ACME ERP", Visibility: client.VisibilityPublic,
		ConnectionDefinitions: []client.ConnectionDefinition{{
			Key: "oAuth2CodeFlow", Title: "Sign in to ACME ERP", AuthType: client.AuthTypeOAuth2CodeFlow,
			AuthorizationURL: "https://erp.example.com/authorize", TokenURL: "https://erp.example.com/token",
			Scopes: []string{"erp.read"}, ClientAuthentication: client.ClientAuthCredentialsInBody,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	create := func(c *client.Client, in client.OAuthClientInput) *client.OAuthClient {
		t.Helper()
		made, err := c.CreateOAuthClient(ctx, &in)
		if err != nil {
			t.Fatalf("creating the OAuth client %q: %v", in.Name, err)
		}
		return made
	}
	a.production = create(acme, client.OAuthClientInput{
		Name: "Procore production", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow",
		ClientID: "procore-prod", ClientSecret: "procore-prod-secret", ClientSecretExpiresAt: "2030-06-30T00:00:00Z",
		Scopes: []string{"openid", "offline_access"}, Prompts: []string{"consent"},
	})
	a.staging = create(acme, client.OAuthClientInput{
		Name: "Procore staging", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "procore-staging",
	})
	a.reporting = create(acme, client.OAuthClientInput{
		Name: "Power BI reporting", ConnectorID: powerbiID, ConnectionDefinitionKey: "oAuth2ClientCredentials",
		ClientID: "powerbi-reporting", ClientSecret: "powerbi-secret",
	})
	a.partners = create(acme, client.OAuthClientInput{
		Name: "ERP for partners", ConnectorID: a.erp.ID, ConnectionDefinitionKey: "oAuth2CodeFlow",
		ClientID: "erp-partners", ClientSecret: "erp-partners-secret", Public: true,
	})
	a.internal = create(acme, client.OAuthClientInput{
		Name: "ERP internal", ConnectorID: a.erp.ID, ConnectionDefinitionKey: "oAuth2CodeFlow",
		ClientID: "erp-internal", TokenURL: "https://erp.example.com/internal/token", ClientAuthentication: client.ClientAuthBasicAuthHeader,
	})
	a.foreignPublic = create(sb.apiClient(t, xchangeToken), client.OAuthClientInput{
		Name: "Procore for everyone", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "shared", Public: true,
	})
	a.globexPrivate = create(sb.apiClient(t, globexToken), client.OAuthClientInput{
		Name: "Globex Procore", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "globex-procore",
	})
	return a
}

// hasID is a query filter on a result's identity.
func hasID(id string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
}

// TestAccOAuthClientListResource: terraform query lists acme's own clients, and only
// them, with each filter; with include_resource the resource objects are those a
// read gives, secrets left out; globex sees none of acme's; limit is honoured.
func TestAccOAuthClientListResource(t *testing.T) {
	requireListResources(t)
	sb := startSandbox(t)
	a := makeImportableAccount(t, sb)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The configuration of the provider the lists use.
			{Config: sb.providerConfig(acmeToken)},
			// Each list, each filter.
			{
				Query: true,
				Config: fmt.Sprintf(`
list "appxchange_oauth_client" "all" {
  provider         = appxchange
  include_resource = true
}

list "appxchange_oauth_client" "client_credentials" {
  provider = appxchange
  config {
    connection_definition = "oAuth2ClientCredentials"
  }
}

list "appxchange_oauth_client" "public" {
  provider = appxchange
  config {
    public = true
  }
}

list "appxchange_oauth_client" "procore" {
  provider = appxchange
  config {
    search = "PROCORE"
  }
}

list "appxchange_oauth_client" "erp" {
  provider = appxchange
  config {
    connector_id = %q
  }
}

list "appxchange_oauth_client" "first_two" {
  provider = appxchange
  limit    = 2
}
`, a.erp.ID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("appxchange_oauth_client.all", acmeClientCount),
					querycheck.ExpectIdentity("appxchange_oauth_client.all", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.production.ID)}),
					querycheck.ExpectResourceDisplayName("appxchange_oauth_client.all", hasID(a.production.ID), knownvalue.StringExact("Procore production")),
					querycheck.ExpectResourceDisplayName("appxchange_oauth_client.all", hasID(a.partners.ID), knownvalue.StringExact("ERP for partners")),
					querycheck.ExpectResourceKnownValues("appxchange_oauth_client.all", hasID(a.partners.ID), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("public"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("client_secret_set"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("token_url"), KnownValue: knownvalue.StringExact("https://erp.example.com/token")},
						{Path: tfjsonpath.New("client_authentication"), KnownValue: knownvalue.StringExact("client_credentials_body")},
					}),
					querycheck.ExpectResourceKnownValues("appxchange_oauth_client.all", hasID(a.production.ID), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("scopes"), KnownValue: stringSet("openid", "offline_access")},
						{Path: tfjsonpath.New("prompts"), KnownValue: stringSet("consent")},
						{Path: tfjsonpath.New("client_secret_expires_at"), KnownValue: knownvalue.StringExact("2030-06-30T00:00:00Z")},
					}),
					querycheck.ExpectLength("appxchange_oauth_client.client_credentials", 1),
					querycheck.ExpectIdentity("appxchange_oauth_client.client_credentials", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.reporting.ID)}),
					querycheck.ExpectLength("appxchange_oauth_client.public", 1),
					querycheck.ExpectIdentity("appxchange_oauth_client.public", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.partners.ID)}),
					querycheck.ExpectLength("appxchange_oauth_client.procore", 2),
					querycheck.ExpectIdentity("appxchange_oauth_client.procore", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.staging.ID)}),
					querycheck.ExpectLength("appxchange_oauth_client.erp", 2),
					querycheck.ExpectIdentity("appxchange_oauth_client.erp", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.internal.ID)}),
					querycheck.ExpectLength("appxchange_oauth_client.first_two", 2),
					querycheck.ExpectTotalLengthForMatching(regexp.MustCompile(`^list\.appxchange_oauth_client\.`), acmeClientCount+1+1+2+2+2),
				},
			},
			// Globex lists its own client, none of acme's. (The tests' in-process provider
			// serves one configuration at a time, so globex is a step of its own.)
			{Config: sb.providerConfig(globexToken)},
			{
				Query: true,
				Config: `
list "appxchange_oauth_client" "globex" {
  provider = appxchange
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("appxchange_oauth_client.globex", 1),
					querycheck.ExpectIdentity("appxchange_oauth_client.globex", map[string]knownvalue.Check{"id": knownvalue.StringExact(a.globexPrivate.ID)}),
				},
			},
			// A filter the schema refuses fails before any request.
			{
				Query: true,
				Config: `
list "appxchange_oauth_client" "bad" {
  provider = appxchange
  config {
    search = ""
  }
}
`,
				ExpectError: regexp.MustCompile(`Attribute search string length must be at least 1`),
			},
		},
	})
}

// TestAccOAuthClientListResource_errors: an API that refuses the credentials, or
// fails past every retry, ends the query with an error, not with a short list; one
// that fails now and then is retried as every other call is, and the list is whole.
func TestAccOAuthClientListResource_errors(t *testing.T) {
	requireListResources(t)
	sb := startSandbox(t)
	makeImportableAccount(t, sb)
	flaky := startSandbox(t, func(c *sandbox.Config) { c.DataPath = sb.dataPath; c.FaultRate = 0.25; c.FaultSeed = 7 })
	failing := startSandbox(t, func(c *sandbox.Config) { c.DataPath = sb.dataPath; c.FaultRate = 1 })
	all := `
list "appxchange_oauth_client" "all" {
  provider = appxchange
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// 401: the credentials are refused.
			{Config: sb.providerConfig("not-a-token")},
			{
				Query:       true,
				Config:      all,
				ExpectError: regexp.MustCompile(`(?s)Unable to List OAuth Clients.*401`),
			},
			// Faults on a quarter of the requests: retried, and every client is listed.
			{Config: providerWithRetries(flaky, 10)},
			{
				Query:             true,
				Config:            all,
				QueryResultChecks: []querycheck.QueryResultCheck{querycheck.ExpectLength("appxchange_oauth_client.all", acmeClientCount)},
			},
			// Faults on every request: the retries run out, and the query fails.
			{Config: providerWithRetries(failing, 1)},
			{
				Query:       true,
				Config:      all,
				ExpectError: regexp.MustCompile(`Unable to List OAuth Clients`),
			},
		},
	})
	if st := flaky.stats(t); st.Faults == 0 {
		t.Errorf("the flaky sandbox answered no fault: %+v", st)
	}
}

// providerWithRetries is a provider block for acme on sb with max_retries set.
func providerWithRetries(sb *testSandbox, retries int) string {
	return fmt.Sprintf(`
provider "appxchange" {
  base_url     = %q
  access_token = %q
  max_retries  = %d
}
`, sb.baseURL(), acmeToken, retries)
}

// TestAccConnectorListResource: terraform query lists the connectors acme owns,
// public or not, never the platform's; the search filter narrows them.
func TestAccConnectorListResource(t *testing.T) {
	requireListResources(t)
	sb := startSandbox(t)
	a := makeImportableAccount(t, sb)
	private, err := sb.apiClient(t, acmeToken).CreateConnector(context.Background(), &client.ConnectorInput{
		Key: "acme-crm", Name: "ACME CRM",
		ConnectionDefinitions: []client.ConnectionDefinition{{Key: "apiKeyAuth", Title: "API key", AuthType: client.AuthTypeAPIKey}},
	})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: sb.providerConfig(acmeToken)},
			{
				Query: true,
				Config: `
list "appxchange_connector" "all" {
  provider         = appxchange
  include_resource = true
}

list "appxchange_connector" "crm" {
  provider = appxchange
  config {
    search = "crm"
  }
}

list "appxchange_connector" "procore" {
  provider = appxchange
  config {
    search = "procore"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("appxchange_connector.all", 2),
					querycheck.ExpectResourceDisplayName("appxchange_connector.all", hasID(a.erp.ID), knownvalue.StringExact("ACME ERP (acme-erp)")),
					querycheck.ExpectResourceKnownValues("appxchange_connector.all", hasID(a.erp.ID), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("key"), KnownValue: knownvalue.StringExact("acme-erp")},
						{Path: tfjsonpath.New("visibility"), KnownValue: knownvalue.StringExact("public")},
						{Path: tfjsonpath.New("connection_definitions").AtMapKey("oAuth2CodeFlow").AtMapKey("token_url"),
							KnownValue: knownvalue.StringExact("https://erp.example.com/token")},
					}),
					querycheck.ExpectLength("appxchange_connector.crm", 1),
					querycheck.ExpectIdentity("appxchange_connector.crm", map[string]knownvalue.Check{"id": knownvalue.StringExact(private.ID)}),
					// Procore is public and readable, but the platform's: not acme's to import.
					querycheck.ExpectLength("appxchange_connector.procore", 0),
				},
			},
		},
	})
}
