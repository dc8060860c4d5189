package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

func TestWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	ts, rec := serve(t, problemHandler(500, "oops"), jsonHandler(201, `"1"`, sampleOAuthClient()),
		problemHandler(503, "busy"), jsonHandler(200, `"2"`, sampleConnector()), jsonHandler(201, `"1"`, sampleOAuthClient()))
	c := newTestClient(t, ts.URL)
	ctx := context.Background()
	in := &OAuthClientInput{Name: "Procore", ConnectorID: testConnectorID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "abc"}
	if _, err := c.CreateOAuthClient(ctx, in, WithIdempotencyKey("create-procore-1")); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := c.UpdateConnector(ctx, testConnectorID, `"1"`, &ConnectorPatch{Name: Set("Renamed")}, WithIdempotencyKey("rename-1")); err != nil {
		t.Fatalf("update: %v", err)
	}
	var keys []string
	for _, h := range rec.all() {
		keys = append(keys, h.header.Get("Idempotency-Key"))
	}
	if strings.Join(keys, " ") != "create-procore-1 create-procore-1 rename-1 rename-1" {
		t.Errorf("the attempts carried the keys %q", keys)
	}

	// A key the API would refuse is not sent; an empty one is a new random key.
	if _, err := c.CreateOAuthClient(ctx, in, WithIdempotencyKey(strings.Repeat("k", 256))); err == nil || !strings.Contains(err.Error(), "longer than 255") {
		t.Errorf("a 256-character key: err = %v", err)
	}
	if n := rec.count(); n != 4 {
		t.Errorf("%d requests after a refused key, want 4", n)
	}
	if _, err := c.CreateOAuthClient(ctx, in, WithIdempotencyKey("")); err != nil {
		t.Fatalf("create with an empty key: %v", err)
	}
	if key := rec.all()[4].header.Get("Idempotency-Key"); !uuidPattern.MatchString(key) {
		t.Errorf("an empty key was sent as %q, want a random UUID", key)
	}
	if a, b := NewIdempotencyKey(), NewIdempotencyKey(); a == b || !uuidPattern.MatchString(a) {
		t.Errorf("NewIdempotencyKey returned %q and %q", a, b)
	}
}

// refusedURL is the URL of a loopback port on which nothing listens any more.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}

// TestOutcomeUnknown: a write whose attempts reached the API and got no answer, or a
// 5xx, is an *OutcomeUnknownError with its key, unless a later answer settles it; a
// write that never reached the API, or that was refused, is not.
func TestOutcomeUnknown(t *testing.T) {
	t.Parallel()
	hang := func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	garbage := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":`))
	}
	for _, tc := range []struct {
		name     string
		handlers []http.HandlerFunc // nil: nothing listens
		unknown  bool
		status   int // of the *APIError inside, 0 when there is none
	}{
		{name: "dropped every time", handlers: []http.HandlerFunc{dropConnection}, unknown: true},
		{name: "5xx every time", handlers: []http.HandlerFunc{problemHandler(500, "oops"), problemHandler(502, "bad gateway")}, unknown: true, status: 502},
		{name: "timed out", handlers: []http.HandlerFunc{hang}, unknown: true},
		{name: "unreadable success", handlers: []http.HandlerFunc{garbage}, unknown: true},
		{name: "dropped, then 429", handlers: []http.HandlerFunc{dropConnection, problemHandler(429, "slow down")}, unknown: true, status: 429},
		{name: "dropped, then 401", handlers: []http.HandlerFunc{dropConnection, problemHandler(401, "token expired")}, unknown: true, status: 401},
		{name: "dropped, then refused", handlers: []http.HandlerFunc{dropConnection, problemHandler(422, "bad")}, status: 422},
		{name: "refused", handlers: []http.HandlerFunc{problemHandler(409, "key taken")}, status: 409},
		{name: "throttled every time", handlers: []http.HandlerFunc{problemHandler(429, "slow down")}, status: 429},
		{name: "nothing listens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := refusedURL(t)
			if tc.handlers != nil {
				ts, _ := serve(t, tc.handlers...)
				url = ts.URL
			}
			c := newTestClient(t, url, func(cfg *Config) { cfg.MaxRetries = 1; cfg.RequestTimeout = 200 * time.Millisecond })
			_, err := c.CreateConnector(context.Background(), &ConnectorInput{Key: "k1", Name: "K"}, WithIdempotencyKey("the-key"))
			if err == nil {
				t.Fatal("no error")
			}
			var unknown *OutcomeUnknownError
			if errors.As(err, &unknown) != tc.unknown {
				t.Fatalf("err = %v (%T); want an *OutcomeUnknownError: %v", err, err, tc.unknown)
			}
			if tc.unknown && (unknown.IdempotencyKey != "the-key" || unknown.Method != "POST" || unknown.Path != "/connectors" || unknown.Error() != unknown.Err.Error()) {
				t.Errorf("OutcomeUnknownError = %+v", unknown)
			}
			var apiErr *APIError
			if got := 0; errors.As(err, &apiErr) {
				got = apiErr.StatusCode
				if got != tc.status {
					t.Errorf("the *APIError inside has the status %d, want %d", got, tc.status)
				}
			} else if tc.status != 0 {
				t.Errorf("err = %v, want a %d *APIError inside", err, tc.status)
			}
		})
	}

	// Reads and deletes carry no key: their failures are never of unknown outcome.
	ts, _ := serve(t, dropConnection)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	var unknown *OutcomeUnknownError
	if _, err := c.GetConnector(context.Background(), testConnectorID); err == nil || errors.As(err, &unknown) {
		t.Errorf("a failed read: %v", err)
	}
	if err := c.DeleteConnector(context.Background(), testConnectorID, ""); err == nil || errors.As(err, &unknown) {
		t.Errorf("a failed delete: %v", err)
	}
}

func TestLookupIdempotencyKey(t *testing.T) {
	t.Parallel()
	record := map[string]any{
		"key": "a/b c", "method": "POST", "path": "/management/v1/oauth-clients",
		"createdAt": "2026-01-15T09:30:00Z", "expiresAt": "2026-01-16T09:30:00Z",
		"response": map[string]any{"status": 201, "etag": `"1"`, "location": "/management/v1/oauth-clients/" + testClientID, "body": sampleOAuthClient()},
	}
	ts, rec := serve(t, jsonHandler(200, "", record), problemHandler(404, "no such request"),
		jsonHandler(200, "", map[string]any{"key": "k", "method": "POST", "path": "/p", "response": map[string]any{"status": 422, "body": map[string]any{}}}))
	c := newTestClient(t, ts.URL)
	ctx := context.Background()

	got, err := c.LookupIdempotencyKey(ctx, "a/b c")
	if err != nil {
		t.Fatalf("LookupIdempotencyKey: %v", err)
	}
	if h := rec.all()[0]; h.method != "GET" || h.path != "/management/v1/idempotency-keys/a/b c" || !strings.Contains(h.header.Get("Authorization"), "test-token") {
		t.Errorf("the lookup was %s %s", h.method, h.path)
	}
	if got.Method != "POST" || got.Response.Status != 201 || got.ExpiresAt != "2026-01-16T09:30:00Z" {
		t.Errorf("record = %+v", got)
	}
	made, err := got.CreatedOAuthClient()
	if err != nil || made.ID != testClientID || made.ETag != `"1"` || made.Name != "Procore" {
		t.Errorf("CreatedOAuthClient = %+v, %v", made, err)
	}
	if _, err := got.CreatedConnector(); err == nil || !strings.Contains(err.Error(), "not to create in /connectors") {
		t.Errorf("CreatedConnector of a client's record: %v", err)
	}
	got.Response.Body = []byte(`{"id":"x"}`)
	if _, err := got.CreatedOAuthClient(); err == nil || !strings.Contains(err.Error(), "not what the API returns") {
		t.Errorf("CreatedOAuthClient of a body without connectorId: %v", err)
	}

	if _, err := c.LookupIdempotencyKey(ctx, "unknown"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown key: err = %v, want ErrNotFound", err)
	}
	if _, err := c.LookupIdempotencyKey(ctx, "refused"); err == nil || !strings.Contains(err.Error(), "no successful response") {
		t.Errorf("a record of a refusal: err = %v", err)
	}
	for _, key := range []string{"", strings.Repeat("k", 256)} {
		if _, err := c.LookupIdempotencyKey(ctx, key); err == nil {
			t.Errorf("a key of %d characters was looked up", len(key))
		}
	}
	if n := rec.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestSandboxIdempotencyLookup: against the sandbox, a create committed and never
// answered (the caller gave up in the second half of the sandbox's latency) is an
// *OutcomeUnknownError, and the lookup of its key finds the object it made.
func TestSandboxIdempotencyLookup(t *testing.T) {
	t.Parallel()
	slow := startSandbox(t, sandbox.Config{Latency: time.Second})
	impatient := slow.client("acme-admin-token", func(cfg *Config) { cfg.MaxRetries = 0; cfg.RequestTimeout = 750 * time.Millisecond })
	acme := slow.client("acme-admin-token")
	ctx := context.Background()

	key := NewIdempotencyKey()
	_, err := impatient.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "Unanswered", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "abc", ClientSecret: "s3cret",
	}, WithIdempotencyKey(key))
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || unknown.IdempotencyKey != key {
		t.Fatalf("err = %v, want an *OutcomeUnknownError with the key %s", err, key)
	}
	rec, err := acme.LookupIdempotencyKey(ctx, key)
	if err != nil {
		t.Fatalf("LookupIdempotencyKey: %v", err)
	}
	made, err := rec.CreatedOAuthClient()
	if err != nil {
		t.Fatal(err)
	}
	now, err := acme.GetOAuthClient(ctx, made.ID)
	if err != nil || now.Name != "Unanswered" || !now.ClientSecretSet || now.ETag != made.ETag || rec.Path != "/management/v1/oauth-clients" {
		t.Fatalf("the client the record names: %+v (%v); the record: %+v", now, err, rec)
	}

	// A connector, and the keys that find nothing: unknown, refused, another account's.
	env := startSandbox(t, sandbox.Config{})
	acme = env.client("acme-admin-token")
	conn, err := acme.CreateConnector(ctx, customConnectorInput("looked-up"), WithIdempotencyKey("connector-key"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err = acme.LookupIdempotencyKey(ctx, "connector-key")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rec.CreatedConnector(); err != nil || got.ID != conn.ID || got.ETag != conn.ETag {
		t.Fatalf("CreatedConnector = %+v, %v; want %s", got, err, conn.ID)
	}
	_, err = acme.CreateOAuthClient(ctx, &OAuthClientInput{Name: "Refused", ConnectorID: procoreID, ConnectionDefinitionKey: "apiKeyAuth", ClientID: "abc"}, WithIdempotencyKey("refused-key"))
	if wantAPIError(t, err, 422, "connectionDefinitionKey"); errors.As(err, &unknown) {
		t.Fatalf("a refused create is of unknown outcome: %v", err)
	}
	globex := env.client("globex-admin-token", func(cfg *Config) { cfg.MaxRetries = 0 })
	for _, look := range []struct {
		c   *Client
		key string
	}{{acme, "never-sent"}, {acme, "refused-key"}, {globex, "connector-key"}} {
		if _, err := look.c.LookupIdempotencyKey(ctx, look.key); !errors.Is(err, ErrNotFound) {
			t.Errorf("looking up %q: err = %v, want ErrNotFound", look.key, err)
		}
	}
}
