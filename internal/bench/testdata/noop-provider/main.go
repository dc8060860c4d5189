// Command terraform-provider-noop is the benchmark's do-nothing framework provider:
// one resource, noop_oauth_client, with the attribute shape of appxchange_oauth_client
// (names, types, required/optional/computed, sensitive, write-only) and no API. Create
// and Update store the plan, Read keeps the state, Delete forgets. It measures what
// being a framework plugin costs Terraform, and nothing else. The benchmark checks
// that its shape still matches the real resource before it measures anything.
package main

import (
	"context"
	"fmt"
	"log"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return noopProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/bench/noop"})
	if err != nil {
		log.Fatal(err)
	}
}

type noopProvider struct{}

func (noopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "noop"
}

func (noopProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (noopProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (noopProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &oauthClient{} }}
}

func (noopProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type oauthClient struct{}

type oauthClientModel struct {
	ID                    types.String `tfsdk:"id"`
	Name                  types.String `tfsdk:"name"`
	ConnectorID           types.String `tfsdk:"connector_id"`
	ConnectionDefinition  types.String `tfsdk:"connection_definition"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
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

func (*oauthClient) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "noop_oauth_client"
}

func (*oauthClient) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "An OAuth client that exists nowhere.",
		Attributes: map[string]schema.Attribute{
			"id":                       schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"name":                     schema.StringAttribute{Required: true},
			"connector_id":             schema.StringAttribute{Required: true},
			"connection_definition":    schema.StringAttribute{Required: true},
			"client_id":                schema.StringAttribute{Required: true},
			"client_secret":            schema.StringAttribute{Optional: true, Sensitive: true},
			"client_secret_wo":         schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
			"client_secret_wo_version": schema.Int64Attribute{Optional: true},
			"client_secret_set":        schema.BoolAttribute{Computed: true},
			"client_secret_expires_at": schema.StringAttribute{Optional: true},
			"authorization_url":        schema.StringAttribute{Optional: true},
			"token_url":                schema.StringAttribute{Optional: true, Computed: true},
			"refresh_url":              schema.StringAttribute{Optional: true},
			"scopes":                   schema.SetAttribute{Optional: true, ElementType: types.StringType},
			"prompts":                  schema.SetAttribute{Optional: true, ElementType: types.StringType},
			"client_authentication":    schema.StringAttribute{Optional: true, Computed: true},
			"public":                   schema.BoolAttribute{Optional: true, Computed: true},
			"account_id":               schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"created_at":               schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"updated_at":               schema.StringAttribute{Computed: true},
		},
	}
}

var made atomic.Int64

func (*oauthClient) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m oauthClientModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	now := time.Now().UTC().Format(time.RFC3339)
	m.ID = types.StringValue(fmt.Sprintf("noop-%d-%d", time.Now().UnixNano(), made.Add(1)))
	m.AccountID = types.StringValue("noop")
	m.CreatedAt = types.StringValue(now)
	m.settle(now)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (*oauthClient) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (*oauthClient) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m oauthClientModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.settle(time.Now().UTC().Format(time.RFC3339))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (*oauthClient) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// settle gives every value left unknown by the plan a known one, as an API would.
func (m *oauthClientModel) settle(now string) {
	m.ClientSecretWO = types.StringNull()
	m.ClientSecretSet = types.BoolValue(!m.ClientSecret.IsNull() || !m.ClientSecretWOVersion.IsNull())
	if m.TokenURL.IsUnknown() {
		m.TokenURL = types.StringValue("https://noop.invalid/token")
	}
	if m.ClientAuthentication.IsUnknown() {
		m.ClientAuthentication = types.StringValue("basicAuthHeader")
	}
	if m.Public.IsUnknown() {
		m.Public = types.BoolValue(false)
	}
	m.UpdatedAt = types.StringValue(now)
}
