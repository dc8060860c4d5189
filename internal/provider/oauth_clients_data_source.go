package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ datasource.DataSource              = (*oauthClientsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*oauthClientsDataSource)(nil)
)

// NewOAuthClientsDataSource is the appxchange_oauth_clients data source.
func NewOAuthClientsDataSource() datasource.DataSource { return &oauthClientsDataSource{} }

type oauthClientsDataSource struct {
	client *client.Client
}

type oauthClientsDataSourceModel struct {
	ConnectorID          types.String `tfsdk:"connector_id"`
	ConnectionDefinition types.String `tfsdk:"connection_definition"`
	Public               types.Bool   `tfsdk:"public"`
	Search               types.String `tfsdk:"search"`
	OAuthClients         types.List   `tfsdk:"oauth_clients"`
	IDs                  types.List   `tfsdk:"ids"`
}

func (d *oauthClientsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_clients"
}

func (d *oauthClientsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	filter := func(description string) schema.StringAttribute {
		plain, markdown := descriptions(description)
		return schema.StringAttribute{
			Description:         plain,
			MarkdownDescription: markdown,
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the OAuth clients visible to the caller's account (its own, and the public ones of connectors it can use), " +
			"optionally filtered. Every page of the list is read, up to " + thousands(dataSourceItemLimit) + " OAuth clients: " +
			"a longer list is an error, so that it cannot exhaust the provider's memory. Narrow such a list with the filters, " +
			"or list the account's own clients with the `appxchange_oauth_client` list resource (`terraform query`), which reads a page at a time. " +
			"Secrets are never exposed.",
		Attributes: map[string]schema.Attribute{
			"connector_id":          filter(oauthClientFilters["connector_id"]),
			"connection_definition": filter(oauthClientFilters["connection_definition"]),
			"public":                schema.BoolAttribute{Description: oauthClientFilters["public"], Optional: true},
			"search":                filter(oauthClientFilters["search"]),
			"oauth_clients": schema.ListNestedAttribute{
				Description:  "The matching OAuth clients, oldest first.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: oauthClientDataAttributes()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the matching OAuth clients, in the order of `oauth_clients`.",
				Computed:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *oauthClientsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type", problem)
		return
	}
	d.client = c
}

func (d *oauthClientsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state oauthClientsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	list, err := d.client.OAuthClientsUpTo(ctx, state.filter(), dataSourceItemLimit)
	if tooMany := (*client.TooManyItemsError)(nil); errors.As(err, &tooMany) {
		resp.Diagnostics.AddError("Too Many OAuth Clients", fmt.Sprintf("The list has more than %[1]s OAuth clients. "+
			"appxchange_oauth_clients reads at most %[1]s, so that a long list cannot exhaust the provider's memory. "+
			"Narrow the list with connector_id, connection_definition, public or search, or list the account's own clients "+
			"with `terraform query` and the appxchange_oauth_client list resource, which reads a page at a time.", thousands(tooMany.Limit)))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to List OAuth Clients", fmt.Sprintf("Listing the OAuth clients failed: %s", err))
		return
	}
	objects := make([]attr.Value, len(list))
	ids := make([]attr.Value, len(list))
	for i := range list {
		var one oauthClientDataModel
		resp.Diagnostics.Append(one.fromAPI(ctx, &list[i])...)
		object, diags := one.object()
		resp.Diagnostics.Append(diags...)
		objects[i], ids[i] = object, types.StringValue(list[i].ID)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var diags diag.Diagnostics
	state.OAuthClients, diags = types.ListValue(oauthClientObjectType(), objects)
	resp.Diagnostics.Append(diags...)
	state.IDs, diags = types.ListValue(types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// dataSourceItemLimit is the most objects a data source that lists holds: more is an
// error that asks for narrower filters or the list resource, which streams. It is ten
// times the 10,000 OAuth clients that the benchmark reads with appxchange_oauth_clients
// (100 pages of the API, where a server that never ends its list used to be read for
// 10,000 pages), and the schemas' descriptions give it.
const dataSourceItemLimit = client.DefaultItemLimit

// thousands is n with a comma between groups of three digits, such as 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// oauthClientFilters describes the filter attributes of the appxchange_oauth_clients
// data source and of the appxchange_oauth_client list.
var oauthClientFilters = map[string]string{
	"connector_id":          "Keeps only the OAuth clients of the connector with this ID.",
	"connection_definition": "Keeps only the OAuth clients for the connection definition with this key, such as `oAuth2CodeFlow`.",
	"public":                "Keeps only public OAuth clients when true, only non-public ones when false.",
	"search":                "Keeps only the OAuth clients whose name contains this text, compared case-insensitively.",
}

// filter is the API's filter for the configured filter attributes.
func (m *oauthClientsDataSourceModel) filter() client.OAuthClientFilter {
	return oauthClientFilter(m.ConnectorID, m.ConnectionDefinition, m.Public, m.Search)
}

// oauthClientFilter is the API's filter for the filter attributes of the
// appxchange_oauth_clients data source and of the appxchange_oauth_client list.
func oauthClientFilter(connectorID, definition types.String, public types.Bool, search types.String) client.OAuthClientFilter {
	f := client.OAuthClientFilter{
		ConnectorID:             connectorID.ValueString(),
		ConnectionDefinitionKey: definition.ValueString(),
		Search:                  search.ValueString(),
	}
	if !public.IsNull() {
		f.Public = new(public.ValueBool())
	}
	return f
}
