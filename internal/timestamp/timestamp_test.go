package timestamp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var unknown = Value{StringValue: basetypes.NewStringUnknown()}

func TestSemanticEquality(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00", true},
		{"2030-01-01T00:00:00Z", "2029-12-31T19:00:00-05:00", true},
		{"2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000Z", true},
		{"2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00.500000000Z", true},
		{"2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00", true},
		{"2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", false},
		{"2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00Z", false},
		{"2030-01-01T00:00:00Z", "2030-01-01T00:00:00+01:00", false},
		{"2030-01-01T00:00:00Z", "not a time", false},
	} {
		got, diags := New(c.a).StringSemanticEquals(ctx, New(c.b))
		if diags.HasError() || got != c.want {
			t.Errorf("%q ≡ %q: got %v (%v), want %v", c.a, c.b, got, diags, c.want)
		}
	}
	if New("2030-01-01T00:00:00Z").SameInstant(Null()) || unknown.SameInstant(unknown) {
		t.Error("a null or unknown timestamp is the same instant as another")
	}
	if _, diags := New("2030-01-01T00:00:00Z").StringSemanticEquals(ctx, basetypes.NewStringValue("2030-01-01T00:00:00Z")); !diags.HasError() {
		t.Error("comparing with a plain string is not reported")
	}
}

func TestValidateAttribute(t *testing.T) {
	for raw, want := range map[string]string{
		"2030-01-01T00:00:00Z":            "",
		"2030-01-01T09:00:00.123+09:00":   "",
		"0001-01-01T00:00:00Z":            "",
		"2030-01-01":                      "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00":             "is not an RFC 3339 timestamp",
		"31/01/2027":                      "is not an RFC 3339 timestamp",
		"0001-01-01T00:00:00+01:00":       "outside the years 1 to 9999",
		"9999-12-31T23:00:00-02:00":       "outside the years 1 to 9999",
		"2030-02-30T00:00:00Z":            "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00Z trailing":   "is not an RFC 3339 timestamp",
		"2030-01-01t00:00:00z":            "is not an RFC 3339 timestamp",
		"2030-01-01T24:00:00Z":            "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00.1234567891Z": "",
		"2030-01-01T0:00:00Z":             "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00,5Z":          "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00+24:00":       "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00+00:60":       "is not an RFC 3339 timestamp",
		"2030-01-01T00:00:00-00:00":       "",
	} {
		resp := &xattr.ValidateAttributeResponse{}
		New(raw).ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("expires")}, resp)
		got := ""
		if resp.Diagnostics.HasError() {
			got = resp.Diagnostics.Errors()[0].Detail()
		}
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want it to say %q", raw, got, want)
		}
		if strings.HasPrefix(got, "expires") {
			t.Errorf("%q: the detail starts with the attribute, which Terraform shows above it: %q", raw, got)
		}
	}
	// The whole detail: what is wrong and what to write; the path only when the attribute is nested.
	for _, c := range []struct {
		at        path.Path
		raw, want string
	}{
		{path.Root("expires"), "31/01/2027",
			`"31/01/2027" is not an RFC 3339 timestamp; write a date, time and offset such as 2027-01-31T00:00:00Z or 2027-01-31T09:00:00+09:00.`},
		{path.Root("expires"), "0000-06-01T00:00:00Z", `"0000-06-01T00:00:00Z" falls outside the years 1 to 9999 in UTC; write a date within them.`},
		{path.Root("secrets").AtMapKey("crm").AtName("expires"), "2030-01-01",
			`"2030-01-01" is not an RFC 3339 timestamp; write a date, time and offset such as 2027-01-31T00:00:00Z or 2027-01-31T09:00:00+09:00. ` +
				`The attribute is secrets["crm"].expires.`},
	} {
		resp := &xattr.ValidateAttributeResponse{}
		New(c.raw).ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: c.at}, resp)
		if resp.Diagnostics.ErrorsCount() != 1 || resp.Diagnostics.Errors()[0].Detail() != c.want {
			t.Errorf("%q at %s: got %v, want the detail %q", c.raw, c.at, resp.Diagnostics, c.want)
		}
	}
	for _, v := range []Value{Null(), unknown} {
		resp := &xattr.ValidateAttributeResponse{}
		v.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", v, resp.Diagnostics)
		}
	}
}

func TestTypeRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, in := range []tftypes.Value{
		tftypes.NewValue(tftypes.String, "2030-01-01T00:00:00Z"),
		tftypes.NewValue(tftypes.String, nil),
		tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		v, err := Type{}.ValueFromTerraform(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := v.ToTerraformValue(ctx)
		if err != nil || !out.Equal(in) {
			t.Errorf("%v came back as %v (%v)", in, out, err)
		}
		if _, ok := v.(Value); !ok || !v.Type(ctx).Equal(Type{}) {
			t.Errorf("%v converted to %T", in, v)
		}
	}
	if (Type{}).Equal(types.StringType) || New("x").Equal(types.StringValue("x")) || !New("x").Equal(New("x")) {
		t.Error("a timestamp type or value equals a plain string one, or not itself")
	}
}

func TestWarnIfPast(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	v := WarnIfPast("the client secret expires", func() time.Time { return now })
	for raw, warns := range map[string]bool{
		"2026-11-27T11:59:59Z":      true,
		"2026-11-27T12:30:00+01:00": true,
		"2026-11-27T12:00:01Z":      false,
		"2030-01-01T00:00:00Z":      false,
		"not a time":                false,
	} {
		resp := &validator.StringResponse{}
		v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("client_secret_expires_at"), ConfigValue: types.StringValue(raw)}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%q: an error, not a warning: %v", raw, resp.Diagnostics)
		}
		if got := resp.Diagnostics.WarningsCount() == 1; got != warns {
			t.Errorf("%q: warned %v, want %v", raw, got, warns)
		}
		if warns && !strings.HasPrefix(resp.Diagnostics.Warnings()[0].Detail(), "The client secret expires at 2026-11-27") {
			t.Errorf("%q: the warning does not start with what passed: %s", raw, resp.Diagnostics.Warnings()[0].Detail())
		}
	}
	// The whole warning, which names a nested attribute and no other.
	for suffix, at := range map[string]path.Path{
		"": path.Root("client_secret_expires_at"),
		" The attribute is secrets[\"crm\"].expires_at.": path.Root("secrets").AtMapKey("crm").AtName("expires_at"),
	} {
		resp := &validator.StringResponse{}
		v.ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue("2026-11-27T13:00:00+02:00")}, resp)
		full := "The client secret expires at 2026-11-27T13:00:00+02:00, which has already passed. If that is right, renew the secret at the external " +
			"service and update this attribute with the new date; otherwise correct the date." + suffix
		if resp.Diagnostics.WarningsCount() != 1 || resp.Diagnostics.Warnings()[0].Detail() != full {
			t.Errorf("at %s: got %v, want the warning %q", at, resp.Diagnostics, full)
		}
	}
}
