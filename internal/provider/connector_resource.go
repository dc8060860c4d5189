package provider

import (
	"context"
	"errors"
	"fmt"
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
				MarkdownDescription: "Key of the connector, unique across the platform: 2 to 63 characters of lowercase letters, digits and `-`, " +
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
				MarkdownDescription: "`account` (private to the owning account, the default) or `public` (listed for every account). " +
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

// ModifyPlan records, when the plan updates a connector in place, the connector it
// will become, so that the plan of an OAuth client on it sees the definitions it will
// meet at apply (connector_plans.go). A replacement (a new key) records nothing: the
// clients on the old connector then plan with an unknown connector_id.
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
		resp.Diagnostics.Append(r.data.plannedConnectors.plan(id, nil)...)
		return
	}
	planned := plan.toInput(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.data.plannedConnectors.plan(id, &client.Connector{
		ID:                    id,
		Key:                   state.Key.ValueString(),
		Name:                  planned.Name,
		Description:           planned.Description,
		Visibility:            planned.Visibility,
		OwnerAccountID:        state.OwnerAccountID.ValueString(),
		ConnectionDefinitions: planned.ConnectionDefinitions,
	})...)
}

func (r *connectorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	config, plan, ok := decodeCreate[connectorModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	in := plan.toInput(ctx, &config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	pending := newPendingCreate()
	created, err := r.data.client.CreateConnector(ctx, in, client.WithIdempotencyKey(pending.IdempotencyKey))
	if isOutcomeUnknown(err) {
		connectors.keepPlaceholder(ctx, req.Plan, resp, pending, plan.Key.ValueString(), err)
		return
	}
	if err != nil {
		connectors.addWriteError(&resp.Diagnostics, opCreate, plan.Key.ValueString(), err, writeRefusal{})
		return
	}
	connectors.logWrite(ctx, opCreate, created.ID)
	plan.fromAPI(ctx, created, &resp.Diagnostics)
	keepWritten(ctx, &resp.Diagnostics, &resp.State, resp.Identity, resp.Private, &plan, created.ID, created.ETag)
}

func (r *connectorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, pending, ok := connectors.beginRead(ctx, r.data.client, req, resp, state.ID.ValueString(), state.Key.ValueString())
	if !ok {
		return
	}
	got, err := r.data.client.GetConnector(ctx, id)
	if connectors.removeIfGone(ctx, resp, err, state.Key.ValueString(), id) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Connector", fmt.Sprintf("Reading the connector %q failed: %s", id, err))
		return
	}
	state.fromAPI(ctx, got, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	endRead(ctx, resp, got.ID, got.ETag, pending)
}

func (r *connectorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	config, plan, state, etag, ok := decodeUpdate[connectorModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	patch := plan.toPatch(ctx, &config, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	updated, err := r.data.client.UpdateConnector(ctx, id, etag, patch)
	r.data.plannedConnectors.applied(id, updated)
	if err != nil {
		connectors.addWriteError(&resp.Diagnostics, opUpdate, state.Key.ValueString(), err, writeRefusal{inUse: map[string]string{
			"":           "Delete those OAuth clients, or move them to another definition or connector (which replaces them), then apply again.",
			"visibility": `Keep visibility = "public" until those accounts have deleted their clients.`,
		}})
		return
	}
	connectors.logWrite(ctx, opUpdate, updated.ID)
	plan.fromAPI(ctx, updated, &resp.Diagnostics)
	keepWritten(ctx, &resp.Diagnostics, &resp.State, resp.Identity, resp.Private, &plan, updated.ID, updated.ETag)
}

func (r *connectorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state connectorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, etag, ok := connectors.beginDelete(ctx, r.data.client, req, resp, state.ID.ValueString(), state.Key.ValueString())
	if !ok {
		return
	}
	err := r.data.client.DeleteConnector(ctx, id, etag)
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		connectors.addWriteError(&resp.Diagnostics, opDelete, state.Key.ValueString(), err, writeRefusal{inUse: map[string]string{
			"": "Delete those OAuth clients first (or move them to another connector, which replaces them), then destroy the connector again.",
		}})
		return
	}
	connectors.logWrite(ctx, opDelete, id)
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

// toInput is the body that creates the planned connector.
func (m *connectorModel) toInput(ctx context.Context, _ *connectorModel, diags *diag.Diagnostics) *client.ConnectorInput {
	defs, d := definitionsToAPI(ctx, m.ConnectionDefinitions)
	diags.Append(d...)
	return &client.ConnectorInput{
		Key:                   m.Key.ValueString(),
		Name:                  m.Name.ValueString(),
		Description:           m.Description.ValueString(),
		Visibility:            m.Visibility.ValueString(),
		ConnectionDefinitions: defs,
	}
}

// toPatch is the change from state to the planned connector: only what differs.
func (m *connectorModel) toPatch(ctx context.Context, _, state *connectorModel, diags *diag.Diagnostics) *client.ConnectorPatch {
	p := &client.ConnectorPatch{}
	if !m.Name.Equal(state.Name) {
		p.Name = client.Set(m.Name.ValueString())
	}
	if !m.Description.Equal(state.Description) {
		p.Description = optionalPatch(m.Description)
	}
	if !m.Visibility.Equal(state.Visibility) {
		p.Visibility = client.Set(m.Visibility.ValueString())
	}
	if !m.ConnectionDefinitions.Equal(state.ConnectionDefinitions) {
		defs, d := definitionsToAPI(ctx, m.ConnectionDefinitions)
		diags.Append(d...)
		p.ConnectionDefinitions = client.Set(defs)
	}
	return p
}

// fromAPI sets every attribute from the API's connector. Empty values, which the
// API omits, are null.
func (m *connectorModel) fromAPI(ctx context.Context, c *client.Connector, diags *diag.Diagnostics) {
	m.ID = types.StringValue(c.ID)
	m.Key = types.StringValue(c.Key)
	m.Name = types.StringValue(c.Name)
	m.Description = optionalString(c.Description)
	m.Visibility = types.StringValue(c.Visibility)
	m.OwnerAccountID = types.StringValue(c.OwnerAccountID)
	m.CreatedAt = types.StringValue(c.CreatedAt)
	m.UpdatedAt = types.StringValue(c.UpdatedAt)
	m.ConnectionDefinitions = definitionsFromAPI(ctx, c.ConnectionDefinitions, diags)
}

// validateDefinition: OAuth presets only on OAuth auth types; enum_values for and
// only for enum properties.
func validateDefinition(ctx context.Context, at path.Path, def connectionDefinitionModel, diags *diag.Diagnostics) {
	// The details name the definition (and property) in words, never starting with the
	// path: Terraform 1.16 shows the line above them, but Terraform 1.11 and OpenTofu
	// point at the resource alone for an attribute inside connection_definitions.
	var definition string
	if step, _ := at.Steps().LastStep(); step != nil {
		if k, ok := step.(path.PathStepElementKeyString); ok {
			definition = string(k)
		}
	}
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
					fmt.Sprintf("The connection definition %q has auth_type %q, but %s is an OAuth 2.0 preset: it applies only when auth_type is "+
						"oauth2_code_flow, oauth2_client_credentials or oauth2_password. Remove %s, or change auth_type.", definition, authType, name, name))
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
				fmt.Sprintf("The property %q of the connection definition %q has type \"enum\" but no enum_values: "+
					"list the values a connection may choose from.", key, definition))
		case p.Type.ValueString() != "enum" && isSet(p.EnumValues):
			diags.AddAttributeError(enumValues, "Enum Values on a Non-Enum Property",
				fmt.Sprintf("The property %q of the connection definition %q has type %q, and enum_values applies only when type is \"enum\". "+
					"Remove enum_values, or set type = \"enum\".", key, definition, p.Type.ValueString()))
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
