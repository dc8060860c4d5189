package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ datasource.DataSource                     = (*connectorDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*connectorDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*connectorDataSource)(nil)
)

// NewConnectorDataSource is the appxchange_connector data source.
func NewConnectorDataSource() datasource.DataSource { return &connectorDataSource{} }

type connectorDataSource struct {
	client *client.Client
}

type connectorDataSourceModel struct {
	ID                    types.String                         `tfsdk:"id"`
	Key                   types.String                         `tfsdk:"key"`
	Name                  types.String                         `tfsdk:"name"`
	Description           types.String                         `tfsdk:"description"`
	Visibility            types.String                         `tfsdk:"visibility"`
	OwnerAccountID        types.String                         `tfsdk:"owner_account_id"`
	ConnectionDefinitions map[string]connectionDefinitionModel `tfsdk:"connection_definitions"`
	CreatedAt             types.String                         `tfsdk:"created_at"`
	UpdatedAt             types.String                         `tfsdk:"updated_at"`
}

type connectionDefinitionModel struct {
	Title                types.String             `tfsdk:"title"`
	Description          types.String             `tfsdk:"description"`
	AuthType             types.String             `tfsdk:"auth_type"`
	AuthorizationURL     types.String             `tfsdk:"authorization_url"`
	TokenURL             types.String             `tfsdk:"token_url"`
	RefreshURL           types.String             `tfsdk:"refresh_url"`
	Scopes               types.Set                `tfsdk:"scopes"`
	ClientAuthentication types.String             `tfsdk:"client_authentication"`
	Properties           map[string]propertyModel `tfsdk:"properties"`
}

type propertyModel struct {
	Title       types.String `tfsdk:"title"`
	Description types.String `tfsdk:"description"`
	Type        types.String `tfsdk:"type"`
	Required    types.Bool   `tfsdk:"required"`
	Sensitive   types.Bool   `tfsdk:"sensitive"`
	EnumValues  types.List   `tfsdk:"enum_values"`
}

func (d *connectorDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector"
}

func (d *connectorDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Description: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		Description: "Reads a connector by id or by key: a public connector of the platform, or one the caller's account owns. " +
			"Its connection definitions tell which OAuth clients it takes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: "ID (UUID) of the connector. Exactly one of `id` and `key` must be set.",
				Optional:    true,
				Computed:    true,
			},
			"key": schema.StringAttribute{
				Description: "Key of the connector, such as `procore`. Exactly one of `id` and `key` must be set.",
				Optional:    true,
				Computed:    true,
			},
			"name":             computed("Name of the connector."),
			"description":      computed("Description of the connector; null when it has none."),
			"visibility":       computed("`public` (listed for every account) or `account` (private to its owner)."),
			"owner_account_id": computed("ID of the account that owns the connector."),
			"created_at":       computed("When the connector was registered (RFC 3339)."),
			"updated_at":       computed("When the connector was last changed (RFC 3339)."),
			"connection_definitions": schema.MapNestedAttribute{
				Description: "The connector's connection definitions (its authentication options), keyed by definition key such as `oAuth2CodeFlow`.",
				Computed:    true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"title":       computed("Title of the definition."),
					"description": computed("Description of the definition; null when it has none."),
					"auth_type": computed("Auth type: `oauth2_code_flow`, `oauth2_client_credentials`, `oauth2_password`, `api_key`, `basic` or `custom`. " +
						"Only the three OAuth 2.0 types take OAuth clients."),
					"authorization_url": computed("Authorization URL the definition presets; null when none."),
					"token_url":         computed("Token URL the definition presets; null when none."),
					"refresh_url":       computed("Refresh URL the definition presets; null when none."),
					"scopes": schema.SetAttribute{
						Description: "Scopes the definition presets; null when none.",
						Computed:    true,
						ElementType: types.StringType,
					},
					"client_authentication": computed("Client authentication the definition presets (`basic_auth_header` or `client_credentials_body`); null when none."),
					"properties": schema.MapNestedAttribute{
						Description: "Properties a connection of this definition takes (such as a tenant ID), keyed by property key; null when none.",
						Computed:    true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"title":       computed("Title of the property."),
							"description": computed("Description of the property; null when it has none."),
							"type":        computed("Type of the property: `string`, `enum`, `bool` or `number`."),
							"required":    schema.BoolAttribute{Description: "Whether a connection must set the property.", Computed: true},
							"sensitive":   schema.BoolAttribute{Description: "Whether the property holds a secret.", Computed: true},
							"enum_values": schema.ListAttribute{
								Description: "Allowed values of an `enum` property; null for other types.",
								Computed:    true,
								ElementType: types.StringType,
							},
						}},
					},
				}},
			},
		},
	}
}

func (d *connectorDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("key")),
	}
}

func (d *connectorDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type", problem)
		return
	}
	d.client = c
}

func (d *connectorDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config connectorDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var conn *client.Connector
	var err error
	what := ""
	if !config.ID.IsNull() {
		what = fmt.Sprintf("with id %q", config.ID.ValueString())
		conn, err = d.client.GetConnector(ctx, config.ID.ValueString())
	} else {
		what = fmt.Sprintf("with key %q", config.Key.ValueString())
		conn, err = d.client.ConnectorByKey(ctx, config.Key.ValueString())
	}
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddError("Connector Not Found",
			fmt.Sprintf("No connector %s is visible to your account. Check the value; connectors are readable by their owner and, when public, by every account.", what))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Connector", fmt.Sprintf("Reading the connector %s failed: %s", what, err))
		return
	}
	var state connectorDataSourceModel
	resp.Diagnostics.Append(state.fromAPI(ctx, conn)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (m *connectorDataSourceModel) fromAPI(ctx context.Context, c *client.Connector) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(c.ID)
	m.Key = types.StringValue(c.Key)
	m.Name = types.StringValue(c.Name)
	m.Description = optionalString(c.Description)
	m.Visibility = types.StringValue(c.Visibility)
	m.OwnerAccountID = types.StringValue(c.OwnerAccountID)
	m.CreatedAt = types.StringValue(c.CreatedAt)
	m.UpdatedAt = types.StringValue(c.UpdatedAt)
	m.ConnectionDefinitions = make(map[string]connectionDefinitionModel, len(c.ConnectionDefinitions))
	for _, d := range c.ConnectionDefinitions {
		def := connectionDefinitionModel{
			Title:                types.StringValue(d.Title),
			Description:          optionalString(d.Description),
			AuthType:             types.StringValue(authTypes.toTerraform(d.AuthType)),
			AuthorizationURL:     optionalString(d.AuthorizationURL),
			TokenURL:             optionalString(d.TokenURL),
			RefreshURL:           optionalString(d.RefreshURL),
			Scopes:               optionalStringSet(ctx, d.Scopes, &diags),
			ClientAuthentication: optionalString(clientAuthentications.toTerraform(d.ClientAuthentication)),
		}
		if len(d.Properties) > 0 {
			def.Properties = make(map[string]propertyModel, len(d.Properties))
		}
		for _, p := range d.Properties {
			prop := propertyModel{
				Title:       types.StringValue(p.Title),
				Description: optionalString(p.Description),
				Type:        types.StringValue(p.Type),
				Required:    types.BoolValue(p.Required),
				Sensitive:   types.BoolValue(p.Sensitive),
				EnumValues:  types.ListNull(types.StringType),
			}
			if len(p.EnumValues) > 0 {
				list, d := types.ListValueFrom(ctx, types.StringType, p.EnumValues)
				diags.Append(d...)
				prop.EnumValues = list
			}
			def.Properties[p.Key] = prop
		}
		m.ConnectionDefinitions[d.Key] = def
	}
	return diags
}
