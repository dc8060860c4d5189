package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

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

func (d *connectorDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector"
}

func (d *connectorDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := connectorDataSourceAttributes()
	attributes["id"] = schema.StringAttribute{
		MarkdownDescription: "ID (UUID) of the connector. Exactly one of `id` and `key` must be set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	attributes["key"] = schema.StringAttribute{
		MarkdownDescription: "Key of the connector, such as `procore`. Exactly one of `id` and `key` must be set.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
	resp.Schema = schema.Schema{
		Description: "Reads a connector by id or by key: a public connector of the platform, or one the caller's account owns. " +
			"Its connection definitions tell which OAuth clients it takes.",
		Attributes: attributes,
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
	var config connectorModel
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
	var state connectorModel
	state.fromAPI(ctx, conn, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
