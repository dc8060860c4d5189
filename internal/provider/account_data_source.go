package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

var (
	_ datasource.DataSource              = (*accountDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*accountDataSource)(nil)
)

// NewAccountDataSource is the appxchange_account data source.
func NewAccountDataSource() datasource.DataSource { return &accountDataSource{} }

type accountDataSource struct {
	client *client.Client
}

type accountDataModel struct {
	ID       types.String `tfsdk:"id"`
	Name     types.String `tfsdk:"name"`
	UserID   types.String `tfsdk:"user_id"`
	UserName types.String `tfsdk:"user_name"`
}

func (d *accountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Description: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the account that the provider's credentials act for, and the user or service account acting. " +
			"Compare its `id` with an object's `account_id` or `owner_account_id` to tell the account's own objects from the public ones of others.",
		Attributes: map[string]schema.Attribute{
			"id":        computed("ID of the account."),
			"name":      computed("Name of the account."),
			"user_id":   computed("ID of the user or service account that the credentials belong to."),
			"user_name": computed("Name of the user or service account that the credentials belong to."),
		},
	}
}

func (d *accountDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	c, problem := configuredClient(req.ProviderData)
	if problem != "" {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type", problem)
		return
	}
	d.client = c
}

func (d *accountDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	me, err := d.client.CachedMe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Account", fmt.Sprintf("Reading the account that the credentials act for failed: %s", err))
		return
	}
	state := accountDataModel{
		ID:       types.StringValue(me.AccountID),
		Name:     types.StringValue(me.AccountName),
		UserID:   types.StringValue(me.UserID),
		UserName: types.StringValue(me.UserName),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
