package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ list.ListResource              = (*oauthClientListResource)(nil)
	_ list.ListResourceWithConfigure = (*oauthClientListResource)(nil)
)

// NewOAuthClientListResource is the appxchange_oauth_client list resource, which
// `terraform query` (Terraform 1.14 and later) runs to find the clients to import.
func NewOAuthClientListResource() list.ListResource { return &oauthClientListResource{} }

type oauthClientListResource struct {
	client *client.Client
}

type oauthClientListModel struct {
	ConnectorID          types.String `tfsdk:"connector_id"`
	ConnectionDefinition types.String `tfsdk:"connection_definition"`
	Public               types.Bool   `tfsdk:"public"`
	Search               types.String `tfsdk:"search"`
}

func (r *oauthClientListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_client"
}

func (r *oauthClientListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
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
		MarkdownDescription: "Lists the OAuth clients of the caller's account, to import them: `terraform query` with " +
			"`-generate-config-out` writes an import block and a configuration for each. Public clients of other accounts " +
			"are left out, since only their own account can manage them. Secrets are never returned.",
		Attributes: map[string]schema.Attribute{
			"connector_id":          filter(oauthClientFilters["connector_id"]),
			"connection_definition": filter(oauthClientFilters["connection_definition"]),
			"public":                schema.BoolAttribute{Description: oauthClientFilters["public"], Optional: true},
			"search":                filter(oauthClientFilters["search"]),
		},
	}
}

func (r *oauthClientListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected List Resource Configure Type", problem)
		return
	}
	r.client = c
}

// List streams the account's clients page by page: one page of the API is held at a
// time, however many clients there are.
func (r *oauthClientListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config oauthClientListModel
	if diags := req.Config.Get(ctx, &config); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	filter := oauthClientFilter(config.ConnectorID, config.ConnectionDefinition, config.Public, config.Search)
	pages := r.client.OAuthClientPages(ctx, filter)
	owner := func(c *client.OAuthClient) string { return c.AccountID }
	stream.Results = listOwned(ctx, r.client, req, "OAuth Clients", pages, owner, func(result *list.ListResult, c *client.OAuthClient) {
		result.DisplayName = c.Name
		result.Diagnostics.Append(setIdentity(ctx, result.Identity, c.ID)...)
		if req.IncludeResource {
			var m oauthClientModel
			m.fromAPI(ctx, c, &result.Diagnostics)
			result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
		}
	})
}

// listOwned streams a result for each listed object that the caller's account owns,
// made by describe, until the request's limit. The pages are read as the results are
// taken, so a list holds one page of the API at a time. An error ends the stream with
// a result that carries it.
func listOwned[T any](ctx context.Context, c *client.Client, req list.ListRequest, what string, pages iter.Seq2[[]T, error],
	owner func(*T) string, describe func(*list.ListResult, *T)) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		fail := func(detail string, err error) {
			var result list.ListResult
			result.Diagnostics.AddError("Unable to List "+what, fmt.Sprintf("%s: %s", detail, err))
			push(result)
		}
		me, err := c.CachedMe(ctx)
		if err != nil {
			fail("Reading the account of the credentials failed", err)
			return
		}
		listed := int64(0)
		for page, err := range pages {
			if err != nil {
				fail("Reading a page of the list failed", err)
				return
			}
			for i := range page {
				if owner(&page[i]) != me.AccountID {
					continue
				}
				result := req.NewListResult(ctx)
				describe(&result, &page[i])
				if !push(result) {
					return
				}
				if listed++; req.Limit > 0 && listed >= req.Limit {
					return
				}
			}
		}
	}
}
