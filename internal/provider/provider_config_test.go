package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

func nullModel() providerModel {
	return providerModel{
		BaseURL: types.StringNull(), AccessToken: types.StringNull(), ClientID: types.StringNull(), ClientSecret: types.StringNull(),
		TokenURL: types.StringNull(), Scopes: types.SetNull(types.StringType), MaxRetries: types.Int64Null(), RequestTimeout: types.StringNull(),
	}
}

func TestClientConfig(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		model  func(m *providerModel)
		env    map[string]string
		errors []string // each must appear in the diagnostics; none means success
		check  func(t *testing.T, m providerModel, got client.Config)
	}{
		{
			name: "token from the configuration, defaults",
			model: func(m *providerModel) {
				m.BaseURL = types.StringValue("https://api.example.com/management/v1")
				m.AccessToken = types.StringValue("t")
			},
			check: func(t *testing.T, _ providerModel, got client.Config) {
				if got.AccessToken != "t" || got.MaxRetries != 4 || got.RequestTimeout != 30*time.Second || got.TokenURL != DefaultTokenURL || got.ClientID != "" {
					t.Errorf("%+v", got)
				}
			},
		},
		{
			name: "everything from the environment",
			env: map[string]string{envBaseURL: "http://127.0.0.1:8089/management/v1", envClientID: "id", envClientSecret: "secret",
				envTokenURL: "http://localhost:8089/oauth/token", envMaxRetries: "7"},
			check: func(t *testing.T, _ providerModel, got client.Config) {
				if got.BaseURL != "http://127.0.0.1:8089/management/v1" || got.ClientID != "id" || got.ClientSecret != "secret" ||
					got.TokenURL != "http://localhost:8089/oauth/token" || got.MaxRetries != 7 || got.AccessToken != "" {
					t.Errorf("%+v", got)
				}
			},
		},
		{
			name: "the configuration wins over the environment",
			model: func(m *providerModel) {
				m.BaseURL = types.StringValue("https://config.example.com")
				m.ClientID, m.ClientSecret = types.StringValue("cid"), types.StringValue("csecret")
				m.MaxRetries, m.RequestTimeout = types.Int64Value(0), types.StringValue("2m")
				m.Scopes = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a")})
			},
			env: map[string]string{envBaseURL: "https://env.example.com", envAccessToken: "env-token", envMaxRetries: "9"},
			check: func(t *testing.T, _ providerModel, got client.Config) {
				if got.BaseURL != "https://config.example.com" || got.AccessToken != "" || got.ClientID != "cid" || got.MaxRetries != 0 ||
					got.RequestTimeout != 2*time.Minute || len(got.Scopes) != 1 {
					t.Errorf("%+v", got)
				}
			},
		},
		{
			name: "a service account split between the configuration and the environment",
			model: func(m *providerModel) {
				m.BaseURL, m.ClientID = types.StringValue("https://api.example.com"), types.StringValue("cid")
			},
			env: map[string]string{envClientSecret: "env-secret", envAccessToken: "env-token"},
			check: func(t *testing.T, _ providerModel, got client.Config) {
				if got.ClientID != "cid" || got.ClientSecret != "env-secret" || got.AccessToken != "" {
					t.Errorf("%+v", got)
				}
			},
		},
		{
			name: "a token in the configuration keeps a service account of the environment out",
			model: func(m *providerModel) {
				m.BaseURL, m.AccessToken = types.StringValue("https://api.example.com"), types.StringValue("t")
			},
			env: map[string]string{envClientID: "env-id", envClientSecret: "env-secret"},
			check: func(t *testing.T, _ providerModel, got client.Config) {
				if got.AccessToken != "t" || got.ClientID != "" || got.ClientSecret != "" {
					t.Errorf("%+v", got)
				}
			},
		},
		{
			name:   "no base URL",
			model:  func(m *providerModel) { m.AccessToken = types.StringValue("t") },
			errors: []string{"Missing App Xchange API URL", "base_url", envBaseURL},
		},
		{
			name:   "no credentials",
			model:  func(m *providerModel) { m.BaseURL = types.StringValue("https://api.example.com") },
			errors: []string{"Missing App Xchange Credentials", "access_token", envAccessToken, "client_id", "client_secret", envClientID, envClientSecret},
		},
		{
			name:   "both credential forms from the environment",
			env:    map[string]string{envBaseURL: "https://api.example.com", envAccessToken: "t", envClientID: "id", envClientSecret: "s"},
			errors: []string{"Conflicting App Xchange Credentials"},
		},
		{
			name:   "client id without secret",
			env:    map[string]string{envBaseURL: "https://api.example.com", envClientID: "id"},
			errors: []string{"client_secret", envClientSecret},
		},
		{
			name: "insecure base URL from the environment",
			env:  map[string]string{envBaseURL: "http://api.example.com", envAccessToken: "t"},
			errors: []string{"The value of the APPXCHANGE_BASE_URL environment variable is invalid: " +
				`"http://api.example.com" uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1).` + "\nbase_url\n"},
		},
		{
			name: "insecure token URL from the environment",
			env:  map[string]string{envBaseURL: "https://api.example.com", envClientID: "id", envClientSecret: "s", envTokenURL: "ftp://x"},
			errors: []string{"The value of the APPXCHANGE_TOKEN_URL environment variable is invalid: " +
				`"ftp://x" uses the scheme "ftp"; use https (http is allowed only for loopback hosts).` + "\ntoken_url\n"},
		},
		{
			name: "bad retries in the environment",
			env:  map[string]string{envBaseURL: "https://api.example.com", envAccessToken: "t", envMaxRetries: "many"},
			errors: []string{"The value of the APPXCHANGE_MAX_RETRIES environment variable is invalid: " +
				`"many" is not a whole number from 0 to 20; set it to a number such as 4.` + "\nmax_retries\n"},
		},
		{
			name: "unknown values",
			model: func(m *providerModel) {
				m.BaseURL, m.AccessToken, m.RequestTimeout = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
			},
			errors: []string{"Unknown App Xchange Provider Setting", "base_url", envBaseURL, "access_token", envAccessToken,
				"request_timeout depends on a value that is known only after apply. Set it statically in the configuration.\n"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := nullModel()
			if tc.model != nil {
				tc.model(&m)
			}
			got, diags := clientConfig(ctx, m, func(name string) (string, bool) { v, ok := tc.env[name]; return v, ok })
			var said strings.Builder
			for _, d := range diags {
				said.WriteString(d.Summary() + ": " + d.Detail() + "\n")
				if p, ok := d.(diag.DiagnosticWithPath); ok {
					said.WriteString(p.Path().String() + "\n")
					// Terraform shows the attribute above the detail.
					if strings.HasPrefix(d.Detail(), p.Path().String()) {
						t.Errorf("the detail starts with the attribute: %s", d.Detail())
					}
				}
			}
			if len(tc.errors) == 0 {
				if diags.HasError() {
					t.Fatalf("unexpected errors:\n%s", said.String())
				}
				tc.check(t, m, got)
				return
			}
			if !diags.HasError() {
				t.Fatalf("no error, want %v", tc.errors)
			}
			for _, want := range tc.errors {
				if !strings.Contains(said.String(), want) {
					t.Errorf("the diagnostics do not mention %q:\n%s", want, said.String())
				}
			}
		})
	}
}

// TestAccProviderConfiguration: the credential forms against the API. Configurations
// refused at plan (missing or conflicting credentials, URLs, durations) are cases of
// TestAccBadInput.
func TestAccProviderConfiguration(t *testing.T) {
	sb := startSandbox(t)
	lookup := `data "appxchange_connector" "this" { key = "procore" }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// A wrong token is the API's 401, told clearly.
			{
				Config:      sb.providerConfig("not-a-token") + lookup,
				ExpectError: regexp.MustCompile(`(?s)Unable to Read Connector.*401`),
			},
			// A service account: the client-credentials grant at the sandbox's token endpoint.
			{
				Config: `provider "appxchange" {` + "\n" + `base_url = "` + sb.baseURL() + `"` + "\n" + `token_url = "` + sb.url + `/oauth/token"` + "\n" +
					`client_id = "` + acmeClientID + `"` + "\n" + `client_secret = "` + acmeSecret + `"` + "\n}\n" + lookup,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("id"), knownvalue.StringExact(procoreID)),
				},
			},
			// A refused service-account secret says so.
			{
				Config: `provider "appxchange" {` + "\n" + `base_url = "` + sb.baseURL() + `"` + "\n" + `token_url = "` + sb.url + `/oauth/token"` + "\n" +
					`client_id = "` + acmeClientID + `"` + "\n" + `client_secret = "wrong"` + "\n}\n" + lookup,
				ExpectError: regexp.MustCompile(`invalid_client`),
			},
		},
	})
	if n := sb.stats(t).Requests["POST /oauth/token 200"]; n == 0 {
		t.Fatal("the service account never fetched a token")
	}
}

func TestAccProviderEnvironment(t *testing.T) {
	sb := startSandbox(t)
	t.Setenv(envBaseURL, sb.baseURL())
	t.Setenv(envAccessToken, acmeToken)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// An empty provider block: everything comes from the environment.
			{
				Config: `data "appxchange_connector" "this" { key = "powerbi" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("id"), knownvalue.StringExact(powerbiID)),
				},
			},
		},
	})
}

func TestAccProviderServiceAccountSecretFromEnvironment(t *testing.T) {
	sb := startSandbox(t)
	t.Setenv(envClientSecret, acmeSecret)
	t.Setenv(envAccessToken, "a-token-exported-for-other-tools")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The client ID in HCL, its secret from the environment; the exported token stays out.
			{
				Config: `provider "appxchange" {` + "\n" + `base_url = "` + sb.baseURL() + `"` + "\n" + `token_url = "` + sb.url + `/oauth/token"` + "\n" +
					`client_id = "` + acmeClientID + `"` + "\n}\n" + `data "appxchange_connector" "this" { key = "procore" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.appxchange_connector.this", tfjsonpath.New("id"), knownvalue.StringExact(procoreID)),
				},
			},
		},
	})
}

func TestProviderModelMatchesSchema(t *testing.T) {
	ctx := context.Background()
	var resp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	m := nullModel()
	if diags := state.Set(ctx, &m); diags.HasError() {
		t.Fatalf("the model does not match the schema: %v", diags)
	}
	if diags := state.Get(ctx, &m); diags.HasError() {
		t.Fatalf("the schema does not match the model: %v", diags)
	}
}
