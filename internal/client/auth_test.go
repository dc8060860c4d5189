package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// identityServer issues service-account tokens at /oauth/token and answers GET
// /management/v1/me for the tokens it issued and has not refused.
type identityServer struct {
	url       string
	expiresIn int // seconds

	mu          sync.Mutex
	tokenHits   []hit
	apiHits     []hit
	issued      map[string]bool
	refuseNext  int  // refuse the next n token requests with 503
	refuseAll   bool // answer every API request with 401
	revokeAfter int  // refuse a token after this many uses (0: never)
	uses        map[string]int
}

func newIdentityServer(t *testing.T, expiresIn int) *identityServer {
	s := &identityServer{expiresIn: expiresIn, issued: map[string]bool{}, uses: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

func (s *identityServer) serve(w http.ResponseWriter, r *http.Request) {
	h := newHit(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/oauth/token" {
		s.tokenHits = append(s.tokenHits, h)
		if s.refuseNext > 0 {
			s.refuseNext--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok || id != "robot" || secret != "robot-secret" || !strings.Contains(h.body, "grant_type=client_credentials") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"Client authentication failed: unknown client or wrong secret."}`)
			return
		}
		token := fmt.Sprintf("issued-token-%d", len(s.tokenHits))
		s.issued[token] = true
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": s.expiresIn})
		return
	}
	s.apiHits = append(s.apiHits, h)
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.uses[token]++
	if s.refuseAll || !s.issued[token] || (s.revokeAfter > 0 && s.uses[token] > s.revokeAfter) {
		problemHandler(http.StatusUnauthorized, "The access token is not valid.")(w, r)
		return
	}
	jsonHandler(200, "", map[string]any{"accountId": "acme", "accountName": "Acme", "userId": "robot", "userName": "Robot"})(w, r)
}

func (s *identityServer) counts() (tokens, api int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokenHits), len(s.apiHits)
}

func (s *identityServer) client(t *testing.T, options ...func(*Config)) *Client {
	return newTestClient(t, s.url, append([]func(*Config){func(cfg *Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret, cfg.TokenURL = "", "robot", "robot-secret", s.url+"/oauth/token"
		cfg.Scopes = []string{"appxchange:admin", "openid"}
	}}, options...)...)
}

func TestServiceAccountTokenIsFetchedOnceAndReused(t *testing.T) {
	t.Parallel()
	s := newIdentityServer(t, 3600)
	c := s.client(t)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 3 {
				if _, err := c.Me(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	tokens, api := s.counts()
	if tokens != 1 || api != 30 {
		t.Errorf("%d token requests for %d API requests, want 1 for 30", tokens, api)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	th := s.tokenHits[0]
	if th.method != http.MethodPost || th.header.Get("User-Agent") != "appxchange-client-test/1.0" ||
		!strings.HasPrefix(th.header.Get("Authorization"), "Basic ") ||
		!strings.Contains(th.body, "scope=appxchange%3Aadmin+openid") || strings.Contains(th.body, "robot-secret") {
		t.Errorf("token request: %s, User-Agent %q, Basic credentials %v, body %q", th.method, th.header.Get("User-Agent"),
			strings.HasPrefix(th.header.Get("Authorization"), "Basic "), th.body)
	}
	for _, h := range s.apiHits {
		if h.header.Get("Authorization") != "Bearer issued-token-1" || h.header.Get("User-Agent") != "appxchange-client-test/1.0" {
			t.Fatalf("API request with Authorization %q, User-Agent %q", h.header.Get("Authorization"), h.header.Get("User-Agent"))
		}
	}
}

func TestServiceAccountTokenIsRenewedWhenItExpires(t *testing.T) {
	t.Parallel()
	// The token is replaced tokenExpiryMargin before it expires: here one second after it was issued.
	s := newIdentityServer(t, int((tokenExpiryMargin+time.Second)/time.Second))
	c := s.client(t)
	ctx := context.Background()
	for range 3 {
		if _, err := c.Me(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if tokens, _ := s.counts(); tokens != 1 {
		t.Fatalf("%d token requests before expiry, want 1", tokens)
	}
	time.Sleep(1100 * time.Millisecond)
	for range 3 {
		if _, err := c.Me(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if tokens, _ := s.counts(); tokens != 2 {
		t.Errorf("%d token requests after expiry, want 2", tokens)
	}
}

func TestRefusedServiceAccountTokenIsRenewedOnce(t *testing.T) {
	t.Parallel()
	s := newIdentityServer(t, 3600)
	s.revokeAfter = 2 // the server considers the first token expired after two uses
	c := s.client(t)
	for range 3 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if tokens, api := s.counts(); tokens != 2 || api != 4 {
		t.Errorf("%d token requests and %d API requests, want 2 and 4 (one refusal, one renewal, one retry)", tokens, api)
	}
}

func TestPersistentUnauthorizedIsRetriedOnlyOnce(t *testing.T) {
	t.Parallel()
	s := newIdentityServer(t, 3600)
	s.refuseAll = true
	_, err := s.client(t).Me(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 *APIError", err)
	}
	if tokens, api := s.counts(); tokens != 2 || api != 2 {
		t.Errorf("%d token requests and %d API requests, want 2 and 2", tokens, api)
	}
}

func TestRefusedServiceAccountCredentials(t *testing.T) {
	t.Parallel()
	s := newIdentityServer(t, 3600)
	c := s.client(t, func(cfg *Config) { cfg.ClientSecret = "wrong-secret-value" })
	_, err := c.Me(context.Background())
	var cred *CredentialsError
	if !errors.As(err, &cred) {
		t.Fatalf("err = %v, want *CredentialsError", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "GET /me: the token endpoint refused") {
		t.Errorf("message %q does not start with the call and the refusal", msg)
	}
	for _, want := range []string{"refused the service-account credentials", `"robot"`, "invalid_client", "unknown client or wrong secret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "wrong-secret-value") {
		t.Errorf("message %q holds the secret", msg)
	}
	if tokens, api := s.counts(); tokens != 1 || api != 0 {
		t.Errorf("%d token requests and %d API requests, want 1 and 0 (refused credentials are not retried)", tokens, api)
	}
}

func TestTokenEndpointFaultIsRetried(t *testing.T) {
	t.Parallel()
	s := newIdentityServer(t, 3600)
	s.refuseNext = 2
	if _, err := s.client(t).Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tokens, api := s.counts(); tokens != 3 || api != 1 {
		t.Errorf("%d token requests and %d API requests, want 3 and 1", tokens, api)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // part of the error; empty for no error
	}{
		{"token", Config{BaseURL: "https://api.example.com/management/v1/", AccessToken: "t"}, ""},
		{"service account", Config{BaseURL: "http://127.0.0.1:8089/management/v1", ClientID: "id", ClientSecret: "s", TokenURL: "http://127.0.0.1:8089/oauth/token"}, ""},
		{"token with a token URL", Config{BaseURL: "https://h/m", AccessToken: "t", TokenURL: "https://id.trimble.com/oauth/token"}, ""},
		{"no base URL", Config{AccessToken: "t"}, "base URL is empty"},
		{"relative base URL", Config{BaseURL: "/management/v1", AccessToken: "t"}, "not an absolute http or https URL"},
		{"base URL of another scheme", Config{BaseURL: "ftp://h/m", AccessToken: "t"}, "not an absolute http or https URL"},
		{"no credentials", Config{BaseURL: "https://h/m"}, "no credentials"},
		{"both", Config{BaseURL: "https://h/m", AccessToken: "t", ClientID: "id", ClientSecret: "s", TokenURL: "https://h/t"}, "give only one"},
		{"no secret", Config{BaseURL: "https://h/m", ClientID: "id", TokenURL: "https://h/t"}, "the client secret is missing"},
		{"only a secret", Config{BaseURL: "https://h/m", ClientSecret: "s"}, "the client ID and the token URL are missing"},
		{"bad token URL", Config{BaseURL: "https://h/m", ClientID: "id", ClientSecret: "s", TokenURL: "id.trimble.com"}, "the token URL"},
		{"negative retries", Config{BaseURL: "https://h/m", AccessToken: "t", MaxRetries: -1}, "must not be negative"},
		{"min above max", Config{BaseURL: "https://h/m", AccessToken: "t", RetryWaitMin: time.Minute}, "longer than RetryWaitMax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want == "" && c.baseURL != strings.TrimRight(tc.cfg.BaseURL, "/"):
				t.Errorf("base URL %q", c.baseURL)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
