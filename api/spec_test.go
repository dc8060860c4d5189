package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/appxchange/terraform-provider-appxchange/api"
)

const managementPrefix = "/management/v1/"

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return doc
}

func TestLoad(t *testing.T) {
	doc := load(t)
	if len(api.Document) == 0 {
		t.Fatal("Document is empty")
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if doc.Info.Title != "App Xchange Management API" || doc.Info.Version != "1.0.0" {
		t.Errorf("info = %q %q", doc.Info.Title, doc.Info.Version)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "http://127.0.0.1:8089" {
		t.Errorf("servers = %+v, want the sandbox default only", doc.Servers)
	}
	// Every Load returns an independent document that callers may change.
	doc.Servers = nil
	if again := load(t); len(again.Servers) != 1 {
		t.Error("changing one loaded document changed another")
	}
}

func TestLoadRejectsInvalidDocument(t *testing.T) {
	saved := api.Document
	t.Cleanup(func() { api.Document = saved })

	api.Document = bytes.Replace(saved, []byte("operationId: getMe"), []byte("operationId: getConnector"), 1)
	if _, err := api.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "validating") {
		t.Errorf("duplicate operationId: err = %v, want a validation error", err)
	}
	api.Document = []byte("openapi: [")
	if _, err := api.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "loading") {
		t.Errorf("malformed YAML: err = %v, want a loading error", err)
	}
}

// operations returns every operation keyed by "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

func TestOperationsAreTheContract(t *testing.T) {
	want := map[string]string{
		"POST /oauth/token":                         "issueToken",
		"GET /management/v1/me":                     "getMe",
		"GET /management/v1/connectors":             "listConnectors",
		"POST /management/v1/connectors":            "createConnector",
		"GET /management/v1/connectors/{id}":        "getConnector",
		"PATCH /management/v1/connectors/{id}":      "updateConnector",
		"DELETE /management/v1/connectors/{id}":     "deleteConnector",
		"GET /management/v1/oauth-clients":          "listOAuthClients",
		"POST /management/v1/oauth-clients":         "createOAuthClient",
		"GET /management/v1/oauth-clients/{id}":     "getOAuthClient",
		"PATCH /management/v1/oauth-clients/{id}":   "updateOAuthClient",
		"DELETE /management/v1/oauth-clients/{id}":  "deleteOAuthClient",
		"GET /management/v1/idempotency-keys/{key}": "getIdempotencyKey",
		"GET /_sandbox/stats":                       "getSandboxStats",
		"POST /_sandbox/stats/reset":                "resetSandboxStats",
	}
	got := map[string]string{}
	for key, op := range operations(load(t)) {
		got[key] = op.OperationID
	}
	for key, id := range want {
		if got[key] != id {
			t.Errorf("%s: operationId %q, want %q", key, got[key], id)
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected operation %s", key)
		}
	}
}

func TestEveryOperationIsDocumented(t *testing.T) {
	doc := load(t)
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = true
	}
	for key, op := range operations(doc) {
		if op.OperationID == "" {
			t.Errorf("%s: no operationId", key)
		}
		if !sentence(op.Summary) {
			t.Errorf("%s: summary %q is not a sentence", key, op.Summary)
		}
		if !sentence(op.Description) {
			t.Errorf("%s: description %q is not a sentence", key, op.Description)
		}
		if len(op.Tags) != 1 || !tags[op.Tags[0]] {
			t.Errorf("%s: tags %v, want one declared tag", key, op.Tags)
		}
		success := false
		for code := range op.Responses.Map() {
			success = success || (len(code) == 3 && code[0] == '2')
		}
		if !success {
			t.Errorf("%s: no 2xx response", key)
		}
		def := op.Responses.Default()
		if def == nil || problemSchema(def.Value) == nil {
			t.Errorf("%s: no default response with a Problem body", key)
		}
	}
}

func problemSchema(resp *openapi3.Response) *openapi3.SchemaRef {
	mt := resp.Content.Get("application/problem+json")
	if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/Problem" {
		return nil
	}
	return mt.Schema
}

func hasRequirement(reqs openapi3.SecurityRequirements, scheme string) bool {
	for _, req := range reqs {
		if _, ok := req[scheme]; ok && len(req) == 1 {
			return true
		}
	}
	return false
}

func TestSecurity(t *testing.T) {
	doc := load(t)
	for key, op := range operations(doc) {
		_, path, _ := strings.Cut(key, " ")
		switch {
		case strings.HasPrefix(path, managementPrefix):
			if op.Security == nil || len(*op.Security) != 1 || !hasRequirement(*op.Security, "bearerAuth") {
				t.Errorf("%s: security %v, want bearerAuth only", key, op.Security)
			}
			for _, code := range []string{"401", "429"} {
				resp := op.Responses.Value(code)
				if resp == nil || problemSchema(resp.Value) == nil {
					t.Errorf("%s: no %s response with a Problem body", key, code)
				}
			}
			if resp := op.Responses.Value("429"); resp != nil {
				h := resp.Value.Headers["Retry-After"]
				if h == nil || !h.Value.Required {
					t.Errorf("%s: 429 does not require Retry-After", key)
				}
			}
		case path == "/oauth/token":
			if op.Security == nil || len(*op.Security) != 2 || !hasRequirement(*op.Security, "basicAuth") || len((*op.Security)[1]) != 0 {
				t.Errorf("%s: security %v, want optional basicAuth", key, op.Security)
			}
		case strings.HasPrefix(path, "/_sandbox/"):
			if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s: security %v, want none", key, op.Security)
			}
		default:
			t.Errorf("%s: path outside the known prefixes", key)
		}
	}
	bearer := doc.Components.SecuritySchemes["bearerAuth"]
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" {
		t.Errorf("bearerAuth = %+v, want http bearer", bearer)
	}
	basic := doc.Components.SecuritySchemes["basicAuth"]
	if basic == nil || basic.Value.Type != "http" || basic.Value.Scheme != "basic" {
		t.Errorf("basicAuth = %+v, want http basic", basic)
	}
}

func TestWritesAreSafeToRetry(t *testing.T) {
	doc := load(t)
	for key, op := range operations(doc) {
		method, path, _ := strings.Cut(key, " ")
		if !strings.HasPrefix(path, managementPrefix) {
			continue
		}
		var params []string
		for _, p := range op.Parameters {
			params = append(params, p.Value.Name)
		}
		for _, p := range doc.Paths.Value(path).Parameters {
			params = append(params, p.Value.Name)
		}
		wantIdem := method == http.MethodPost || method == http.MethodPatch
		wantIfMatch := method == http.MethodPatch || method == http.MethodDelete
		if slices.Contains(params, "Idempotency-Key") != wantIdem {
			t.Errorf("%s: Idempotency-Key declared = %v, want %v", key, !wantIdem, wantIdem)
		}
		if slices.Contains(params, "If-Match") != wantIfMatch {
			t.Errorf("%s: If-Match declared = %v, want %v", key, !wantIfMatch, wantIfMatch)
		}
		if wantIfMatch && (op.Responses.Value("412") == nil) {
			t.Errorf("%s: If-Match without a 412 response", key)
		}
		if method == http.MethodGet && strings.HasSuffix(path, "{id}") || method == http.MethodPatch || method == http.MethodPost {
			for code, resp := range op.Responses.Map() {
				if code[0] == '2' && resp.Value.Headers["ETag"] == nil {
					t.Errorf("%s: %s response without ETag", key, code)
				}
			}
		}
	}
}

// walkProperties walks every schema of the document and calls fn for each property.
func walkProperties(doc *openapi3.T, fn func(where string, prop *openapi3.SchemaRef)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, s *openapi3.SchemaRef)
	walk = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		v := s.Value
		names := make([]string, 0, len(v.Properties))
		for name := range v.Properties {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			fn(where+"."+name, v.Properties[name])
			walk(where+"."+name, v.Properties[name])
		}
		walk(where+"[]", v.Items)
		walk(where+"{}", v.AdditionalProperties.Schema)
		for _, group := range []openapi3.SchemaRefs{v.AllOf, v.AnyOf, v.OneOf} {
			for i, sub := range group {
				walk(fmt.Sprintf("%s/%d", where, i), sub)
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s)
	}
	for key, op := range operations(doc) {
		if op.RequestBody != nil {
			for ct, mt := range op.RequestBody.Value.Content {
				walk(key+" request "+ct, mt.Schema)
			}
		}
		for code, resp := range op.Responses.Map() {
			for ct, mt := range resp.Value.Content {
				walk(key+" "+code+" "+ct, mt.Schema)
			}
		}
	}
}

func TestEverySchemaPropertyIsDescribed(t *testing.T) {
	doc := load(t)
	count := 0
	walkProperties(doc, func(where string, prop *openapi3.SchemaRef) {
		count++
		if !sentence(prop.Value.Description) {
			t.Errorf("%s: description %q is not a sentence", where, prop.Value.Description)
		}
	})
	if count < 100 {
		t.Errorf("walked %d properties; the walk is broken", count)
	}
}

func TestEveryPartIsDescribed(t *testing.T) {
	doc := load(t)
	check := func(where, desc string) {
		if !sentence(desc) {
			t.Errorf("%s: description %q is not a sentence", where, desc)
		}
	}
	check("info", doc.Info.Description)
	for _, s := range doc.Servers {
		check("server "+s.URL, s.Description)
	}
	for _, tag := range doc.Tags {
		check("tag "+tag.Name, tag.Description)
	}
	for name, s := range doc.Components.Schemas {
		check("schema "+name, s.Value.Description)
	}
	for name, p := range doc.Components.Parameters {
		check("parameter "+name, p.Value.Description)
	}
	for name, h := range doc.Components.Headers {
		check("header "+name, h.Value.Description)
	}
	for name, r := range doc.Components.Responses {
		check("response "+name, *r.Value.Description)
	}
	for name, b := range doc.Components.RequestBodies {
		check("request body "+name, b.Value.Description)
	}
	for name, s := range doc.Components.SecuritySchemes {
		check("security scheme "+name, s.Value.Description)
	}
	for key, op := range operations(doc) {
		for code, r := range op.Responses.Map() {
			check(key+" "+code, *r.Value.Description)
		}
	}
}

// sentence reports whether s is non-empty text that ends with a period.
func sentence(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && strings.HasSuffix(s, ".")
}

func TestObjectsAreClosed(t *testing.T) {
	// Unknown form fields of a token request are ignored, as RFC 6749 §3.2 requires.
	open := map[string]bool{"TokenRequest": true}
	for name, s := range load(t).Components.Schemas {
		v := s.Value
		if !v.Type.Is(openapi3.TypeObject) || open[name] {
			continue
		}
		if len(v.Properties) > 0 && (v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has) {
			t.Errorf("schema %s does not set additionalProperties: false", name)
		}
	}
}

var componentRef = regexp.MustCompile(`\$ref: '#/components/(\w+)/([\w-]+)'`)

func TestComponentsAreUsedAndRefsAreLocal(t *testing.T) {
	doc := load(t)
	used := map[string]bool{}
	for _, m := range componentRef.FindAllSubmatch(api.Document, -1) {
		used[string(m[1])+"/"+string(m[2])] = true
	}
	if n := bytes.Count(api.Document, []byte("$ref:")); n != len(componentRef.FindAll(api.Document, -1)) {
		t.Errorf("%d $refs, of which only %d are local component refs", n, len(componentRef.FindAll(api.Document, -1)))
	}
	kinds := map[string][]string{}
	for name := range doc.Components.Schemas {
		kinds["schemas"] = append(kinds["schemas"], name)
	}
	for name := range doc.Components.Parameters {
		kinds["parameters"] = append(kinds["parameters"], name)
	}
	for name := range doc.Components.Headers {
		kinds["headers"] = append(kinds["headers"], name)
	}
	for name := range doc.Components.Responses {
		kinds["responses"] = append(kinds["responses"], name)
	}
	for name := range doc.Components.RequestBodies {
		kinds["requestBodies"] = append(kinds["requestBodies"], name)
	}
	for kind, names := range kinds {
		for _, name := range names {
			if !used[kind+"/"+name] {
				t.Errorf("components/%s/%s is never referenced", kind, name)
			}
		}
	}
}

// exchange is one request, and optionally its response, checked against the document.
type exchange struct {
	name        string
	method      string
	target      string
	header      http.Header
	body        string
	wantReqErr  bool
	status      int
	respHeader  http.Header
	respBody    string
	wantRespErr bool
}

const (
	uuid1 = "5f0c6a55-5d0a-4d8e-9d4c-3f0b2f1c9e11"
	uuid2 = "0b6d6c3e-7d2a-4c47-9a57-0f1c2b3d4e5f"

	jsonCT    = "application/json"
	problemCT = "application/problem+json"
	formCT    = "application/x-www-form-urlencoded"
	mergeCT   = "application/merge-patch+json"

	validClient = `{"id":"` + uuid1 + `","accountId":"acme","name":"Procore","connectorId":"` + uuid2 + `",` +
		`"connectionDefinitionKey":"oAuth2CodeFlow","clientId":"abc","clientSecretSet":true,` +
		`"clientSecretExpiresAt":"2027-01-01T00:00:00Z","authorizationUrl":"https://id.trimble.com/oauth/authorize",` +
		`"tokenUrl":"https://id.trimble.com/oauth/token","scopes":["openid"],"prompts":["consent"],` +
		`"clientAuthentication":"basicAuthHeader","public":false,` +
		`"createdAt":"2026-01-15T09:30:00Z","updatedAt":"2026-01-15T09:30:00.5Z"}`
	validConnector = `{"id":"` + uuid2 + `","key":"procore","name":"Procore","visibility":"public",` +
		`"ownerAccountId":"xchange","connectionDefinitions":[{"key":"apiKeyAuth","title":"API key","authType":"apiKey",` +
		`"properties":[{"key":"env","title":"Environment","type":"enum","required":true,"sensitive":false,"enumValues":["prod"]}]}],` +
		`"createdAt":"2026-01-15T09:30:00Z","updatedAt":"2026-01-15T09:30:00Z"}`
	problem = `{"type":"urn:appxchange:problem:validation","title":"Validation failed","status":422,` +
		`"errors":[{"field":"scopes[0]","detail":"Must not contain whitespace."}]}`
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestExchanges(t *testing.T) {
	doc := load(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	auth := func(kv ...string) http.Header {
		return hdr(append([]string{"Authorization", "Bearer acme-admin-token"}, kv...)...)
	}
	etag := func(kv ...string) http.Header { return hdr(append([]string{"ETag", `"3"`}, kv...)...) }
	cases := []exchange{
		{name: "me", method: "GET", target: "/management/v1/me", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"accountId":"acme","accountName":"Acme","userId":"u","userName":"U"}`},
		{name: "me missing field", method: "GET", target: "/management/v1/me", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"accountId":"acme","accountName":"Acme","userId":"u"}`, wantRespErr: true},
		{name: "unauthorized", method: "GET", target: "/management/v1/me",
			status: 401, respHeader: hdr("Content-Type", problemCT, "WWW-Authenticate", "Bearer"), respBody: `{"type":"urn:appxchange:problem:unauthorized","title":"Unauthorized","status":401}`},
		{name: "problem with unknown field", method: "GET", target: "/management/v1/me", header: auth(),
			status: 500, respHeader: hdr("Content-Type", problemCT), respBody: `{"type":"about:blank","title":"Internal","status":500,"instance":"x"}`, wantRespErr: true},
		{name: "injected 503", method: "GET", target: "/management/v1/me", header: auth(),
			status: 503, respHeader: hdr("Content-Type", problemCT), respBody: `{"type":"urn:appxchange:problem:unavailable","title":"Unavailable","status":503}`},
		{name: "429 with Retry-After", method: "DELETE", target: "/management/v1/connectors/" + uuid1, header: auth(),
			status: 429, respHeader: hdr("Content-Type", problemCT, "Retry-After", "2"), respBody: `{"type":"urn:appxchange:problem:rate-limited","title":"Too many requests","status":429}`},
		{name: "429 without Retry-After", method: "DELETE", target: "/management/v1/connectors/" + uuid1, header: auth(),
			status: 429, respHeader: hdr("Content-Type", problemCT), respBody: `{"type":"urn:appxchange:problem:rate-limited","title":"Too many requests","status":429}`, wantRespErr: true},
		{name: "list connectors", method: "GET", target: "/management/v1/connectors?search=pro&visibility=public&pageIndex=0&pageSize=1000", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"items":[` + validConnector + `],"pageIndex":0,"pageSize":1000,"totalItems":1}`},
		{name: "page too large", method: "GET", target: "/management/v1/connectors?pageSize=1001", header: auth(), wantReqErr: true},
		{name: "negative page", method: "GET", target: "/management/v1/oauth-clients?pageIndex=-1", header: auth(), wantReqErr: true},
		{name: "bad visibility", method: "GET", target: "/management/v1/connectors?visibility=private", header: auth(), wantReqErr: true},
		{name: "bad public", method: "GET", target: "/management/v1/oauth-clients?public=maybe", header: auth(), wantReqErr: true},
		{name: "create connector", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT, "Idempotency-Key", "k1"),
			body:   `{"key":"acme-erp","name":"Acme ERP","description":null,"connectionDefinitions":[{"key":"oAuth2","title":"OAuth","authType":"oauth2CodeFlow","scopes":["a"]}]}`,
			status: 201, respHeader: etag("Content-Type", jsonCT, "Location", "/management/v1/connectors/"+uuid2, "Idempotent-Replayed", "true"), respBody: validConnector},
		{name: "created without Location", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT), body: `{"key":"acme-erp","name":"Acme ERP","connectionDefinitions":[{"key":"k","title":"K","authType":"basic"}]}`,
			status: 201, respHeader: etag("Content-Type", jsonCT), respBody: validConnector, wantRespErr: true},
		{name: "replayed header other than true", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT), body: `{"key":"acme-erp","name":"Acme ERP","connectionDefinitions":[{"key":"k","title":"K","authType":"basic"}]}`,
			status: 201, respHeader: etag("Content-Type", jsonCT, "Location", "/x", "Idempotent-Replayed", "false"), respBody: validConnector, wantRespErr: true},
		{name: "connector key pattern", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT), body: `{"key":"Acme","name":"Acme ERP","connectionDefinitions":[{"key":"k","title":"K","authType":"basic"}]}`, wantReqErr: true},
		{name: "no definitions", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT), body: `{"key":"acme","name":"Acme ERP","connectionDefinitions":[]}`, wantReqErr: true},
		{name: "unknown auth type", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT), body: `{"key":"acme","name":"Acme","connectionDefinitions":[{"key":"k","title":"K","authType":"oauth2_code_flow"}]}`, wantReqErr: true},
		{name: "idempotency key too long", method: "POST", target: "/management/v1/connectors",
			header: auth("Content-Type", jsonCT, "Idempotency-Key", strings.Repeat("k", 256)),
			body:   `{"key":"acme","name":"Acme","connectionDefinitions":[{"key":"k","title":"K","authType":"basic"}]}`, wantReqErr: true},
		{name: "merge patch connector", method: "PATCH", target: "/management/v1/connectors/" + uuid2,
			header: auth("Content-Type", mergeCT, "If-Match", `"2"`), body: `{"description":null,"visibility":"account"}`,
			status: 200, respHeader: etag("Content-Type", jsonCT), respBody: validConnector},
		{name: "patch connector without ETag", method: "PATCH", target: "/management/v1/connectors/" + uuid2,
			header: auth("Content-Type", jsonCT), body: `{"name":"New"}`,
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: validConnector, wantRespErr: true},
		{name: "weak ETag", method: "GET", target: "/management/v1/connectors/" + uuid2, header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT, "ETag", `W/"3"`), respBody: validConnector, wantRespErr: true},
		{name: "get client", method: "GET", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 200, respHeader: etag("Content-Type", jsonCT), respBody: validClient},
		{name: "client secret in a response", method: "GET", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 200, respHeader: etag("Content-Type", jsonCT), respBody: strings.Replace(validClient, `"clientSecretSet":true`, `"clientSecretSet":true,"clientSecret":"s"`, 1), wantRespErr: true},
		{name: "null in a response", method: "GET", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 200, respHeader: etag("Content-Type", jsonCT), respBody: strings.Replace(validClient, `"scopes":["openid"]`, `"scopes":null`, 1), wantRespErr: true},
		{name: "secret expiry not in UTC", method: "GET", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 200, respHeader: etag("Content-Type", jsonCT), respBody: strings.Replace(validClient, `2027-01-01T00:00:00Z`, `2027-01-01T01:00:00+01:00`, 1), wantRespErr: true},
		{name: "create client", method: "POST", target: "/management/v1/oauth-clients",
			header: auth("Content-Type", jsonCT, "Idempotency-Key", "k2"),
			body:   `{"name":"Procore","connectorId":"` + uuid2 + `","connectionDefinitionKey":"oAuth2CodeFlow","clientId":"abc","clientSecret":"s","clientSecretExpiresAt":"2027-01-01T00:00:00+01:00","scopes":["openid","offline_access"],"prompts":["consent","login"],"clientAuthentication":null,"tokenUrl":null}`,
			status: 201, respHeader: etag("Content-Type", jsonCT, "Location", "/management/v1/oauth-clients/"+uuid1), respBody: validClient},
		{name: "scope with whitespace", method: "POST", target: "/management/v1/oauth-clients",
			header: auth("Content-Type", jsonCT), body: `{"name":"P","connectorId":"c","connectionDefinitionKey":"k","clientId":"abc","scopes":["openid profile"]}`, wantReqErr: true},
		{name: "unknown prompt", method: "POST", target: "/management/v1/oauth-clients",
			header: auth("Content-Type", jsonCT), body: `{"name":"P","connectorId":"c","connectionDefinitionKey":"k","clientId":"abc","prompts":["always"]}`, wantReqErr: true},
		{name: "unknown client field", method: "POST", target: "/management/v1/oauth-clients",
			header: auth("Content-Type", jsonCT), body: `{"name":"P","connectorId":"c","connectionDefinitionKey":"k","clientId":"abc","secret":"s"}`, wantReqErr: true},
		{name: "clear secret", method: "PATCH", target: "/management/v1/oauth-clients/" + uuid1,
			header: auth("Content-Type", mergeCT, "If-Match", "*", "Idempotency-Key", "k3"), body: `{"clientSecret":null,"prompts":null,"clientAuthentication":"clientCredentialsInBody"}`,
			status: 200, respHeader: etag("Content-Type", jsonCT, "Idempotent-Replayed", "true"), respBody: validClient},
		{name: "empty secret", method: "PATCH", target: "/management/v1/oauth-clients/" + uuid1,
			header: auth("Content-Type", jsonCT), body: `{"clientSecret":""}`, wantReqErr: true},
		{name: "delete client", method: "DELETE", target: "/management/v1/oauth-clients/" + uuid1, header: auth("If-Match", `"4"`),
			status: 204},
		{name: "undeclared status falls to default", method: "DELETE", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: validClient, wantRespErr: true},
		{name: "problem as plain JSON", method: "DELETE", target: "/management/v1/oauth-clients/" + uuid1, header: auth(),
			status: 404, respHeader: hdr("Content-Type", jsonCT), respBody: problem, wantRespErr: true},
		{name: "precondition failed", method: "DELETE", target: "/management/v1/oauth-clients/" + uuid1, header: auth("If-Match", `"1"`),
			status: 412, respHeader: hdr("Content-Type", problemCT), respBody: `{"type":"urn:appxchange:problem:precondition-failed","title":"Precondition failed","status":412,"detail":"The client changed."}`},
		{name: "idempotency record of a create", method: "GET", target: "/management/v1/idempotency-keys/k2", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: idempotencyRecord(`"POST"`, `"/management/v1/oauth-clients"`, 201, validClient)},
		{name: "idempotency record of a connector update", method: "GET", target: "/management/v1/idempotency-keys/k1", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: idempotencyRecord(`"PATCH"`, `"/management/v1/connectors/`+uuid2+`"`, 200, validConnector)},
		{name: "idempotency record of a refusal", method: "GET", target: "/management/v1/idempotency-keys/k2", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: idempotencyRecord(`"POST"`, `"/management/v1/oauth-clients"`, 422, validClient), wantRespErr: true},
		{name: "idempotency record with a body of no object", method: "GET", target: "/management/v1/idempotency-keys/k2", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: idempotencyRecord(`"POST"`, `"/management/v1/oauth-clients"`, 201, problem), wantRespErr: true},
		{name: "idempotency record of a delete", method: "GET", target: "/management/v1/idempotency-keys/k2", header: auth(),
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: idempotencyRecord(`"DELETE"`, `"/management/v1/oauth-clients/`+uuid1+`"`, 200, validClient), wantRespErr: true},
		{name: "unknown idempotency key", method: "GET", target: "/management/v1/idempotency-keys/k9", header: auth(),
			status: 404, respHeader: hdr("Content-Type", problemCT), respBody: `{"type":"urn:appxchange:problem:not-found","title":"Not Found","status":404}`},
		{name: "idempotency key too long to look up", method: "GET", target: "/management/v1/idempotency-keys/" + strings.Repeat("k", 256), header: auth(), wantReqErr: true},
		{name: "token", method: "POST", target: "/oauth/token",
			header: hdr("Content-Type", formCT), body: "grant_type=client_credentials&client_id=acme-automation&client_secret=acme-automation-secret",
			status: 200, respHeader: hdr("Content-Type", jsonCT, "Cache-Control", "no-store"), respBody: `{"access_token":"t","token_type":"Bearer","expires_in":3600}`},
		{name: "token without no-store", method: "POST", target: "/oauth/token",
			header: hdr("Content-Type", formCT, "Authorization", "Basic YTpi"), body: "grant_type=client_credentials",
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"access_token":"t","token_type":"Bearer","expires_in":3600}`, wantRespErr: true},
		{name: "token invalid client", method: "POST", target: "/oauth/token",
			header: hdr("Content-Type", formCT), body: "grant_type=client_credentials&client_id=x&client_secret=y",
			status: 401, respHeader: hdr("Content-Type", jsonCT), respBody: `{"error":"invalid_client","error_description":"Unknown client."}`},
		{name: "token unknown error code", method: "POST", target: "/oauth/token",
			header: hdr("Content-Type", formCT), body: "grant_type=client_credentials",
			status: 400, respHeader: hdr("Content-Type", jsonCT), respBody: `{"error":"access_denied"}`, wantRespErr: true},
		{name: "password grant", method: "POST", target: "/oauth/token",
			header: hdr("Content-Type", formCT), body: "grant_type=password", wantReqErr: true},
		{name: "stats", method: "GET", target: "/_sandbox/stats",
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"total":2,"requests":{"POST /management/v1/oauth-clients 201":1,"GET /management/v1/me dropped":1},"faults":1}`},
		{name: "stats count not an integer", method: "GET", target: "/_sandbox/stats",
			status: 200, respHeader: hdr("Content-Type", jsonCT), respBody: `{"total":2,"requests":{"GET /management/v1/me 200":"2"},"faults":0}`, wantRespErr: true},
		{name: "reset stats", method: "POST", target: "/_sandbox/stats/reset", status: 204},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req := httptest.NewRequest(c.method, "http://127.0.0.1:8089"+c.target, body)
			for k, v := range c.header {
				req.Header[k] = v
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("FindRoute: %v", err)
			}
			opts := &openapi3filter.Options{
				AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
				IncludeResponseStatus: true,
				SkipSettingDefaults:   true,
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			err = openapi3filter.ValidateRequest(context.Background(), in)
			if (err != nil) != c.wantReqErr {
				t.Fatalf("ValidateRequest: err = %v, want error %v", err, c.wantReqErr)
			}
			if c.status == 0 {
				return
			}
			validateResponse(t, route, in, opts, c)
		})
	}
}

// idempotencyRecord is the body of GET /management/v1/idempotency-keys/{key} for a
// request (method and path as JSON strings) that got status and body.
func idempotencyRecord(method, path string, status int, body string) string {
	return `{"key":"k2","method":` + method + `,"path":` + path + `,"createdAt":"2026-01-15T09:30:00Z","expiresAt":"2026-01-16T09:30:00Z",` +
		fmt.Sprintf(`"response":{"status":%d,"etag":"\"1\"","body":%s}}`, status, body)
}

func validateResponse(t *testing.T, route *routers.Route, in *openapi3filter.RequestValidationInput, opts *openapi3filter.Options, c exchange) {
	t.Helper()
	header := c.respHeader
	if header == nil {
		header = http.Header{}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 c.status,
		Header:                 header,
		Options:                opts,
	}
	out.SetBodyBytes([]byte(c.respBody))
	err := openapi3filter.ValidateResponse(context.Background(), out)
	if (err != nil) != c.wantRespErr {
		t.Fatalf("ValidateResponse (%s): err = %v, want error %v", route.Operation.OperationID, err, c.wantRespErr)
	}
}
