package validators

import (
	"context"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// FuzzURL checks the URL rule on any string: refused with a message that shows the
// value (and the path of a nested attribute, never at its start), or accepted; an accepted URL parses as an absolute
// URL with a host, uses https (or http to a loopback host), and is one the client
// takes as its token URL. A base URL accepted by the stricter rule of base_url is
// one the client takes too, and the paths of the API appended to it stay paths.
func FuzzURL(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/management/v1", "HTTPS://API.EXAMPLE.COM", "https://id.trimble.com/oauth/token",
		"http://localhost:8089/management/v1", "http://LocalHost", "http://127.0.0.1:8089", "http://127.9.9.9/x", "http://[::1]:8089/x",
		"http://[::ffff:127.0.0.1]/", "http://[::1%25eth0]/", "http://0177.0.0.1/", "http://2130706433/", "http://localhost.example.com",
		"http://api.example.com", "ftp://example.com", "/management/v1", "api.example.com", "https://", "https:///x", "https://:443",
		"https:host", "https://user:pass@host/x", "https://host:99999", "https://api.example.com/v1?tenant=acme", "https://api.example.com/v1#top", "https://exa mple.com", "https://h\u202e/x", "", "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkBaseURL(t, raw)
		problem := CheckURL(raw)
		for _, at := range []path.Path{path.Root("token_url"), nested.AtName("token_url")} {
			resp := &validator.StringResponse{}
			URL().ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(raw)}, resp)
			checkRefusal(t, resp.Diagnostics, at, problem)
		}
		if problem != "" {
			if !strings.Contains(problem, strconv.Quote(raw)) {
				t.Errorf("%q: the message does not show the value: %s", raw, problem)
			}
			return
		}
		u, err := url.Parse(raw)
		if err != nil || !u.IsAbs() || u.Hostname() == "" {
			t.Fatalf("%q is accepted, but it is not an absolute URL with a host (%v)", raw, err)
		}
		switch scheme := strings.ToLower(u.Scheme); {
		case scheme == "https":
		case scheme == "http" && loopback(u.Hostname()):
		default:
			t.Fatalf("%q is accepted with the scheme %q and the host %q", raw, u.Scheme, u.Hostname())
		}
		if _, err := client.New(client.Config{BaseURL: "https://api.example.com", ClientID: "id", ClientSecret: "s", TokenURL: raw}); err != nil {
			t.Errorf("%q is accepted as token_url, but the client refuses it: %v", raw, err)
		}
	})
}

// checkBaseURL checks the rule of base_url on raw: it refuses what the URL rule
// refuses, and an accepted base URL is one the client takes, to which the client's
// way of appending a path and a query (base + path + "?" + query) gives a URL with
// that path and that query.
func checkBaseURL(t *testing.T, raw string) {
	t.Helper()
	at := path.Root("base_url")
	problem := CheckBaseURL(raw)
	resp := &validator.StringResponse{}
	BaseURL().ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(raw)}, resp)
	checkRefusal(t, resp.Diagnostics, at, problem)
	switch {
	case problem == "" && CheckURL(raw) != "":
		t.Fatalf("%q is accepted as base_url, but the URL rule refuses it", raw)
	case problem != "":
		return
	}
	if _, err := client.New(client.Config{BaseURL: raw, AccessToken: "t"}); err != nil {
		t.Errorf("%q is accepted as base_url, but the client refuses it: %v", raw, err)
	}
	joined, err := url.Parse(strings.TrimRight(raw, "/") + "/connectors?key=procore")
	if err != nil || !strings.HasSuffix(joined.Path, "/connectors") || joined.Query().Get("key") != "procore" || joined.Fragment != "" {
		t.Errorf("%q is accepted as base_url, but a path appended to it is lost: %v (%v)", raw, joined, err)
	}
}

// loopback tells a loopback host apart with net/netip, independently of the rule's net.ParseIP.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}

// nested is the path of an element of a map of objects, where Terraform 1.11 and
// OpenTofu point at the resource alone.
var nested = path.Root("connection_definitions").AtMapKey("crm")

// checkRefusal checks that diags hold exactly one error whose detail is problem, or
// nothing when problem is empty. Terraform prints the attribute's line above the
// detail, so the detail never starts with the path or the attribute's name; only a
// nested attribute's path ends it, as a sentence of its own. The detail has at most
// three sentences, and it is printable: a value with control characters is shown escaped.
func checkRefusal(t *testing.T, diags diag.Diagnostics, at path.Path, problem string) {
	t.Helper()
	if problem == "" {
		if diags.HasError() {
			t.Fatalf("accepted by the rule, refused by the validator: %v", diags)
		}
		return
	}
	want := problem
	if len(at.Steps()) > 1 {
		want += " The attribute is " + at.String() + "."
	}
	if diags.ErrorsCount() != 1 || diags.Errors()[0].Detail() != want {
		t.Fatalf("the validator does not say %q at %s: %v", want, at, diags)
	}
	detail := diags.Errors()[0].Detail()
	name := at.Steps()[len(at.Steps())-1].String()
	if strings.HasPrefix(detail, at.String()) || strings.HasPrefix(detail, name) {
		t.Fatalf("the detail starts with the attribute, which Terraform shows above it: %q", detail)
	}
	if n := sentences(detail); n > 3 {
		t.Fatalf("the detail has %d sentences, more than three: %q", n, detail)
	}
	for _, r := range problem {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Fatalf("the message %q holds the control character %U", problem, r)
		}
	}
}

var (
	quoted      = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`) // a Go-quoted string, such as a value in a detail
	sentenceEnd = regexp.MustCompile(`[.?!](\s|$)`)
)

// sentences counts the sentences of a detail: the full stops, question and
// exclamation marks that end it or precede a space, outside quoted values.
func sentences(detail string) int {
	return len(sentenceEnd.FindAllString(quoted.ReplaceAllString(detail, `""`), -1))
}

// FuzzDuration checks request_timeout on any string: accepted exactly when it is a
// positive Go duration, refused with a message that shows the value, never the attribute.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"30s", "2m", "1h30m", "1.5s", "500ms", "1µs", "0s", "0", "-5s", "30", "soon", "", " 30s", "9223372036854775807ns", "9223372036854775808ns", "+1s"} {
		f.Add(s)
	}
	at := path.Root("request_timeout")
	f.Fuzz(func(t *testing.T, raw string) {
		resp := &validator.StringResponse{}
		Duration().ValidateString(context.Background(), validator.StringRequest{Path: at, ConfigValue: types.StringValue(raw)}, resp)
		d, err := time.ParseDuration(raw)
		problem := ""
		if err != nil || d <= 0 {
			problem = strconv.Quote(raw) + " is not a positive Go duration; write it like 30s, 90s or 2m."
		}
		checkRefusal(t, resp.Diagnostics, at, problem)
	})
}

// FuzzCollectionValidators checks NotEmpty, Alone and Unique on the elements of any
// comma-separated string, with or without an element unknown at plan.
func FuzzCollectionValidators(f *testing.F) {
	for _, s := range []string{"", "none", "none,login", "login,consent", "login,none,consent", "a,a", "a,b,a,a,b", ",", "Prod,prod", "none,none"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string, withUnknown bool) {
		checkCollectionValidators(ctx, t, path.Root("prompts"), s, withUnknown)
		checkCollectionValidators(ctx, t, nested.AtName("properties").AtMapKey("env").AtName("enum_values"), s, withUnknown)
	})
}

// checkCollectionValidators checks NotEmpty, Alone and Unique at the attribute at on
// the elements of the comma-separated s, with or without an element unknown at plan.
func checkCollectionValidators(ctx context.Context, t *testing.T, at path.Path, s string, withUnknown bool) {
	t.Helper()
	var known []string
	if s != "" {
		known = strings.Split(s, ",")
	}
	var distinct []string
	for _, e := range known {
		if !slices.Contains(distinct, e) {
			distinct = append(distinct, e)
		}
	}
	listElems, setElems := strValues(known), strValues(distinct)
	mapElems := map[string]attr.Value{}
	for _, e := range distinct {
		mapElems[e] = types.StringValue(e)
	}
	if withUnknown {
		listElems = append(listElems, types.StringUnknown())
		setElems = append(setElems, types.StringUnknown())
		mapElems["unknown at plan"] = types.StringUnknown()
	}
	list := types.ListValueMust(types.StringType, listElems)
	set := types.SetValueMust(types.StringType, setElems)
	m := types.MapValueMust(types.StringType, mapElems)

	// NotEmpty: only a value without any element (or the empty string) is refused.
	empty := "The value must not be empty: the API does not keep empty values, so omit the attribute instead."
	ifEmpty := func(isEmpty bool) string {
		if isEmpty {
			return empty
		}
		return ""
	}
	sr := &validator.StringResponse{}
	NotEmpty().ValidateString(ctx, validator.StringRequest{Path: at, ConfigValue: types.StringValue(s)}, sr)
	checkRefusal(t, sr.Diagnostics, at, ifEmpty(s == ""))
	lr := &validator.ListResponse{}
	NotEmpty().ValidateList(ctx, validator.ListRequest{Path: at, ConfigValue: list}, lr)
	checkRefusal(t, lr.Diagnostics, at, ifEmpty(len(listElems) == 0))
	setResp := &validator.SetResponse{}
	NotEmpty().ValidateSet(ctx, validator.SetRequest{Path: at, ConfigValue: set}, setResp)
	checkRefusal(t, setResp.Diagnostics, at, ifEmpty(len(setElems) == 0))
	mr := &validator.MapResponse{}
	NotEmpty().ValidateMap(ctx, validator.MapRequest{Path: at, ConfigValue: m}, mr)
	checkRefusal(t, mr.Diagnostics, at, ifEmpty(len(mapElems) == 0))

	// Alone: "none" with another known element is refused; an unknown element may turn out "none".
	ar := &validator.SetResponse{}
	Alone("none").ValidateSet(ctx, validator.SetRequest{Path: at, ConfigValue: set}, ar)
	alone := ""
	if slices.Contains(distinct, "none") && len(distinct) > 1 {
		alone = `"none" cannot be combined with another element; keep only "none", or remove it.`
	}
	checkRefusal(t, ar.Diagnostics, at, alone)

	// Unique: one error for each known value that appears more than once, in any order.
	ur := &validator.ListResponse{}
	Unique().ValidateList(ctx, validator.ListRequest{Path: at, ConfigValue: list}, ur)
	var repeated []string
	for _, e := range distinct {
		n := 0
		for _, k := range known {
			if k == e {
				n++
			}
		}
		if n > 1 {
			repeated = append(repeated, e)
		}
	}
	if got := ur.Diagnostics.ErrorsCount(); got != len(repeated) {
		t.Fatalf("%q: %d errors for the repeated values %q: %v", s, got, repeated, ur.Diagnostics)
	}
	for _, d := range ur.Diagnostics.Errors() {
		i := slices.IndexFunc(repeated, func(e string) bool { return strings.HasPrefix(d.Detail(), strconv.Quote(e)+" appears") })
		if i < 0 {
			t.Fatalf("%q: an error for a value that is not repeated: %s", s, d.Detail())
		}
		checkRefusal(t, diag.Diagnostics{d}, at, strconv.Quote(repeated[i])+" appears more than once; list each value once.")
	}
}

func strValues(values []string) []attr.Value {
	out := make([]attr.Value, len(values))
	for i, v := range values {
		out[i] = types.StringValue(v)
	}
	return out
}
