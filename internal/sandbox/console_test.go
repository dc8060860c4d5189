package sandbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browser is a console user: a cookie jar, redirects not followed, and no
// contract check (the console is not part of the API).
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

// view is a console answer read whole.
type view struct {
	status int
	header http.Header
	body   string
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{t: e.t, base: e.url, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(r *http.Request) *view {
	b.t.Helper()
	resp, err := b.client.Do(r)
	if err != nil {
		b.t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &view{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) request(method, path string, form url.Values, headers map[string]string) *view {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return b.do(r)
}

func (b *browser) get(path string) *view { b.t.Helper(); return b.request("GET", path, nil, nil) }

func (b *browser) post(path string, form url.Values) *view {
	b.t.Helper()
	return b.request("POST", path, form, nil)
}

// page gets a signed-in page and fails unless it is 200.
func (b *browser) page(path string) *view {
	b.t.Helper()
	v := b.get(path)
	if v.status != http.StatusOK {
		b.t.Fatalf("GET %s: %d\n%s", path, v.status, v.body)
	}
	return v
}

func (b *browser) signIn(token string) *view {
	b.t.Helper()
	v := b.post("/console/sign-in", url.Values{"token": {token}})
	if v.status != http.StatusSeeOther || v.header.Get("Location") != "/console/oauth-clients" {
		b.t.Fatalf("signing in: %d %q\n%s", v.status, v.header.Get("Location"), v.body)
	}
	return v
}

// session is the value of the console's cookie in the jar, or "".
func (b *browser) session() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == consoleCookie {
			return c.Value
		}
	}
	return ""
}

func (v *view) wantRedirect(t *testing.T, to string) {
	t.Helper()
	if v.status != http.StatusSeeOther || v.header.Get("Location") != to {
		t.Fatalf("status %d, Location %q; want 303 to %s", v.status, v.header.Get("Location"), to)
	}
}

func (v *view) wantContains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(v.body, p) {
			t.Errorf("the page lacks %q\n%s", p, v.body)
		}
	}
}

func (v *view) wantLacks(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(v.body, p) {
			t.Errorf("the page holds %q\n%s", p, v.body)
		}
	}
}

var (
	rowPattern   = regexp.MustCompile(`<tr class="oauth-client" data-id="([^"]+)">`)
	countPattern = regexp.MustCompile(`<p id="count">([^<]*)</p>`)
	hrefPattern  = `<a id="%s" href="([^"]*)">`
)

// rowIDs are the ids of the OAuth clients a list page shows, in order.
func (v *view) rowIDs() []string {
	var ids []string
	for _, m := range rowPattern.FindAllStringSubmatch(v.body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func (v *view) count(t *testing.T) string {
	t.Helper()
	m := countPattern.FindStringSubmatch(v.body)
	if m == nil {
		t.Fatalf("no count on the page\n%s", v.body)
	}
	return m[1]
}

// link is the unescaped href of the link with id, or "" when there is none.
func (v *view) link(id string) string {
	m := regexp.MustCompile(fmt.Sprintf(hrefPattern, id)).FindStringSubmatch(v.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// apiClientIDs lists, through the API, the ids of every OAuth client token sees with query.
func (e *env) apiClientIDs(token, query string) []string {
	e.t.Helper()
	var ids []string
	for index := 0; ; index++ {
		var list page[OAuthClient]
		e.must(http.StatusOK, req{token: token, method: "GET", path: fmt.Sprintf("%s?pageSize=1000&pageIndex=%d&%s", clients, index, query)}).decode(e.t, &list)
		for _, c := range list.Items {
			ids = append(ids, c.ID)
		}
		if len(list.Items) < 1000 {
			return ids
		}
	}
}

func TestConsoleSignIn(t *testing.T) {
	e := newEnv(t)
	b := e.browser()

	// Signed out, every way in leads to the sign-in page.
	b.get("/").wantRedirect(t, "/console/oauth-clients")
	b.get("/console").wantRedirect(t, "/console/oauth-clients")
	b.get("/console/").wantRedirect(t, "/console/oauth-clients")
	for _, path := range []string{"/console/oauth-clients", "/console/oauth-clients/x", "/console/connectors"} {
		b.get(path).wantRedirect(t, "/console/sign-in")
	}
	form := b.page("/console/sign-in")
	form.wantContains(t,
		`<form id="sign-in" method="post" action="/console/sign-in">`,
		`<input id="token" name="token" type="password" autocomplete="off">`,
		`<button id="sign-in-submit" type="submit">Sign in</button>`,
		`/oauth/token`)
	form.wantLacks(t, `acme-admin-token`, `id="error"`, `id="sign-out"`, `id="account"`)

	// A wrong token, or none, is refused with the form again, empty, and no cookie.
	for _, token := range []string{"not-a-token", "", "   "} {
		v := b.post("/console/sign-in", url.Values{"token": {token}})
		if v.status != http.StatusUnauthorized {
			t.Fatalf("token %q: %d, want 401", token, v.status)
		}
		if token != "" && strings.TrimSpace(token) != "" {
			v.wantContains(t, `<p id="error" role="alert">That token is not valid for this sandbox.</p>`)
			v.wantLacks(t, token)
		} else {
			v.wantContains(t, `<p id="error" role="alert">Enter an account token.</p>`)
		}
		v.wantContains(t, `<input id="token" name="token" type="password" autocomplete="off">`)
		if sc := v.header.Values("Set-Cookie"); len(sc) > 0 {
			t.Fatalf("a refused sign-in set %v", sc)
		}
	}

	// The right token opens a session: a random id in a strict, HttpOnly cookie, never the token.
	v := b.signIn(acme)
	v.wantLacks(t, acme)
	setCookie := v.header.Get("Set-Cookie")
	if strings.Contains(setCookie, acme) {
		t.Fatalf("Set-Cookie holds the token: %s", setCookie)
	}
	for _, attr := range []string{consoleCookie + "=", "; Path=/", "; HttpOnly", "; SameSite=Strict"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("Set-Cookie %q lacks %q", setCookie, attr)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain HTTP", setCookie)
	}
	first := b.session()
	if raw, err := base64.RawURLEncoding.DecodeString(first); err != nil || len(raw) != 32 {
		t.Fatalf("session id %q is not 32 bytes of base64url: %v", first, err)
	}
	home := b.page("/console/oauth-clients")
	home.wantContains(t,
		`<span id="account">Acme Corporation</span>`, `<span id="user">Acme Admin</span>`,
		`<form id="sign-out" method="post" action="/console/sign-out"><button type="submit">Sign out</button></form>`,
		`<a id="tab-oauth-clients" href="/console/oauth-clients" aria-current="page">OAuth Clients</a>`,
		`<a id="tab-connectors" href="/console/connectors">Connectors</a>`,
		`<h1>Connectivity</h1>`)
	b.page("/console/connectors").wantContains(t,
		`<a id="tab-oauth-clients" href="/console/oauth-clients">OAuth Clients</a>`,
		`<a id="tab-connectors" href="/console/connectors" aria-current="page">Connectors</a>`)

	// Signing in again makes a new session; the old one ends.
	b.signIn(acme)
	second := b.session()
	if second == first || second == "" {
		t.Fatalf("signing in again kept the session %q", second)
	}
	replay := e.browser()
	replay.client.Jar.SetCookies(mustURL(t, e.url), []*http.Cookie{{Name: consoleCookie, Value: first}})
	replay.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")

	// Signing out ends the session on the server and expires the cookie.
	out := b.post("/console/sign-out", nil)
	out.wantRedirect(t, "/console/sign-in")
	if sc := out.header.Get("Set-Cookie"); !strings.Contains(sc, consoleCookie+"=;") || !strings.Contains(sc, "Max-Age=0") {
		t.Fatalf("sign-out Set-Cookie %q does not expire the cookie", sc)
	}
	b.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")
	replay.client.Jar.SetCookies(mustURL(t, e.url), []*http.Cookie{{Name: consoleCookie, Value: second}})
	replay.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")

	// A made-up session, or the token itself as the cookie, opens nothing.
	for _, value := range []string{base64.RawURLEncoding.EncodeToString(make([]byte, 32)), acme} {
		forged := e.browser()
		forged.client.Jar.SetCookies(mustURL(t, e.url), []*http.Cookie{{Name: consoleCookie, Value: value}})
		forged.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")
	}

	// A form posted from another site is refused.
	cross := e.browser().request("POST", "/console/sign-in", url.Values{"token": {acme}}, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if cross.status != http.StatusForbidden || cross.header.Get("Set-Cookie") != "" {
		t.Fatalf("cross-site sign-in: %d, Set-Cookie %q", cross.status, cross.header.Get("Set-Cookie"))
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestConsoleSessionEndsWithItsToken(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = time.Minute })
	var tok tokenResponse
	rep := e.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "acme-automation-secret")
	rep.decode(t, &tok)
	b := e.browser()
	v := b.signIn(tok.AccessToken)
	maxAge := regexp.MustCompile(`Max-Age=(\d+)`).FindStringSubmatch(v.header.Get("Set-Cookie"))
	if maxAge == nil {
		t.Fatalf("Set-Cookie %q has no Max-Age", v.header.Get("Set-Cookie"))
	}
	if seconds, err := strconv.Atoi(maxAge[1]); err != nil || seconds < 1 || seconds > 60 {
		t.Errorf("Set-Cookie %q: the cookie outlives the one-minute token", v.header.Get("Set-Cookie"))
	}
	b.page("/console/oauth-clients").wantContains(t, `<span id="user">Acme automation</span>`)

	// The session ends with the token, not 8 hours later.
	e.srv.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	b.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")
	expired := e.browser().post("/console/sign-in", url.Values{"token": {tok.AccessToken}})
	if expired.status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", expired.status)
	}
	expired.wantContains(t, `<p id="error" role="alert">That token has expired`)

	// A seed token's session lasts 8 hours.
	e.srv.now = time.Now
	b.signIn(acme)
	e.srv.now = func() time.Time { return time.Now().Add(8*time.Hour - time.Minute) }
	b.page("/console/oauth-clients")
	e.srv.now = func() time.Time { return time.Now().Add(8*time.Hour + time.Minute) }
	b.get("/console/oauth-clients").wantRedirect(t, "/console/sign-in")
}

func TestConsoleSessionsAreBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cs := &consoleSessions{st: e.srv.store, max: 3}
	create := func(expires, now time.Time) string {
		t.Helper()
		id, err := cs.create(ctx, principal{AccountID: "acme", UserID: "u", UserName: "U"}, expires, now)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	live := func(id string, now time.Time) bool {
		t.Helper()
		p, err := cs.lookup(ctx, id, now)
		if err != nil {
			t.Fatal(err)
		}
		return p != nil
	}
	count := func() int {
		t.Helper()
		var n int
		if err := e.srv.store.reader.QueryRowContext(ctx, "SELECT count(*) FROM console_sessions").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := time.Now()
	expired := create(now.Add(time.Minute), now)
	later := now.Add(2 * time.Minute)
	soonest := create(later.Add(time.Hour), later)
	kept := []string{create(later.Add(3*time.Hour), later), create(later.Add(2*time.Hour), later)}
	// At the cap, the expired session went first, so every live one is kept.
	for _, id := range append([]string{soonest}, kept...) {
		if !live(id, later) {
			t.Fatalf("live session %q was dropped", id)
		}
	}
	if n := count(); n != 3 || live(expired, now) {
		t.Fatalf("%d sessions; the expired one is still there: %v", n, live(expired, now))
	}
	// With none expired, the one closest to expiring makes room.
	newest := create(later.Add(4*time.Hour), later)
	if n := count(); n != 3 || live(soonest, later) || !live(newest, later) {
		t.Fatalf("after a fourth live session: %d sessions, soonest kept %v", n, live(soonest, later))
	}
	// Only keyed hashes of ids are stored.
	stored := storedText(t, e.store)
	for _, id := range append(kept, newest) {
		if strings.Contains(stored, id) || strings.Contains(stored, sha256Hex(id)) {
			t.Fatalf("a session id is stored as it is, or as its bare SHA-256: %q", id)
		}
	}
	// An expired session no longer signs in.
	if live(newest, later.Add(5*time.Hour)) {
		t.Fatal("an expired session still signs in")
	}
	// Signing out ends the session.
	if err := cs.remove(ctx, newest); err != nil || live(newest, later) {
		t.Fatalf("a removed session still signs in (%v)", err)
	}
}

func TestConsoleHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.createClient(acme, nil)
	signedOut := e.browser()
	signedIn := e.browser()
	signedIn.signIn(acme)
	type check struct {
		b            *browser
		method, path string
		form         url.Values
		status       int
	}
	checks := []check{
		{signedOut, "GET", "/", nil, 303},
		{signedOut, "GET", "/console", nil, 303},
		{signedOut, "GET", "/console/sign-in", nil, 200},
		{signedOut, "POST", "/console/sign-in", url.Values{"token": {"wrong"}}, 401},
		{signedOut, "GET", "/console/oauth-clients", nil, 303},
		{signedOut, "GET", "/console/static/console.css", nil, 200},
		{signedOut, "GET", "/console/no-such-page", nil, 404},
		{signedOut, "GET", "/console/sign-out", nil, 405},
		{signedOut, "DELETE", "/console", nil, 405},
		{signedIn, "GET", "/console/oauth-clients", nil, 200},
		{signedIn, "GET", "/console/oauth-clients?search=x&page=2", nil, 200},
		{signedIn, "GET", "/console/oauth-clients/" + c.ID, nil, 200},
		{signedIn, "GET", "/console/oauth-clients/" + newID(), nil, 404},
		{signedIn, "GET", "/console/connectors", nil, 200},
		{signedIn, "PUT", "/console/connectors", nil, 405},
		{signedIn, "POST", "/console/sign-in", url.Values{"token": {acme}}, 303},
		{signedIn, "POST", "/console/sign-out", nil, 303},
	}
	for _, ch := range checks {
		v := ch.b.request(ch.method, ch.path, ch.form, nil)
		if v.status != ch.status {
			t.Errorf("%s %s: %d, want %d", ch.method, ch.path, v.status, ch.status)
		}
		wantType := "text/html; charset=utf-8"
		if strings.HasSuffix(ch.path, ".css") {
			wantType = "text/css; charset=utf-8"
		}
		for name, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
			"Content-Type":            wantType,
		} {
			if got := v.header.Get(name); got != want {
				t.Errorf("%s %s: %s %q, want %q", ch.method, ch.path, name, got, want)
			}
		}
		if ch.status == 405 && v.header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", ch.method, ch.path)
		}
	}
	css := signedOut.get("/console/static/console.css")
	if css.body != string(consoleCSS) || len(css.body) == 0 {
		t.Fatal("the stylesheet is not the embedded one")
	}
}

func TestConsoleEscapesEveryValue(t *testing.T) {
	e := newEnv(t)
	script := `<script>alert(1)</script>`
	c := e.createClient(acme, map[string]any{"name": script, "clientId": `"><img src=x onerror=alert(2)>`})
	b := e.browser()
	b.signIn(acme)
	for _, v := range []*view{b.page("/console/oauth-clients"), b.page("/console/oauth-clients/" + c.ID), b.page("/console/oauth-clients?search=" + url.QueryEscape(script))} {
		v.wantContains(t, "&lt;script&gt;alert(1)&lt;/script&gt;")
		v.wantLacks(t, script, "<img")
	}
	b.page("/console/oauth-clients/"+c.ID).wantContains(t, `<h2 id="client-name">&lt;script&gt;alert(1)&lt;/script&gt;</h2>`)
	b.page("/console/oauth-clients?search="+url.QueryEscape(`"><b>`)).wantContains(t, `value="&#34;&gt;&lt;b&gt;"`)
}

func TestConsoleListSearchAndPages(t *testing.T) {
	e := newEnv(t)
	for i := range 150 {
		e.createClient(acme, map[string]any{"name": fmt.Sprintf("Alpha & Co %03d", i)})
	}
	for i := range 100 {
		e.createClient(acme, map[string]any{"name": fmt.Sprintf("Beta %03d", i)})
	}
	b := e.browser()
	b.signIn(acme)

	// 250 clients: three pages of at most 100, in the API's order.
	all := e.apiClientIDs(acme, "")
	if len(all) != 250 {
		t.Fatalf("the API lists %d clients", len(all))
	}
	first := b.page("/console/oauth-clients")
	if got := first.count(t); got != "Showing 1–100 of 250" {
		t.Errorf("count %q", got)
	}
	if next := first.link("next-page"); next != "/console/oauth-clients?page=2" {
		t.Errorf("next %q", next)
	}
	if prev := first.link("previous-page"); prev != "" {
		t.Errorf("the first page links to a previous one: %q", prev)
	}
	var shown []string
	shown = append(shown, first.rowIDs()...)
	second := b.page(first.link("next-page"))
	shown = append(shown, second.rowIDs()...)
	if second.link("previous-page") != "/console/oauth-clients?page=1" || second.link("next-page") != "/console/oauth-clients?page=3" {
		t.Errorf("page 2 links: previous %q, next %q", second.link("previous-page"), second.link("next-page"))
	}
	third := b.page(second.link("next-page"))
	shown = append(shown, third.rowIDs()...)
	if got := third.count(t); got != "Showing 201–250 of 250" {
		t.Errorf("page 3 count %q", got)
	}
	if third.link("next-page") != "" {
		t.Errorf("the last page links to a next one: %q", third.link("next-page"))
	}
	if !slices.Equal(shown, all) {
		t.Fatalf("the pages show %d clients, not the API's 250 in its order", len(shown))
	}
	past := b.page("/console/oauth-clients?page=9")
	if len(past.rowIDs()) != 0 || past.link("previous-page") != "/console/oauth-clients?page=3" {
		t.Errorf("past the end: %d rows, previous %q", len(past.rowIDs()), past.link("previous-page"))
	}
	if got := b.page("/console/oauth-clients?page=zero").rowIDs(); !slices.Equal(got, all[:100]) {
		t.Error("a page that is not a number does not show the first page")
	}

	// Search narrows by name, case-insensitively, exactly as the API's search does, and pages keep it.
	search := "aLpHa & cO"
	narrowed := b.page("/console/oauth-clients?search=" + url.QueryEscape(search))
	if got := narrowed.count(t); got != "Showing 1–100 of 150" {
		t.Errorf("search count %q", got)
	}
	narrowed.wantContains(t, `<input name="search" type="search" value="aLpHa &amp; cO"`)
	next := narrowed.link("next-page")
	if next != "/console/oauth-clients?page=2&search=aLpHa+%26+cO" {
		t.Fatalf("next with a search: %q", next)
	}
	rest := b.page(next)
	if got := rest.count(t); got != "Showing 101–150 of 150" {
		t.Errorf("second search page count %q", got)
	}
	if rest.link("previous-page") != "/console/oauth-clients?page=1&search=aLpHa+%26+cO" {
		t.Errorf("previous with a search: %q", rest.link("previous-page"))
	}
	want := e.apiClientIDs(acme, "search="+url.QueryEscape(search))
	if got := append(narrowed.rowIDs(), rest.rowIDs()...); !slices.Equal(got, want) || len(want) != 150 {
		t.Fatalf("the search shows %d clients; the API finds %d", len(got), len(want))
	}
	beta := b.page("/console/oauth-clients?search=BETA%2000")
	if got := beta.count(t); got != "Showing 1–10 of 10" {
		t.Errorf("BETA 00: count %q", got)
	}
	none := b.page("/console/oauth-clients?search=gamma")
	if got := none.count(t); got != "No OAuth clients." || len(none.rowIDs()) != 0 {
		t.Errorf("no match: count %q, %d rows", got, len(none.rowIDs()))
	}
}

func TestConsoleListTable(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(acme)
	if got := b.page("/console/oauth-clients").count(t); got != "No OAuth clients." {
		t.Fatalf("empty list count %q", got)
	}
	c := e.createClient(acme, map[string]any{"name": "Acme Power BI", "connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials"})
	v := b.page("/console/oauth-clients")
	v.wantContains(t,
		`<form id="search" method="get" action="/console/oauth-clients"`,
		`<table id="oauth-clients">`,
		`<th scope="col">Name</th><th scope="col">Connector</th><th scope="col">Connection definition</th><th scope="col">Public</th>`,
		`<tr class="oauth-client" data-id="`+c.ID+`">`,
		`<a href="/console/oauth-clients/`+c.ID+`">Acme Power BI</a>`,
		`Power BI <span class="key">powerbi</span>`,
		`<td data-label="Connection definition">oAuth2ClientCredentials</td>`,
		`<td data-label="Public">No</td>`,
		`<p id="count">Showing 1–1 of 1</p>`)
	v.wantLacks(t, `id="next-page"`, `id="previous-page"`)
}

func TestConsoleClientPage(t *testing.T) {
	e := newEnv(t)
	secret := "acme-procore-secret"
	soon := time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	later := time.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	c := e.createClient(acme, map[string]any{"clientSecretExpiresAt": soon, "scopes": []string{"openid", "profile"}, "prompts": []string{"login"},
		"refreshUrl": "https://id.trimble.com/oauth/refresh"})
	var hash string
	if err := e.srv.store.reader.QueryRowContext(context.Background(), `SELECT secret_hash FROM oauth_clients WHERE id = ?`, c.ID).Scan(&hash); err != nil || hash == "" {
		t.Fatalf("reading the stored hash: %q %v", hash, err)
	}
	b := e.browser()
	b.signIn(acme)
	v := b.page("/console/oauth-clients/" + c.ID)
	v.wantContains(t,
		`<h2 id="client-name">Acme Procore</h2>`,
		`<dl id="oauth-client">`,
		`<dt>ID</dt><dd>`+c.ID+`</dd>`,
		`<dt>Name</dt><dd>Acme Procore</dd>`,
		`<dt>Connector</dt><dd>Procore <span class="key">procore</span></dd>`,
		`<dt>Connection definition</dt><dd>oAuth2CodeFlow`,
		`<dt>Client ID</dt><dd>acme-procore-client</dd>`,
		`<dd id="client-secret">Secret set</dd>`,
		`<dd id="client-secret-expires-at" class="expires-soon">`+soon+` — expires in 10 days</dd>`,
		`<dt>Authorization URL</dt><dd>None</dd>`,
		`<dt>Token URL</dt><dd>https://id.trimble.com/oauth/token</dd>`,
		`<dt>Refresh URL</dt><dd>https://id.trimble.com/oauth/refresh</dd>`,
		`<dt>Scopes</dt><dd>openid profile</dd>`,
		`<dt>Prompts</dt><dd>login</dd>`,
		`<dt>Client authentication</dt><dd>Basic auth header <span class="key">basicAuthHeader</span></dd>`,
		`<dt>Public</dt><dd>No</dd>`,
		`<dt>Account</dt><dd>acme</dd>`,
		`<dt>Created</dt><dd>`+c.CreatedAt+`</dd>`,
		`<dt>Updated</dt><dd>`+c.UpdatedAt+`</dd>`,
		`<a href="/console/oauth-clients">`)
	v.wantLacks(t, secret, hash, hash[:16])

	// Sixty days away is not soon; no expiry and no secret say so.
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"clientSecretExpiresAt": later}})
	b.page("/console/oauth-clients/"+c.ID).wantContains(t, `<dd id="client-secret-expires-at">`+later+`</dd>`)
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"clientSecret": nil, "clientSecretExpiresAt": nil}})
	none := b.page("/console/oauth-clients/" + c.ID)
	none.wantContains(t, `<dd id="client-secret">No secret</dd>`, `<dd id="client-secret-expires-at">None</dd>`)
	none.wantLacks(t, "expires-soon")

	// An id that does not exist is a 404 page.
	missing := b.get("/console/oauth-clients/" + newID())
	if missing.status != http.StatusNotFound {
		t.Fatalf("unknown client: %d", missing.status)
	}
	missing.wantContains(t, `is visible to your account.</p>`, `<p id="error">No OAuth client `, `<a href="/console/oauth-clients">`)
}

func TestConsoleSecretExpiry(t *testing.T) {
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name string
		raw  string
		want secretExpiry
	}{
		{"none", "", secretExpiry{Text: "None"}},
		{"sixty days", at(60 * day), secretExpiry{Text: at(60 * day)}},
		{"thirty days and a second", at(30*day + time.Second), secretExpiry{Text: at(30*day + time.Second)}},
		{"thirty days", at(30 * day), secretExpiry{Text: at(30 * day), Soon: true, Note: " — expires in 30 days"}},
		{"ten days", at(10 * day), secretExpiry{Text: at(10 * day), Soon: true, Note: " — expires in 10 days"}},
		{"ten days less a second", at(10*day - time.Second), secretExpiry{Text: at(10*day - time.Second), Soon: true, Note: " — expires in 10 days"}},
		{"an hour", at(time.Hour), secretExpiry{Text: at(time.Hour), Soon: true, Note: " — expires in 1 day"}},
		{"now", at(0), secretExpiry{Text: at(0), Soon: true, Note: " — expired"}},
		{"last year", at(-365 * day), secretExpiry{Text: at(-365 * day), Soon: true, Note: " — expired"}},
		{"not a time", "soon", secretExpiry{Text: "soon"}},
	} {
		if got := expiryOf(tc.raw, now); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestConsolePaging(t *testing.T) {
	for _, tc := range []struct {
		number, items, total int
		want                 paging
		count                string
	}{
		{1, 0, 0, paging{number: 1}, "No OAuth clients."},
		{1, 1, 1, paging{number: 1, first: 1, last: 1, total: 1}, "Showing 1–1 of 1"},
		{1, 100, 100, paging{number: 1, first: 1, last: 100, total: 100}, "Showing 1–100 of 100"},
		{1, 100, 101, paging{number: 1, first: 1, last: 100, total: 101, next: 2}, "Showing 1–100 of 101"},
		{2, 100, 250, paging{number: 2, first: 101, last: 200, total: 250, previous: 1, next: 3}, "Showing 101–200 of 250"},
		{3, 50, 250, paging{number: 3, first: 201, last: 250, total: 250, previous: 2}, "Showing 201–250 of 250"},
		{7, 0, 250, paging{number: 7, total: 250, previous: 3}, "No OAuth clients on page 7; there are 250."},
		{4, 0, 0, paging{number: 4, previous: 1}, "No OAuth clients."},
	} {
		got := consolePaging(tc.number, tc.items, tc.total)
		if got != tc.want || got.count("OAuth clients") != tc.count {
			t.Errorf("page %d, %d items of %d: %+v %q, want %+v %q", tc.number, tc.items, tc.total, got, got.count("OAuth clients"), tc.want, tc.count)
		}
	}
	for raw, want := range map[string]int{"": 1, "1": 1, "3": 3, "0": 1, "-2": 1, "x": 1, "99999999999": consoleMaxPage} {
		if got := consolePageNumber(raw); got != want {
			t.Errorf("page %q: %d, want %d", raw, got, want)
		}
	}
}

func TestConsoleShowsWhatTheAccountSees(t *testing.T) {
	e := newEnv(t)
	private := e.createClient(acme, map[string]any{"name": "Acme private"})
	public := e.createClient(xchange, map[string]any{"name": "Xchange public", "public": true})
	own := e.createConnector(acme, customConnector("acme-internal"))
	hidden := e.createClient(acme, map[string]any{"name": "Acme public on its own connector", "connectorId": own.ID, "public": true,
		"authorizationUrl": "https://login.example.com/authorize"})

	g := e.browser()
	g.signIn(globex)
	list := g.page("/console/oauth-clients")
	list.wantContains(t, `<span id="account">Globex Corporation</span>`, `<span id="user">Globex Admin</span>`, "Xchange public", `<td data-label="Public">Yes</td>`)
	list.wantLacks(t, "Acme private", private.ID, "Acme public on its own connector", hidden.ID)
	if got, want := list.rowIDs(), e.apiClientIDs(globex, ""); !slices.Equal(got, want) || !slices.Equal(got, []string{public.ID}) {
		t.Fatalf("globex's console shows %v; the API lists %v", got, want)
	}
	for _, id := range []string{private.ID, hidden.ID} {
		v := g.get("/console/oauth-clients/" + id)
		if v.status != http.StatusNotFound {
			t.Fatalf("globex reads acme's client %s: %d", id, v.status)
		}
		v.wantContains(t, `<p id="error">No OAuth client `+id+` is visible to your account.</p>`)
		v.wantLacks(t, "Acme private", "Acme public on its own connector")
	}
	g.page("/console/oauth-clients/"+public.ID).wantContains(t, `<h2 id="client-name">Xchange public</h2>`, `<dt>Account</dt><dd>xchange</dd>`)
	connectors := g.page("/console/connectors")
	connectors.wantContains(t, `data-key="procore"`, `data-key="powerbi"`, `data-key="vista"`)
	connectors.wantLacks(t, "acme-internal", own.ID)

	a := e.browser()
	a.signIn(acme)
	mine := a.page("/console/oauth-clients")
	if got, want := mine.rowIDs(), []string{private.ID, public.ID, hidden.ID}; !slices.Equal(got, want) {
		t.Fatalf("acme's console shows %v, want %v", got, want)
	}
	mine.wantContains(t, `Custom acme-internal <span class="key">acme-internal</span>`)
	a.page("/console/connectors").wantContains(t,
		`<section class="connector card" data-key="acme-internal">`,
		`<h3>Custom acme-internal</h3>`,
		`<dd class="visibility">account</dd>`,
		`<dd class="owner">acme</dd>`)
}

func TestConsoleConnectors(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.signIn(acme)
	v := b.page("/console/connectors")
	if got := v.count(t); got != "Showing 1–3 of 3" {
		t.Errorf("count %q", got)
	}
	v.wantContains(t,
		`<section class="connector card" data-key="procore">`,
		`<h3>Procore</h3>`,
		`<dd class="key">procore</dd>`,
		`<dd class="visibility">public</dd>`,
		`<dd class="owner">xchange</dd>`,
		`<dd class="description">Construction project management.</dd>`,
		`<table class="definitions">`,
		`<tr class="definition" data-key="oAuth2CodeFlow">`,
		`<td>OAuth 2.0 authorization code</td>`,
		`<td class="auth">oauth2CodeFlow</td>`,
		`<td class="url">https://id.trimble.com/oauth/authorize</td>`,
		`<td class="url">https://id.trimble.com/oauth/token</td>`,
		`<td>openid</td>`,
		`<tr class="definition" data-key="oAuth2ClientCredentials">`,
		`<td class="auth">clientCredentialsInBody</td>`,
		`<span class="key">tenantId</span> Tenant ID (string, required)`,
		`<span class="key">environment</span> Environment (enum, required: production, sandbox)`,
		`<tr class="definition" data-key="apiKeyAuth">`)
	if n := strings.Count(v.body, `<section class="connector`); n != 3 {
		t.Errorf("%d connectors shown, want 3", n)
	}
}

func TestConsoleNotFound(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/console/nothing", "/console/oauth-clients/", "/console/oauth-clients/a/b", "/console/static/other.css"} {
		v := b.get(path)
		if v.status != http.StatusNotFound || !strings.Contains(v.body, `<p id="error">There is no console page at `) {
			t.Errorf("GET %s: %d\n%s", path, v.status, v.body)
		}
	}
	b.signIn(acme)
	v := b.get("/console/nothing?token=x")
	if v.status != http.StatusNotFound {
		t.Fatalf("signed in, unknown page: %d", v.status)
	}
	v.wantContains(t, `<span id="account">Acme Corporation</span>`, `<p id="error">There is no console page at /console/nothing.</p>`)
	for path, allow := range map[string]string{"/console/sign-out": "POST", "/console/oauth-clients": "GET, HEAD"} {
		method := map[bool]string{true: "GET", false: "POST"}[allow == "POST"]
		v := b.request(method, path, nil, nil)
		if v.status != http.StatusMethodNotAllowed || v.header.Get("Allow") != allow {
			t.Errorf("%s %s: %d, Allow %q", method, path, v.status, v.header.Get("Allow"))
		}
	}
	// The API's own unknown routes still answer as problems.
	e.wantProblem(e.do(req{token: acme, method: "GET", path: "/management/v1/console"}), 404, "", "No API route")
}

func TestConsoleIsNotPartOfTheAPI(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.FaultRate = 1
		c.RateLimit = 1
		c.Latency = time.Second
	})
	e.must(http.StatusNoContent, req{method: "POST", path: "/_sandbox/stats/reset"})
	b := e.browser()
	start := time.Now()
	for range 3 {
		b.signIn(acme)
		b.page("/console/oauth-clients")
		b.page("/console/oauth-clients?search=x")
		b.page("/console/connectors")
		b.get("/console/nothing")
		b.post("/console/sign-out", nil)
	}
	// No faults, no rate limit of one request a second, no latency.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("18 console requests took %v", took)
	}
	var st Stats
	e.must(http.StatusOK, req{method: "GET", path: "/_sandbox/stats"}).decode(t, &st)
	if st.Total != 0 || len(st.Requests) != 0 || st.Faults != 0 {
		t.Fatalf("console requests were counted: %+v", st)
	}
}

func TestConsoleLogsNoSecret(t *testing.T) {
	e := newEnv(t)
	e.createClient(acme, nil)
	b := e.browser()
	b.post("/console/sign-in", url.Values{"token": {"wrong-token-value"}})
	b.signIn(acme)
	session := b.session()
	b.page("/console/oauth-clients?search=acme")
	b.page("/console/connectors")
	b.post("/console/sign-out", nil)
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/console/sign-in") || !strings.Contains(logs, "route=/console/oauth-clients") {
		t.Fatalf("the console's requests are not logged:\n%s", logs)
	}
	for _, secret := range []string{acme, "wrong-token-value", session, "acme-procore-secret", consoleCookie, "search=acme"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

// TestConsoleSignInIsThrottled: failed sign-ins count with the API's failed
// authentications, per address; past the burst even a good token waits.
func TestConsoleSignInIsThrottled(t *testing.T) {
	e := newEnv(t)
	frozen := time.Now()
	e.srv.now = func() time.Time { return frozen }
	b := e.browser()
	for i := range authFailureBurst {
		if v := b.post("/console/sign-in", url.Values{"token": {fmt.Sprintf("guess-%d", i)}}); v.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, v.status)
		}
	}
	v := b.post("/console/sign-in", url.Values{"token": {acme}})
	if v.status != http.StatusTooManyRequests || v.header.Get("Retry-After") == "" {
		t.Fatalf("a sign-in past the burst: %d, Retry-After %q; want 429 with Retry-After", v.status, v.header.Get("Retry-After"))
	}
	v.wantContains(t, `<p id="error" role="alert">Too many failed sign-ins from this address`)
	// The API's bearer authentication shares the throttle.
	e.wantProblem(e.do(req{token: acme, method: "GET", path: "/management/v1/me"}), 429, "", "failed authentications")
	// Once the bucket refills, the good token signs in.
	e.srv.now = func() time.Time { return frozen.Add(time.Minute) }
	b.signIn(acme)
}
