package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/timestamp"
	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

var (
	_ resource.Resource                = (*oauthClientResource)(nil)
	_ resource.ResourceWithConfigure   = (*oauthClientResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*oauthClientResource)(nil)
	_ resource.ResourceWithImportState = (*oauthClientResource)(nil)
	_ resource.ResourceWithIdentity    = (*oauthClientResource)(nil)
)

// NewOAuthClientResource is the appxchange_oauth_client resource.
func NewOAuthClientResource() resource.Resource { return &oauthClientResource{} }

type oauthClientResource struct {
	data *providerData
}

type oauthClientModel struct {
	ID                    types.String    `tfsdk:"id"`
	Name                  types.String    `tfsdk:"name"`
	ConnectorID           types.String    `tfsdk:"connector_id"`
	ConnectionDefinition  types.String    `tfsdk:"connection_definition"`
	ClientID              types.String    `tfsdk:"client_id"`
	ClientSecret          types.String    `tfsdk:"client_secret"`
	ClientSecretWO        types.String    `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64     `tfsdk:"client_secret_wo_version"`
	ClientSecretSet       types.Bool      `tfsdk:"client_secret_set"`
	ClientSecretExpiresAt timestamp.Value `tfsdk:"client_secret_expires_at"`
	AuthorizationURL      types.String    `tfsdk:"authorization_url"`
	TokenURL              types.String    `tfsdk:"token_url"`
	RefreshURL            types.String    `tfsdk:"refresh_url"`
	Scopes                types.Set       `tfsdk:"scopes"`
	Prompts               types.Set       `tfsdk:"prompts"`
	ClientAuthentication  types.String    `tfsdk:"client_authentication"`
	Public                types.Bool      `tfsdk:"public"`
	AccountID             types.String    `tfsdk:"account_id"`
	CreatedAt             types.String    `tfsdk:"created_at"`
	UpdatedAt             types.String    `tfsdk:"updated_at"`
}

// Prompts an OAuth client may send, and the pattern of connection definition keys.
var (
	promptValues         = []string{"none", "login", "consent", "select_account", "create"}
	definitionKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	uuidPattern          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func (r *oauthClientResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_client"
}

func (r *oauthClientResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	urlValidators := []validator.String{stringvalidator.LengthAtMost(2000), validators.URL()}
	resp.Schema = schema.Schema{
		Description: "Manages an OAuth client: the client ID, secret and URLs of an app registered at an external service, " +
			"which connections of a connector's OAuth 2.0 connection definition use. " +
			"Do not make a company- or customer-specific client public.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   "ID (UUID) of the OAuth client, assigned by App Xchange.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Description: "Descriptive name of the OAuth client, 1 to 200 characters.",
				Required:    true,
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 200)},
			},
			"connector_id": schema.StringAttribute{
				Description:   "ID of the connector the client is used with. Changing it replaces the client.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"connection_definition": schema.StringAttribute{
				MarkdownDescription: "Key of the connector's connection definition the client serves, such as `oAuth2CodeFlow`. " +
					"Its auth type must be OAuth 2.0 (`oauth2_code_flow`, `oauth2_client_credentials` or `oauth2_password`). " +
					"Changing it replaces the client.",
				Required: true,
				Validators: []validator.String{stringvalidator.RegexMatches(definitionKeyPattern,
					"must be a connection definition key such as oAuth2CodeFlow (a letter, then letters, digits or _; at most 64)")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"client_id": schema.StringAttribute{
				Description: "Client ID of the app at the external service, 1 to 500 characters.",
				Required:    true,
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 500)},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Client secret of the app, kept (sensitive) in the state. It is sent when it is created or changed. " +
					"Conflicts with `client_secret_wo`. Removing every secret attribute clears the secret at App Xchange.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 4096),
					stringvalidator.ConflictsWith(path.MatchRoot("client_secret_wo")),
				},
			},
			"client_secret_wo": schema.StringAttribute{
				MarkdownDescription: "Client secret of the app, never stored in the plan or state (write-only; Terraform 1.11 or later). " +
					"It is sent on create and then only when `client_secret_wo_version` changes: change the version to rotate the secret. " +
					"Needs `client_secret_wo_version`; conflicts with `client_secret`.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 4096),
					stringvalidator.AlsoRequires(path.MatchRoot("client_secret_wo_version")),
				},
			},
			"client_secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `client_secret_wo`, 1 or more; changing it sends the write-only secret. Requires `client_secret_wo`.",
				Optional:            true,
				Validators: []validator.Int64{
					int64validator.AtLeast(1),
					int64validator.AlsoRequires(path.MatchRoot("client_secret_wo")),
				},
			},
			"client_secret_set": schema.BoolAttribute{
				Description: "Whether App Xchange holds a secret for the client; unknown in a plan that changes the secret.",
				Computed:    true,
			},
			"client_secret_expires_at": schema.StringAttribute{
				MarkdownDescription: "When the client secret expires, as an RFC 3339 timestamp such as `2027-01-31T00:00:00Z`. " +
					"The same instant written with another offset is no change. A date in the past is a warning.",
				Optional:   true,
				CustomType: timestamp.Type{},
				Validators: []validator.String{timestamp.WarnIfPast("the client secret expires", time.Now)},
			},
			"authorization_url": schema.StringAttribute{
				MarkdownDescription: "URL where users are sent to authorize the app. Required for an `oauth2_code_flow` definition that presets none; " +
					"not used by `oauth2_client_credentials` and `oauth2_password` definitions.",
				Optional:   true,
				Validators: urlValidators,
			},
			"token_url": schema.StringAttribute{
				MarkdownDescription: "URL where tokens are obtained. When omitted: the connection definition's preset token URL if it has one, " +
					"else `" + DefaultTokenURL + "`.",
				Optional:   true,
				Computed:   true,
				Validators: urlValidators,
			},
			"refresh_url": schema.StringAttribute{
				MarkdownDescription: "URL where tokens are refreshed with a refresh token. Not used by `oauth2_client_credentials` and `oauth2_password` definitions.",
				Optional:            true,
				Validators:          urlValidators,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes the app requests, one scope per element, such as `[\"openid\", \"offline_access\"]`. " +
					"Order does not matter. Omit the attribute rather than setting it empty.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					validators.NotEmpty(),
					setvalidator.SizeAtMost(100),
					setvalidator.ValueStringsAre(
						stringvalidator.LengthBetween(1, 200),
						stringvalidator.RegexMatches(scopePattern, "must be one scope without whitespace; write \"a b\" as two elements"),
					),
				},
			},
			"prompts": schema.SetAttribute{
				MarkdownDescription: "Prompts that control the user's interaction with the authorization server: `none`, `login`, `consent`, " +
					"`select_account` or `create`; `none` cannot be combined with another. Not used by `oauth2_client_credentials` " +
					"and `oauth2_password` definitions. Omit the attribute rather than setting it empty.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					validators.NotEmpty(),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(promptValues...)),
					validators.Alone("none"),
				},
			},
			"client_authentication": schema.StringAttribute{
				MarkdownDescription: "How the client authenticates at the token URL: `basic_auth_header` or `client_credentials_body`. " +
					"When omitted: the connection definition's preset if it has one, else `basic_auth_header`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(clientAuthentications.terraformValues()...)},
			},
			"public": schema.BoolAttribute{
				MarkdownDescription: "Whether every account that can use the connector may use this client. Only the connector's owner " +
					"may make a client public. Do not make a company- or customer-specific client public. Defaults to `false`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"account_id": schema.StringAttribute{
				Description:   "ID of the account that owns the client.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Description:   "When the client was created (RFC 3339).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				Description: "When the client was last changed (RFC 3339).",
				Computed:    true,
			},
		},
	}
}

func (r *oauthClientResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("OAuth client")
}

func (r *oauthClientResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	pd, problem := configuredData(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type", problem)
		return
	}
	r.data = pd
}

// ModifyPlan gathers what the plan of a client is decided from, and sets the plan
// that planOAuthClient decides (oauth_client_plan.go).
func (r *oauthClientResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || unchanged(ctx, req) {
		return
	}
	var config, proposed oauthClientModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &proposed)...)
	in := oauthClientPlanInput{Config: &config, Proposed: &proposed}
	if !req.State.Raw.IsNull() {
		in.State = &oauthClientModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, in.State)...)
		var diags diag.Diagnostics
		in.Configured, diags = getConfiguredDefaults(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	fromPlan := r.gatherConnector(ctx, &in, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan, judged, diags := planOAuthClient(in)
	if judged != nil && !fromPlan {
		// Judged against the connector as it is now: the connector's plan, if this run
		// has one, judges it again (connector_plans.go).
		diags.Append(r.data.plannedConnectors.judgedNow(in.Connector.ID, *judged)...)
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// unchanged reports whether the plan Terraform proposes is the state itself, and
// ModifyPlan would keep it so: a client that the configuration leaves as it is, which
// is nearly every client in a large state. ModifyPlan then does nothing else, with no
// decoding of the configuration, plan and state. Only one case of an unchanged
// proposal would be changed: a token_url or client_authentication that the
// configuration set at the last apply and no longer sets goes back to its default.
func unchanged(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	before, d := getConfiguredDefaults(ctx, req.Private)
	if d.HasError() {
		return false // the full plan reports it
	}
	for _, attr := range []struct {
		name       string
		configured bool
	}{{"token_url", before.TokenURL}, {"client_authentication", before.ClientAuthentication}} {
		if !attr.configured {
			continue
		}
		var v types.String
		if d := req.Config.GetAttribute(ctx, path.Root(attr.name), &v); d.HasError() || v.IsNull() {
			return false
		}
	}
	return true
}

// gatherConnector reads the connector that the planned client names, and the caller's
// account when the plan needs it, into in. It leaves the connector nil when it is not
// known until apply, and reports whether it is the connector this run plans.
func (r *oauthClientResource) gatherConnector(ctx context.Context, in *oauthClientPlanInput, diags *diag.Diagnostics) (fromPlan bool) {
	if r.data == nil || in.Proposed.ConnectorID.IsUnknown() || in.Proposed.ConnectionDefinition.IsUnknown() {
		return false
	}
	id := in.Proposed.ConnectorID.ValueString()
	conn, fromPlan, err := r.data.connectorForPlan(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("connector_id"), "Connector Not Found",
			fmt.Sprintf("No connector with id %q is visible to your account. "+
				"Use the id of a public connector or of one your account owns, such as data.appxchange_connector.NAME.id.", id))
		return false
	}
	if err != nil {
		diags.AddError("Unable to Read Connector",
			fmt.Sprintf("Reading the connector %q of the OAuth client failed: %s", id, err))
		return false
	}
	in.Connector = conn
	if needsAccount(in.Config, conn) {
		me, err := r.data.client.CachedMe(ctx)
		if err != nil {
			diags.AddError("Unable to Read the Caller's Account",
				fmt.Sprintf("Checking that your account owns the connector of a public client failed: %s", err))
			return false
		}
		in.Account = me.AccountID
	}
	return fromPlan
}

func (r *oauthClientResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	config, plan, ok := decodeCreate[oauthClientModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	in := plan.toInput(ctx, &config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	pending := newPendingCreate()
	created, err := r.data.client.CreateOAuthClient(ctx, in, client.WithIdempotencyKey(pending.IdempotencyKey))
	if isOutcomeUnknown(err) {
		oauthClients.keepPlaceholder(ctx, req.Plan, resp, pending, plan.Name.ValueString(), err)
		resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
		return
	}
	if err != nil {
		oauthClients.addWriteError(&resp.Diagnostics, opCreate, plan.Name.ValueString(), err, config.refusal())
		return
	}
	oauthClients.logWrite(ctx, opCreate, created.ID)
	plan.fromAPI(ctx, created, &resp.Diagnostics)
	keepWritten(ctx, &resp.Diagnostics, &resp.State, resp.Identity, resp.Private, &plan, created.ID, created.ETag)
	resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
}

func (r *oauthClientResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state oauthClientModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, pending, ok := oauthClients.beginRead(ctx, r.data.client, req, resp, state.ID.ValueString(), state.Name.ValueString())
	if !ok {
		return
	}
	got, err := r.data.client.GetOAuthClient(ctx, id)
	if oauthClients.removeIfGone(ctx, resp, err, state.Name.ValueString(), id) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read OAuth Client", fmt.Sprintf("Reading the OAuth client %q failed: %s", id, err))
		return
	}
	prior := state
	state.fromAPI(ctx, got, &resp.Diagnostics)
	if !got.ClientSecretSet {
		// The secret was cleared outside Terraform: forget what was sent, so that the
		// next plan sends the configured secret again.
		state.ClientSecret = types.StringNull()
		state.ClientSecretWOVersion = types.Int64Null()
	}
	if pending != nil || !sameModel(&prior, &state) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	endRead(ctx, resp, got.ID, got.ETag, pending)
}

func (r *oauthClientResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	config, plan, state, etag, ok := decodeUpdate[oauthClientModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	patch := plan.toPatch(ctx, &config, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := r.data.client.UpdateOAuthClient(ctx, state.ID.ValueString(), etag, patch)
	if err != nil {
		oauthClients.addWriteError(&resp.Diagnostics, opUpdate, state.Name.ValueString(), err, config.refusal())
		return
	}
	oauthClients.logWrite(ctx, opUpdate, updated.ID)
	plan.fromAPI(ctx, updated, &resp.Diagnostics)
	keepWritten(ctx, &resp.Diagnostics, &resp.State, resp.Identity, resp.Private, &plan, updated.ID, updated.ETag)
	resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
}

func (r *oauthClientResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauthClientModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, etag, ok := oauthClients.beginDelete(ctx, r.data.client, req, resp, state.ID.ValueString(), state.Name.ValueString())
	if !ok {
		return
	}
	err := r.data.client.DeleteOAuthClient(ctx, id, etag)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		oauthClients.addWriteError(&resp.Diagnostics, opDelete, state.Name.ValueString(), err, writeRefusal{})
		return
	}
	oauthClients.logWrite(ctx, opDelete, id)
}

// ImportState takes the client's id, from an import id or an identity.
func (r *oauthClientResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, diags := importedID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !uuidPattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not an OAuth client id. Import an OAuth client by its id, a UUID such as "+
				"3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b (the web app shows it in the client's URL; data.appxchange_oauth_clients lists them).", id))
		return
	}
	got, err := r.data.client.GetOAuthClient(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("OAuth Client Not Found",
			fmt.Sprintf("No OAuth client %q is visible to your account. Check the id; data.appxchange_oauth_clients lists the clients you can read.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import OAuth Client", fmt.Sprintf("Reading the OAuth client %q failed: %s", id, err))
		return
	}
	me, err := r.data.client.CachedMe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import OAuth Client", fmt.Sprintf("Reading the account of the credentials failed: %s", err))
		return
	}
	if got.AccountID != me.AccountID {
		resp.Diagnostics.AddError("OAuth Client Owned by Another Account",
			fmt.Sprintf("The OAuth client %q is a public client of the account %q, and your credentials act for %q: only its own account can manage it. "+
				"Use it as it is, or read it with the appxchange_oauth_client data source.", id, got.AccountID, me.AccountID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), got.ID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, got.ID)...)
}

// toInput is the body that creates the planned client.
func (m *oauthClientModel) toInput(ctx context.Context, config *oauthClientModel, diags *diag.Diagnostics) *client.OAuthClientInput {
	in := &client.OAuthClientInput{
		Name:                    m.Name.ValueString(),
		ConnectorID:             m.ConnectorID.ValueString(),
		ConnectionDefinitionKey: m.ConnectionDefinition.ValueString(),
		ClientID:                m.ClientID.ValueString(),
		ClientSecret:            m.ClientSecret.ValueString(),
		ClientSecretExpiresAt:   m.ClientSecretExpiresAt.ValueString(),
		AuthorizationURL:        m.AuthorizationURL.ValueString(),
		RefreshURL:              m.RefreshURL.ValueString(),
		Scopes:                  stringsOf(ctx, m.Scopes, diags),
		Prompts:                 stringsOf(ctx, m.Prompts, diags),
		Public:                  m.Public.ValueBool(),
	}
	if in.ClientSecret == "" {
		in.ClientSecret = config.ClientSecretWO.ValueString()
	}
	// Omitted, the API applies the definition's preset or its default.
	if !config.TokenURL.IsNull() {
		in.TokenURL = m.TokenURL.ValueString()
	}
	if !config.ClientAuthentication.IsNull() {
		in.ClientAuthentication = clientAuthentications.toAPI(m.ClientAuthentication.ValueString())
	}
	return in
}

// toPatch is the change from state to the planned client: only what differs.
func (m *oauthClientModel) toPatch(ctx context.Context, config, state *oauthClientModel, diags *diag.Diagnostics) *client.OAuthClientPatch {
	p := &client.OAuthClientPatch{}
	if !m.Name.Equal(state.Name) {
		p.Name = client.Set(m.Name.ValueString())
	}
	if !m.ClientID.Equal(state.ClientID) {
		p.ClientID = client.Set(m.ClientID.ValueString())
	}
	switch action, secret := secretChange(config, m, state); action {
	case secretSend:
		p.ClientSecret = client.Set(secret.ValueString())
	case secretClear:
		p.ClientSecret = client.Null[string]()
	}
	if !m.ClientSecretExpiresAt.Equal(state.ClientSecretExpiresAt) {
		p.ClientSecretExpiresAt = optionalPatch(m.ClientSecretExpiresAt.StringValue)
	}
	if !m.AuthorizationURL.Equal(state.AuthorizationURL) {
		p.AuthorizationURL = optionalPatch(m.AuthorizationURL)
	}
	if !m.RefreshURL.Equal(state.RefreshURL) {
		p.RefreshURL = optionalPatch(m.RefreshURL)
	}
	// Omitted from the configuration, null resets them to the preset or default.
	if !m.TokenURL.Equal(state.TokenURL) {
		p.TokenURL = optionalPatch(config.TokenURL)
	}
	if !m.ClientAuthentication.Equal(state.ClientAuthentication) {
		if config.ClientAuthentication.IsNull() {
			p.ClientAuthentication = client.Null[string]()
		} else {
			p.ClientAuthentication = client.Set(clientAuthentications.toAPI(m.ClientAuthentication.ValueString()))
		}
	}
	if !m.Scopes.Equal(state.Scopes) {
		p.Scopes = client.Set(stringsOf(ctx, m.Scopes, diags))
	}
	if !m.Prompts.Equal(state.Prompts) {
		p.Prompts = client.Set(stringsOf(ctx, m.Prompts, diags))
	}
	if !m.Public.Equal(state.Public) {
		p.Public = client.Set(m.Public.ValueBool())
	}
	return p
}

// fromAPI sets every attribute the API returns; the secret attributes keep their values.
func (m *oauthClientModel) fromAPI(ctx context.Context, c *client.OAuthClient, diags *diag.Diagnostics) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.ConnectorID = types.StringValue(c.ConnectorID)
	m.ConnectionDefinition = types.StringValue(c.ConnectionDefinitionKey)
	m.ClientID = types.StringValue(c.ClientID)
	m.ClientSecretWO = types.StringNull()
	m.ClientSecretSet = types.BoolValue(c.ClientSecretSet)
	m.ClientSecretExpiresAt = timestamp.Null()
	if c.ClientSecretExpiresAt != "" {
		m.ClientSecretExpiresAt = timestamp.New(c.ClientSecretExpiresAt)
	}
	m.AuthorizationURL = optionalString(c.AuthorizationURL)
	m.TokenURL = types.StringValue(c.TokenURL)
	m.RefreshURL = optionalString(c.RefreshURL)
	m.Scopes = optionalStringSet(ctx, c.Scopes, diags)
	m.Prompts = optionalStringSet(ctx, c.Prompts, diags)
	m.ClientAuthentication = types.StringValue(clientAuthentications.toTerraform(c.ClientAuthentication))
	m.Public = types.BoolValue(c.Public)
	m.AccountID = types.StringValue(c.AccountID)
	m.CreatedAt = types.StringValue(c.CreatedAt)
	m.UpdatedAt = types.StringValue(c.UpdatedAt)
}

// refusal is how the API's refusals of a write of this configuration read: an error
// of the secret points at the attribute that sets it.
func (m *oauthClientModel) refusal() writeRefusal {
	return writeRefusal{attribute: func(name string) string {
		if name == "client_secret" && m.ClientSecret.IsNull() && !m.ClientSecretWO.IsNull() {
			return "client_secret_wo"
		}
		return name
	}}
}
