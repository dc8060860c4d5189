// Package validators holds the attribute validators the provider's schemas share.
package validators

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckURL applies the provider's one URL rule: an absolute URL with a host,
// https, or http only when the host is loopback (localhost, 127.0.0.0/8, ::1).
// It returns a sentence that says what is wrong and what to write instead, or "".
func CheckURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return fmt.Sprintf("%q is not an absolute URL with a host; write it in full, such as https://example.com/path.", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return ""
	case "http":
		if isLoopback(u.Hostname()) {
			return ""
		}
		return fmt.Sprintf("%q uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1).", raw)
	default:
		return fmt.Sprintf("%q uses the scheme %q; use https (http is allowed only for loopback hosts).", raw, u.Scheme)
	}
}

// CheckBaseURL applies CheckURL to the root of an API, to which the client appends
// paths: a query or a fragment would swallow them, so it may hold neither.
func CheckBaseURL(raw string) string {
	if problem := CheckURL(raw); problem != "" {
		return problem
	}
	if strings.ContainsAny(raw, "?#") {
		return fmt.Sprintf("%q has a query or a fragment, which would swallow the paths of the API; "+
			"write the API root alone, such as https://HOST/management/v1.", raw)
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL validates a string attribute with CheckURL.
func URL() validator.String {
	return urlValidator{check: CheckURL, description: "must be an absolute https URL (http only for loopback hosts)"}
}

// BaseURL validates a string attribute with CheckBaseURL.
func BaseURL() validator.String {
	return urlValidator{check: CheckBaseURL, description: "must be an absolute https URL (http only for loopback hosts) without a query or a fragment"}
}

type urlValidator struct {
	check       func(string) string
	description string
}

func (v urlValidator) Description(context.Context) string { return v.description }

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := v.check(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", Detail(req.Path, problem))
	}
}
