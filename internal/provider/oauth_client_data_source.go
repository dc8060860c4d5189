package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ datasource.DataSource                     = (*oauthClientDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*oauthClientDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*oauthClientDataSource)(nil)
)

// NewOAuthClientDataSource is the appxchange_oauth_client data source.
func NewOAuthClientDataSource() datasource.DataSource { return &oauthClientDataSource{} }

type oauthClientDataSource struct {
	client *client.Client
}

// oauthClientDataModel is one OAuth client as the data sources expose it: every
// attribute of the resource except the secret ones. It is the whole state of
// appxchange_oauth_client and one element of appxchange_oauth_clients.
type oauthClientDataModel struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	ConnectorID           types.String `tfsdk:"connector_id"`
	ConnectionDefinition  types.String `tfsdk:"connection_definition"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecretSet       types.Bool   `tfsdk:"client_secret_set"`
	ClientSecretExpiresAt types.String `tfsdk:"client_secret_expires_at"`
	AuthorizationURL      types.String `tfsdk:"authorization_url"`
	TokenURL              types.String `tfsdk:"token_url"`
	RefreshURL            types.String `tfsdk:"refresh_url"`
	Scopes                types.Set    `tfsdk:"scopes"`
	Prompts               types.Set    `tfsdk:"prompts"`
	ClientAuthentication  types.String `tfsdk:"client_authentication"`
	Public                types.Bool   `tfsdk:"public"`
	AccountID             types.String `tfsdk:"account_id"`
	CreatedAt             types.String `tfsdk:"created_at"`
	UpdatedAt             types.String `tfsdk:"updated_at"`
}

func (d *oauthClientDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_client"
}

func (d *oauthClientDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := oauthClientDataAttributes()
	attributes["id"] = schema.StringAttribute{
		MarkdownDescription: "ID (UUID) of the OAuth client. Exactly one of `id` and `name` must be set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attributes["name"] = schema.StringAttribute{
		MarkdownDescription: "Name of the OAuth client, matched exactly (case-sensitive). Exactly one of `id` and `name` must be set; " +
			"a name that more than one visible OAuth client has is an error that lists their ids. The lookup reads the OAuth clients " +
			"whose names contain the name, up to " + thousands(dataSourceItemLimit) + " of them: more is an error that asks for `connector_id` or `id`.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthBetween(1, 200)},
	}
	attributes["connector_id"] = schema.StringAttribute{
		MarkdownDescription: "ID of the connector the OAuth client belongs to. With `name`, only the clients of this connector are considered; " +
			"with `id`, the client must belong to this connector or the read is an error.",
		Optional:   true,
		Computed:   true,
		Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one OAuth client by id or by name: one of the caller's account, or a public one of a connector the account can use. " +
			"Its secret is never exposed; `client_secret_set` tells whether it has one.",
		Attributes: attributes,
	}
}

func (d *oauthClientDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *oauthClientDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type", problem)
		return
	}
	d.client = c
}

func (d *oauthClientDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config oauthClientDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var found *client.OAuthClient
	if !config.ID.IsNull() {
		found = d.readByID(ctx, &config, &resp.Diagnostics)
	} else {
		found = d.readByName(ctx, &config, &resp.Diagnostics)
	}
	if found == nil {
		return
	}
	var state oauthClientDataModel
	resp.Diagnostics.Append(state.fromAPI(ctx, found)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readByID reads the client that config.ID names and checks it against
// config.ConnectorID when that is set; nil after an error.
func (d *oauthClientDataSource) readByID(ctx context.Context, config *oauthClientDataModel, diags *diag.Diagnostics) *client.OAuthClient {
	id := config.ID.ValueString()
	c, err := d.client.GetOAuthClient(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root("id"), "OAuth Client Not Found",
			fmt.Sprintf("No OAuth client with id %q is visible to your account. Check the id; an OAuth client is readable by its own account "+
				"and, when public, by every account that can use its connector.", id))
		return nil
	}
	if err != nil {
		diags.AddError("Unable to Read OAuth Client", fmt.Sprintf("Reading the OAuth client with id %q failed: %s", id, err))
		return nil
	}
	if want := config.ConnectorID.ValueString(); !config.ConnectorID.IsNull() && c.ConnectorID != want {
		diags.AddAttributeError(path.Root("connector_id"), "OAuth Client Belongs to Another Connector",
			fmt.Sprintf("The OAuth client with id %q belongs to the connector %q, not to the connector %q that connector_id names. "+
				"Correct connector_id or remove it: together with id it only checks the client's connector.", id, c.ConnectorID, want))
		return nil
	}
	return c
}

// readByName finds the one client named exactly config.Name, on config.ConnectorID
// when that is set; nil after an error. It reads the clients whose names contain the
// name a page at a time and keeps only the first maxListedMatches of those named
// exactly so, and it stops above dataSourceItemLimit clients read.
func (d *oauthClientDataSource) readByName(ctx context.Context, config *oauthClientDataModel, diags *diag.Diagnostics) *client.OAuthClient {
	name := config.Name.ValueString()
	connectorID := config.ConnectorID.ValueString()
	what, onConnector := fmt.Sprintf("named %q", name), ""
	if connectorID != "" {
		onConnector = fmt.Sprintf(" on the connector %q", connectorID)
		what += onConnector
	}
	next := "Set connector_id to narrow the lookup to one connector, or look the client up by id."
	if connectorID != "" {
		next = "Look the client up by id instead."
	}
	var matches []client.OAuthClient
	count := 0
	for page, err := range d.client.OAuthClientPagesUpTo(ctx, client.OAuthClientFilter{Search: name, ConnectorID: connectorID}, dataSourceItemLimit) {
		if tooMany := (*client.TooManyItemsError)(nil); errors.As(err, &tooMany) {
			diags.AddAttributeError(path.Root("name"), "Too Many OAuth Clients",
				fmt.Sprintf("More than %[1]s OAuth clients whose names contain %[2]q%[3]s are visible to your account. "+
					"The lookup by name reads at most %[1]s, so that a long list cannot exhaust the provider's memory. %[4]s",
					thousands(tooMany.Limit), name, onConnector, next))
			return nil
		}
		if err != nil {
			diags.AddError("Unable to Read OAuth Client", fmt.Sprintf("Listing the OAuth clients %s failed: %s", what, err))
			return nil
		}
		for i := range page {
			if page[i].Name != name {
				continue
			}
			if count++; len(matches) < maxListedMatches {
				matches = append(matches, page[i])
			}
		}
	}
	switch count {
	case 0:
		diags.AddAttributeError(path.Root("name"), "OAuth Client Not Found",
			fmt.Sprintf("No OAuth client %s is visible to your account. Names match exactly, case included; "+
				"an OAuth client is readable by its own account and, when public, by every account that can use its connector.", what))
		return nil
	case 1:
		return &matches[0]
	}
	lines := make([]string, len(matches), len(matches)+1)
	for i, c := range matches {
		lines[i] = fmt.Sprintf("  - %s (connector %s, account %s)", c.ID, c.ConnectorID, c.AccountID)
	}
	if count > len(matches) {
		lines = append(lines, fmt.Sprintf("  - and %d more", count-len(matches)))
	}
	diags.AddAttributeError(path.Root("name"), "Ambiguous OAuth Client Name",
		fmt.Sprintf("%d OAuth clients %s are visible to your account:\n%s\n%s", count, what, strings.Join(lines, "\n"), next))
	return nil
}

// maxListedMatches is how many of the clients of an ambiguous name the error lists.
const maxListedMatches = 10

// oauthClientDataAttributes is the schema of one OAuth client as the data sources
// expose it, every attribute computed.
func oauthClientDataAttributes() map[string]schema.Attribute {
	computed := func(description string) schema.StringAttribute {
		plain, markdown := descriptions(description)
		return schema.StringAttribute{Description: plain, MarkdownDescription: markdown, Computed: true}
	}
	return map[string]schema.Attribute{
		"id":                    computed("ID (UUID) of the OAuth client."),
		"name":                  computed("Name of the OAuth client."),
		"connector_id":          computed("ID of the connector the OAuth client belongs to."),
		"connection_definition": computed("Key of the connection definition the OAuth client is for, such as `oAuth2CodeFlow`."),
		"client_id":             computed("Client ID of the app registered at the external service."),
		"client_secret_set": schema.BoolAttribute{
			Description: "Whether the API holds a client secret for the OAuth client. The secret itself is never exposed.",
			Computed:    true,
		},
		"client_secret_expires_at": computed("When the client secret expires (RFC 3339); null when no expiration is recorded."),
		"authorization_url":        computed("Authorization URL; null when the OAuth client sets none."),
		"token_url":                computed("Token URL."),
		"refresh_url":              computed("Refresh URL; null when the OAuth client sets none."),
		"scopes": schema.SetAttribute{
			Description: "Scopes, one per element; null when the OAuth client sets none.",
			Computed:    true,
			ElementType: types.StringType,
		},
		"prompts": schema.SetAttribute{
			MarkdownDescription: "Prompts (`none`, `login`, `consent`, `select_account`, `create`); null when the OAuth client sets none.",
			Computed:            true,
			ElementType:         types.StringType,
		},
		"client_authentication": computed("How the client authenticates at the token URL: `basic_auth_header` or `client_credentials_body`."),
		"public": schema.BoolAttribute{
			Description: "Whether the OAuth client is public: usable by every account that can use its connector.",
			Computed:    true,
		},
		"account_id": computed("ID of the account that owns the OAuth client."),
		"created_at": computed("When the OAuth client was created (RFC 3339)."),
		"updated_at": computed("When the OAuth client was last changed (RFC 3339)."),
	}
}

// oauthClientObjectType is the type of one element of appxchange_oauth_clients.
var oauthClientObjectType = sync.OnceValue(func() types.ObjectType {
	attrTypes := map[string]attr.Type{}
	for name, a := range oauthClientDataAttributes() {
		attrTypes[name] = a.GetType()
	}
	return types.ObjectType{AttrTypes: attrTypes}
})

// object is the client as an element of appxchange_oauth_clients. A list of thousands
// is built from these values directly, which costs a fraction of what converting
// structs by reflection does.
func (m *oauthClientDataModel) object() (types.Object, diag.Diagnostics) {
	return types.ObjectValue(oauthClientObjectType().AttrTypes, map[string]attr.Value{
		"id":                       m.ID,
		"name":                     m.Name,
		"connector_id":             m.ConnectorID,
		"connection_definition":    m.ConnectionDefinition,
		"client_id":                m.ClientID,
		"client_secret_set":        m.ClientSecretSet,
		"client_secret_expires_at": m.ClientSecretExpiresAt,
		"authorization_url":        m.AuthorizationURL,
		"token_url":                m.TokenURL,
		"refresh_url":              m.RefreshURL,
		"scopes":                   m.Scopes,
		"prompts":                  m.Prompts,
		"client_authentication":    m.ClientAuthentication,
		"public":                   m.Public,
		"account_id":               m.AccountID,
		"created_at":               m.CreatedAt,
		"updated_at":               m.UpdatedAt,
	})
}

// fromAPI sets every attribute from the API's client; values the API omits are null.
func (m *oauthClientDataModel) fromAPI(ctx context.Context, c *client.OAuthClient) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.ConnectorID = types.StringValue(c.ConnectorID)
	m.ConnectionDefinition = types.StringValue(c.ConnectionDefinitionKey)
	m.ClientID = types.StringValue(c.ClientID)
	m.ClientSecretSet = types.BoolValue(c.ClientSecretSet)
	m.ClientSecretExpiresAt = optionalString(c.ClientSecretExpiresAt)
	m.AuthorizationURL = optionalString(c.AuthorizationURL)
	m.TokenURL = optionalString(c.TokenURL)
	m.RefreshURL = optionalString(c.RefreshURL)
	m.Scopes = optionalStringSet(ctx, c.Scopes, &diags)
	m.Prompts = optionalStringSet(ctx, c.Prompts, &diags)
	m.ClientAuthentication = optionalString(clientAuthentications.toTerraform(c.ClientAuthentication))
	m.Public = types.BoolValue(c.Public)
	m.AccountID = types.StringValue(c.AccountID)
	m.CreatedAt = types.StringValue(c.CreatedAt)
	m.UpdatedAt = types.StringValue(c.UpdatedAt)
	return diags
}
