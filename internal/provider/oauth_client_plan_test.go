package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/timestamp"
)

// planConnector is a connector of the account "acme" with a definition of every auth
// type: a code flow with presets, a code flow and a client-credentials flow without
// any, a password flow, and three that are not OAuth.
func planConnector() *client.Connector {
	return &client.Connector{
		ID: "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01", Key: "crm", OwnerAccountID: "acme",
		ConnectionDefinitions: []client.ConnectionDefinition{
			{Key: "codePresets", AuthType: client.AuthTypeOAuth2CodeFlow, AuthorizationURL: "https://crm.example/authorize",
				TokenURL: "https://crm.example/token", ClientAuthentication: client.ClientAuthCredentialsInBody},
			{Key: "codeBare", AuthType: client.AuthTypeOAuth2CodeFlow},
			{Key: "clientCredentials", AuthType: client.AuthTypeOAuth2ClientCredentials},
			{Key: "password", AuthType: client.AuthTypeOAuth2Password},
			{Key: "apiKey", AuthType: client.AuthTypeAPIKey},
			{Key: "basic", AuthType: client.AuthTypeBasic},
			{Key: "custom", AuthType: client.AuthTypeCustom},
		},
	}
}

// planConfig is the configuration of a client on the definition key with nothing
// optional set; change sets more.
func planConfig(key string, change func(*oauthClientModel)) *oauthClientModel {
	null := types.StringNull()
	m := &oauthClientModel{
		ID: types.StringUnknown(), Name: types.StringValue("CRM app"), ConnectorID: types.StringValue(planConnector().ID),
		ConnectionDefinition: types.StringValue(key), ClientID: types.StringValue("crm-app"),
		ClientSecret: null, ClientSecretWO: null, ClientSecretWOVersion: types.Int64Null(), ClientSecretSet: types.BoolUnknown(),
		ClientSecretExpiresAt: timestamp.Null(), AuthorizationURL: null, TokenURL: null, RefreshURL: null,
		Scopes: types.SetNull(types.StringType), Prompts: types.SetNull(types.StringType), ClientAuthentication: null,
		Public: types.BoolValue(false), AccountID: types.StringUnknown(), CreatedAt: types.StringUnknown(), UpdatedAt: types.StringUnknown(),
	}
	if change != nil {
		change(m)
	}
	return m
}

// proposed is the new state Terraform proposes for config: the write-only secret
// null, and where the configuration leaves a computed attribute out, the state's
// value (unknown at create).
func proposed(config, state *oauthClientModel) *oauthClientModel {
	p := *config
	p.ClientSecretWO = types.StringNull()
	if state == nil {
		if p.TokenURL.IsNull() {
			p.TokenURL = types.StringUnknown()
		}
		if p.ClientAuthentication.IsNull() {
			p.ClientAuthentication = types.StringUnknown()
		}
		return &p
	}
	p.ID, p.AccountID, p.CreatedAt, p.UpdatedAt, p.ClientSecretSet = state.ID, state.AccountID, state.CreatedAt, state.UpdatedAt, state.ClientSecretSet
	if p.TokenURL.IsNull() {
		p.TokenURL = state.TokenURL
	}
	if p.ClientAuthentication.IsNull() {
		p.ClientAuthentication = state.ClientAuthentication
	}
	return &p
}

// applied is the state after config was applied on the definition's connector.
func applied(config *oauthClientModel) *oauthClientModel {
	s := *proposed(config, nil)
	s.ID, s.AccountID = types.StringValue("3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"), types.StringValue("acme")
	s.CreatedAt, s.UpdatedAt = types.StringValue("2026-01-02T03:04:05Z"), types.StringValue("2026-01-02T03:04:05Z")
	s.ClientSecretSet = types.BoolValue(!config.ClientSecret.IsNull() || !config.ClientSecretWO.IsNull())
	s.TokenURL, s.ClientAuthentication = types.StringValue("https://crm.example/token"), types.StringValue("client_credentials_body")
	return &s
}

// wantDiag is a diagnostic a plan must have: its attribute (empty for none), its
// summary and a part of its detail.
type wantDiag struct {
	attribute, summary, detail string
}

// checkDiags fails unless diags are exactly the errors of want, in order.
func checkDiags(t *testing.T, diags diag.Diagnostics, want []wantDiag) {
	t.Helper()
	errs := diags.Errors()
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(errs), len(want), diags)
	}
	for i, w := range want {
		d := errs[i]
		at := ""
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			at = withPath.Path().String()
		}
		if at != w.attribute || d.Summary() != w.summary || !strings.Contains(d.Detail(), w.detail) {
			t.Errorf("error %d is %q at %q: %s\nwant %q at %q containing %q", i, d.Summary(), at, d.Detail(), w.summary, w.attribute, w.detail)
		}
		if w.attribute != "" && strings.HasPrefix(d.Detail(), w.attribute+":") {
			t.Errorf("error %d repeats the attribute name that Terraform prints: %s", i, d.Detail())
		}
	}
}

// The rules of a connection definition (PRODUCT.md §2, plan-time validation), each
// at create, on the connector as the API or the plan has it.
func TestPlanOAuthClientDefinitionRules(t *testing.T) {
	withSecret := func(m *oauthClientModel) { m.ClientSecret = types.StringValue("s3cret") }
	for _, tc := range []struct {
		name    string
		config  *oauthClientModel
		account string
		want    []wantDiag
	}{
		{"a definition the connector lacks lists the ones it has", planConfig("oAuth2CodeFlow", nil), "", []wantDiag{{
			"connection_definition", "Connection Definition Not Found",
			`Connector "crm" has no connection definition "oAuth2CodeFlow". Its definitions are: "apiKey", "basic", "clientCredentials", "codeBare", "codePresets", "custom", "password".`,
		}}},
		{"api_key is not OAuth", planConfig("apiKey", withSecret), "", []wantDiag{{
			"connection_definition", "Not an OAuth Connection Definition", `"apiKey" of connector "crm" has the auth type api_key, and OAuth clients do not apply to it.`,
		}}},
		{"basic is not OAuth", planConfig("basic", withSecret), "", []wantDiag{{
			"connection_definition", "Not an OAuth Connection Definition", "has the auth type basic",
		}}},
		{"custom is not OAuth", planConfig("custom", withSecret), "", []wantDiag{{
			"connection_definition", "Not an OAuth Connection Definition", "has the auth type custom",
		}}},
		{"code flow without a preset needs authorization_url", planConfig("codeBare", nil), "", []wantDiag{{
			"authorization_url", "Missing Authorization URL", `The connection definition "codeBare" (oauth2_code_flow) presets no authorization URL.`,
		}}},
		{"code flow with authorization_url", planConfig("codeBare", func(m *oauthClientModel) {
			m.AuthorizationURL = types.StringValue("https://crm.example/auth")
		}), "", nil},
		{"code flow with a preset", planConfig("codePresets", nil), "", nil},
		{"client credentials use no authorization_url, refresh_url or prompts", planConfig("clientCredentials", func(m *oauthClientModel) {
			withSecret(m)
			m.AuthorizationURL = types.StringValue("https://crm.example/auth")
			m.RefreshURL = types.StringValue("https://crm.example/refresh")
			m.Prompts = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("login")})
		}), "", []wantDiag{
			{"authorization_url", "Attribute Not Used by This Definition", `The connection definition "clientCredentials" (oauth2_client_credentials) does not use it. Remove it.`},
			{"refresh_url", "Attribute Not Used by This Definition", "does not use it"},
			{"prompts", "Attribute Not Used by This Definition", "does not use it"},
		}},
		{"password uses no refresh_url", planConfig("password", func(m *oauthClientModel) {
			m.RefreshURL = types.StringValue("https://crm.example/refresh")
		}), "", []wantDiag{{"refresh_url", "Attribute Not Used by This Definition", `"password" (oauth2_password) does not use it`}}},
		{"an unknown refresh_url breaks no rule yet", planConfig("password", func(m *oauthClientModel) {
			m.RefreshURL = types.StringUnknown()
		}), "", nil},
		{"client credentials need a secret at create", planConfig("clientCredentials", nil), "", []wantDiag{{
			"client_secret", "Missing Client Secret", "Set client_secret, or client_secret_wo with client_secret_wo_version.",
		}}},
		{"a write-only secret will do", planConfig("clientCredentials", func(m *oauthClientModel) {
			m.ClientSecretWO, m.ClientSecretWOVersion = types.StringValue("s3cret"), types.Int64Value(1)
		}), "", nil},
		{"public on the owner's connector", planConfig("codePresets", func(m *oauthClientModel) { m.Public = types.BoolValue(true) }), "acme", nil},
		{"public on another account's connector", planConfig("codePresets", func(m *oauthClientModel) { m.Public = types.BoolValue(true) }), "globex", []wantDiag{{
			"public", "Public Client Not Allowed", `Only the owner of connector "crm" (account "acme") may make its OAuth clients public, and your account is "globex".`,
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := oauthClientPlanInput{Config: tc.config, Proposed: proposed(tc.config, nil), Connector: planConnector(), Account: tc.account}
			if needsAccount(tc.config, in.Connector) != (tc.account != "") {
				t.Fatalf("needsAccount is %v; the case says the account is %q", tc.account == "", tc.account)
			}
			_, judged, diags := planOAuthClient(in)
			checkDiags(t, diags, tc.want)
			if isDefinitionMissing(tc.want) != (judged == nil) {
				t.Errorf("judged is %v", judged)
			}
		})
	}
}

// isDefinitionMissing reports whether want is about a definition that cannot be used,
// when the other rules are not judged.
func isDefinitionMissing(want []wantDiag) bool {
	return len(want) == 1 && want[0].attribute == "connection_definition"
}

// Defaults of token_url and client_authentication, where the configuration leaves
// them out: the definition's preset, else the API's default, unknown while the
// connector is; kept as they are on update unless the configuration just stopped
// setting them.
func TestPlanOAuthClientDefaults(t *testing.T) {
	unknown := types.StringUnknown()
	set := func(m *oauthClientModel) {
		m.TokenURL, m.ClientAuthentication = types.StringValue("https://own.example/token"), types.StringValue("basic_auth_header")
	}
	made := applied(planConfig("codePresets", nil))
	madeWithOwn := applied(planConfig("codePresets", set))
	madeWithOwn.TokenURL, madeWithOwn.ClientAuthentication = types.StringValue("https://own.example/token"), types.StringValue("basic_auth_header")
	for _, tc := range []struct {
		name       string
		config     *oauthClientModel
		state      *oauthClientModel
		configured configuredDefaults
		connector  *client.Connector
		tokenURL   types.String
		clientAuth types.String
	}{
		{"the definition's presets", planConfig("codePresets", nil), nil, configuredDefaults{}, planConnector(),
			types.StringValue("https://crm.example/token"), types.StringValue("client_credentials_body")},
		{"the API's defaults", planConfig("password", nil), nil, configuredDefaults{}, planConnector(),
			types.StringValue(DefaultTokenURL), types.StringValue("basic_auth_header")},
		{"unknown while the connector is", planConfig("password", nil), nil, configuredDefaults{}, nil, unknown, unknown},
		{"configured values", planConfig("codePresets", set), nil, configuredDefaults{}, planConnector(),
			types.StringValue("https://own.example/token"), types.StringValue("basic_auth_header")},
		{"kept on update though the preset changed", planConfig("codePresets", nil), made, configuredDefaults{}, func() *client.Connector {
			c := planConnector()
			c.ConnectionDefinitions[0].TokenURL = "https://crm.example/v2/token"
			return c
		}(), types.StringValue("https://crm.example/token"), types.StringValue("client_credentials_body")},
		{"back to the preset once no longer configured", planConfig("codePresets", nil), madeWithOwn,
			configuredDefaults{TokenURL: true, ClientAuthentication: true}, planConnector(),
			types.StringValue("https://crm.example/token"), types.StringValue("client_credentials_body")},
		{"kept after an import, which recorded nothing", planConfig("codePresets", nil), madeWithOwn, configuredDefaults{}, planConnector(),
			types.StringValue("https://own.example/token"), types.StringValue("basic_auth_header")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, _, diags := planOAuthClient(oauthClientPlanInput{
				Config: tc.config, Proposed: proposed(tc.config, tc.state), State: tc.state, Configured: tc.configured, Connector: tc.connector,
			})
			checkDiags(t, diags, nil)
			if !plan.TokenURL.Equal(tc.tokenURL) || !plan.ClientAuthentication.Equal(tc.clientAuth) {
				t.Errorf("token_url %v, client_authentication %v; want %v, %v", plan.TokenURL, plan.ClientAuthentication, tc.tokenURL, tc.clientAuth)
			}
		})
	}
}

// The secret lifecycle as the plan shows it: client_secret_set is unknown exactly
// when the update sends or clears the secret.
func TestPlanOAuthClientSecretSet(t *testing.T) {
	str, null := types.StringValue, types.StringNull()
	secret := func(s types.String, wo types.String, version types.Int64) func(*oauthClientModel) {
		return func(m *oauthClientModel) { m.ClientSecret, m.ClientSecretWO, m.ClientSecretWOVersion = s, wo, version }
	}
	for _, tc := range []struct {
		name          string
		before, after func(*oauthClientModel)
		unknown       bool
	}{
		{"same secret", secret(str("a"), null, types.Int64Null()), secret(str("a"), null, types.Int64Null()), false},
		{"new secret", secret(str("a"), null, types.Int64Null()), secret(str("b"), null, types.Int64Null()), true},
		{"write-only, same version", secret(null, str("a"), types.Int64Value(1)), secret(null, str("b"), types.Int64Value(1)), false},
		{"write-only, new version", secret(null, str("a"), types.Int64Value(1)), secret(null, str("b"), types.Int64Value(2)), true},
		{"secret removed", secret(str("a"), null, types.Int64Null()), secret(null, null, types.Int64Null()), true},
		{"secret to write-only", secret(str("a"), null, types.Int64Null()), secret(null, str("b"), types.Int64Value(1)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := applied(planConfig("password", tc.before))
			state.ClientSecretWO = null
			config := planConfig("password", func(m *oauthClientModel) { tc.after(m); m.Name = types.StringValue("renamed") })
			plan, _, diags := planOAuthClient(oauthClientPlanInput{Config: config, Proposed: proposed(config, state), State: state, Connector: planConnector()})
			checkDiags(t, diags, nil)
			if plan.ClientSecretSet.IsUnknown() != tc.unknown || (!tc.unknown && !plan.ClientSecretSet.Equal(state.ClientSecretSet)) {
				t.Errorf("client_secret_set is %v; want unknown %v", plan.ClientSecretSet, tc.unknown)
			}
			if !plan.ClientSecretWO.IsNull() {
				t.Errorf("the plan holds the write-only secret")
			}
		})
	}
}

// A plan that leaves the client as it is is not judged: a connector's presets may
// change under clients that were valid when made. Any change is judged, and makes
// updated_at unknown. An instant written with another offset is no change.
func TestPlanOAuthClientUnchangedIsNotJudged(t *testing.T) {
	config := planConfig("codeBare", func(m *oauthClientModel) {
		m.AuthorizationURL = types.StringValue("https://crm.example/auth")
		m.ClientSecretExpiresAt = timestamp.New("2030-01-01T00:00:00Z")
	})
	state := applied(config)
	// The preset it relied on is gone and authorization_url is removed: a change, judged.
	noURL := planConfig("codeBare", func(m *oauthClientModel) { m.ClientSecretExpiresAt = timestamp.New("2030-01-01T00:00:00Z") })
	plan, judged, diags := planOAuthClient(oauthClientPlanInput{Config: noURL, Proposed: proposed(noURL, state), State: state, Connector: planConnector()})
	checkDiags(t, diags, []wantDiag{{"authorization_url", "Missing Authorization URL", "presets no authorization URL"}})
	if judged == nil || judged.Creating || !plan.UpdatedAt.IsUnknown() {
		t.Errorf("a change was judged %+v with updated_at %v", judged, plan.UpdatedAt)
	}

	// The same instant at another offset, on a connector whose definition the client
	// no longer fits: no change, not judged, the state's spelling kept.
	sameInstant := planConfig("codeBare", func(m *oauthClientModel) {
		m.AuthorizationURL = types.StringValue("https://crm.example/auth")
		m.ClientSecretExpiresAt = timestamp.New("2030-01-01T01:00:00+01:00")
	})
	moved := planConnector()
	moved.ConnectionDefinitions[1].AuthType = client.AuthTypeOAuth2Password
	plan, judged, diags = planOAuthClient(oauthClientPlanInput{Config: sameInstant, Proposed: proposed(sameInstant, state), State: state, Connector: moved})
	checkDiags(t, diags, nil)
	if judged != nil || !sameModel(&plan, state) {
		t.Errorf("an unchanged client was judged (%+v) or planned as %+v, want the state %+v", judged, plan, *state)
	}

	// A client-credentials client without a secret is fine on update: only a create needs one.
	cc := planConfig("clientCredentials", nil)
	ccState := applied(cc)
	renamed := planConfig("clientCredentials", func(m *oauthClientModel) { m.Name = types.StringValue("renamed") })
	_, judged, diags = planOAuthClient(oauthClientPlanInput{Config: renamed, Proposed: proposed(renamed, ccState), State: ccState, Connector: planConnector()})
	checkDiags(t, diags, nil)
	if judged == nil {
		t.Error("a renamed client was not judged")
	}
}

// With the connector not known until apply, nothing is judged and the defaults are
// unknown: the API applies the same rules at apply.
func TestPlanOAuthClientConnectorUnknown(t *testing.T) {
	config := planConfig("clientCredentials", func(m *oauthClientModel) { m.ConnectorID = types.StringUnknown() })
	plan, judged, diags := planOAuthClient(oauthClientPlanInput{Config: config, Proposed: proposed(config, nil)})
	checkDiags(t, diags, nil)
	if judged != nil || !plan.TokenURL.IsUnknown() || !plan.ClientAuthentication.IsUnknown() {
		t.Errorf("judged %+v, token_url %v, client_authentication %v", judged, plan.TokenURL, plan.ClientAuthentication)
	}
}

func TestSecretChange(t *testing.T) {
	str, null := types.StringValue, types.StringNull()
	num, none := types.Int64Value, types.Int64Null()
	model := func(secret types.String, wo types.String, version types.Int64) *oauthClientModel {
		return &oauthClientModel{ClientSecret: secret, ClientSecretWO: wo, ClientSecretWOVersion: version}
	}
	for _, c := range []struct {
		name          string
		config, state *oauthClientModel
		want          secretAction
		sent          string
	}{
		{"same secret", model(str("a"), null, none), model(str("a"), null, none), secretKeep, ""},
		{"new secret", model(str("b"), null, none), model(str("a"), null, none), secretSend, "b"},
		{"secret set after import", model(str("b"), null, none), model(null, null, none), secretSend, "b"},
		{"secret unknown at plan", model(types.StringUnknown(), null, none), model(str("a"), null, none), secretSend, ""},
		{"write-only, same version", model(null, str("new"), num(1)), model(null, null, num(1)), secretKeep, ""},
		{"write-only, new version", model(null, str("new"), num(2)), model(null, null, num(1)), secretSend, "new"},
		{"secret to write-only", model(null, str("wo"), num(1)), model(str("a"), null, none), secretSend, "wo"},
		{"write-only to secret", model(str("a"), null, none), model(null, null, num(3)), secretSend, "a"},
		{"secret removed", model(null, null, none), model(str("a"), null, none), secretClear, ""},
		{"write-only removed", model(null, null, none), model(null, null, num(2)), secretClear, ""},
		{"never had one (imported)", model(null, null, none), model(null, null, none), secretKeep, ""},
	} {
		plan := *c.config
		plan.ClientSecretWO = null
		got, secret := secretChange(c.config, &plan, c.state)
		if got != c.want || secret.ValueString() != c.sent {
			t.Errorf("%s: got %v sending %q, want %v sending %q", c.name, got, secret.ValueString(), c.want, c.sent)
		}
	}
}
