package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/appxchange/terraform-provider-appxchange/api"
	"github.com/appxchange/terraform-provider-appxchange/internal/contracttest"
)

// Tokens of the built-in seed.
const (
	acme    = "acme-admin-token"
	globex  = "globex-admin-token"
	xchange = "xchange-admin-token"

	procoreID = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
	powerbiID = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02"
	vistaID   = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a03"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(Main(childContext(), os.Args[1:], os.Stdout, os.Stderr))
	}
	flag.Parse()
	code := m.Run()
	stopPostgres()
	// Only a run of the whole package can tell whether every operation was driven.
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		if missing := operationsNotDriven(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: no test drove these operations of api/openapi.yaml: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// driven records the operationIds that tests called, across the package.
var driven = struct {
	sync.Mutex
	ids map[string]bool
}{ids: map[string]bool{}}

func operationsNotDriven() []string {
	doc, err := api.Load(context.Background())
	if err != nil {
		return []string{err.Error()}
	}
	driven.Lock()
	defer driven.Unlock()
	var missing []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if !driven.ids[op.OperationID] {
				missing = append(missing, op.OperationID)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// env is a sandbox on a temporary database behind a real HTTP server, with a
// client whose every exchange is checked against the OpenAPI document.
type env struct {
	t      *testing.T
	srv    *Server
	url    string
	client *http.Client
	logs   *syncBuffer
	// store is where the data lives (DataPath or DatabaseURL), for a restart.
	store Config
}

func newEnv(t *testing.T, options ...func(*Config)) *env {
	t.Helper()
	store := testStore(t)
	logs := &syncBuffer{}
	cfg := store
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	for _, o := range options {
		o(&cfg)
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &env{t: t, srv: srv, url: ts.URL, logs: logs, store: store,
		client: &http.Client{Transport: newContractCheck(t, ts.URL, ts.Client().Transport)}}
}

// contractCheck validates each response against the OpenAPI document, and each
// request too: a request the document rules out must get a 4xx.
type contractCheck struct {
	t       *testing.T
	checker *contracttest.Checker
	next    http.RoundTripper
}

func newContractCheck(t *testing.T, serverURL string, next http.RoundTripper) *contractCheck {
	return &contractCheck{t: t, checker: contracttest.New(t, serverURL), next: next}
}

func (c *contractCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		return nil, err
	}
	res := c.checker.Check(contracttest.Exchange{Request: req, RequestBody: reqBody, Status: resp.StatusCode, Header: resp.Header, ResponseBody: respBody})
	if res.OperationID == "" {
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			c.t.Errorf("%s %s is not in the OpenAPI document but got %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		return resp, nil
	}
	driven.Lock()
	driven.ids[res.OperationID] = true
	driven.Unlock()
	if res.RequestError != nil && (resp.StatusCode < 400 || resp.StatusCode >= 500) {
		c.t.Errorf("%s %s breaks the contract but got %d: %v", req.Method, req.URL.Path, resp.StatusCode, res.RequestError)
	}
	if res.ResponseError != nil {
		c.t.Errorf("%s %s → %d: the response breaks the contract: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, res.ResponseError, respBody)
	}
	return resp, nil
}

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// req is one request: body is sent as JSON unless it is a string or []byte.
type req struct {
	token   string
	method  string
	path    string
	body    any
	headers map[string]string
}

func (e *env) send(r req) (*reply, error) {
	var body io.Reader
	contentType := "application/json"
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(r.method, e.url+r.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return &reply{status: resp.StatusCode, header: resp.Header, body: b}, err
}

func (e *env) do(r req) *reply {
	e.t.Helper()
	rep, err := e.send(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return rep
}

// must sends a request and fails the test unless the status is the one wanted.
func (e *env) must(status int, r req) *reply {
	e.t.Helper()
	rep := e.do(r)
	if rep.status != status {
		e.t.Fatalf("%s %s: status %d, want %d\nbody: %s", r.method, r.path, rep.status, status, rep.body)
	}
	return rep
}

func (r *reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r *reply) problem(t *testing.T) problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p problem
	r.decode(t, &p)
	return p
}

// fieldsOf lists the fields a problem names.
func fieldsOf(p problem) []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// wantProblem checks status, and that the problem names field and says want.
func (e *env) wantProblem(rep *reply, status int, field, want string) problem {
	e.t.Helper()
	if rep.status != status {
		e.t.Fatalf("status %d, want %d; body %s", rep.status, status, rep.body)
	}
	p := rep.problem(e.t)
	if field != "" && !slices.Contains(fieldsOf(p), field) {
		e.t.Fatalf("the problem names %v, want %q; body %s", fieldsOf(p), field, rep.body)
	}
	said := []string{p.Title, p.Detail}
	for _, fe := range p.Errors {
		said = append(said, fe.Detail)
	}
	if !strings.Contains(strings.Join(said, "\n"), want) {
		e.t.Fatalf("the problem does not say %q: %s", want, rep.body)
	}
	return p
}

// createClient makes an OAuth client on procore's code flow for token, with overrides.
func (e *env) createClient(token string, overrides map[string]any) OAuthClient {
	e.t.Helper()
	body := map[string]any{
		"name":                    "Acme Procore",
		"connectorId":             procoreID,
		"connectionDefinitionKey": "oAuth2CodeFlow",
		"clientId":                "acme-procore-client",
		"clientSecret":            "acme-procore-secret",
	}
	for k, v := range overrides {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	var c OAuthClient
	e.must(http.StatusCreated, req{token: token, method: "POST", path: "/management/v1/oauth-clients", body: body}).decode(e.t, &c)
	return c
}

func (e *env) createConnector(token string, body map[string]any) Connector {
	e.t.Helper()
	var c Connector
	e.must(http.StatusCreated, req{token: token, method: "POST", path: "/management/v1/connectors", body: body}).decode(e.t, &c)
	return c
}

// customConnector is a connector body with one definition of each kind.
func customConnector(key string) map[string]any {
	return map[string]any{
		"key":  key,
		"name": "Custom " + key,
		"connectionDefinitions": []map[string]any{
			{"key": "oAuth2CodeFlow", "title": "Code flow", "authType": "oauth2CodeFlow"},
			{"key": "oAuth2ClientCredentials", "title": "Client credentials", "authType": "oauth2ClientCredentials", "tokenUrl": "https://login.example.com/token"},
			{"key": "apiKeyAuth", "title": "API key", "authType": "apiKey", "properties": []map[string]any{
				{"key": "region", "title": "Region", "type": "enum", "enumValues": []string{"eu", "us"}},
			}},
		},
	}
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestServer(srv *Server) *httptest.Server { return httptest.NewServer(srv.Handler()) }
