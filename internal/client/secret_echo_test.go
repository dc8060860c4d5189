package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/oauth2"
)

// The secrets that the echoing servers below send back. The long one changes under
// JSON (HTML) escaping, URL escaping and ASCII-only JSON; the short one is two
// characters, which must still be masked exactly.
const (
	echoBodySecret      = `body<secret>&"quoted"\ü/5e1a`
	echoShortBodySecret = "Qz"
	echoAccessToken     = "echo-access-token-3f7b"
	echoSAID            = "robot"
	echoSASecret        = "sa secret+/=&ü-8d2c"
	echoIssuedToken     = "echo-issued-token-61aa"
	echoRefreshToken    = "echo-refresh-token-0b4e"
)

// hostile holds what a server must not get to a terminal: an OSC-8 hyperlink (ESC ]
// 8 ;; URI BEL), BEL, a screen clear (CSI 2 J), a C1 control and a bidirectional
// override.
const hostile = "\x1b]8;;http://evil\x07click me\x1b]8;;\x07\a\x1b[2J\u009b\u202e"

// echoOf is what an echoing server sends back of a request: its line, every header
// (the Authorization header with the bearer token or the Basic credentials, and
// those decoded) and its body as it came, among terminal sequences.
func echoOf(r *http.Request, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s body=%s%s", r.Method, r.URL.RequestURI(), hostile, body, hostile)
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(&b, "\n%s: %s", name, strings.Join(r.Header[name], ", "))
	}
	if id, secret, ok := r.BasicAuth(); ok {
		unescaped, _ := url.QueryUnescape(secret)
		fmt.Fprintf(&b, "\nbasic=%s:%s unescaped=%s", id, secret, unescaped)
	}
	if form, err := url.ParseQuery(body); err == nil {
		fmt.Fprintf(&b, "\nform=%v", form)
	}
	return b.String()
}

// echoAPI is how an API answers with the echo of a request.
type echoAPI func(w http.ResponseWriter, r *http.Request, echo, body string)

func echoProblem(status int) echoAPI {
	return func(w http.ResponseWriter, _ *http.Request, echo, _ string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"type": "urn:appxchange:problem:" + hostile, "title": "Refused " + hostile + echo, "status": status, "detail": "You sent: " + echo,
		})
	}
}

func echoFieldErrors(w http.ResponseWriter, r *http.Request, echo, body string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	var sent map[string]any
	_ = json.Unmarshal([]byte(body), &sent)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": "Unprocessable Entity", "status": 422, "detail": "The request breaks 3 rules" + hostile,
		"errors": []map[string]any{
			{"field": "clientSecret", "detail": fmt.Sprintf("%v is not allowed%s", sent["clientSecret"], hostile)},
			{"field": "body" + hostile, "detail": body},
			{"field": "authorization", "detail": r.Header.Get("Authorization") + hostile + echo},
		},
	})
}

func echoPlainText(status int) echoAPI {
	return func(w http.ResponseWriter, _ *http.Request, echo, _ string) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprint(w, echo)
	}
}

// echoInContentType answers 2xx with the echo, on one line and without the C0
// controls that a header cannot hold, as its Content-Type: the answer cannot be
// decoded, and the error quotes that header.
func echoInContentType(w http.ResponseWriter, _ *http.Request, echo, _ string) {
	header := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, echo)
	w.Header()["Content-Type"] = []string{"text/plain; echo=" + header}
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "{}")
}

// echoMalformed answers with a header line that is not one, holding the echo: the
// attempt fails with a transport error that quotes the line.
func echoMalformed(w http.ResponseWriter, _ *http.Request, echo, _ string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX Echo %s\r\nContent-Length: 2\r\n\r\n{}", oneLine(echo))
	_ = buf.Flush()
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// echoToken is how a token endpoint answers a token request.
type echoToken func(w http.ResponseWriter, r *http.Request, echo string)

func issueToken(w http.ResponseWriter, _ *http.Request, _ string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"token_type":"Bearer","expires_in":3600}`, echoIssuedToken, echoRefreshToken)
}

func tokenErrorJSON(status int) echoToken {
	return func(w http.ResponseWriter, _ *http.Request, echo string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"error": "invalid_client" + hostile, "error_description": "Refused: " + echo, "error_uri": "http://evil/" + hostile + echo,
		})
	}
}

func tokenErrorForm(w http.ResponseWriter, _ *http.Request, echo string) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprint(w, url.Values{"error": {"invalid_request" + hostile}, "error_description": {echo}, "error_uri": {hostile + echo}}.Encode())
}

// echoServer answers API requests with api and token requests at /oauth/token with
// token (a token is issued when it is nil), each with the echo of the request.
func echoServer(t *testing.T, api echoAPI, token echoToken) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		body := string(raw)
		echo := echoOf(r, body)
		switch {
		case r.URL.Path == "/oauth/token" && token != nil:
			token(w, r, echo)
		case r.URL.Path == "/oauth/token":
			issueToken(w, r, echo)
		default:
			api(w, r, echo, body)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// leakForms are the texts that prove a secret leaked: the secret as it is, escaped in
// JSON, quoted by Go's %q or escaped in a URL query, each of those once more escaped in
// JSON or quoted, and the base64 of the Basic credentials holding it.
func leakForms(secret string) []string {
	escapes := []func(string) string{
		func(s string) string { j, _ := json.Marshal(s); return string(j[1 : len(j)-1]) },
		func(s string) string { q := fmt.Sprintf("%q", s); return q[1 : len(q)-1] },
	}
	forms := []string{secret, url.QueryEscape(secret)}
	for _, escape := range escapes {
		forms = append(forms, escape(secret))
	}
	for _, f := range slices.Clone(forms) {
		for _, escape := range escapes {
			forms = append(forms, escape(f))
		}
	}
	if secret == echoSASecret {
		for _, cred := range []string{url.QueryEscape(echoSAID) + ":" + url.QueryEscape(secret), echoSAID + ":" + secret} {
			forms = append(forms, base64.StdEncoding.EncodeToString([]byte(cred)), base64.RawStdEncoding.EncodeToString([]byte(cred)))
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// unprintable returns the first control or bidirectional character of s, if any.
func unprintable(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return r, true
		}
	}
	return 0, false
}

// checkClean fails t when a text holds one of secrets in a leaking form or a control
// character.
func checkClean(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range leakForms(s) {
			if strings.Contains(text, form) {
				t.Errorf("%s holds the secret %q (as %q):\n%s", what, s, form, text)
			}
		}
	}
	if r, ok := unprintable(text); ok {
		t.Errorf("%s holds the character %U:\n%q", what, r, text)
	}
}

// errorTexts are the texts of err that a caller may show: its Error() and, for the
// client's own error types found in its chain, their fields.
func errorTexts(err error) map[string]string {
	texts := map[string]string{"Error()": err.Error()}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		texts["APIError.Error()"] = apiErr.Error()
		texts["APIError.Type"], texts["APIError.Title"], texts["APIError.Detail"] = apiErr.Type, apiErr.Title, apiErr.Detail
		for i, f := range apiErr.Errors {
			texts[fmt.Sprintf("APIError.Errors[%d].Field", i)] = f.Field
			texts[fmt.Sprintf("APIError.Errors[%d].Detail", i)] = f.Detail
		}
	}
	var cred *CredentialsError
	if errors.As(err, &cred) {
		texts["CredentialsError.Error()"] = cred.Error()
		texts["CredentialsError.Code"], texts["CredentialsError.Description"], texts["CredentialsError.URI"] = cred.Code, cred.Description, cred.URI
	}
	var unknown *OutcomeUnknownError
	if errors.As(err, &unknown) {
		texts["OutcomeUnknownError.Err.Error()"] = unknown.Err.Error()
	}
	return texts
}

// echoClient is a client of ts with an access token or with a service account, whose
// log lines go to logs.
func echoClient(t *testing.T, ts *httptest.Server, account bool, logs Logger) *Client {
	return newTestClient(t, ts.URL, func(cfg *Config) {
		cfg.Logger = logs
		if account {
			cfg.AccessToken, cfg.ClientID, cfg.ClientSecret, cfg.TokenURL = "", echoSAID, echoSASecret, ts.URL+"/oauth/token"
		} else {
			cfg.AccessToken = echoAccessToken
		}
	})
}

// echoCalls makes a create and an update that send bodySecret, and a read.
func echoCalls(ctx context.Context, c *Client, bodySecret string) map[string]error {
	errs := map[string]error{}
	_, errs["create"] = c.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "n", ConnectorID: testConnectorID, ConnectionDefinitionKey: "k", ClientID: "c", ClientSecret: bodySecret,
	})
	_, errs["update"] = c.UpdateOAuthClient(ctx, testClientID, `"1"`, &OAuthClientPatch{ClientSecret: Set(bodySecret)})
	_, errs["read"] = c.GetOAuthClient(ctx, testClientID)
	return errs
}

// TestEchoedSecretsAreMasked has servers echo every request (body, headers, the
// Basic credentials decoded) into every text the client passes on, among terminal
// sequences, and checks that no error text and no log line, at any level, holds a
// secret or a control character.
func TestEchoedSecretsAreMasked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		api   echoAPI
		token echoToken
		// wantMasked: the error of every call shows that something was masked.
		wantMasked bool
		// tokenFails: every call fails at the token endpoint (service account only).
		tokenFails bool
		// retried: the calls are retried, which logs warnings.
		retried bool
	}{
		{name: "problem detail", api: echoProblem(http.StatusUnprocessableEntity), wantMasked: true},
		{name: "field errors", api: echoFieldErrors, wantMasked: true},
		{name: "plain-text 500 after retries", api: echoPlainText(http.StatusInternalServerError), retried: true},
		{name: "plain-text 400", api: echoPlainText(http.StatusBadRequest)},
		{name: "problem 429 after retries", api: echoProblem(http.StatusTooManyRequests), wantMasked: true, retried: true},
		{name: "echo in the Content-Type of a 200", api: echoInContentType, wantMasked: true},
		{name: "malformed answer after retries", api: echoMalformed, wantMasked: true, retried: true},
		{name: "token endpoint 401 JSON error", api: echoProblem(422), token: tokenErrorJSON(http.StatusUnauthorized), wantMasked: true, tokenFails: true},
		{name: "token endpoint 503 JSON error after retries", api: echoProblem(422), token: tokenErrorJSON(http.StatusServiceUnavailable), wantMasked: true, tokenFails: true, retried: true},
		{name: "token endpoint 200 with an error", api: echoProblem(422), token: tokenErrorJSON(http.StatusOK), wantMasked: true, tokenFails: true, retried: true},
		{name: "token endpoint 400 form error", api: echoProblem(422), token: tokenErrorForm, wantMasked: true, tokenFails: true},
	} {
		for _, account := range []bool{false, true} {
			if tc.tokenFails && !account {
				continue
			}
			for _, bodySecret := range []string{echoBodySecret, echoShortBodySecret} {
				name := fmt.Sprintf("%s/access token/body secret %q", tc.name, bodySecret)
				if account {
					name = fmt.Sprintf("%s/service account/body secret %q", tc.name, bodySecret)
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					ts := echoServer(t, tc.api, tc.token)
					logs := &testLogger{}
					c := echoClient(t, ts, account, logs)
					errs := echoCalls(context.Background(), c, bodySecret)
					secrets := []string{echoAccessToken, echoSASecret, echoIssuedToken, echoRefreshToken}
					for call, err := range errs {
						if err == nil {
							t.Errorf("%s: no error", call)
							continue
						}
						t.Logf("%s: %s", call, err)
						// The read sends no body secret: it masks the credentials.
						want := secrets
						if call != "read" {
							want = slices.Concat(secrets, []string{bodySecret})
						}
						for what, text := range errorTexts(err) {
							checkClean(t, call+": "+what, text, want)
						}
						if tc.wantMasked && !strings.Contains(err.Error(), masked) {
							t.Errorf("%s: the error shows nothing masked, so the server echoed nothing: %s", call, err)
						}
					}
					levels := map[string]int{}
					for _, line := range logs.all() {
						levels[line.level]++
						checkClean(t, "the log line", line.String(), slices.Concat(secrets, []string{bodySecret}))
					}
					if levels["DEBUG"] == 0 || levels["TRACE"] == 0 || (tc.retried && levels["WARN"] == 0) {
						t.Errorf("lines by level %v, want Debug and Trace lines, and Warn lines when retried", levels)
					}
				})
			}
		}
	}
}

// TestEchoedIssuedTokenIsMasked has the API echo the bearer token that the service
// account was issued, which is masked although no configuration holds it.
func TestEchoedIssuedTokenIsMasked(t *testing.T) {
	t.Parallel()
	ts := echoServer(t, echoProblem(http.StatusForbidden), nil)
	logs := &testLogger{}
	_, err := echoClient(t, ts, true, logs).Me(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	for what, text := range errorTexts(err) {
		checkClean(t, what, text, []string{echoIssuedToken, echoSASecret})
	}
	if !strings.Contains(err.Error(), "Authorization: Bearer "+masked) {
		t.Errorf("the error does not show the echoed bearer token masked: %s", err)
	}
	for _, line := range logs.all() {
		checkClean(t, "the log line", line.String(), []string{echoIssuedToken, echoSASecret})
	}
}

func TestRedactorHide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		forms    []string
		in, want string
	}{
		{[]string{"abc"}, "ab c abcabc abcab", "ab c *** ***ab"},
		{[]string{"a"}, "banana", "b***n***n***"},
		// A secret that ends where another begins leaves nothing of either.
		{[]string{"ab", "bcdef"}, "xabcdefy", "x***y"},
		{[]string{"bcdef", "ab"}, "xabcdefy", "x***y"},
		// One secret inside another.
		{[]string{"cd", "abcdef"}, "abcdef cd", "*** ***"},
		{[]string{"aa"}, "aaa", "***"},
		{[]string{"secret"}, "no match", "no match"},
		{nil, "text", "text"},
	} {
		if got := (redactor{request: newFormSet(tc.forms)}).hide(tc.in); got != tc.want {
			t.Errorf("hide(%q) with %q = %q, want %q", tc.in, tc.forms, got, tc.want)
		}
		if got := (redactor{credentials: newFormSet(tc.forms)}).hide(tc.in); got != tc.want {
			t.Errorf("hide(%q) with credentials %q = %q, want %q", tc.in, tc.forms, got, tc.want)
		}
	}
}

func TestSecretForms(t *testing.T) {
	t.Parallel()
	got := secretForms(`a<b>&"c"\ü 😀+/=`)
	for _, want := range []string{
		`a<b>&"c"\ü 😀+/=`,
		`a\u003cb\u003e\u0026\"c\"\\ü 😀+/=`,
		`a<b>&\"c\"\\ü 😀+/=`,
		`a<b>&\"c\"\\\u00fc \ud83d\ude00+/=`,
		`a%3Cb%3E%26%22c%22%5C%C3%BC+%F0%9F%98%80%2B%2F%3D`,
		`a%3Cb%3E&%22c%22%5C%C3%BC%20%F0%9F%98%80+%2F=`,
		`a\\u003cb\\u003e\\u0026\\\"c\\\"\\\\ü 😀+/=`, // the JSON form escaped again
	} {
		if !slices.Contains(got, want) {
			t.Errorf("the forms %q lack %q", got, want)
		}
	}
	if forms := secretForms("a-b.c_d~9"); len(forms) != 1 {
		t.Errorf("the forms of a-b.c_d~9 are %q, want only itself", forms)
	}
	if secretForms("") != nil {
		t.Error("an empty secret has forms")
	}
	basic := basicForms("id", "s+/")
	for _, cred := range []string{"id:s%2B%2F", "id:s+/"} {
		if !slices.Contains(basic, base64.RawStdEncoding.EncodeToString([]byte(cred))) {
			t.Errorf("the Basic forms %q lack that of %q", basic, cred)
		}
	}
}

// TestIssuedTokensAreBounded: a token endpoint that issues a token per request does
// not make the masked set grow without end, and the newest tokens stay masked.
func TestIssuedTokensAreBounded(t *testing.T) {
	t.Parallel()
	s := newSecretSet(&Config{ClientID: "id", ClientSecret: "secret"})
	fixed := len(s.forms().forms)
	for i := range 3 * maxIssuedTokens {
		tok := fmt.Sprintf("token-%04d", i)
		s.addToken(&oauth2.Token{AccessToken: tok})
	}
	if n := len(s.forms().forms); n != fixed+maxIssuedTokens*len(secretForms("token-0000")) {
		t.Errorf("%d forms after %d tokens", n, 3*maxIssuedTokens)
	}
	last := fmt.Sprintf("token-%04d", 3*maxIssuedTokens-1)
	if got := s.redactor(nil).hide("x " + last + " secret"); got != "x *** ***" {
		t.Errorf("got %q", got)
	}
}

// TestEchoedIdempotencyRecordIsClean: a record whose method, path and body a server
// wrote, echoing the lookup's Authorization header among terminal sequences, gives
// errors without the token or a control character.
func TestEchoedIdempotencyRecordIsClean(t *testing.T) {
	t.Parallel()
	ts := echoServer(t, func(w http.ResponseWriter, r *http.Request, echo, _ string) {
		jsonHandler(200, "", map[string]any{
			"key": "k" + hostile, "method": "POST" + hostile + r.Header.Get("Authorization"), "path": "/oauth-clients" + echo,
			"createdAt": "2026-01-15T09:30:00Z", "expiresAt": "2026-01-16T09:30:00Z",
			"response": map[string]any{"status": 201, "body": map[string]any{"id": 1, "echo": echo}},
		})(w, r)
	}, nil)
	logs := &testLogger{}
	rec, err := echoClient(t, ts, false, logs).LookupIdempotencyKey(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	_, err = rec.CreatedOAuthClient()
	errs = append(errs, err)
	rec.Method, rec.Path = http.MethodPost, "/oauth-clients"
	_, err = rec.CreatedConnector() // the body does not decode
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("error %d: none", i)
		}
		checkClean(t, fmt.Sprintf("error %d", i), err.Error(), []string{echoAccessToken})
		if i == 0 && !strings.Contains(err.Error(), "Bearer "+masked) {
			t.Errorf("error %d does not show the echoed token masked: %s", i, err)
		}
	}
	for _, line := range logs.all() {
		checkClean(t, "the log line", line.String(), []string{echoAccessToken})
	}
}
