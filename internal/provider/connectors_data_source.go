package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ datasource.DataSource              = (*connectorsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*connectorsDataSource)(nil)
)

// NewConnectorsDataSource is the appxchange_connectors data source.
func NewConnectorsDataSource() datasource.DataSource { return &connectorsDataSource{} }

type connectorsDataSource struct {
	client *client.Client
}

type connectorsDataSourceModel struct {
	Search     types.String     `tfsdk:"search"`
	Visibility types.String     `tfsdk:"visibility"`
	Connectors []connectorModel `tfsdk:"connectors"`
	IDs        []types.String   `tfsdk:"ids"`
}

func (d *connectorsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connectors"
}

func (d *connectorsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the connectors visible to the caller's account (the public connectors of the platform and its own), " +
			"optionally narrowed by a search text and a visibility. Every page of the list is read, up to " + thousands(dataSourceItemLimit) + " connectors: " +
			"a longer list is an error, so that it cannot exhaust the provider's memory. Narrow such a list with `search` or `visibility`, " +
			"or list the account's own connectors with the `appxchange_connector` list resource (`terraform query`), which reads a page at a time.",
		Attributes: map[string]schema.Attribute{
			"search": schema.StringAttribute{
				Description: "Keeps the connectors whose name or key contains this text, compared without regard to case.",
				Optional:    true,
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"visibility": schema.StringAttribute{
				MarkdownDescription: "Keeps only `public` or only `account` (private) connectors.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(client.VisibilityPublic, client.VisibilityAccount)},
			},
			"connectors": schema.ListNestedAttribute{
				Description:  "The connectors found, oldest first, with every attribute of the appxchange_connector data source.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: connectorDataSourceAttributes()},
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "IDs of the connectors found, in the order of `connectors`.",
				Computed:            true,
				ElementType:         types.StringType,
			},
		},
	}
}

func (d *connectorsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type", problem)
		return
	}
	d.client = c
}

func (d *connectorsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state connectorsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, err := d.client.ConnectorsUpTo(ctx, client.ConnectorFilter{
		Search:     state.Search.ValueString(),
		Visibility: state.Visibility.ValueString(),
	}, dataSourceItemLimit)
	if tooMany := (*client.TooManyItemsError)(nil); errors.As(err, &tooMany) {
		resp.Diagnostics.AddError("Too Many Connectors", fmt.Sprintf("The list has more than %[1]s connectors. "+
			"appxchange_connectors reads at most %[1]s, so that a long list cannot exhaust the provider's memory. "+
			"Narrow the list with search or visibility, or list the account's own connectors "+
			"with `terraform query` and the appxchange_connector list resource, which reads a page at a time.", thousands(tooMany.Limit)))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Connectors", fmt.Sprintf("Listing the connectors failed: %s", err))
		return
	}
	state.Connectors = make([]connectorModel, len(found))
	state.IDs = make([]types.String, len(found))
	for i := range found {
		state.Connectors[i].fromAPI(ctx, &found[i], &resp.Diagnostics)
		state.IDs[i] = types.StringValue(found[i].ID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
