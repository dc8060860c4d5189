package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testConnectorID = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
	testClientID    = "5f0c6a55-5d0a-4d8e-9d4c-3f0b2f1c9e11"
)

// newTestClient is a client of serverURL with a fixed token and waits of a few
// milliseconds; options change its Config.
func newTestClient(t *testing.T, serverURL string, options ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:        serverURL + "/management/v1",
		AccessToken:    "test-token",
		MaxRetries:     3,
		RequestTimeout: 5 * time.Second,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
		UserAgent:      "appxchange-client-test/1.0",
	}
	for _, o := range options {
		o(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// hit is one request a test server received.
type hit struct {
	at     time.Time
	method string
	path   string
	query  string
	header http.Header
	body   string
}

// recorder is a test server that records every request and answers with the
// handler of the request's number (counted from 0); the last handler answers the rest.
type recorder struct {
	mu   sync.Mutex
	hits []hit
}

// newHit reads a request whole.
func newHit(req *http.Request) hit {
	body, _ := io.ReadAll(req.Body)
	return hit{at: time.Now(), method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, header: req.Header.Clone(), body: string(body)}
}

func (r *recorder) add(req *http.Request) int {
	h := newHit(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits = append(r.hits, h)
	return len(r.hits) - 1
}

func (r *recorder) all() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

func (r *recorder) count() int { return len(r.all()) }

// serve starts a server whose n-th request is answered by handlers[min(n, last)].
func serve(t *testing.T, handlers ...http.HandlerFunc) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rec.add(r)
		handlers[min(n, len(handlers)-1)](w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, rec
}

func problemHandler(status int, detail string, errs ...FieldError) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeProblemTo(w, status, detail, errs...)
	}
}

func writeProblemTo(w http.ResponseWriter, status int, detail string, errs ...FieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "urn:appxchange:problem:test", "title": http.StatusText(status), "status": status, "detail": detail, "errors": errs,
	})
}

func jsonHandler(status int, etag string, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func sampleConnector() map[string]any {
	return map[string]any{
		"id": testConnectorID, "key": "procore", "name": "Procore", "visibility": "public", "ownerAccountId": "xchange",
		"connectionDefinitions": []map[string]any{{"key": "oAuth2CodeFlow", "title": "Code flow", "authType": AuthTypeOAuth2CodeFlow}},
		"createdAt":             "2026-01-15T09:30:00Z", "updatedAt": "2026-01-15T09:30:00Z",
	}
}

func sampleOAuthClient() map[string]any {
	return map[string]any{
		"id": testClientID, "accountId": "acme", "name": "Procore", "connectorId": testConnectorID,
		"connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "abc", "clientSecretSet": true,
		"tokenUrl": "https://id.trimble.com/oauth/token", "clientAuthentication": ClientAuthBasicAuthHeader,
		"public": false, "createdAt": "2026-01-15T09:30:00Z", "updatedAt": "2026-01-15T09:30:00Z",
	}
}

// logLine is one line a test logger received.
type logLine struct {
	level  string
	msg    string
	fields map[string]any
}

func (l logLine) String() string { return fmt.Sprintf("%s %s %v", l.level, l.msg, l.fields) }

// testLogger records every line, at every level.
type testLogger struct {
	mu    sync.Mutex
	lines []logLine
}

func (l *testLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{level: level, msg: msg, fields: fields})
}

func (l *testLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}
func (l *testLogger) Trace(_ context.Context, msg string, fields map[string]any) {
	l.add("TRACE", msg, fields)
}
func (l *testLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *testLogger) all() []logLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logLine(nil), l.lines...)
}

func (l *testLogger) text() string {
	var b strings.Builder
	for _, line := range l.all() {
		b.WriteString(line.String())
		b.WriteByte('\n')
	}
	return b.String()
}
