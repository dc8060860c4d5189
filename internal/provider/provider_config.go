package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

var scopePattern = regexp.MustCompile(`^\S+$`)

// clientConfig resolves the provider configuration, with its environment
// fallbacks, into a client configuration. Each attribute set in the
// configuration wins over its environment variable.
func clientConfig(ctx context.Context, m providerModel, lookupEnv func(string) (string, bool)) (client.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	unknown := func(attr, env string, v interface{ IsUnknown() bool }) {
		if !v.IsUnknown() {
			return
		}
		fix := "Set it statically in the configuration."
		if env != "" {
			fix = "Set it statically in the configuration, or through the " + env + " environment variable."
		}
		diags.AddAttributeError(path.Root(attr), "Unknown App Xchange Provider Setting",
			"The provider cannot be configured: "+attr+" depends on a value that is known only after apply. "+fix)
	}
	unknown("base_url", envBaseURL, m.BaseURL)
	unknown("access_token", envAccessToken, m.AccessToken)
	unknown("client_id", envClientID, m.ClientID)
	unknown("client_secret", envClientSecret, m.ClientSecret)
	unknown("token_url", envTokenURL, m.TokenURL)
	unknown("scopes", "", m.Scopes)
	unknown("max_retries", envMaxRetries, m.MaxRetries)
	unknown("request_timeout", "", m.RequestTimeout)
	if diags.HasError() {
		return client.Config{}, diags
	}

	env := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	pick := func(v types.String, name string) (string, bool) {
		if !v.IsNull() {
			return v.ValueString(), true
		}
		return env(name), false
	}

	cfg := client.Config{MaxRetries: defaultMaxRetries, RequestTimeout: defaultRequestTimeout}

	baseURL, inConfig := pick(m.BaseURL, envBaseURL)
	switch {
	case baseURL == "":
		diags.AddAttributeError(path.Root("base_url"), "Missing App Xchange API URL",
			"Set base_url in the provider configuration, or the "+envBaseURL+" environment variable, to the root of the management API, "+
				"such as https://HOST/management/v1.")
	case !inConfig:
		if problem := validators.CheckBaseURL(baseURL); problem != "" {
			diags.AddAttributeError(path.Root("base_url"), "Invalid URL", fromEnvironment(envBaseURL, problem))
		}
	}
	cfg.BaseURL = baseURL

	if tokenURL, inConfig := pick(m.TokenURL, envTokenURL); tokenURL != "" {
		if problem := validators.CheckURL(tokenURL); problem != "" && !inConfig {
			diags.AddAttributeError(path.Root("token_url"), "Invalid URL", fromEnvironment(envTokenURL, problem))
		}
		cfg.TokenURL = tokenURL
	} else {
		cfg.TokenURL = DefaultTokenURL
	}

	var tokenInConfig, idInConfig, secretInConfig bool
	cfg.AccessToken, tokenInConfig = pick(m.AccessToken, envAccessToken)
	cfg.ClientID, idInConfig = pick(m.ClientID, envClientID)
	cfg.ClientSecret, secretInConfig = pick(m.ClientSecret, envClientSecret)
	// A credential form chosen in the configuration keeps the other form's
	// environment variables out, so a token exported for other tools does not
	// conflict with a service account written in HCL, and the other way round.
	if tokenInConfig && !idInConfig && !secretInConfig {
		cfg.ClientID, cfg.ClientSecret = "", ""
	}
	if (idInConfig || secretInConfig) && !tokenInConfig {
		cfg.AccessToken = ""
	}
	serviceAccount := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case cfg.AccessToken != "" && serviceAccount:
		diags.AddError("Conflicting App Xchange Credentials",
			"Use one credential form: access_token ("+envAccessToken+"), or client_id and client_secret ("+envClientID+", "+envClientSecret+"), not both.")
	case cfg.AccessToken == "" && !serviceAccount:
		diags.AddError("Missing App Xchange Credentials",
			"Set access_token (or the "+envAccessToken+" environment variable), or a service account's client_id and client_secret "+
				"(or "+envClientID+" and "+envClientSecret+") in the provider configuration.")
	case serviceAccount && cfg.ClientID == "":
		diags.AddAttributeError(path.Root("client_id"), "Missing Service Account Client ID",
			"client_secret is set, so client_id is needed too: set it in the provider configuration or through "+envClientID+".")
	case serviceAccount && cfg.ClientSecret == "":
		diags.AddAttributeError(path.Root("client_secret"), "Missing Service Account Client Secret",
			"client_id is set, so client_secret is needed too: set it in the provider configuration or through "+envClientSecret+".")
	}

	if !m.Scopes.IsNull() {
		diags.Append(m.Scopes.ElementsAs(ctx, &cfg.Scopes, false)...)
	}

	switch {
	case !m.MaxRetries.IsNull():
		cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	case env(envMaxRetries) != "":
		n, err := parseRetries(env(envMaxRetries))
		if err != nil {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Retry Count", fromEnvironment(envMaxRetries, err.Error()+"; set it to a number such as 4."))
		}
		cfg.MaxRetries = int(n)
	}

	if !m.RequestTimeout.IsNull() {
		// The attribute validator already refused anything but a positive duration.
		if d, err := time.ParseDuration(m.RequestTimeout.ValueString()); err == nil {
			cfg.RequestTimeout = d
		}
	}
	return cfg, diags
}

// fromEnvironment is the detail of an error about the value of the environment
// variable env, which problem describes. Terraform shows the attribute the variable
// stands for, so the detail says where the value came from.
func fromEnvironment(env, problem string) string {
	return "The value of the " + env + " environment variable is invalid: " + problem
}
