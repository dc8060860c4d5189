package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ list.ListResource              = (*connectorListResource)(nil)
	_ list.ListResourceWithConfigure = (*connectorListResource)(nil)
)

// NewConnectorListResource is the appxchange_connector list resource, which
// `terraform query` (Terraform 1.14 and later) runs to find the connectors to import.
func NewConnectorListResource() list.ListResource { return &connectorListResource{} }

type connectorListResource struct {
	client *client.Client
}

type connectorListModel struct {
	Search types.String `tfsdk:"search"`
}

func (r *connectorListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector"
}

func (r *connectorListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the connectors the caller's account owns, public or not, to import them: `terraform query` with " +
			"`-generate-config-out` writes an import block and a configuration for each. Connectors of other accounts are left out.",
		Attributes: map[string]schema.Attribute{
			"search": schema.StringAttribute{
				Description: "Keeps the connectors whose name or key contains this text, compared without regard to case.",
				Optional:    true,
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (r *connectorListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected List Resource Configure Type", problem)
		return
	}
	r.client = c
}

// List streams the account's connectors page by page, as the OAuth client list does.
func (r *connectorListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config connectorListModel
	if diags := req.Config.Get(ctx, &config); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	pages := r.client.ConnectorPages(ctx, client.ConnectorFilter{Search: config.Search.ValueString()})
	owner := func(c *client.Connector) string { return c.OwnerAccountID }
	stream.Results = listOwned(ctx, r.client, req, "Connectors", pages, owner, func(result *list.ListResult, c *client.Connector) {
		result.DisplayName = c.Name + " (" + c.Key + ")"
		result.Diagnostics.Append(setIdentity(ctx, result.Identity, c.ID)...)
		if req.IncludeResource {
			var m connectorModel
			m.fromAPI(ctx, c, &result.Diagnostics)
			result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
		}
	})
}
