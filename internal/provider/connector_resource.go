package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

var (
	_ resource.Resource                   = (*connectorResource)(nil)
	_ resource.ResourceWithConfigure      = (*connectorResource)(nil)
	_ resource.ResourceWithValidateConfig = (*connectorResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*connectorResource)(nil)
	_ resource.ResourceWithImportState    = (*connectorResource)(nil)
	_ resource.ResourceWithIdentity       = (*connectorResource)(nil)
)

// NewConnectorResource is the appxchange_connector resource.
func NewConnectorResource() resource.Resource { return &connectorResource{} }

type connectorResource struct {
	data *providerData
}

// The resource's model is connectorModel, shared with the data sources.

// connectorKeyPattern is the API's rule for connector keys.
var connectorKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// oauthPresets are the attributes of a definition that apply to OAuth 2.0 auth types only.
var oauthPresets = []string{"authorization_url", "token_url", "refresh_url", "scopes", "client_authentication"}

func (r *connectorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector"
}

func (r *connectorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stable := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A connector registration owned by the caller's account, with its connection definitions: " +
			"the authentication options that connections and OAuth clients of the connector use.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   "ID (UUID) of the connector, assigned by the API.",
				Computed:      true,
				PlanModifiers: stable,
			},
			"key": schema.StringAttribute{
				Description: "Key of the connector, unique across the platform: 2 to 63 characters of lowercase letters, digits and `-`, " +
					"starting with a letter or digit, such as `my-crm`. Changing it replaces the connector.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(connectorKeyPattern,
					"must be 2 to 63 characters of lowercase letters, digits and -, starting with a letter or digit, such as my-crm")},
			},
			"name": schema.StringAttribute{
				Description: "Name of the connector, 1 to 200 characters.",
				Required:    true,
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 200)},
			},
			"description": schema.StringAttribute{
				Description: "Description of the connector, at most 2000 characters. Omit it rather than set it empty.",
				Optional:    true,
				Validators:  []validator.String{validators.NotEmpty(), stringvalidator.LengthAtMost(2000)},
			},
			"visibility": schema.StringAttribute{
				Description: "`account` (private to the owning account, the default) or `public` (listed for every account). " +
					"A public connector cannot become private while OAuth clients of other accounts use it.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(client.VisibilityAccount),
				Validators: []validator.String{stringvalidator.OneOf(client.VisibilityAccount, client.VisibilityPublic)},
			},
			"owner_account_id": schema.StringAttribute{
				Description:   "ID of the account that owns the connector.",
				Computed:      true,
				PlanModifiers: stable,
			},
			"connection_definitions": connectionDefinitionsResourceAttribute(),
			"created_at": schema.StringAttribute{
				Description:   "When the connector was registered (RFC 3339).",
				Computed:      true,
				PlanModifiers: stable,
			},
			"updated_at": schema.StringAttribute{
				Description: "When the connector was last changed (RFC 3339).",
				Computed:    true,
			},
		},
	}
}

// ValidateConfig applies the rules between attributes of a definition. A value
// that is unknown until apply is left to the API.
func (r *connectorResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var defs types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("connection_definitions"), &defs)...)
	if resp.Diagnostics.HasError() || defs.IsNull() || defs.IsUnknown() {
		return
	}
	for key, value := range defs.Elements() {
		obj, ok := value.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		var def connectionDefinitionModel
		resp.Diagnostics.Append(obj.As(ctx, &def, basetypes.ObjectAsOptions{})...)
		if resp.Diagnostics.HasError() {
			return
		}
		at := path.Root("connection_definitions").AtMapKey(key)
		validateDefinition(ctx, at, def, &resp.Diagnostics)
	}
}

func (r *connectorResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("connector")
}

func (r *connectorResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	pd, problem := configuredData(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Resource Configure Type", problem)
		return
	}
	r.data = pd
}

// ModifyPlan records, when the plan updates a connector in place, the connector it
// will become, so that the plan checks of OAuth clients on it see the definitions
// they will meet at apply. A replacement (a new key) records nothing: the clients
// on the old connector then plan with an unknown connector_id.
func (r *connectorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state connectorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !plan.Key.Equal(state.Key) {
		return
	}
	id := state.ID.ValueString()
	defs, err := plan.ConnectionDefinitions.ToTerraformValue(ctx)
	if err != nil || !defs.IsFullyKnown() || plan.Visibility.IsUnknown() {
		r.data.plannedConnectors.plan(id, nil)
		return
	}
	apiDefs, diags := definitionsToAPI(ctx, plan.ConnectionDefinitions)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.data.plannedConnectors.plan(id, &client.Connector{
		ID:                    id,
		Key:                   state.Key.ValueString(),
		Name:                  plan.Name.ValueString(),
		Description:           plan.Description.ValueString(),
		Visibility:            plan.Visibility.ValueString(),
		OwnerAccountID:        state.OwnerAccountID.ValueString(),
		ConnectionDefinitions: apiDefs,
	})
}

func (r *connectorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	defs, diags := definitionsToAPI(ctx, plan.ConnectionDefinitions)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pending := newPendingCreate()
	conn, err := r.data.client.CreateConnector(ctx, &client.ConnectorInput{
		Key:                   plan.Key.ValueString(),
		Name:                  plan.Name.ValueString(),
		Description:           plan.Description.ValueString(),
		Visibility:            plan.Visibility.ValueString(),
		ConnectionDefinitions: defs,
	}, client.WithIdempotencyKey(pending.IdempotencyKey))
	if isOutcomeUnknown(err) {
		resp.Diagnostics.Append(savePlaceholder(ctx, req.Plan, &resp.State, resp.Private, pending)...)
		connectorCreates.addOutcomeUnknown(&resp.Diagnostics, plan.Key.ValueString(), pending, err)
		return
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "Unable to Create Connector",
			fmt.Sprintf("key: another connector already has the key %q, and keys are unique across App Xchange. Choose another key. %s", plan.Key.ValueString(), err))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Connector",
			fmt.Sprintf("Registering the connector %q failed. Correct the configuration as the API says, then apply again: %s", plan.Key.ValueString(), err))
		return
	}
	var state connectorModel
	resp.Diagnostics.Append(state.fromAPI(ctx, conn)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, conn.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, conn.ETag)...)
}

func (r *connectorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectorModel
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
		if id, done = connectorCreates.resolveForRead(ctx, r.data.client, pending, state.Key.ValueString(), resp); done {
			return
		}
	}
	conn, err := r.data.client.GetConnector(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddWarning("Connector Not Found",
			fmt.Sprintf("The connector %q (%s) no longer exists or is no longer visible to your account. "+
				"It is removed from the state; the next plan creates it again unless you remove it from the configuration.",
				state.Key.ValueString(), id))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Connector", fmt.Sprintf("Reading the connector %s failed: %s", id, err))
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, conn)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, conn.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, conn.ETag)...)
	if pending != nil {
		resp.Diagnostics.Append(setPendingCreate(ctx, resp.Private, nil)...)
	}
}

func (r *connectorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state connectorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	etag, diags := getETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	patch, diags := connectorPatch(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	conn, err := r.data.client.UpdateConnector(ctx, state.ID.ValueString(), etag, patch)
	if err != nil {
		addWriteError(&resp.Diagnostics, "Unable to Update Connector", "Updating", state.Key.ValueString(), err,
			"Delete those OAuth clients, or move them to another definition or connector (which replaces them), then apply again.")
		return
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, conn)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, conn.ID)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, conn.ETag)...)
}

func (r *connectorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectorModel
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
		if id, done = connectorCreates.resolveForDelete(ctx, r.data.client, pending, state.Key.ValueString(), &resp.Diagnostics); done {
			return
		}
	}
	err := r.data.client.DeleteConnector(ctx, id, etag)
	if err == nil || errors.Is(err, client.ErrNotFound) {
		return
	}
	addWriteError(&resp.Diagnostics, "Unable to Delete Connector", "Deleting", state.Key.ValueString(), err,
		"Delete those OAuth clients first (or move them to another connector, which replaces them), then destroy the connector again.")
}

// ImportState takes a connector id (a UUID, as an import id or an identity) or
// key:KEY. Only the caller's own connectors can be imported: another account's public
// connector can be read with the appxchange_connector data source, not managed.
func (r *connectorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	const forms = "Import a connector by its id, a UUID such as 6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01, or by its key written as key:KEY, such as key:my-crm."
	id, diags := importedID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var conn *client.Connector
	var err error
	switch key, byKey := strings.CutPrefix(id, "key:"); {
	case byKey && req.ID != "" && connectorKeyPattern.MatchString(key):
		conn, err = r.data.client.ConnectorByKey(ctx, key)
	case !byKey && uuidPattern.MatchString(id):
		conn, err = r.data.client.GetConnector(ctx, id)
	default:
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("%q is neither a connector id nor a key. %s", id, forms))
		return
	}
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Connector Not Found",
			fmt.Sprintf("No connector %q is visible to your account. Check the id or key; %s", id, forms))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import Connector", fmt.Sprintf("Reading the connector %q failed: %s", id, err))
		return
	}
	me, err := r.data.client.CachedMe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Import Connector", fmt.Sprintf("Reading the account of the credentials failed: %s", err))
		return
	}
	if conn.OwnerAccountID != me.AccountID {
		resp.Diagnostics.AddError("Connector Owned by Another Account",
			fmt.Sprintf("The connector %q belongs to the account %q, and your credentials act for %q: only its owner can manage it. "+
				"Read it with the appxchange_connector data source instead.", conn.Key, conn.OwnerAccountID, me.AccountID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), conn.ID)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, conn.ID)...)
}

// validateDefinition: OAuth presets only on OAuth auth types; enum_values for and
// only for enum properties.
func validateDefinition(ctx context.Context, at path.Path, def connectionDefinitionModel, diags *diag.Diagnostics) {
	authType := def.AuthType.ValueString()
	if !def.AuthType.IsUnknown() && !def.AuthType.IsNull() && !isOAuthAuthType(authTypes.toAPI(authType)) && slices.Contains(authTypes.terraformValues(), authType) {
		set := map[string]bool{
			"authorization_url":     isSet(def.AuthorizationURL),
			"token_url":             isSet(def.TokenURL),
			"refresh_url":           isSet(def.RefreshURL),
			"scopes":                isSet(def.Scopes),
			"client_authentication": isSet(def.ClientAuthentication),
		}
		for _, name := range oauthPresets {
			if set[name] {
				diags.AddAttributeError(at.AtName(name), "OAuth Preset on a Non-OAuth Definition",
					fmt.Sprintf("%s: %s is an OAuth 2.0 preset; it applies only when auth_type is oauth2_code_flow, oauth2_client_credentials or oauth2_password, not %q. "+
						"Remove it, or change auth_type.", at.AtName(name), name, authType))
			}
		}
	}
	if def.Properties.IsNull() || def.Properties.IsUnknown() {
		return
	}
	for key, value := range def.Properties.Elements() {
		obj, ok := value.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		var p propertyModel
		diags.Append(obj.As(ctx, &p, basetypes.ObjectAsOptions{})...)
		if diags.HasError() {
			return
		}
		if p.Type.IsUnknown() || p.Type.IsNull() {
			continue
		}
		enumValues := at.AtName("properties").AtMapKey(key).AtName("enum_values")
		switch {
		case p.Type.ValueString() == "enum" && p.EnumValues.IsNull():
			diags.AddAttributeError(enumValues, "Missing Enum Values",
				fmt.Sprintf("%s: a property of type \"enum\" needs enum_values: list the values a connection may choose from.", enumValues))
		case p.Type.ValueString() != "enum" && isSet(p.EnumValues):
			diags.AddAttributeError(enumValues, "Enum Values on a Non-Enum Property",
				fmt.Sprintf("%s: enum_values applies only when type is \"enum\", not %q. Remove it, or set type = \"enum\".", enumValues, p.Type.ValueString()))
		}
	}
}

// isSet reports whether a value is known and not null: an unknown value may still
// turn out null, so it breaks no rule at plan.
func isSet(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// connectorPatch holds what the plan changes, and only that.
func connectorPatch(ctx context.Context, plan, state connectorModel) (*client.ConnectorPatch, diag.Diagnostics) {
	var diags diag.Diagnostics
	patch := &client.ConnectorPatch{}
	if !plan.Name.Equal(state.Name) {
		patch.Name = client.Set(plan.Name.ValueString())
	}
	if !plan.Description.Equal(state.Description) {
		patch.Description = optionalPatch(plan.Description)
	}
	if !plan.Visibility.Equal(state.Visibility) {
		patch.Visibility = client.Set(plan.Visibility.ValueString())
	}
	if !plan.ConnectionDefinitions.Equal(state.ConnectionDefinitions) {
		defs, d := definitionsToAPI(ctx, plan.ConnectionDefinitions)
		diags.Append(d...)
		patch.ConnectionDefinitions = client.Set(defs)
	}
	return patch, diags
}

// addWriteError explains a failed write to a connector: a 412 means it changed
// outside Terraform; a 409 that OAuth clients use it, with inUse saying what to do
// (or, when the connector was to become private, that other accounts' clients do).
func addWriteError(diags *diag.Diagnostics, summary, doing, key string, err error, inUse string) {
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrPreconditionFailed):
		diags.AddError(summary, fmt.Sprintf("The connector %q changed outside Terraform since it was last read. "+
			"Run terraform plan again to see the current connector, then apply. The API said: %s", key, err))
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict && slices.ContainsFunc(apiErr.Errors, isVisibilityError):
		diags.AddAttributeError(path.Root("visibility"), summary, fmt.Sprintf("OAuth clients of other accounts use the public connector %q, "+
			"so it cannot become private. Keep visibility = \"public\" until those accounts have deleted their clients. %s", key, err))
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict:
		diags.AddError(summary, fmt.Sprintf("OAuth clients use the connector %q: %s %s", key, inUse, err))
	default:
		diags.AddError(summary, fmt.Sprintf("%s the connector %q failed: %s", doing, key, err))
	}
}

func isVisibilityError(f client.FieldError) bool { return f.Field == "visibility" }
