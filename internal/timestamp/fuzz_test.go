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
)

// FuzzTimestamp checks any two strings as client_secret_expires_at: each is refused
// with a diagnostic that names the attribute or accepted, never a panic; what is
// accepted is RFC 3339 and survives the API writing it in UTC; semantic equality
// is reflexive and symmetric, and is the equality of the instants.
func FuzzTimestamp(f *testing.F) {
	for _, s := range [][2]string{
		{"2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00"},
		{"2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00.500000000Z"},
		{"2027-01-31T09:00:00+09:00", "2027-01-31T00:00:00Z"},
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"},
		{"0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-02:00"},
		{"2030-01-01", "31/01/2027"},
		{"2030-02-30T00:00:00Z", "2016-12-31T23:59:60Z"},
		{"2030-01-01t00:00:00z", "2030-01-01T00:00:00Z trailing"},
		{"", "not a time"},
	} {
		f.Add(s[0], s[1])
	}
	at := path.Root("client_secret_expires_at")
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, a, b string) {
		va, vb := New(a), New(b)
		okA, okB := accepted(t, va, at), accepted(t, vb, at)
		for _, c := range []struct {
			v  Value
			ok bool
		}{{va, okA}, {vb, okB}} {
			s := c.v.ValueString()
			if !c.ok {
				if pastWarnings(t, s, at, now) {
					t.Errorf("%q is refused, yet warned about as past", s)
				}
				continue
			}
			if !isRFC3339(s) {
				t.Errorf("%q is accepted but is not an RFC 3339 timestamp", s)
			}
			got, _ := c.v.Time()
			if y := got.UTC().Year(); y < 1 || y > 9999 {
				t.Errorf("%q is accepted but falls in the year %d in UTC", s, y)
			}
			// The API stores the instant and answers it in UTC: no diff may follow.
			back := New(got.UTC().Format(time.RFC3339Nano))
			if !accepted(t, back, at) || !equal(t, c.v, back) || !equal(t, back, c.v) {
				t.Errorf("%q and the API's %q are not the same instant", s, back.ValueString())
			}
			if !equal(t, c.v, c.v) {
				t.Errorf("%q is not semantically equal to itself", s)
			}
			warnings := pastWarnings(t, s, at, now)
			if warnings != got.Before(now) {
				t.Errorf("%q: warned %v, but it is before %v: %v", s, warnings, now, got.Before(now))
			}
		}
		ab, ba := equal(t, va, vb), equal(t, vb, va)
		if ab != ba {
			t.Errorf("%q ≡ %q is %v, but %q ≡ %q is %v", a, b, ab, b, a, ba)
		}
		if !okA || !okB {
			if ab {
				t.Errorf("%q ≡ %q though one of them is refused", a, b)
			}
			return
		}
		ta, _ := va.Time()
		tb, _ := vb.Time()
		if ab != ta.Equal(tb) {
			t.Errorf("%q ≡ %q is %v, but their instants are equal: %v", a, b, ab, ta.Equal(tb))
		}
	})
}

// accepted validates v as the attribute at: it is accepted, or refused with one
// error whose detail is the parse error as a sentence, never starting with the
// path (Terraform shows the attribute above it); WarnIfPast never refuses it.
func accepted(t *testing.T, v Value, at path.Path) bool {
	t.Helper()
	resp := &xattr.ValidateAttributeResponse{}
	v.ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: at}, resp)
	if n := resp.Diagnostics.ErrorsCount(); n > 1 {
		t.Fatalf("%q: %d errors", v.ValueString(), n)
	}
	_, err := v.Time()
	if resp.Diagnostics.HasError() {
		detail := resp.Diagnostics.Errors()[0].Detail()
		if strings.HasPrefix(detail, at.String()) || err == nil || detail != err.Error()+"." {
			t.Errorf("%q: the error says %q, want the parse error %v as a sentence, without the path", v.ValueString(), detail, err)
		}
	}
	if resp.Diagnostics.HasError() != (err != nil) {
		t.Errorf("%q: refused %v, but Time says %v", v.ValueString(), resp.Diagnostics.HasError(), err)
	}
	return !resp.Diagnostics.HasError()
}

func equal(t *testing.T, a, b Value) bool {
	t.Helper()
	eq, diags := a.StringSemanticEquals(context.Background(), b)
	if diags.HasError() {
		t.Fatalf("%q ≡ %q: %v", a.ValueString(), b.ValueString(), diags)
	}
	return eq
}

// pastWarnings reports whether WarnIfPast warns about s, and checks that it never refuses it.
func pastWarnings(t *testing.T, s string, at path.Path, now time.Time) bool {
	t.Helper()
	resp := &validator.StringResponse{}
	WarnIfPast("the client secret expires", func() time.Time { return now }).
		ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(s)}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("%q: WarnIfPast refused it: %v", s, resp.Diagnostics)
	}
	return resp.Diagnostics.WarningsCount() > 0
}

// isRFC3339 follows the date-time production of RFC 3339 (section 5.6) character by
// character, with the upper-case T and Z that the API writes:
// YYYY-MM-DDTHH:MM:SS[.F+](Z|±HH:MM), the offset below 24 hours and its minutes below 60.
func isRFC3339(s string) bool {
	digits := func(s string) bool {
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return false
			}
		}
		return s != ""
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		!digits(s[0:4]) || !digits(s[5:7]) || !digits(s[8:10]) || !digits(s[11:13]) || !digits(s[14:16]) || !digits(s[17:19]) {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	if rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && digits(rest[1:3]) && digits(rest[4:6]) &&
		rest[1:3] < "24" && rest[4:6] < "60"
}
