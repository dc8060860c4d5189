package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (e *env) token(form url.Values, user, password string) *reply {
	e.t.Helper()
	hr, _ := http.NewRequest("POST", e.url+"/oauth/token", strings.NewReader(form.Encode()))
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		hr.SetBasicAuth(user, password)
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep reply
	rep.status, rep.header = resp.StatusCode, resp.Header
	if rep.body, err = io.ReadAll(resp.Body); err != nil {
		e.t.Fatal(err)
	}
	return &rep
}

func TestMe(t *testing.T) {
	e := newEnv(t)
	var me principal
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"}).decode(t, &me)
	if me != (principal{AccountID: "acme", AccountName: "Acme Corporation", UserID: "acme-admin", UserName: "Acme Admin"}) {
		t.Fatalf("me = %+v", me)
	}
	rep := e.do(req{method: "GET", path: "/management/v1/me"})
	e.wantProblem(rep, 401, "", "Authorization header")
	if !strings.HasPrefix(rep.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("401 without a Bearer challenge: %v", rep.header)
	}
	e.wantProblem(e.do(req{token: "no-such-token", method: "GET", path: "/management/v1/me"}), 401, "", "not valid")
	e.wantProblem(e.do(req{token: "no-such-token", method: "GET", path: "/management/v1/oauth-clients"}), 401, "", "not valid")
}

func TestClientCredentialsGrant(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = time.Minute })
	grant := url.Values{"grant_type": {"client_credentials"}}

	// Credentials in the Basic header.
	rep := e.token(grant, "acme-automation", "acme-automation-secret")
	if rep.status != 200 || rep.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v %s", rep.status, rep.header, rep.body)
	}
	var tok tokenResponse
	if err := json.Unmarshal(rep.body, &tok); err != nil {
		t.Fatalf("token response %s: %v", rep.body, err)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 60 || tok.AccessToken == "" {
		t.Fatalf("token response %+v", tok)
	}
	var me principal
	e.must(http.StatusOK, req{token: tok.AccessToken, method: "GET", path: "/management/v1/me"}).decode(t, &me)
	if me.AccountID != "acme" || me.UserID != "acme-automation" {
		t.Fatalf("service account is %+v", me)
	}

	// Credentials in the body.
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {"acme-automation"}, "client_secret": {"acme-automation-secret"}, "scope": {"connectivity"}}
	if rep := e.token(body, "", ""); rep.status != 200 || !strings.Contains(string(rep.body), `"scope":"connectivity"`) {
		t.Fatalf("body credentials: %d %s", rep.status, rep.body)
	}

	for name, tc := range map[string]struct {
		form           url.Values
		user, password string
		status         int
		code           string
	}{
		"both forms":        {body, "acme-automation", "acme-automation-secret", 400, "invalid_request"},
		"wrong secret":      {grant, "acme-automation", "wrong", 401, "invalid_client"},
		"unknown client":    {grant, "nobody", "x", 401, "invalid_client"},
		"no credentials":    {grant, "", "", 401, "invalid_client"},
		"password grant":    {url.Values{"grant_type": {"password"}}, "acme-automation", "acme-automation-secret", 400, "unsupported_grant_type"},
		"grant type absent": {url.Values{}, "acme-automation", "acme-automation-secret", 400, "unsupported_grant_type"},
	} {
		rep := e.token(tc.form, tc.user, tc.password)
		var te tokenError
		if err := json.Unmarshal(rep.body, &te); err != nil {
			t.Errorf("%s: %v in %s", name, err, rep.body)
		}
		if rep.status != tc.status || te.Error != tc.code {
			t.Errorf("%s: %d %s, want %d %s", name, rep.status, rep.body, tc.status, tc.code)
		}
		if strings.Contains(string(rep.body), "acme-automation-secret") {
			t.Errorf("%s: the answer repeats the secret", name)
		}
	}

	// A token expires: the next request is a 401 that says so.
	e.srv.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	e.wantProblem(e.do(req{token: tok.AccessToken, method: "GET", path: "/management/v1/me"}), 401, "", "expired")
	// The seeded admin tokens never expire.
	e.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/me"})
}
