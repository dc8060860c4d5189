package provider

import (
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// The plan of an OAuth client is decided here, from plain values: the resource's
// ModifyPlan gathers them (decoding the request, reading the connector and the
// caller's account), calls planOAuthClient and sets the plan it returns. Every rule
// of the plan is in this file, and oauth_client_plan_test.go tests each one without
// Terraform or an API.

// oauthClientPlanInput is what the plan of an OAuth client is decided from.
type oauthClientPlanInput struct {
	// Config is the configuration, write-only secret included; Proposed is the new
	// state Terraform proposes: the configuration, with the state's values for
	// computed attributes that it leaves out.
	Config, Proposed *oauthClientModel
	// State is the prior state; nil when the plan creates the client.
	State *oauthClientModel
	// Configured says which defaulted attributes the configuration set at the last apply.
	Configured configuredDefaults
	// Connector is the connector the client will meet at apply; nil when it is not
	// known until apply, when the API applies the same rules.
	Connector *client.Connector
	// Account is the id of the caller's account. Only the check of a public client
	// needs it (see needsAccount); it is empty when it was not looked up.
	Account string
}

// planOAuthClient returns the planned client and the problems of the plan:
//   - an unchanged instant written with another offset keeps the state's spelling;
//   - client_secret_set is unknown when the plan sends or clears the secret;
//   - token_url and client_authentication, where the configuration leaves them out,
//     get the definition's preset or the API's default (see fillDefaults);
//   - a plan that leaves the client as it is ends there: it is not judged again;
//   - otherwise updated_at is unknown, and the definition's rules apply (judgeOAuthClient).
//
// judged is what the rules judged, or nil when the plan leaves the client as it is
// or the connector is not known until apply.
func planOAuthClient(in oauthClientPlanInput) (plan oauthClientModel, judged *clientJudgement, diags diag.Diagnostics) {
	plan = *in.Proposed
	def, diags := findDefinition(in.Connector, plan.ConnectionDefinition)
	if diags.HasError() {
		return plan, nil, diags
	}
	if state := in.State; state != nil {
		if plan.ClientSecretExpiresAt.SameInstant(state.ClientSecretExpiresAt) {
			plan.ClientSecretExpiresAt = state.ClientSecretExpiresAt
		}
		plan.ClientSecretSet = state.ClientSecretSet
		if action, _ := secretChange(in.Config, &plan, state); action != secretKeep {
			plan.ClientSecretSet = types.BoolUnknown()
		}
	}
	plan.fillDefaults(in.Config, in.State, in.Configured, def)
	if in.State != nil {
		// updated_at changes only with the client. An unchanged client is not judged
		// again: a connector's presets may change under clients that were valid when
		// made, and a plan with nothing to do must not fail.
		plan.UpdatedAt = in.State.UpdatedAt
		if sameModel(&plan, in.State) {
			return plan, nil, diags
		}
		plan.UpdatedAt = types.StringUnknown()
	}
	if def == nil {
		return plan, nil, diags
	}
	judged = &clientJudgement{Config: in.Config, Creating: in.State == nil, Account: in.Account}
	diags.Append(judgeOAuthClient(*judged, in.Connector)...)
	return plan, judged, diags
}

// findDefinition returns the connection definition that key names on conn; nil,
// without diagnostics, when the connector or the key is not known until apply.
func findDefinition(conn *client.Connector, key types.String) (*client.ConnectionDefinition, diag.Diagnostics) {
	var diags diag.Diagnostics
	if conn == nil || key.IsUnknown() || key.IsNull() {
		return nil, diags
	}
	var keys []string
	for i := range conn.ConnectionDefinitions {
		def := &conn.ConnectionDefinitions[i]
		if def.Key != key.ValueString() {
			keys = append(keys, def.Key)
			continue
		}
		if !isOAuthAuthType(def.AuthType) {
			diags.AddAttributeError(path.Root("connection_definition"), "Not an OAuth Connection Definition",
				fmt.Sprintf("%q of connector %q has the auth type %s, and OAuth clients do not apply to it. "+
					"Pick a definition of auth type oauth2_code_flow, oauth2_client_credentials or oauth2_password.",
					def.Key, conn.Key, authTypes.toTerraform(def.AuthType)))
			return nil, diags
		}
		return def, diags
	}
	slices.Sort(keys)
	diags.AddAttributeError(path.Root("connection_definition"), "Connection Definition Not Found",
		fmt.Sprintf("Connector %q has no connection definition %q. Its definitions are: %s.", conn.Key, key.ValueString(), quoted(keys)))
	return nil, diags
}

// clientJudgement is what the definition rules judge of a planned client.
type clientJudgement struct {
	Config   *oauthClientModel
	Creating bool
	Account  string
}

// needsAccount reports whether judging a client on conn needs the caller's account:
// only a public client does, on a connector that says who owns it.
func needsAccount(config *oauthClientModel, conn *client.Connector) bool {
	return config.Public.ValueBool() && conn != nil && conn.OwnerAccountID != ""
}

// judgeOAuthClient applies the rules that depend on the connector: its definition
// must exist and be OAuth 2.0, the definition's auth type decides which attributes
// are required or not used, and only the connector's owner may make a client public.
func judgeOAuthClient(j clientJudgement, conn *client.Connector) diag.Diagnostics {
	config := j.Config
	def, diags := findDefinition(conn, config.ConnectionDefinition)
	if def == nil {
		return diags
	}
	authType := authTypes.toTerraform(def.AuthType)
	switch def.AuthType {
	case client.AuthTypeOAuth2CodeFlow:
		if config.AuthorizationURL.IsNull() && def.AuthorizationURL == "" {
			diags.AddAttributeError(path.Root("authorization_url"), "Missing Authorization URL",
				fmt.Sprintf("The connection definition %q (%s) presets no authorization URL. "+
					"Set the URL where users authorize the app at the external service.", def.Key, authType))
		}
	case client.AuthTypeOAuth2ClientCredentials, client.AuthTypeOAuth2Password:
		for _, a := range []struct {
			name string
			set  bool
		}{
			{"authorization_url", isSet(config.AuthorizationURL)},
			{"refresh_url", isSet(config.RefreshURL)},
			{"prompts", isSet(config.Prompts)},
		} {
			if a.set {
				diags.AddAttributeError(path.Root(a.name), "Attribute Not Used by This Definition",
					fmt.Sprintf("The connection definition %q (%s) does not use it. Remove it.", def.Key, authType))
			}
		}
		if def.AuthType == client.AuthTypeOAuth2ClientCredentials && j.Creating && config.ClientSecret.IsNull() && config.ClientSecretWO.IsNull() {
			diags.AddAttributeError(path.Root("client_secret"), "Missing Client Secret",
				fmt.Sprintf("The connection definition %q (%s) needs a client secret. "+
					"Set client_secret, or client_secret_wo with client_secret_wo_version.", def.Key, authType))
		}
	}
	if needsAccount(config, conn) && j.Account != conn.OwnerAccountID {
		diags.AddAttributeError(path.Root("public"), "Public Client Not Allowed",
			fmt.Sprintf("Only the owner of connector %q (account %q) may make its OAuth clients public, and your account is %q. "+
				"Remove public, or set it to false.", conn.Key, conn.OwnerAccountID, j.Account))
	}
	return diags
}

// secretAction is what an update does with the client secret.
type secretAction int

const (
	secretKeep  secretAction = iota // send nothing
	secretSend                      // send a new secret
	secretClear                     // clear the secret at the API
)

// secretChange decides the secret lifecycle of an update: client_secret is sent when
// its value changes, client_secret_wo only when client_secret_wo_version changes, and
// the secret is cleared when every secret attribute that the state had is removed.
// With secretSend it returns the secret to send, which may be unknown in a plan.
func secretChange(config, plan, state *oauthClientModel) (secretAction, types.String) {
	switch {
	case !plan.ClientSecret.IsNull() && !plan.ClientSecret.Equal(state.ClientSecret):
		return secretSend, plan.ClientSecret
	case !plan.ClientSecretWOVersion.IsNull() && !plan.ClientSecretWOVersion.Equal(state.ClientSecretWOVersion):
		return secretSend, config.ClientSecretWO
	case plan.ClientSecret.IsNull() && plan.ClientSecretWOVersion.IsNull() &&
		(!state.ClientSecret.IsNull() || !state.ClientSecretWOVersion.IsNull()):
		return secretClear, types.StringNull()
	}
	return secretKeep, types.StringNull()
}

// fillDefaults plans token_url and client_authentication where the configuration
// omits them. At create, and when the configuration has just stopped setting one, it
// is the definition's preset, else the API's default (unknown while the definition
// is). Otherwise the client keeps the value it has: a connector's owner changing a
// preset does not change the clients made from it.
func (m *oauthClientModel) fillDefaults(config, state *oauthClientModel, before configuredDefaults, def *client.ConnectionDefinition) {
	if config.TokenURL.IsNull() {
		switch {
		case state != nil && !before.TokenURL:
			m.TokenURL = state.TokenURL
		case def == nil:
			m.TokenURL = types.StringUnknown()
		case def.TokenURL != "":
			m.TokenURL = types.StringValue(def.TokenURL)
		default:
			m.TokenURL = types.StringValue(DefaultTokenURL)
		}
	}
	if config.ClientAuthentication.IsNull() {
		switch {
		case state != nil && !before.ClientAuthentication:
			m.ClientAuthentication = state.ClientAuthentication
		case def == nil:
			m.ClientAuthentication = types.StringUnknown()
		case def.ClientAuthentication != "":
			m.ClientAuthentication = types.StringValue(clientAuthentications.toTerraform(def.ClientAuthentication))
		default:
			m.ClientAuthentication = types.StringValue(clientAuthentications.toTerraform(client.ClientAuthBasicAuthHeader))
		}
	}
}

func isOAuthAuthType(authType string) bool {
	return authType == client.AuthTypeOAuth2CodeFlow || authType == client.AuthTypeOAuth2ClientCredentials ||
		authType == client.AuthTypeOAuth2Password
}
