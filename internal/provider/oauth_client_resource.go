package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	"github.com/hashicorp/terraform-plugin-log/tflog"

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
				Description: "Key of the connector's connection definition the client serves, such as `oAuth2CodeFlow`. " +
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
				Description: "Client secret of the app, kept (sensitive) in the state. It is sent when it is created or changed. " +
					"Conflicts with `client_secret_wo`. Removing every secret attribute clears the secret at App Xchange.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 4096),
					stringvalidator.ConflictsWith(path.MatchRoot("client_secret_wo")),
				},
			},
			"client_secret_wo": schema.StringAttribute{
				Description: "Client secret of the app, never stored in the plan or state (write-only; Terraform 1.11 or later). " +
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
				Description: "Version of `client_secret_wo`, 1 or more; changing it sends the write-only secret. Requires `client_secret_wo`.",
				Optional:    true,
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
				Description: "When the client secret expires, as an RFC 3339 timestamp such as `2027-01-31T00:00:00Z`. " +
					"The same instant written with another offset is no change. A date in the past is a warning.",
				Optional:   true,
				CustomType: timestamp.Type{},
				Validators: []validator.String{timestamp.WarnIfPast("the client secret expires", time.Now)},
			},
			"authorization_url": schema.StringAttribute{
				Description: "URL where users are sent to authorize the app. Required for an `oauth2_code_flow` definition that presets none; " +
					"not used by `oauth2_client_credentials` and `oauth2_password` definitions.",
				Optional:   true,
				Validators: urlValidators,
			},
			"token_url": schema.StringAttribute{
				Description: "URL where tokens are obtained. When omitted: the connection definition's preset token URL if it has one, " +
					"else `" + DefaultTokenURL + "`.",
				Optional:   true,
				Computed:   true,
				Validators: urlValidators,
			},
			"refresh_url": schema.StringAttribute{
				Description: "URL where tokens are refreshed with a refresh token. Not used by `oauth2_client_credentials` and `oauth2_password` definitions.",
				Optional:    true,
				Validators:  urlValidators,
			},
			"scopes": schema.SetAttribute{
				Description: "Scopes the app requests, one scope per element, such as `[\"openid\", \"offline_access\"]`. " +
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
				Description: "Prompts that control the user's interaction with the authorization server: `none`, `login`, `consent`, " +
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
				Description: "How the client authenticates at the token URL: `basic_auth_header` or `client_credentials_body`. " +
					"When omitted: the connection definition's preset if it has one, else `basic_auth_header`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(clientAuthentications.terraformValues()...)},
			},
			"public": schema.BoolAttribute{
				Description: "Whether every account that can use the connector may use this client. Only the connector's owner " +
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

func (r *oauthClientResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if unchanged(ctx, req) {
		return
	}
	var config, plan oauthClientModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *oauthClientModel
	if !req.State.Raw.IsNull() {
		state = &oauthClientModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ClientSecretWO = types.StringNull()

	if state != nil {
		// The same instant written differently is no change: keep the state's spelling.
		if plan.ClientSecretExpiresAt.SameInstant(state.ClientSecretExpiresAt) {
			plan.ClientSecretExpiresAt = state.ClientSecretExpiresAt
		}
		if change, _ := secretChange(&config, &plan, state); change != secretKeep {
			plan.ClientSecretSet = types.BoolUnknown()
		} else {
			plan.ClientSecretSet = state.ClientSecretSet
		}
	}

	def, conn := r.planDefinition(ctx, &plan, &resp.Diagnostics)
	var before configuredDefaults
	if state != nil {
		var diags diag.Diagnostics
		before, diags = getConfiguredDefaults(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	plan.fillDefaults(&config, state, before, def)
	if state != nil {
		// updated_at changes only with the client: a plan that differs from the state
		// only in how it writes an instant changes nothing.
		plan.UpdatedAt = state.UpdatedAt
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if resp.Plan.Raw.Equal(req.State.Raw) {
			// An unchanged client is not judged again: a connector's presets may change
			// under clients that were valid when made, and a plan with nothing to do must
			// not fail.
			return
		}
		plan.UpdatedAt = types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() || def == nil {
		return
	}
	checkDefinitionRules(&config, state == nil, def, &resp.Diagnostics)
	if config.Public.ValueBool() && conn.OwnerAccountID != "" {
		me, err := r.data.client.CachedMe(ctx)
		if err != nil {
			resp.Diagnostics.AddError("Unable to Read the Caller's Account",
				fmt.Sprintf("Checking that your account owns the connector of a public client failed: %s", err))
			return
		}
		if me.AccountID != conn.OwnerAccountID {
			resp.Diagnostics.AddAttributeError(path.Root("public"), "Public Client Not Allowed",
				fmt.Sprintf("public: only the owner of connector %q (account %q) may make its OAuth clients public; your account is %q. "+
					"Remove public, or set it to false.", conn.Key, conn.OwnerAccountID, me.AccountID))
		}
	}
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

func (r *oauthClientResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var config, plan oauthClientModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := plan.toInput(ctx, &config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	pending := newPendingCreate()
	created, err := r.data.client.CreateOAuthClient(ctx, in, client.WithIdempotencyKey(pending.IdempotencyKey))
	if isOutcomeUnknown(err) {
		resp.Diagnostics.Append(savePlaceholder(ctx, req.Plan, &resp.State, resp.Private, pending)...)
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("client_secret_wo"), types.StringNull())...)
		resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
		oauthClientCreates.addOutcomeUnknown(&resp.Diagnostics, plan.Name.ValueString(), pending, err)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Create OAuth Client", "Creating the OAuth client failed", err, &config)
		return
	}
	tflog.Info(ctx, "created OAuth client", map[string]any{"id": created.ID})
	plan.fromAPI(ctx, created, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, created.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, created.ETag)...)
	resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
}

func (r *oauthClientResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state oauthClientModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	pending, diags := getPendingCreate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	resp.Diagnostics.Append(identityBeforeRead(ctx, resp.Identity, id)...)
	if pending != nil {
		// A placeholder: the create's answer was lost. Find out what it did.
		var done bool
		if id, done = oauthClientCreates.resolveForRead(ctx, r.data.client, pending, state.Name.ValueString(), resp); done {
			return
		}
	}
	got, err := r.data.client.GetOAuthClient(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("OAuth Client Not Found",
			fmt.Sprintf("The OAuth client %q no longer exists (or your account can no longer read it), so it was removed from the state. "+
				"The next plan creates it again; remove it from the configuration if it should stay gone.", id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read OAuth Client",
			fmt.Sprintf("Reading the OAuth client %q failed: %s", id, err))
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
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, got.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, got.ETag)...)
	if pending != nil {
		resp.Diagnostics.Append(setPendingCreate(ctx, resp.Private, nil)...)
	}
}

func (r *oauthClientResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var config, plan, state oauthClientModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	etag, diags := getETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	patch := plan.toPatch(ctx, &config, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	updated, err := r.data.client.UpdateOAuthClient(ctx, state.ID.ValueString(), etag, patch)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Update OAuth Client",
			fmt.Sprintf("Updating the OAuth client %q failed", state.ID.ValueString()), err, &config)
		return
	}
	tflog.Info(ctx, "updated OAuth client", map[string]any{"id": updated.ID})
	plan.fromAPI(ctx, updated, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, updated.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, updated.ETag)...)
	resp.Diagnostics.Append(setConfiguredDefaults(ctx, resp.Private, &config)...)
}

func (r *oauthClientResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oauthClientModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	etag, diags := getETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	pending, diags := getPendingCreate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if pending != nil {
		// A placeholder that no Read resolved: delete what its create made, if anything.
		var done bool
		if id, done = oauthClientCreates.resolveForDelete(ctx, r.data.client, pending, state.Name.ValueString(), &resp.Diagnostics); done {
			return
		}
	}
	err := r.data.client.DeleteOAuthClient(ctx, id, etag)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addAPIError(&resp.Diagnostics, "Unable to Delete OAuth Client",
			fmt.Sprintf("Deleting the OAuth client %q failed", id), err, nil)
		return
	}
	tflog.Info(ctx, "deleted OAuth client", map[string]any{"id": id})
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

// planDefinition finds the connection definition a planned client names. It returns
// nil, without diagnostics, when the connector or definition is not known until apply:
// the API applies the same rules then.
func (r *oauthClientResource) planDefinition(ctx context.Context, plan *oauthClientModel, diags *diag.Diagnostics) (*client.ConnectionDefinition, *client.Connector) {
	if r.data == nil || plan.ConnectorID.IsUnknown() || plan.ConnectionDefinition.IsUnknown() {
		return nil, nil
	}
	id := plan.ConnectorID.ValueString()
	conn, err := r.data.connectorForPlan(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("connector_id"), "Connector Not Found",
			fmt.Sprintf("connector_id: no connector with id %q is visible to your account. Use the id of a public connector "+
				"or of one your account owns, such as data.appxchange_connector.NAME.id.", id))
		return nil, nil
	}
	if err != nil {
		diags.AddError("Unable to Read Connector",
			fmt.Sprintf("Reading connector %q to check the OAuth client against its connection definition failed: %s", id, err))
		return nil, nil
	}
	if conn == nil {
		return nil, nil
	}
	key := plan.ConnectionDefinition.ValueString()
	keys := make([]string, 0, len(conn.ConnectionDefinitions))
	for i := range conn.ConnectionDefinitions {
		d := &conn.ConnectionDefinitions[i]
		if d.Key != key {
			keys = append(keys, d.Key)
			continue
		}
		if !isOAuthAuthType(d.AuthType) {
			diags.AddAttributeError(path.Root("connection_definition"), "Not an OAuth Connection Definition",
				fmt.Sprintf("connection_definition: %q of connector %q has the auth type %s, and OAuth clients do not apply to it "+
					"(only to oauth2_code_flow, oauth2_client_credentials and oauth2_password). Pick an OAuth 2.0 definition of the connector.",
					key, conn.Key, authTypes.toTerraform(d.AuthType)))
			return nil, nil
		}
		return d, conn
	}
	slices.Sort(keys)
	diags.AddAttributeError(path.Root("connection_definition"), "Connection Definition Not Found",
		fmt.Sprintf("connection_definition: connector %q has no connection definition %q. Its definitions are: %s.",
			conn.Key, key, quoted(keys)))
	return nil, nil
}

// checkDefinitionRules applies the rules that depend on the connection definition.
func checkDefinitionRules(config *oauthClientModel, creating bool, def *client.ConnectionDefinition, diags *diag.Diagnostics) {
	switch def.AuthType {
	case client.AuthTypeOAuth2CodeFlow:
		if config.AuthorizationURL.IsNull() && def.AuthorizationURL == "" {
			diags.AddAttributeError(path.Root("authorization_url"), "Missing Authorization URL",
				fmt.Sprintf("authorization_url: the connection definition %q (oauth2_code_flow) presets no authorization URL, so the client "+
					"must set one: the URL where users authorize the app at the external service.", def.Key))
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
					fmt.Sprintf("%s: the connection definition %q (%s) does not use it; remove it.", a.name, def.Key, authTypes.toTerraform(def.AuthType)))
			}
		}
		if def.AuthType == client.AuthTypeOAuth2ClientCredentials && creating && config.ClientSecret.IsNull() && config.ClientSecretWO.IsNull() {
			diags.AddAttributeError(path.Root("client_secret"), "Missing Client Secret",
				fmt.Sprintf("client_secret: the connection definition %q (oauth2_client_credentials) needs a client secret. "+
					"Set client_secret, or client_secret_wo with client_secret_wo_version.", def.Key))
		}
	}
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

// oauthClientFields maps the API's field names to the resource's attributes, so that
// the API's field errors point at the configuration's lines.
var oauthClientFields = map[string]string{
	"name":                    "name",
	"connectorId":             "connector_id",
	"connectionDefinitionKey": "connection_definition",
	"clientId":                "client_id",
	"clientSecret":            "client_secret",
	"clientSecretExpiresAt":   "client_secret_expires_at",
	"authorizationUrl":        "authorization_url",
	"tokenUrl":                "token_url",
	"refreshUrl":              "refresh_url",
	"scopes":                  "scopes",
	"prompts":                 "prompts",
	"clientAuthentication":    "client_authentication",
	"public":                  "public",
}

// addAPIError reports a failed write. The API's field errors become attribute errors;
// a 412 says that the client changed outside Terraform.
func addAPIError(diags *diag.Diagnostics, summary, what string, err error, config *oauthClientModel) {
	if errors.Is(err, client.ErrPreconditionFailed) {
		diags.AddError(summary, what+": the OAuth client changed outside Terraform since Terraform last read it, "+
			"so the change was not made (nothing was overwritten). Run terraform plan again to see the client as it is now, "+
			"then apply the changes you still want.")
		return
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || len(apiErr.Errors) == 0 {
		diags.AddError(summary, fmt.Sprintf("%s: %s", what, err))
		return
	}
	for _, f := range apiErr.Errors {
		field, _, _ := cutAny(f.Field, ".[")
		name, ok := oauthClientFields[field]
		if !ok {
			diags.AddError(summary, fmt.Sprintf("%s: %s: %s", what, f.Field, f.Detail))
			continue
		}
		if name == "client_secret" && config != nil && config.ClientSecret.IsNull() && !config.ClientSecretWO.IsNull() {
			name = "client_secret_wo"
		}
		diags.AddAttributeError(path.Root(name), summary, fmt.Sprintf("%s: %s: %s (%s)", what, name, f.Detail, apiErr.Title))
	}
}

func isOAuthAuthType(authType string) bool {
	return authType == client.AuthTypeOAuth2CodeFlow || authType == client.AuthTypeOAuth2ClientCredentials ||
		authType == client.AuthTypeOAuth2Password
}
