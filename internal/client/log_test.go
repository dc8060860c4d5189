package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	canaryClientSecret = "canary-client-secret-4b1d"
	canaryAccessToken  = "canary-access-token-9e2f"
	canarySASecret     = "canary-service-account-secret-77c3"
	canaryIssuedToken  = "canary-issued-token-a5d0"
	canaryRefreshToken = "canary-refresh-token-0c8e"
)

var bearerPattern = regexp.MustCompile(`Bearer \S`)

// TestLogsHoldNoSecrets drives requests that carry every kind of secret, through
// retries, refusals and errors, and checks every line logged at every level.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	created := sampleOAuthClient()
	// A server that echoes secrets, at any depth, must not get them logged either.
	created["clientSecret"] = canaryClientSecret
	echo := map[string]any{"items": []any{created, map[string]any{"nested": []any{map[string]any{"refresh_token": canaryRefreshToken, "access_token": canaryIssuedToken}}}}}
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"token_type":"Bearer","expires_in":3600}`, canaryIssuedToken, canaryRefreshToken)
			return
		}
		switch {
		case calls.Add(1)%4 == 1:
			problemHandler(503, "busy")(w, r)
		case r.Method == http.MethodPost:
			jsonHandler(201, `"1"`, created)(w, r)
		case r.Method == http.MethodPatch:
			problemHandler(422, "clientSecret: must be shorter", FieldError{Field: "clientSecret", Detail: "must be shorter"})(w, r)
		default:
			jsonHandler(200, "", echo)(w, r)
		}
	}))
	t.Cleanup(ts.Close)

	logs := &testLogger{}
	ctx := context.Background()
	withToken := newTestClient(t, ts.URL, func(cfg *Config) { cfg.AccessToken, cfg.Logger = canaryAccessToken, logs })
	withAccount := newTestClient(t, ts.URL, func(cfg *Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret, cfg.TokenURL, cfg.Logger = "", "robot", canarySASecret, ts.URL+"/oauth/token", logs
	})
	var errs []string
	for _, c := range []*Client{withToken, withAccount} {
		if _, err := c.CreateOAuthClient(ctx, &OAuthClientInput{Name: "n", ConnectorID: testConnectorID, ConnectionDefinitionKey: "k", ClientID: "c", ClientSecret: canaryClientSecret}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateOAuthClient(ctx, testClientID, `"1"`, &OAuthClientPatch{ClientSecret: Set(canaryClientSecret), Scopes: Set([]string{"a"})})
		if err == nil {
			t.Fatal("the PATCH did not fail")
		}
		errs = append(errs, err.Error())
		_, err = c.GetOAuthClient(ctx, testClientID)
		errs = append(errs, err.Error())
	}

	text := logs.text()
	for _, canary := range []string{canaryClientSecret, canaryAccessToken, canarySASecret, canaryIssuedToken, canaryRefreshToken} {
		if strings.Contains(text, canary) {
			t.Errorf("the logs hold %s:\n%s", canary, text)
		}
		for _, msg := range errs {
			if strings.Contains(msg, canary) {
				t.Errorf("the error %q holds %s", msg, canary)
			}
		}
	}
	if bearerPattern.MatchString(text) {
		t.Errorf("the logs hold a bearer token:\n%s", text)
	}

	levels := map[string]int{}
	maskedBodies := 0
	for _, line := range logs.all() {
		levels[line.level]++
		if line.level == "TRACE" && strings.Contains(fmt.Sprint(line.fields["body"]), `"clientSecret":"***"`) {
			maskedBodies++
		}
	}
	if levels["DEBUG"] == 0 || levels["TRACE"] == 0 || levels["WARN"] == 0 {
		t.Errorf("lines by level %v, want every level", levels)
	}
	// Each client's POST and PATCH bodies, on each attempt, and the echoed client.
	if maskedBodies < 4 {
		t.Errorf("%d Trace bodies show a masked clientSecret, want at least 4:\n%s", maskedBodies, text)
	}
	if !strings.Contains(text, `"refresh_token":"***"`) || !strings.Contains(text, `"access_token":"***"`) {
		t.Errorf("the nested secrets of the response are not masked:\n%s", text)
	}
}

func TestAttemptsAreLogged(t *testing.T) {
	t.Parallel()
	// The drop comes first, on a new connection, which net/http does not retry by itself.
	ts, _ := serve(t, dropConnection, problemHandler(502, "gateway"), jsonHandler(200, `"1"`, sampleConnector()))
	logs := &testLogger{}
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Logger = logs })
	if _, err := c.GetConnector(context.Background(), testConnectorID); err != nil {
		t.Fatal(err)
	}
	var debug, warn []logLine
	for _, line := range logs.all() {
		switch line.level {
		case "DEBUG":
			debug = append(debug, line)
		case "WARN":
			warn = append(warn, line)
		}
	}
	if len(debug) != 3 || len(warn) != 2 {
		t.Fatalf("%d Debug and %d Warn lines, want 3 and 2:\n%s", len(debug), len(warn), logs.text())
	}
	path := "/connectors/" + testConnectorID
	for i, line := range debug {
		f := line.fields
		if f["method"] != "GET" || f["path"] != path || f["attempt"] != i+1 || f["duration"] == nil {
			t.Errorf("Debug line %d: %v", i, f)
		}
	}
	if debug[0].fields["error"] == nil || debug[1].fields["status"] != 502 || debug[2].fields["status"] != 200 {
		t.Errorf("Debug lines do not show the outcomes: an error, 502, 200:\n%s", logs.text())
	}
	for i, line := range warn {
		if line.fields["wait"] == nil || line.fields["attempt"] != i+1 {
			t.Errorf("Warn line %d: %v", i, line.fields)
		}
	}
}

func TestMaskBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"clientSecret":"x","name":"n"}`, `{"clientSecret":"***","name":"n"}`},
		{`{"a":[{"client_secret":"x"},{"b":{"access_token":"y","refresh_token":null}}],"n":12345678901234567890}`,
			`{"a":[{"client_secret":"***"},{"b":{"access_token":"***","refresh_token":"***"}}],"n":12345678901234567890}`},
		{`[{"clientSecret":{"deep":"x"}}]`, `[{"clientSecret":"***"}]`},
		{`grant_type=client_credentials&client_secret=x`, `(45 bytes that are not JSON)`},
		{`{"clientSecret":"x"} {"clientSecret":"y"}`, `(41 bytes that are not one JSON value)`},
		{``, ``},
	} {
		if got := maskBody([]byte(tc.in), redactor{}); got != tc.want {
			t.Errorf("maskBody(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	var v any
	if err := json.Unmarshal([]byte(maskBody([]byte(`{"x":{"clientSecret":"s"}}`), redactor{})), &v); err != nil {
		t.Errorf("a masked body is not JSON: %v", err)
	}
}

// warnOnly is a Logger that keeps Warn lines only, and says so.
type warnOnly struct{ testLogger }

func (*warnOnly) Enabled(_ context.Context, level Level) bool { return level >= LevelWarn }

// TestDiscardedLevelsAreNotBuilt: a Logger that says it discards Debug and Trace is
// given no line of them, so the client builds no fields and masks no body for them;
// it still gets its Warn lines.
func TestDiscardedLevelsAreNotBuilt(t *testing.T) {
	t.Parallel()
	ts, _ := serve(t, problemHandler(502, "gateway"), jsonHandler(201, `"1"`, sampleOAuthClient()))
	logs := &warnOnly{}
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.Logger = logs })
	in := &OAuthClientInput{Name: "Procore", ConnectorID: testConnectorID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "abc", ClientSecret: "s3cret"}
	if _, err := c.CreateOAuthClient(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	warn := 0
	for _, line := range logs.all() {
		if line.level != "WARN" {
			t.Errorf("a discarded level was logged: %s", line)
		} else {
			warn++
		}
	}
	if warn != 1 {
		t.Errorf("%d Warn lines, want the retry's:\n%s", warn, logs.text())
	}
}
