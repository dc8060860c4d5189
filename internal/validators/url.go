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

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL validates a string attribute with CheckURL.
func URL() validator.String { return urlValidator{} }

type urlValidator struct{}

func (urlValidator) Description(context.Context) string {
	return "must be an absolute https URL (http only for loopback hosts)"
}

func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (urlValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := CheckURL(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", req.Path.String()+": "+problem)
	}
}
