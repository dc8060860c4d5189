package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// badInput is a configuration that the product rules out. Terraform must refuse it
// at plan with an error that names the attribute and says what to write instead,
// and the API must see no write.
type badInput struct {
	name    string
	config  string // the whole configuration, provider block included
	summary string // summary of the error
	// says are phrases of the error, in order: the attribute's line as Terraform
	// shows it above the detail (which then need not name the attribute), then the
	// detail and its fix. The provider's own details end with a nested attribute's
	// path, which Terraform 1.11 and OpenTofu do not show.
	says []string
	// env is set in the environment, which the provider (running in this process) reads.
	env map[string]string
	// readsAPI marks a rule that needs the API (a connector's definitions, the
	// caller's account): it may read. Any other case must be refused before the
	// provider makes a single request, as terraform validate is.
	readsAPI bool
}

// badInputFixture is what the cases of an area refer to.
type badInputFixture struct {
	sb  *testSandbox
	own *client.Connector // acme's connector with definitions of every kind
}

// badInputArea is a group of cases, run against a sandbox of its own.
type badInputArea struct {
	name  string
	cases func(f badInputFixture) []badInput
}

// TestAccBadInput: every invalid configuration of the product specification is
// refused at plan, with an error that names the attribute and the fix, and
// without an API write.
func TestAccBadInput(t *testing.T) {
	var (
		mu     sync.Mutex
		tried  int // cases refused as they should be
		runs   int // areas (and environment cases) that ran to their end
		writes = map[string]int{}
	)
	record := func(n int, w map[string]int) {
		mu.Lock()
		defer mu.Unlock()
		tried += n
		runs++
		for k, v := range w {
			writes[k] += v
		}
	}

	// The provider reads its environment in this process: those cases run first,
	// one at a time, before any parallel test starts.
	sb := startSandbox(t)
	environment := environmentBadInputs(badInputFixture{sb: sb})
	t.Run("environment", func(t *testing.T) {
		for _, c := range environment {
			t.Run(c.name, func(t *testing.T) {
				for name, value := range c.env {
					t.Setenv(name, value)
				}
				record(1, runBadInputs(t, sb, []badInput{c}, false))
			})
		}
	})

	t.Run("configuration", func(t *testing.T) {
		for _, area := range badInputAreas {
			t.Run(area.name, func(t *testing.T) {
				sb := startSandbox(t)
				f := badInputFixture{sb: sb, own: createBadInputConnector(t, sb)}
				sb.resetStats(t)
				cases := area.cases(f)
				record(len(cases), runBadInputs(t, sb, cases, true))
			})
		}
	})

	if runs == 0 {
		t.Skip("no case ran")
	}
	total := 0
	for _, n := range writes {
		total += n
	}
	t.Logf("%d invalid configurations refused at plan, %d API writes", tried, total)
	// A table that shrinks is noticed, unless -run picked only some of it.
	if runs == len(environment)+len(badInputAreas) && tried < 30 {
		t.Errorf("only %d invalid configurations were tried; the table lost cases", tried)
	}
}

// runBadInputs plans each case once and returns the API writes they made. Each step
// checks that the case before it made no write (and no request at all unless its
// rule needs the API); the last case is checked once the test case has ended.
func runBadInputs(t *testing.T, sb *testSandbox, cases []badInput, parallel bool) map[string]int {
	t.Helper()
	writes := map[string]int{}
	check := func(c badInput) {
		st := sb.stats(t)
		w := sb.writes(t)
		if len(w) > 0 {
			t.Errorf("%s: the API saw writes: %v", c.name, w)
		}
		for k, n := range w {
			writes[k] += n
		}
		if !c.readsAPI && st.Total > 0 {
			t.Errorf("%s: a rule that needs no API made API requests: %v", c.name, st.Requests)
		}
		sb.resetStats(t)
	}
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config:      c.config,
			PlanOnly:    true,
			ExpectError: expectErrorDiagnostic(c.summary, c.says...),
		}
		if i > 0 {
			prev := cases[i-1]
			steps[i].PreConfig = func() { check(prev) }
		}
	}
	tc := resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: steps}
	if parallel {
		resource.ParallelTest(t, tc)
	} else {
		resource.Test(t, tc)
	}
	// Every step failed at plan, so the framework destroys nothing: the last case is
	// checked here, once the test case has ended.
	check(cases[len(cases)-1])
	return writes
}

// createBadInputConnector registers, through the API, a connector of acme with a
// code-flow definition that presets nothing, a password definition, and one
// definition of each auth type that takes no OAuth client.
func createBadInputConnector(t *testing.T, sb *testSandbox) *client.Connector {
	t.Helper()
	conn, err := sb.apiClient(t, acmeToken).CreateConnector(context.Background(), &client.ConnectorInput{
		Key:  "acc-bad-input",
		Name: "Bad input",
		ConnectionDefinitions: []client.ConnectionDefinition{
			{Key: "oAuth2CodeFlow", Title: "Sign in", AuthType: client.AuthTypeOAuth2CodeFlow},
			{Key: "oAuth2Password", Title: "Service user", AuthType: client.AuthTypeOAuth2Password, TokenURL: "https://erp.acme.example/token"},
			{Key: "apiKeyAuth", Title: "API key", AuthType: client.AuthTypeAPIKey},
			{Key: "basicAuth", Title: "User name and password", AuthType: client.AuthTypeBasic},
			{Key: "customAuth", Title: "Custom", AuthType: client.AuthTypeCustom},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// connectorLookup is a data source that makes Terraform configure the provider.
const connectorLookup = `data "appxchange_connector" "this" { key = "procore" }` + "\n"

// providerBlock is a provider block with these attribute lines, and connectorLookup.
func providerBlock(lines ...string) string {
	return "provider \"appxchange\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n\n" + connectorLookup
}

var badInputAreas = []badInputArea{
	{"provider", providerBadInputs},
	{"oauth_client", oauthClientBadInputs},
	{"connector", connectorBadInputs},
	{"data_sources", dataSourceBadInputs},
	{"import", importBadInputs},
}

func providerBadInputs(f badInputFixture) []badInput {
	base := fmt.Sprintf("base_url = %q", f.sb.baseURL())
	token := fmt.Sprintf("access_token = %q", acmeToken)
	tokenURL := fmt.Sprintf("token_url = %q", f.sb.url+"/oauth/token")
	id, secret := fmt.Sprintf("client_id = %q", acmeClientID), fmt.Sprintf("client_secret = %q", acmeSecret)
	withToken := func(extra string) string { return f.sb.providerConfig(acmeToken, extra) + connectorLookup }
	return []badInput{
		{name: "no credentials", config: providerBlock(base),
			summary: "Missing App Xchange Credentials",
			says: []string{"Set access_token (or the APPXCHANGE_ACCESS_TOKEN environment variable)",
				"or a service account's client_id and client_secret (or APPXCHANGE_CLIENT_ID and APPXCHANGE_CLIENT_SECRET)"}},
		{name: "no base URL", config: providerBlock(token),
			summary: "Missing App Xchange API URL",
			says:    []string{"Set base_url in the provider configuration, or the APPXCHANGE_BASE_URL environment variable", "such as https://HOST/management/v1"}},
		{name: "a token and a client ID", config: providerBlock(base, token, id),
			summary: "Invalid Attribute Combination", says: []string{"These attributes cannot be configured together: [access_token,client_id]"}},
		{name: "a token and a client secret", config: providerBlock(base, token, secret),
			summary: "Invalid Attribute Combination", says: []string{"These attributes cannot be configured together: [access_token,client_secret]"}},
		{name: "a client ID without its secret", config: providerBlock(base, tokenURL, id),
			summary: "Missing Service Account Client Secret",
			says:    []string{"client_id is set, so client_secret is needed too: set it in the provider configuration or through APPXCHANGE_CLIENT_SECRET"}},
		{name: "a client secret without its ID", config: providerBlock(base, tokenURL, secret),
			summary: "Missing Service Account Client ID",
			says:    []string{"client_secret is set, so client_id is needed too: set it in the provider configuration or through APPXCHANGE_CLIENT_ID"}},
		{name: "empty access token", config: providerBlock(base, `access_token = ""`),
			summary: "Invalid Attribute Value Length", says: []string{"Attribute access_token string length must be at least 1"}},
		{name: "empty client ID", config: providerBlock(base, `client_id = ""`, secret),
			summary: "Invalid Attribute Value Length", says: []string{"Attribute client_id string length must be at least 1"}},
		{name: "empty client secret", config: providerBlock(base, id, `client_secret = ""`),
			summary: "Invalid Attribute Value Length", says: []string{"Attribute client_secret string length must be at least 1"}},
		{name: "base_url over http", config: providerBlock(`base_url = "http://api.example.com/management/v1"`, token),
			summary: "Invalid URL", says: []string{`base_url = "http://api.example.com/management/v1"`,
				`"http://api.example.com/management/v1" uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1).`}},
		{name: "relative base_url", config: providerBlock(`base_url = "/management/v1"`, token),
			summary: "Invalid URL", says: []string{`base_url = "/management/v1"`, `"/management/v1" is not an absolute URL with a host; write it in full, such as https://example.com/path.`}},
		{name: "base_url without a host", config: providerBlock(`base_url = "https:///management/v1"`, token),
			summary: "Invalid URL", says: []string{`base_url = "https:///management/v1"`, `"https:///management/v1" is not an absolute URL with a host`}},
		{name: "base_url with a query", config: providerBlock(fmt.Sprintf("base_url = %q", f.sb.baseURL()+"?tenant=acme"), token),
			summary: "Invalid URL", says: []string{fmt.Sprintf(`base_url = %q`, f.sb.baseURL()+"?tenant=acme"),
				fmt.Sprintf(`%q has a query or a fragment, which would swallow the paths of the API;`, f.sb.baseURL()+"?tenant=acme"),
				"write the API root alone, such as https://HOST/management/v1."}},
		{name: "base_url with a fragment", config: providerBlock(fmt.Sprintf("base_url = %q", f.sb.baseURL()+"#v1"), token),
			summary: "Invalid URL", says: []string{fmt.Sprintf(`base_url = %q`, f.sb.baseURL()+"#v1"), fmt.Sprintf(`%q has a query or a fragment`, f.sb.baseURL()+"#v1")}},
		{name: "token_url over http", config: providerBlock(base, `token_url = "http://id.example.com/oauth/token"`, id, secret),
			summary: "Invalid URL", says: []string{`token_url = "http://id.example.com/oauth/token"`, `"http://id.example.com/oauth/token" uses http; use https`}},
		{name: "token_url with another scheme", config: providerBlock(base, `token_url = "ftp://id.example.com/token"`, id, secret),
			summary: "Invalid URL", says: []string{`token_url = "ftp://id.example.com/token"`,
				`"ftp://id.example.com/token" uses the scheme "ftp"; use https (http is allowed only for loopback hosts).`}},
		{name: "negative max_retries", config: providerBlock(base, token, "max_retries = -1"),
			summary: "Invalid Attribute Value", says: []string{"Attribute max_retries value must be between 0 and 20, got: -1"}},
		{name: "max_retries above 20", config: providerBlock(base, token, "max_retries = 21"),
			summary: "Invalid Attribute Value", says: []string{"Attribute max_retries value must be between 0 and 20, got: 21"}},
		{name: "request_timeout not a duration", config: withToken(`request_timeout = "soon"`),
			summary: "Invalid Duration", says: []string{`request_timeout = "soon"`, `"soon" is not a positive Go duration; write it like 30s, 90s or 2m.`}},
		{name: "request_timeout without a unit", config: withToken(`request_timeout = "30"`),
			summary: "Invalid Duration", says: []string{`request_timeout = "30"`, `"30" is not a positive Go duration`}},
		{name: "zero request_timeout", config: withToken(`request_timeout = "0s"`),
			summary: "Invalid Duration", says: []string{`request_timeout = "0s"`, `"0s" is not a positive Go duration`}},
		{name: "negative request_timeout", config: withToken(`request_timeout = "-5s"`),
			summary: "Invalid Duration", says: []string{`request_timeout = "-5s"`, `"-5s" is not a positive Go duration`}},
		{name: "scope with whitespace", config: providerBlock(base, id, secret, tokenURL, `scopes = ["read write"]`),
			summary: "Invalid Attribute Value Match", says: []string{`Attribute scopes[Value("read write")] must be one scope without whitespace`}},
		{name: "empty scope", config: providerBlock(base, id, secret, tokenURL, `scopes = [""]`),
			summary: "Invalid Attribute Value Match", says: []string{`Attribute scopes[Value("")] must be one scope without whitespace`}},
		{name: "base_url known only after apply",
			config:  `resource "terraform_data" "url" { input = "` + f.sb.baseURL() + `" }` + "\n" + providerBlock("base_url = terraform_data.url.output", token),
			summary: "Unknown App Xchange Provider Setting",
			says: []string{"base_url depends on a value that is known only after apply",
				"Set it statically in the configuration, or through the APPXCHANGE_BASE_URL environment variable"}},
		{name: "request_timeout known only after apply",
			config:  `resource "terraform_data" "timeout" { input = "30s" }` + "\n" + providerBlock(base, token, "request_timeout = terraform_data.timeout.output"),
			summary: "Unknown App Xchange Provider Setting",
			says:    []string{"request_timeout depends on a value that is known only after apply. Set it statically in the configuration."}},
	}
}

func environmentBadInputs(f badInputFixture) []badInput {
	base := fmt.Sprintf("base_url = %q", f.sb.baseURL())
	token := fmt.Sprintf("access_token = %q", acmeToken)
	return []badInput{
		{name: "APPXCHANGE_BASE_URL over http", config: providerBlock(token),
			env:     map[string]string{envBaseURL: "http://api.example.com/management/v1"},
			summary: "Invalid URL", says: []string{`The value of the APPXCHANGE_BASE_URL environment variable is invalid: "http://api.example.com/management/v1" uses http; use https`}},
		{name: "APPXCHANGE_BASE_URL with a query", config: providerBlock(token),
			env:     map[string]string{envBaseURL: f.sb.baseURL() + "?tenant=acme"},
			summary: "Invalid URL", says: []string{fmt.Sprintf(`The value of the APPXCHANGE_BASE_URL environment variable is invalid: %q has a query or a fragment`, f.sb.baseURL()+"?tenant=acme")}},
		{name: "APPXCHANGE_TOKEN_URL with another scheme", config: providerBlock(base, `client_id = "id"`, `client_secret = "secret"`),
			env:     map[string]string{envTokenURL: "ftp://id.example.com/token"},
			summary: "Invalid URL", says: []string{`The value of the APPXCHANGE_TOKEN_URL environment variable is invalid: "ftp://id.example.com/token" uses the scheme "ftp"; use https`}},
		{name: "APPXCHANGE_MAX_RETRIES not a number", config: providerBlock(base, token),
			env:     map[string]string{envMaxRetries: "many"},
			summary: "Invalid Retry Count", says: []string{`The value of the APPXCHANGE_MAX_RETRIES environment variable is invalid: "many" is not a whole number from 0 to 20; set it to a number such as 4.`}},
		{name: "APPXCHANGE_MAX_RETRIES above 20", config: providerBlock(base, token),
			env:     map[string]string{envMaxRetries: "21"},
			summary: "Invalid Retry Count", says: []string{`The value of the APPXCHANGE_MAX_RETRIES environment variable is invalid: "21" is not a whole number from 0 to 20`}},
		{name: "both credential forms in the environment", config: providerBlock(base),
			env:     map[string]string{envAccessToken: acmeToken, envClientID: acmeClientID, envClientSecret: acmeSecret},
			summary: "Conflicting App Xchange Credentials",
			says:    []string{"Use one credential form: access_token (APPXCHANGE_ACCESS_TOKEN), or client_id and client_secret (APPXCHANGE_CLIENT_ID, APPXCHANGE_CLIENT_SECRET), not both."}},
		{name: "APPXCHANGE_CLIENT_ID without its secret", config: providerBlock(base),
			env:     map[string]string{envClientID: acmeClientID},
			summary: "Missing Service Account Client Secret", says: []string{"client_id is set, so client_secret is needed too", "APPXCHANGE_CLIENT_SECRET"}},
	}
}

func oauthClientBadInputs(f badInputFixture) []badInput {
	clientConfig := func(connectorID, definition, lines string) string {
		return f.sb.providerConfig(acmeToken) + fmt.Sprintf(`
resource "appxchange_oauth_client" "bad" {
  name                  = "bad"
  connector_id          = %q
  connection_definition = %q
  client_id             = "app"
%s
}
`, connectorID, definition, lines)
	}
	procore := func(lines string) string { return clientConfig(procoreID, "oAuth2CodeFlow", lines) }
	withName := func(name string) string {
		return strings.Replace(procore(""), `name                  = "bad"`, fmt.Sprintf("name = %q", name), 1)
	}
	withClientID := func(id string) string {
		return strings.Replace(procore(""), `client_id             = "app"`, fmt.Sprintf("client_id = %q", id), 1)
	}
	own := f.own.ID
	length := "Invalid Attribute Value Length"
	return []badInput{
		// Static rules: terraform validate refuses them without the API.
		{name: "empty name", config: withName(""), summary: length, says: []string{"Attribute name string length must be between 1 and 200, got: 0"}},
		{name: "long name", config: withName(strings.Repeat("n", 201)), summary: length, says: []string{"Attribute name string length must be between 1 and 200, got: 201"}},
		{name: "empty client_id", config: withClientID(""), summary: length, says: []string{"Attribute client_id string length must be between 1 and 500, got: 0"}},
		{name: "long client_id", config: withClientID(strings.Repeat("c", 501)), summary: length, says: []string{"Attribute client_id string length must be between 1 and 500, got: 501"}},
		{name: "empty connector_id", config: clientConfig("", "oAuth2CodeFlow", ""), summary: length, says: []string{"Attribute connector_id string length must be at least 1, got: 0"}},
		{name: "malformed definition key", config: clientConfig(procoreID, "oauth2 code flow", ""), summary: "Invalid Attribute Value Match",
			says: []string{"Attribute connection_definition must be a connection definition key such as oAuth2CodeFlow"}},
		{name: "both secret forms", config: procore("client_secret = \"a\"\nclient_secret_wo = \"b\"\nclient_secret_wo_version = 1"),
			summary: "Invalid Attribute Combination", says: []string{`Attribute "client_secret_wo" cannot be specified when "client_secret" is specified`}},
		{name: "write-only secret without version", config: procore(`client_secret_wo = "b"`),
			summary: "Invalid Attribute Combination", says: []string{`Attribute "client_secret_wo_version" must be specified when "client_secret_wo" is specified`}},
		{name: "version without write-only secret", config: procore(`client_secret_wo_version = 1`),
			summary: "Invalid Attribute Combination", says: []string{`Attribute "client_secret_wo" must be specified when "client_secret_wo_version" is specified`}},
		{name: "version below 1", config: procore("client_secret_wo = \"b\"\nclient_secret_wo_version = 0"),
			summary: "Invalid Attribute Value", says: []string{"Attribute client_secret_wo_version value must be at least 1, got: 0"}},
		{name: "empty secret", config: procore(`client_secret = ""`), summary: length, says: []string{"Attribute client_secret string length must be between 1 and 4096, got: 0"}},
		{name: "long secret", config: procore(fmt.Sprintf("client_secret = %q", strings.Repeat("s", 4097))), summary: length,
			says: []string{"Attribute client_secret string length must be between 1 and 4096, got: 4097"}},
		{name: "empty write-only secret", config: procore("client_secret_wo = \"\"\nclient_secret_wo_version = 1"), summary: length,
			says: []string{"Attribute client_secret_wo string length must be between 1 and 4096, got: 0"}},
		{name: "expiry not RFC 3339", config: procore(`client_secret_expires_at = "31/01/2027"`), summary: "Invalid Timestamp",
			says: []string{`client_secret_expires_at = "31/01/2027"`,
				`"31/01/2027" is not an RFC 3339 timestamp; write a date, time and offset such as 2027-01-31T00:00:00Z or 2027-01-31T09:00:00+09:00.`}},
		{name: "expiry without an offset", config: procore(`client_secret_expires_at = "2027-01-31T00:00:00"`), summary: "Invalid Timestamp",
			says: []string{`client_secret_expires_at = "2027-01-31T00:00:00"`, `"2027-01-31T00:00:00" is not an RFC 3339 timestamp`}},
		{name: "expiry before the year 1", config: procore(`client_secret_expires_at = "0000-06-01T00:00:00Z"`), summary: "Invalid Timestamp",
			says: []string{`client_secret_expires_at = "0000-06-01T00:00:00Z"`, `"0000-06-01T00:00:00Z" falls outside the years 1 to 9999 in UTC; write a date within them.`}},
		{name: "authorization_url over http", config: procore(`authorization_url = "http://auth.example.com/authorize"`), summary: "Invalid URL",
			says: []string{`authorization_url = "http://auth.example.com/authorize"`, `"http://auth.example.com/authorize" uses http; use https`}},
		{name: "authorization_url on a host named like localhost", config: procore(`authorization_url = "http://localhost.example.com/authorize"`), summary: "Invalid URL",
			says: []string{`authorization_url = "http://localhost.example.com/authorize"`,
				`"http://localhost.example.com/authorize" uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1).`}},
		{name: "relative token_url", config: procore(`token_url = "/oauth/token"`), summary: "Invalid URL",
			says: []string{`token_url = "/oauth/token"`, `"/oauth/token" is not an absolute URL with a host`}},
		{name: "token_url without a host", config: procore(`token_url = "https:///oauth/token"`), summary: "Invalid URL",
			says: []string{`token_url = "https:///oauth/token"`, `"https:///oauth/token" is not an absolute URL with a host`}},
		{name: "refresh_url with another scheme", config: procore(`refresh_url = "ftp://auth.example.com/refresh"`), summary: "Invalid URL",
			says: []string{`refresh_url = "ftp://auth.example.com/refresh"`, `"ftp://auth.example.com/refresh" uses the scheme "ftp"; use https`}},
		{name: "empty scopes", config: procore(`scopes = []`), summary: "Empty Value",
			says: []string{"scopes = []", "The value must not be empty: the API does not keep empty values, so omit the attribute instead."}},
		{name: "scope with whitespace", config: procore(`scopes = ["openid profile"]`), summary: "Invalid Attribute Value Match",
			says: []string{`Attribute scopes[Value("openid profile")] must be one scope without whitespace; write "a b" as two elements`}},
		{name: "empty scope", config: procore(`scopes = [""]`), summary: length,
			says: []string{`Attribute scopes[Value("")] string length must be between 1 and 200, got: 0`}},
		{name: "unknown prompt", config: procore(`prompts = ["always"]`), summary: "Invalid Attribute Value Match",
			says: []string{`Attribute prompts[Value("always")] value must be one of: ["none" "login" "consent" "select_account" "create"], got: "always"`}},
		{name: "none with another prompt", config: procore(`prompts = ["none", "login"]`), summary: "Invalid Combination",
			says: []string{`prompts = ["none", "login"]`, `"none" cannot be combined with another element; keep only "none", or remove it.`}},
		{name: "empty prompts", config: procore(`prompts = []`), summary: "Empty Value",
			says: []string{"prompts = []", "The value must not be empty: the API does not keep empty values, so omit the attribute instead."}},
		{name: "unknown client authentication", config: procore(`client_authentication = "BasicAuthHeader"`), summary: "Invalid Attribute Value Match",
			says: []string{`Attribute client_authentication value must be one of: ["basic_auth_header" "client_credentials_body"], got: "BasicAuthHeader"`}},

		// Rules of the connection definition, read from the connector at plan.
		{name: "unknown connector", config: clientConfig("00000000-0000-4000-8000-000000000000", "oAuth2CodeFlow", ""), readsAPI: true,
			summary: "Connector Not Found",
			says: []string{`No connector with id "00000000-0000-4000-8000-000000000000" is visible to your account.`,
				"Use the id of a public connector or of one your account owns"}},
		{name: "unknown definition", config: clientConfig(procoreID, "oAuth2ClientCredentials", ""), readsAPI: true,
			summary: "Connection Definition Not Found",
			says:    []string{`Connector "procore" has no connection definition "oAuth2ClientCredentials". Its definitions are: "apiKeyAuth", "oAuth2CodeFlow".`}},
		{name: "api_key definition", config: clientConfig(procoreID, "apiKeyAuth", ""), readsAPI: true,
			summary: "Not an OAuth Connection Definition",
			says: []string{`"apiKeyAuth" of connector "procore" has the auth type api_key, and OAuth clients do not apply to it`,
				"Pick a definition of auth type oauth2_code_flow, oauth2_client_credentials or oauth2_password."}},
		{name: "basic definition", config: clientConfig(own, "basicAuth", ""), readsAPI: true,
			summary: "Not an OAuth Connection Definition",
			says:    []string{`"basicAuth" of connector "acc-bad-input" has the auth type basic, and OAuth clients do not apply to it`}},
		{name: "custom definition", config: clientConfig(own, "customAuth", ""), readsAPI: true,
			summary: "Not an OAuth Connection Definition",
			says:    []string{`"customAuth" of connector "acc-bad-input" has the auth type custom, and OAuth clients do not apply to it`}},
		{name: "code flow without authorization URL", config: clientConfig(own, "oAuth2CodeFlow", ""), readsAPI: true,
			summary: "Missing Authorization URL",
			says:    []string{`The connection definition "oAuth2CodeFlow" (oauth2_code_flow) presets no authorization URL. Set the URL where users authorize the app`}},
		{name: "client credentials with an authorization URL", readsAPI: true,
			config:  clientConfig(powerbiID, "oAuth2ClientCredentials", "client_secret = \"s\"\nauthorization_url = \"https://a.example.com\""),
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2ClientCredentials" (oauth2_client_credentials) does not use it. Remove it.`}},
		{name: "client credentials with a refresh URL", readsAPI: true,
			config:  clientConfig(powerbiID, "oAuth2ClientCredentials", "client_secret = \"s\"\nrefresh_url = \"https://a.example.com\""),
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2ClientCredentials" (oauth2_client_credentials) does not use it. Remove it.`}},
		{name: "client credentials with prompts", readsAPI: true,
			config:  clientConfig(powerbiID, "oAuth2ClientCredentials", "client_secret = \"s\"\nprompts = [\"consent\"]"),
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2ClientCredentials" (oauth2_client_credentials) does not use it. Remove it.`}},
		{name: "password flow with an authorization URL", config: clientConfig(own, "oAuth2Password", `authorization_url = "https://a.example.com"`), readsAPI: true,
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2Password" (oauth2_password) does not use it. Remove it.`}},
		{name: "password flow with a refresh URL", config: clientConfig(own, "oAuth2Password", `refresh_url = "https://a.example.com"`), readsAPI: true,
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2Password" (oauth2_password) does not use it. Remove it.`}},
		{name: "password flow with prompts", config: clientConfig(own, "oAuth2Password", `prompts = ["login"]`), readsAPI: true,
			summary: "Attribute Not Used by This Definition",
			says:    []string{`The connection definition "oAuth2Password" (oauth2_password) does not use it. Remove it.`}},
		{name: "client credentials without a secret", config: clientConfig(powerbiID, "oAuth2ClientCredentials", ""), readsAPI: true,
			summary: "Missing Client Secret",
			says: []string{`The connection definition "oAuth2ClientCredentials" (oauth2_client_credentials) needs a client secret.`,
				"Set client_secret, or client_secret_wo with client_secret_wo_version."}},
		{name: "public on a foreign connector", config: procore(`public = true`), readsAPI: true,
			summary: "Public Client Not Allowed",
			says: []string{`Only the owner of connector "procore" (account "xchange") may make its OAuth clients public, and your account is "acme".`,
				"Remove public, or set it to false."}},
	}
}

func connectorBadInputs(f badInputFixture) []badInput {
	config := func(definitions string, extra ...string) string {
		return f.sb.providerConfig(acmeToken) + connectorConfig(definitions, extra...)
	}
	withKey := func(key string) string {
		return strings.Replace(config(apiKeyDefinition), `"acc-rules"`, fmt.Sprintf("%q", key), 1)
	}
	keyRule := "must be 2 to 63 characters of lowercase letters, digits and -, starting with a letter or digit, such as my-crm"
	oneOf := "Invalid Attribute Value Match"
	preset := "OAuth Preset on a Non-OAuth Definition"
	return []badInput{
		{name: "key with capitals and an underscore", config: withKey("Acc_Rules"), summary: oneOf, says: []string{"Attribute key " + keyRule + `, got: Acc_Rules`}},
		{name: "key of one character", config: withKey("a"), summary: oneOf, says: []string{"Attribute key " + keyRule + ", got: a"}},
		{name: "key starting with a dash", config: withKey("-crm"), summary: oneOf, says: []string{"Attribute key " + keyRule + ", got: -crm"}},
		{name: "key of 64 characters", config: withKey(strings.Repeat("k", 64)), summary: oneOf, says: []string{"Attribute key " + keyRule}},
		{name: "empty name", config: strings.Replace(config(apiKeyDefinition), `"Acceptance rules"`, `""`, 1),
			summary: "Invalid Attribute Value Length", says: []string{"Attribute name string length must be between 1 and 200, got: 0"}},
		{name: "empty description", config: config(apiKeyDefinition, `description = ""`), summary: "Empty Value",
			says: []string{`description = ""`, "The value must not be empty: the API does not keep empty values, so omit the attribute instead."}},
		{name: "visibility", config: config(apiKeyDefinition, `visibility = "private"`), summary: oneOf,
			says: []string{`Attribute visibility value must be one of: ["account" "public"], got: "private"`}},
		{name: "no definitions", config: config(""), summary: "Invalid Attribute Value",
			says: []string{"Attribute connection_definitions map must contain at least 1 elements and at most 50 elements, got: 0"}},
		{name: "definition key pattern", config: config(`"api-key" = { title = "API key", auth_type = "api_key" }`), summary: oneOf,
			says: []string{`Attribute connection_definitions["api-key"] must be a camelCase name such as oAuth2CodeFlow`}},
		{name: "auth type", config: config(`apiKeyAuth = { title = "API key", auth_type = "apiKey" }`), summary: oneOf,
			says: []string{`Attribute connection_definitions["apiKeyAuth"].auth_type value must be one of: ["api_key" "basic" "custom" "oauth2_client_credentials" "oauth2_code_flow" "oauth2_password"], got: "apiKey"`}},
		{name: "definition without auth type", config: config(`apiKeyAuth = { title = "API key" }`), summary: "Incorrect attribute value type",
			says: []string{`Inappropriate value for attribute "connection_definitions": element "apiKeyAuth": attribute "auth_type" is required.`}},
		{name: "definition without title", config: config(`apiKeyAuth = { auth_type = "api_key" }`), summary: "Incorrect attribute value type",
			says: []string{`Inappropriate value for attribute "connection_definitions": element "apiKeyAuth": attribute "title" is required.`}},
		{name: "empty title", config: config(`apiKeyAuth = { title = "", auth_type = "api_key" }`), summary: "Invalid Attribute Value Length",
			says: []string{`Attribute connection_definitions["apiKeyAuth"].title string length must be between 1 and 200, got: 0`}},
		{name: "empty definition description", config: config(`apiKeyAuth = { title = "API key", description = "", auth_type = "api_key" }`), summary: "Empty Value",
			says: []string{`The value must not be empty: the API does not keep empty values, so omit the attribute instead. The attribute is connection_definitions["apiKeyAuth"].description.`}},
		{name: "authorization URL preset on an API key definition",
			config:  config(`apiKeyAuth = { title = "API key", auth_type = "api_key", authorization_url = "https://crm.example.com/authorize" }`),
			summary: preset,
			says: []string{`The connection definition "apiKeyAuth" has auth_type "api_key", but authorization_url is an OAuth 2.0 preset: ` +
				`it applies only when auth_type is oauth2_code_flow, oauth2_client_credentials or oauth2_password.`,
				"Remove authorization_url, or change auth_type."}},
		{name: "token URL preset on an API key definition", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", token_url = "https://crm.example.com/token" }`),
			summary: preset, says: []string{`The connection definition "apiKeyAuth" has auth_type "api_key", but token_url is an OAuth 2.0 preset`, "Remove token_url"}},
		{name: "refresh URL preset on a basic definition", config: config(`basicAuth = { title = "Basic", auth_type = "basic", refresh_url = "https://crm.example.com/refresh" }`),
			summary: preset, says: []string{`The connection definition "basicAuth" has auth_type "basic", but refresh_url is an OAuth 2.0 preset`, "Remove refresh_url"}},
		{name: "scopes preset on a basic definition", config: config(`basicAuth = { title = "Basic", auth_type = "basic", scopes = ["read"] }`),
			summary: preset, says: []string{`The connection definition "basicAuth" has auth_type "basic", but scopes is an OAuth 2.0 preset`, "Remove scopes"}},
		{name: "client authentication preset on a custom definition", config: config(`customAuth = { title = "Custom", auth_type = "custom", client_authentication = "basic_auth_header" }`),
			summary: preset, says: []string{`The connection definition "customAuth" has auth_type "custom", but client_authentication is an OAuth 2.0 preset`, "Remove client_authentication"}},
		{name: "authorization URL preset over http", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_code_flow", authorization_url = "http://crm.example.com/authorize" }`),
			summary: "Invalid URL", says: []string{`"http://crm.example.com/authorize" uses http; use https`, `The attribute is connection_definitions["oAuth2"].authorization_url.`}},
		{name: "relative refresh URL preset", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_password", refresh_url = "/refresh" }`),
			summary: "Invalid URL", says: []string{`"/refresh" is not an absolute URL with a host`, `The attribute is connection_definitions["oAuth2"].refresh_url.`}},
		{name: "token URL preset with another scheme", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_client_credentials", token_url = "ftp://crm.example.com/token" }`),
			summary: "Invalid URL", says: []string{`"ftp://crm.example.com/token" uses the scheme "ftp"; use https (http is allowed only for loopback hosts). ` +
				`The attribute is connection_definitions["oAuth2"].token_url.`}},
		{name: "client authentication", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_client_credentials", client_authentication = "basicAuthHeader" }`),
			summary: oneOf, says: []string{`Attribute connection_definitions["oAuth2"].client_authentication value must be one of: ["basic_auth_header" "client_credentials_body"], got: "basicAuthHeader"`}},
		{name: "empty scopes", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_code_flow", scopes = [] }`), summary: "Empty Value",
			says: []string{`The value must not be empty: the API does not keep empty values, so omit the attribute instead. The attribute is connection_definitions["oAuth2"].scopes.`}},
		{name: "scope with whitespace", config: config(`oAuth2 = { title = "OAuth", auth_type = "oauth2_code_flow", scopes = ["read write"] }`), summary: oneOf,
			says: []string{`Attribute connection_definitions["oAuth2"].scopes[Value("read write")] must be one scope without whitespace; write each scope as its own element`}},
		{name: "empty properties", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = {} }`), summary: "Empty Value",
			says: []string{`The value must not be empty: the API does not keep empty values, so omit the attribute instead. The attribute is connection_definitions["apiKeyAuth"].properties.`}},
		{name: "property key pattern", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { "api key" = { title = "Key", type = "string" } } }`),
			summary: oneOf, says: []string{`Attribute connection_definitions["apiKeyAuth"].properties["api key"] must be a camelCase name such as tenantId`}},
		{name: "property without type", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { key = { title = "Key" } } }`),
			summary: "Incorrect attribute value type", says: []string{`Inappropriate value for attribute "connection_definitions": element "apiKeyAuth": attribute "properties": element "key": attribute "type" is required.`}},
		{name: "property type", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { key = { title = "Key", type = "text" } } }`),
			summary: oneOf, says: []string{`Attribute connection_definitions["apiKeyAuth"].properties["key"].type value must be one of: ["string" "enum" "bool" "number"], got: "text"`}},
		{name: "empty property title", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { key = { title = "", type = "string" } } }`),
			summary: "Invalid Attribute Value Length", says: []string{`Attribute connection_definitions["apiKeyAuth"].properties["key"].title string length must be between 1 and 200, got: 0`}},
		{name: "empty property description", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { key = { title = "Key", description = "", type = "string" } } }`),
			summary: "Empty Value", says: []string{"The value must not be empty", `so omit the attribute instead. The attribute is connection_definitions["apiKeyAuth"].properties["key"].description.`}},
		{name: "enum without values", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "enum" } } }`),
			summary: "Missing Enum Values",
			says:    []string{`The property "env" of the connection definition "apiKeyAuth" has type "enum" but no enum_values: list the values a connection may choose from.`}},
		{name: "enum values on a string", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "string", enum_values = ["a"] } } }`),
			summary: "Enum Values on a Non-Enum Property",
			says: []string{`The property "env" of the connection definition "apiKeyAuth" has type "string", and enum_values applies only when type is "enum".`,
				`Remove enum_values, or set type = "enum".`}},
		{name: "enum values on a bool", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "bool", enum_values = ["yes", "no"] } } }`),
			summary: "Enum Values on a Non-Enum Property",
			says:    []string{`The property "env" of the connection definition "apiKeyAuth" has type "bool", and enum_values applies only when type is "enum".`}},
		{name: "empty enum values", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "enum", enum_values = [] } } }`),
			summary: "Empty Value", says: []string{"The value must not be empty", `The attribute is connection_definitions["apiKeyAuth"].properties["env"].enum_values.`}},
		{name: "empty enum value", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "enum", enum_values = ["prod", ""] } } }`),
			summary: "Invalid Attribute Value Length", says: []string{`Attribute connection_definitions["apiKeyAuth"].properties["env"].enum_values[1] string length must be at least 1, got: 0`}},
		{name: "repeated enum values", config: config(`apiKeyAuth = { title = "API key", auth_type = "api_key", properties = { env = { title = "Env", type = "enum", enum_values = ["a", "a"] } } }`),
			summary: "Duplicate List Value",
			says:    []string{`"a" appears more than once; list each value once. The attribute is connection_definitions["apiKeyAuth"].properties["env"].enum_values.`}},
	}
}

func dataSourceBadInputs(f badInputFixture) []badInput {
	config := func(hcl string) string { return f.sb.providerConfig(acmeToken) + hcl }
	combination := "Invalid Attribute Combination"
	length := "Invalid Attribute Value Length"
	return []badInput{
		{name: "connector by neither id nor key", config: config(`data "appxchange_connector" "this" {}`),
			summary: "Missing Attribute Configuration", says: []string{"Exactly one of these attributes must be configured: [id,key]"}},
		{name: "connector by id and key", config: config(fmt.Sprintf(`data "appxchange_connector" "this" {
  id  = %q
  key = "procore"
}`, procoreID)), summary: combination, says: []string{"Exactly one of these attributes must be configured: [id,key]"}},
		{name: "connector by an empty id", config: config(`data "appxchange_connector" "this" { id = "" }`),
			summary: length, says: []string{"Attribute id string length must be at least 1, got: 0"}},
		{name: "connector by an empty key", config: config(`data "appxchange_connector" "this" { key = "" }`),
			summary: length, says: []string{"Attribute key string length must be at least 1, got: 0"}},
		{name: "connectors searched for an empty text", config: config(`data "appxchange_connectors" "this" { search = "" }`),
			summary: length, says: []string{"Attribute search string length must be at least 1, got: 0"}},
		{name: "connectors of an unknown visibility", config: config(`data "appxchange_connectors" "this" { visibility = "private" }`),
			summary: "Invalid Attribute Value Match", says: []string{`Attribute visibility value must be one of: ["public" "account"], got: "private"`}},
		{name: "OAuth client by neither id nor name", config: config(`data "appxchange_oauth_client" "this" {}`),
			summary: "Missing Attribute Configuration", says: []string{"Exactly one of these attributes must be configured: [id,name]"}},
		{name: "OAuth client by id and name", config: config(`data "appxchange_oauth_client" "this" {
  id   = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
  name = "shared"
}`), summary: combination, says: []string{"Exactly one of these attributes must be configured: [id,name]"}},
		{name: "OAuth client by an empty id", config: config(`data "appxchange_oauth_client" "this" { id = "" }`),
			summary: length, says: []string{"Attribute id string length must be at least 1, got: 0"}},
		{name: "OAuth client by an empty name", config: config(`data "appxchange_oauth_client" "this" { name = "" }`),
			summary: length, says: []string{"Attribute name string length must be between 1 and 200, got: 0"}},
		{name: "OAuth client narrowed to an empty connector_id", config: config(`data "appxchange_oauth_client" "this" {
  name         = "shared"
  connector_id = ""
}`), summary: length, says: []string{"Attribute connector_id string length must be at least 1, got: 0"}},
		{name: "OAuth clients searched for an empty text", config: config(`data "appxchange_oauth_clients" "this" { search = "" }`),
			summary: length, says: []string{"Attribute search string length must be at least 1, got: 0"}},
		{name: "OAuth clients of an empty connector_id", config: config(`data "appxchange_oauth_clients" "this" { connector_id = "" }`),
			summary: length, says: []string{"Attribute connector_id string length must be at least 1, got: 0"}},
		{name: "OAuth clients of an empty definition", config: config(`data "appxchange_oauth_clients" "this" { connection_definition = "" }`),
			summary: length, says: []string{"Attribute connection_definition string length must be at least 1, got: 0"}},
	}
}

// importBadInputs are import blocks, which Terraform runs at plan.
func importBadInputs(f badInputFixture) []badInput {
	config := func(id, resource string) string {
		return f.sb.providerConfig(acmeToken) + fmt.Sprintf(`
import {
  to = %s.imported
  id = %q
}
`, strings.Trim(strings.Fields(resource)[1], `"`), id) + resource
	}
	oauthClient := fmt.Sprintf(`resource "appxchange_oauth_client" "imported" {
  name                  = "Made in the web app"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "web-app-client"
}
`, procoreID)
	connector := `resource "appxchange_connector" "imported" {
  key                    = "acc-imported"
  name                   = "Imported"
  connection_definitions = { apiKeyAuth = { title = "API key", auth_type = "api_key" } }
}
`
	return []badInput{
		{name: "OAuth client by its name", config: config("Made in the web app", oauthClient), summary: "Invalid Import ID",
			says: []string{`"Made in the web app" is not an OAuth client id. Import an OAuth client by its id, a UUID such as 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b`}},
		{name: "connector by its bare key", config: config("acc-imported", connector), summary: "Invalid Import ID",
			says: []string{`"acc-imported" is neither a connector id nor a key. Import a connector by its id, a UUID such as`, "or by its key written as key:KEY, such as key:my-crm."}},
		{name: "connector by a key that breaks the pattern", config: config("key:Acc_Imported", connector), summary: "Invalid Import ID",
			says: []string{`"key:Acc_Imported" is neither a connector id nor a key.`}},
	}
}
