// Package provider is the appxchange Terraform provider: its configuration,
// resources and data sources.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

// Defaults of the provider configuration.
const (
	DefaultTokenURL       = "https://id.trimble.com/oauth/token"
	defaultMaxRetries     = 4
	defaultRequestTimeout = 30 * time.Second
)

// Environment variables the provider configuration falls back to.
const (
	envBaseURL      = "APPXCHANGE_BASE_URL"
	envAccessToken  = "APPXCHANGE_ACCESS_TOKEN"
	envClientID     = "APPXCHANGE_CLIENT_ID"
	envClientSecret = "APPXCHANGE_CLIENT_SECRET"
	envTokenURL     = "APPXCHANGE_TOKEN_URL"
	envMaxRetries   = "APPXCHANGE_MAX_RETRIES"
)

var (
	_ provider.Provider                     = (*appxchangeProvider)(nil)
	_ provider.ProviderWithConfigValidators = (*appxchangeProvider)(nil)
	_ provider.ProviderWithListResources    = (*appxchangeProvider)(nil)
)

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &appxchangeProvider{version: version} }
}

type appxchangeProvider struct {
	version string
}

type providerModel struct {
	BaseURL        types.String `tfsdk:"base_url"`
	AccessToken    types.String `tfsdk:"access_token"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	TokenURL       types.String `tfsdk:"token_url"`
	Scopes         types.Set    `tfsdk:"scopes"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
}

func (p *appxchangeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "appxchange"
	resp.Version = p.version
}

func (p *appxchangeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages Trimble App Xchange connectivity objects: OAuth clients and connectors. " +
			"Authenticate with an access token, or with a service account's client ID and secret (client-credentials grant).",
		Attributes: map[string]schema.Attribute{
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Root of the App Xchange management API, such as `https://HOST/management/v1`. " +
					"Falls back to the `" + envBaseURL + "` environment variable; one of the two is required. " +
					"Must use https, except on loopback hosts, and hold no query or fragment.",
				Optional:   true,
				Validators: []validator.String{validators.BaseURL()},
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "Bearer token for the API. Falls back to `" + envAccessToken + "`. Conflicts with `client_id` and `client_secret`.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Client ID of a service account, exchanged for tokens at `token_url` with the client-credentials grant. " +
					"Falls back to `" + envClientID + "`. Needs `client_secret` (or `" + envClientSecret + "`).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Client secret of the service account. Falls back to `" + envClientSecret + "`. Needs `client_id` (or `" + envClientID + "`).",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"token_url": schema.StringAttribute{
				MarkdownDescription: "Token endpoint of the service account's client-credentials grant. Falls back to `" + envTokenURL +
					"`, then to `" + DefaultTokenURL + "`.",
				Optional:   true,
				Validators: []validator.String{validators.URL()},
			},
			"scopes": schema.SetAttribute{
				Description: "Scopes requested with the service account's tokens.",
				Optional:    true,
				ElementType: types.StringType,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(scopePattern, "must be one scope without whitespace"))},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Retries of a request after the first attempt, on throttling (429), server errors and dropped connections, "+
					"with exponential backoff and `Retry-After` honoured. Falls back to `%s`, then to %d.", envMaxRetries, defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit of one attempt of a request, as a Go duration such as `30s` or `2m`. Defaults to `30s`.",
				Optional:            true,
				Validators:          []validator.String{validators.Duration()},
			},
		},
	}
}

func (p *appxchangeProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("access_token"), path.MatchRoot("client_id")),
		providervalidator.Conflicting(path.MatchRoot("access_token"), path.MatchRoot("client_secret")),
	}
}

func (p *appxchangeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := clientConfig(ctx, config, os.LookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.UserAgent = fmt.Sprintf("terraform-provider-appxchange/%s Terraform/%s", p.version, req.TerraformVersion)
	// With the provider's logs off (plugin.QuietDiscardedLogs), the logger's Enabled
	// says so, and the client builds no line at all.
	cfg.Logger = newLogger(cfg.AccessToken, cfg.ClientSecret)
	c, err := client.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create App Xchange Client", err.Error())
		return
	}
	pd := &providerData{client: c}
	resp.DataSourceData = pd
	resp.ResourceData = pd
	resp.ListResourceData = pd
}

func (p *appxchangeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewConnectorResource,
		NewOAuthClientResource,
	}
}

func (p *appxchangeProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAccountDataSource,
		NewConnectorDataSource,
		NewConnectorsDataSource,
		NewOAuthClientDataSource,
		NewOAuthClientsDataSource,
	}
}

// ListResources are run by `terraform query` (Terraform 1.14 and later); each lists
// the objects of the resource type of the same name.
func (p *appxchangeProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewConnectorListResource,
		NewOAuthClientListResource,
	}
}

// parseRetries reads max_retries from the environment.
func parseRetries(raw string) (int64, error) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > 20 {
		return 0, fmt.Errorf("%q is not a whole number from 0 to 20", raw)
	}
	return n, nil
}

// descriptions sets text as the Description or the MarkdownDescription of a schema
// attribute, for helpers that describe attributes with either: markdown (inline code
// or a link) is a MarkdownDescription, which registry pages render and
// `providers schema -json` marks with description_kind "markdown", and plain text a
// Description. TestSchemaDescriptions checks every schema for this.
func descriptions(text string) (plain, markdown string) {
	if strings.Contains(text, "`") || strings.Contains(text, "](") {
		return "", text
	}
	return text, ""
}
