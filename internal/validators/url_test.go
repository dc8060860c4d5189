package validators

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.example.com/management/v1": "",
		"HTTPS://api.example.com":               "",
		"http://localhost:8089/management/v1":   "",
		"http://127.0.0.1:8089":                 "",
		"http://127.9.9.9":                      "",
		"http://[::1]:8089/x":                   "",
		"http://api.example.com":                "uses http",
		"http://10.0.0.1":                       "uses http",
		"http://localhost.example.com":          "uses http",
		"ftp://example.com":                     `scheme "ftp"`,
		"/management/v1":                        "not an absolute URL",
		"api.example.com":                       "not an absolute URL",
		"https://":                              "not an absolute URL",
		"":                                      "not an absolute URL",
		"https://exa mple.com":                  "not an absolute URL",
	} {
		got := CheckURL(raw)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("CheckURL(%q) = %q, want it to say %q", raw, got, want)
		}
	}
}

func TestBaseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.example.com/management/v1":  "",
		"https://api.example.com/management/v1/": "",
		"http://127.0.0.1:8089/management/v1":    "",
		"https://api.example.com/management/v1?": "has a query or a fragment",
		"https://api.example.com/v1?tenant=acme": "has a query or a fragment",
		"https://api.example.com/v1#top":         "has a query or a fragment",
		"https://api.example.com/v1#":            "has a query or a fragment",
		"http://api.example.com/v1?tenant=acme":  "uses http",
	} {
		got := CheckBaseURL(raw)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("CheckBaseURL(%q) = %q, want it to say %q", raw, got, want)
		}
	}
	resp := &validator.StringResponse{}
	BaseURL().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("base_url"), ConfigValue: types.StringValue("https://h/v1?x")}, resp)
	if resp.Diagnostics.ErrorsCount() != 1 || !strings.HasPrefix(resp.Diagnostics[0].Detail(), `"https://h/v1?x" has a query or a fragment`) {
		t.Errorf("the validator does not apply CheckBaseURL: %v", resp.Diagnostics)
	}
}

func TestURLValidator(t *testing.T) {
	problem := `"http://example.com" uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1).`
	// Terraform shows a top-level attribute's line above the detail, so the detail does
	// not name it; a nested one's path ends the detail (Terraform 1.11 and OpenTofu
	// point at the resource alone).
	for _, c := range []struct {
		at   path.Path
		want string
	}{
		{path.Root("token_url"), problem},
		{path.Root("connection_definitions").AtMapKey("crm").AtName("token_url"), problem + ` The attribute is connection_definitions["crm"].token_url.`},
	} {
		check := func(v types.String) int {
			resp := &validator.StringResponse{}
			URL().ValidateString(context.Background(), validator.StringRequest{Path: c.at, ConfigValue: v}, resp)
			for _, d := range resp.Diagnostics {
				if d.Detail() != c.want {
					t.Errorf("at %s, the error says %q, want %q", c.at, d.Detail(), c.want)
				}
			}
			return resp.Diagnostics.ErrorsCount()
		}
		if check(types.StringValue("http://example.com")) != 1 {
			t.Error("an http URL off loopback passed")
		}
		if check(types.StringValue("https://example.com")) != 0 || check(types.StringNull()) != 0 || check(types.StringUnknown()) != 0 {
			t.Error("a valid, null or unknown value failed")
		}
	}
}

func TestDuration(t *testing.T) {
	for raw, ok := range map[string]bool{"30s": true, "2m": true, "1h30m": true, "0s": false, "-5s": false, "30": false, "soon": false, "": false} {
		resp := &validator.StringResponse{}
		Duration().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("request_timeout"), ConfigValue: types.StringValue(raw)}, resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: errors %v, want ok=%v", raw, resp.Diagnostics, ok)
		}
		if want := fmt.Sprintf("%q is not a positive Go duration; write it like 30s, 90s or 2m.", raw); !ok && resp.Diagnostics[0].Detail() != want {
			t.Errorf("%q: the error says %q, want %q", raw, resp.Diagnostics[0].Detail(), want)
		}
	}
}
