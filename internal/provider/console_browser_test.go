package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // the screenshots are checked as PNG images
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpnet "github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// The secret that scripts/demo.sh gives the quickstart's OAuth client.
const quickstartSecret = "quickstart-demo-secret"

// TestAccConsole_browser applies examples/quickstart through the real CLI to a fresh
// sandbox, as `make demo` does, and looks at the result in the sandbox's web console
// with a real headless Chromium: signing in and out, what each account sees, search,
// a client's page, escaping of names, paging, and that no secret or token reaches a
// page, a URL or a cookie that scripts can read. It takes screenshots on the way
// (the README's picture is one of them, see APPXCHANGE_CONSOLE_SCREENSHOTS).
//
// Chromium comes from APPXCHANGE_CHROMIUM (scripts/chromium.sh prints it; make test
// sets it). Without it the test fails: it is never skipped.
func TestAccConsole_browser(t *testing.T) {
	w := newCLIWorkspace(t)
	sb := startSandbox(t)
	b := startConsoleBrowser(t, sb.url)
	ctx := context.Background()
	acme, globex := sb.apiClient(t, acmeToken), sb.apiClient(t, globexToken)

	// make demo: the quickstart, applied with the seeded service account.
	copyDir(t, filepath.Join("..", "..", "examples", "quickstart"), w.dir)
	w.env = append(w.env, "TF_LOG=",
		"APPXCHANGE_BASE_URL="+sb.baseURL(), "APPXCHANGE_TOKEN_URL="+sb.url+"/oauth/token",
		"APPXCHANGE_CLIENT_ID="+acmeClientID, "APPXCHANGE_CLIENT_SECRET="+acmeSecret,
		"TF_VAR_procore_client_secret="+quickstartSecret)
	w.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	clients := quickstartClients(t, w)
	var private, public stateClient
	for _, c := range clients {
		if c.Public {
			public = c
		} else {
			private = c
		}
	}
	if len(clients) != 2 || private.ID == "" || public.ID == "" {
		t.Fatalf("the quickstart should make one private and one public OAuth client; the state holds %+v", clients)
	}
	// The private client holds the secret: a page that leaked it would be caught below.
	if got := sb.storedSecretHash(t, private.ID); got != sb.secretHash(t, quickstartSecret) {
		t.Fatalf("the sandbox does not hold the quickstart's secret for %q: the search for it in the pages would prove nothing", private.Name)
	}
	acmeMe, err := acme.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	globexMe, err := globex.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Nothing secret may reach a page, a URL or a script-readable cookie.
	b.secrets = []string{quickstartSecret, acmeSecret, acmeToken, globexToken}

	// Signed out, / leads to the sign-in page.
	resp := b.open("/")
	b.wantPath("/console/sign-in")
	if resp.Status != 200 {
		t.Errorf("the sign-in page answered %d", resp.Status)
	}
	if b.eval(`document.getElementById("token").type`) != "password" {
		t.Error("the token field is not a password field")
	}
	if !slices.Contains(b.urlsSeen(), sb.url+"/console/oauth-clients") {
		t.Errorf("/ did not lead to the OAuth Clients tab first; the browser saw %v", b.urlsSeen())
	}

	// A wrong token is refused, and not echoed.
	const wrongToken = "not-a-token-7f3e19c2"
	b.secrets = append(b.secrets, wrongToken)
	b.do(chromedp.SendKeys(chromedp.ID("token"), wrongToken))
	if resp := b.follow("sign in with a wrong token", chromedp.Click(chromedp.ID("sign-in-submit"))); resp.Status != 401 {
		t.Errorf("a wrong token answered %d, want 401", resp.Status)
	}
	if b.eval(`document.getElementById("error") ? document.getElementById("error").textContent.trim() : ""`) == "" {
		t.Error("the page of a wrong token has no #error")
	}
	if cookies := b.cookies(); len(cookies) != 0 {
		t.Errorf("a wrong token got cookies: %v", cookieNames(cookies))
	}

	// acme signs in: its names in the header, the quickstart's clients in the table.
	b.signIn(acmeToken)
	b.wantPath("/console/oauth-clients")
	b.wantHeader(acmeMe)
	session := b.sessionCookie()
	if got := b.eval(`document.cookie`); got != "" {
		t.Errorf("scripts can read cookies (document.cookie = %q): the session cookie must be HttpOnly", got)
	}
	if got := b.evalJSON(`[...document.querySelectorAll("#oauth-clients thead th")].map(th => th.textContent.trim())`); got != `["Name","Connector","Connection definition","Public"]` {
		t.Errorf("the table's columns are %s", got)
	}
	b.wantRows("acme's OAuth clients", apiIDs(t, acme))
	rows := b.rows()
	for _, c := range clients {
		i := slices.IndexFunc(rows, func(r consoleRow) bool { return r.ID == c.ID })
		if i < 0 {
			t.Errorf("the quickstart's client %q (%s) is not in the table", c.Name, c.ID)
			continue
		}
		r := rows[i]
		if len(r.Cells) != 4 {
			t.Errorf("the row of %q has %d cells, want 4: %+v", c.Name, len(r.Cells), r)
			continue
		}
		connector, err := acme.GetConnector(ctx, c.ConnectorID)
		if err != nil {
			t.Fatal(err)
		}
		publicText := map[bool]string{true: "Yes", false: "No"}[c.Public]
		if r.Link != c.Name || r.Href != "/console/oauth-clients/"+c.ID || !strings.Contains(r.Cells[1], connector.Name) ||
			r.Cells[2] != c.Definition || r.Cells[3] != publicText {
			t.Errorf("the row of %q is %+v; want the link %q to /console/oauth-clients/%s, the connector %q, the definition %q, public %q",
				c.Name, r, c.Name, c.ID, connector.Name, c.Definition, publicText)
		}
	}
	b.wantCount("Showing 1–2 of 2")
	b.wantNoElement("#next-page")
	b.wantNoElement("#previous-page")

	// The pictures: the OAuth Clients tab after make demo, and a client's page.
	b.screenshots("console-oauth-clients", "/console/oauth-clients")
	b.screenshots("console-oauth-client", "/console/oauth-clients/"+private.ID)
	b.open("/console/oauth-clients")

	// Search, with part of a name in another case, narrows the table to that client.
	term := searchTerm(t, private.Name, clients)
	b.do(chromedp.SendKeys(chromedp.CSS(`#search input[name="search"]`), term))
	b.follow("search", chromedp.Click(chromedp.CSS(`#search [type="submit"]`)))
	if got := b.location(); !strings.Contains(got, "search="+url.QueryEscape(term)) {
		t.Errorf("the search form went to %s", got)
	}
	b.wantRows("the search "+term, []string{private.ID})
	b.wantCount("Showing 1–1 of 1")
	if got := b.eval(`document.querySelector('#search input[name="search"]').value`); got != term {
		t.Errorf("the search field holds %q after the search, want %q", got, term)
	}

	// The client's page says a secret is set, and shows no secret.
	b.follow("open "+private.Name, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr.oauth-client[data-id=%q] a`, private.ID))))
	b.wantPath("/console/oauth-clients/" + private.ID)
	b.wantText("#client-name", private.Name)
	b.wantText("#client-secret", "Secret set")
	if got := b.eval(`document.getElementById("client-secret-expires-at").textContent`); !strings.Contains(got, "2030-12-31T23:59:59Z") {
		t.Errorf("the secret's expiry reads %q", got)
	}
	if b.eval(`String(document.getElementById("client-secret-expires-at").classList.contains("expires-soon"))`) != "false" {
		t.Error("a secret expiring in 2030 is marked as expiring soon")
	}
	if dl := b.eval(`document.getElementById("oauth-client").textContent`); !strings.Contains(dl, private.ID) || !strings.Contains(dl, "quickstart-procore-app") {
		t.Errorf("the client's details lack its id or client id:\n%s", dl)
	}
	b.follow("open the OAuth Clients tab", chromedp.Click(chromedp.ID("tab-oauth-clients")))
	b.follow("open "+public.Name, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr.oauth-client[data-id=%q] a`, public.ID))))
	b.wantText("#client-name", public.Name)
	b.wantText("#client-secret", "No secret")

	// The Connectors tab: the seeded public connectors and the quickstart's own.
	b.follow("open the Connectors tab", chromedp.Click(chromedp.ID("tab-connectors")))
	b.wantPath("/console/connectors")
	keys := b.evalJSON(`[...document.querySelectorAll("section.connector")].map(s => s.dataset.key)`)
	for _, key := range []string{"procore", "acme-crm"} {
		if !strings.Contains(keys, fmt.Sprintf("%q", key)) {
			t.Errorf("the Connectors tab lacks %s: it shows %s", key, keys)
		}
	}
	if got := b.evalJSON(`[...document.querySelectorAll('section.connector[data-key="acme-crm"] table.definitions tr.definition')].map(r => r.dataset.key)`); got != `["oAuth2CodeFlow"]` {
		t.Errorf("the definitions of acme-crm are %s", got)
	}

	// Signing out ends the session: the list is out of reach, even with the old cookie.
	b.follow("sign out", chromedp.Click(chromedp.CSS("#sign-out button")))
	b.wantPath("/console/sign-in")
	if c := b.cookies(); len(c) != 0 {
		t.Errorf("cookies are left after signing out: %v", cookieNames(c))
	}
	b.open("/console/oauth-clients")
	b.wantPath("/console/sign-in")
	b.wantNoElement("#oauth-clients")
	browserCall(b, cdpnet.SetCookie, cdpnet.SetCookieParams{Name: session.Name, Value: session.Value, URL: sb.url + "/"})
	b.open("/console/oauth-clients/" + private.ID)
	b.wantPath("/console/sign-in")
	browserCall(b, cdpnet.ClearBrowserCookies, cdp.Empty{})

	// globex sees none of acme's private clients; public ones of other accounts it may.
	b.signIn(globexToken)
	b.wantHeader(globexMe)
	b.wantRows("globex's OAuth clients", apiIDs(t, globex))
	if slices.ContainsFunc(b.rows(), func(r consoleRow) bool { return r.ID == private.ID }) || strings.Contains(b.html(), private.Name) {
		t.Errorf("globex sees acme's private client %q", private.Name)
	}
	if !slices.ContainsFunc(b.rows(), func(r consoleRow) bool { return r.ID == public.ID }) {
		t.Errorf("globex does not see the public client %q that the API lists for it", public.Name)
	}
	if resp := b.open("/console/oauth-clients/" + private.ID); resp.Status != 404 || strings.Contains(b.html(), private.Name) {
		t.Errorf("globex opening acme's private client got %d, and the page names it: %t", resp.Status, strings.Contains(b.html(), private.Name))
	}
	b.follow("sign out", chromedp.Click(chromedp.CSS("#sign-out button")))

	// A name full of markup is shown as text, and runs nothing.
	const markup = "<script>alert(1)</script><b>x</b>"
	const markupSecret = "markup-client-secret-41d7"
	b.secrets = append(b.secrets, markupSecret)
	made, err := acme.CreateOAuthClient(ctx, &client.OAuthClientInput{
		Name: markup, ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "markup",
		ClientSecret: markupSecret, ClientSecretExpiresAt: time.Now().UTC().Add(10 * 24 * time.Hour).Format(time.RFC3339),
	})
	if err != nil {
		t.Fatal(err)
	}
	b.signIn(acmeToken)
	var markupRow *consoleRow
	for _, r := range b.rows() {
		if r.ID == made.ID {
			markupRow = &r
		}
	}
	switch {
	case markupRow == nil:
		t.Errorf("the client named %q is not in the table", markup)
	case markupRow.Link != markup || markupRow.Markup != 0:
		t.Errorf("the name %q is not shown as text: the link reads %q, and the row has %d <b> or <script> elements", markup, markupRow.Link, markupRow.Markup)
	}
	b.wantNoElement("#oauth-clients b")
	b.wantNoElement("#oauth-clients script")
	b.open("/console/oauth-clients/" + made.ID)
	b.wantText("#client-name", markup)
	b.wantText("#client-secret", "Secret set")
	b.wantNoElement("#client-name b")
	if b.eval(`String(document.getElementById("client-secret-expires-at").classList.contains("expires-soon"))`) != "true" {
		t.Error("a secret expiring in 10 days is not marked as expiring soon")
	}
	if got := b.eval(`String(document.scripts.length)`); got != "0" {
		t.Errorf("the client's page has %s script elements", got)
	}

	// Paging: 100 clients a page.
	for i := range 120 {
		if _, err := acme.CreateOAuthClient(ctx, &client.OAuthClientInput{
			Name: fmt.Sprintf("Paging client %03d", i+1), ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow",
			ClientID: fmt.Sprintf("paging-%03d", i+1),
		}); err != nil {
			t.Fatal(err)
		}
	}
	all := apiIDs(t, acme)
	if len(all) != 123 {
		t.Fatalf("acme sees %d clients through the API, want 123", len(all))
	}
	b.open("/console/oauth-clients")
	b.wantRows("page 1", all[:100])
	b.wantCount("Showing 1–100 of 123")
	b.wantNoElement("#previous-page")
	b.follow("next page", chromedp.Click(chromedp.ID("next-page")))
	b.wantRows("page 2", all[100:])
	b.wantCount("Showing 101–123 of 123")
	b.wantNoElement("#next-page")
	b.follow("previous page", chromedp.Click(chromedp.ID("previous-page")))
	b.wantRows("page 1 again", all[:100])

	b.finish()
}

// stateClient is an OAuth client of the quickstart's state.
type stateClient struct {
	ID, Name, ConnectorID, Definition string
	Public                            bool
}

// quickstartClients reads the OAuth clients of the workspace's state file.
func quickstartClients(t *testing.T, w *cliWorkspace) []stateClient {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Mode, Type string
			Instances  []struct {
				Attributes struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					ConnectorID          string `json:"connector_id"`
					ConnectionDefinition string `json:"connection_definition"`
					Public               bool   `json:"public"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	var out []stateClient
	for _, r := range state.Resources {
		if r.Mode != "managed" || r.Type != "appxchange_oauth_client" {
			continue
		}
		for _, i := range r.Instances {
			a := i.Attributes
			out = append(out, stateClient{ID: a.ID, Name: a.Name, ConnectorID: a.ConnectorID, Definition: a.ConnectionDefinition, Public: a.Public})
		}
	}
	return out
}

// searchTerm is part of name, in another case, that no other client's name holds.
func searchTerm(t *testing.T, name string, clients []stateClient) string {
	t.Helper()
	runes := []rune(name)
	for n := len(runes) / 2; n >= 4; n-- {
		for i := 0; i+n <= len(runes); i++ {
			part := string(runes[i : i+n])
			term := strings.ToUpper(part)
			if term == part {
				term = strings.ToLower(part)
			}
			if term == part || strings.TrimSpace(term) != term {
				continue
			}
			unique := true
			for _, c := range clients {
				if c.Name != name && strings.Contains(strings.ToLower(c.Name), strings.ToLower(term)) {
					unique = false
				}
			}
			if unique {
				return term
			}
		}
	}
	t.Fatalf("no part of %q in another case is unique among %+v", name, clients)
	return ""
}

// apiIDs is the ids of the OAuth clients that the API lists for a client's account, in its order.
func apiIDs(t *testing.T, c *client.Client) []string {
	t.Helper()
	all, err := c.AllOAuthClients(context.Background(), client.OAuthClientFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(all))
	for i, oc := range all {
		ids[i] = oc.ID
	}
	return ids
}

// consoleBrowser is a headless Chromium on the sandbox's console, with what it saw.
type consoleBrowser struct {
	t    *testing.T
	ctx  context.Context
	base string
	// secrets may appear in no page, URL or cookie.
	secrets []string

	mu        sync.Mutex
	urls      []string
	responses map[string]int64
	dialogs   []string
	pages     int
}

// startConsoleBrowser starts Chromium (APPXCHANGE_CHROMIUM) with a fresh profile.
// The flags keep it off the network: without them it tries to reach Google's
// services and stalls on a closed cdpnet.
func startConsoleBrowser(t *testing.T, base string) *consoleBrowser {
	t.Helper()
	exe := os.Getenv("APPXCHANGE_CHROMIUM")
	if exe == "" {
		t.Fatal("APPXCHANGE_CHROMIUM is not set: the console's browser test needs Chromium and is never skipped. " +
			"Run `export APPXCHANGE_CHROMIUM=$(scripts/chromium.sh)` (it installs Debian's chromium when it is missing), or make test, which does.")
	}
	var output syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(&output),
	)
	// Everything the browser does must end within this time.
	session, cancelSession := context.WithTimeout(context.Background(), 5*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(session, opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		cancelSession()
	})
	b := &consoleBrowser{t: t, ctx: ctx, base: base, responses: map[string]int64{}}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("Chromium (%s) did not start: %v\n%s\nRun scripts/chromium.sh to install or find a Chromium that starts, and set APPXCHANGE_CHROMIUM to the path it prints.",
			exe, err, tail(output.String(), 30))
	}
	dialogs := make(chan string, 16)
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *cdpnet.EventRequestWillBeSent:
			b.urls = append(b.urls, ev.Request.URL, ev.DocumentURL)
			if r := ev.RedirectResponse; r != nil {
				b.urls = append(b.urls, r.URL)
				if loc, ok := header(r.Headers, "Location"); ok {
					// Relative: resolved against the answer that redirected.
					if from, err := url.Parse(r.URL); err == nil {
						if to, err := from.Parse(loc); err == nil {
							loc = to.String()
						}
					}
					b.urls = append(b.urls, loc)
				}
			}
		case *cdpnet.EventResponseReceived:
			b.responses[ev.Response.URL] = ev.Response.Status
		case *page.EventFrameNavigated:
			b.urls = append(b.urls, ev.Frame.URL)
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, fmt.Sprintf("%s %q at %s", ev.Type, ev.Message, ev.URL))
			select {
			case dialogs <- ev.Message:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// A dialog blocks the page: close it, so that the test goes on and reports it.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-dialogs:
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	return b
}

// step is a context for one step: a step that waits for an element that never
// comes fails after 30 seconds, not at the end of the session.
func (b *consoleBrowser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 30*time.Second)
}

func (b *consoleBrowser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

// browserCall runs a protocol command in the browser's tab.
func browserCall[P, R any](b *consoleBrowser, cmd cdp.Command[P, R], params P) R {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.Call(ctx, cmd, params)
	if err != nil {
		b.t.Fatalf("browser: %s: %v", cmd.Method, err)
	}
	return res
}

// open loads path and checks the page.
func (b *consoleBrowser) open(path string) *cdpnet.Response {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("browser: opening %s: %v", path, err)
	}
	b.checkPage("GET "+path, resp)
	return resp
}

// follow runs an action that loads a page (a click on a link or a button), waits
// for the page and checks it.
func (b *consoleBrowser) follow(what string, action chromedp.Action[chromedp.Void]) *cdpnet.Response {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, action)
	if err != nil {
		b.t.Fatalf("browser: %s: %v (at %s)", what, err, b.location())
	}
	b.checkPage(what, resp)
	return resp
}

// signIn signs in through the sign-in page with token.
func (b *consoleBrowser) signIn(token string) {
	b.t.Helper()
	b.open("/console/sign-in")
	b.do(chromedp.SendKeys(chromedp.ID("token"), token))
	if resp := b.follow("sign in", chromedp.Click(chromedp.ID("sign-in-submit"))); resp.Status != 200 {
		b.t.Fatalf("signing in led to a page of status %d at %s", resp.Status, b.location())
	}
	b.wantPath("/console/oauth-clients")
}

// checkPage checks a page just loaded: its security headers, and that neither its
// HTML nor its URL holds a secret.
func (b *consoleBrowser) checkPage(what string, resp *cdpnet.Response) {
	b.t.Helper()
	b.mu.Lock()
	b.pages++
	b.mu.Unlock()
	if resp == nil {
		b.t.Fatalf("%s: no page was loaded", what)
	}
	csp, _ := header(resp.Headers, "Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") {
		b.t.Errorf("%s: the page's Content-Security-Policy is %q", what, csp)
	}
	if strings.Contains(csp, "script-src") {
		b.t.Errorf("%s: the Content-Security-Policy %q allows scripts: the console has none", what, csp)
	}
	if v, _ := header(resp.Headers, "X-Content-Type-Options"); v != "nosniff" {
		b.t.Errorf("%s: the page's X-Content-Type-Options is %q", what, v)
	}
	html, loc := b.html(), b.location()
	for _, s := range b.secrets {
		if i := strings.Index(html, s); i >= 0 {
			b.t.Errorf("%s: the page %s shows the secret %q: ...%s...", what, loc, s, html[max(0, i-200):min(len(html), i+len(s)+50)])
		}
		if strings.Contains(loc, s) {
			b.t.Errorf("%s: the URL %s holds the secret %q", what, loc, s)
		}
	}
}

// finish checks what the whole session saw: no dialog, every URL free of secrets
// and on the sandbox, and the stylesheet loaded.
func (b *consoleBrowser) finish() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range b.dialogs {
		b.t.Errorf("a page opened a JavaScript dialog: %s", d)
	}
	for _, u := range b.urls {
		for _, s := range b.secrets {
			if strings.Contains(u, s) {
				b.t.Errorf("the browser visited a URL holding the secret %q: %s", s, u)
			}
		}
		if u != "" && u != "about:blank" && !strings.HasPrefix(u, b.base+"/") {
			b.t.Errorf("the browser requested %s, outside the sandbox", u)
		}
	}
	if status := b.responses[b.base+"/console/static/console.css"]; status != 200 {
		b.t.Errorf("the stylesheet answered %d", status)
	}
	b.t.Logf("the browser loaded %d pages, and requested or was sent to %d URLs, each checked for %d secrets", b.pages, len(b.urls), len(b.secrets))
}

func (b *consoleBrowser) urlsSeen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.urls)
}

func (b *consoleBrowser) location() string {
	ctx, cancel := b.step()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

func (b *consoleBrowser) wantPath(path string) {
	b.t.Helper()
	loc := b.location()
	u, err := url.Parse(loc)
	if err != nil || u.Path != path {
		b.t.Fatalf("the browser is at %s, want %s", loc, path)
	}
}

// html is the page's whole source as the browser holds it.
func (b *consoleBrowser) html() string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Fatalf("browser: reading the page's HTML: %v", err)
	}
	return html
}

// eval is the value of a JavaScript expression that gives a string.
func (b *consoleBrowser) eval(expression string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expression))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", expression, err)
	}
	return v
}

// evalJSON is the JSON of the value of a JavaScript expression.
func (b *consoleBrowser) evalJSON(expression string) string {
	b.t.Helper()
	return b.eval("JSON.stringify(" + expression + ")")
}

func (b *consoleBrowser) wantText(selector, want string) {
	b.t.Helper()
	got := b.eval(fmt.Sprintf(`(e => e ? e.textContent.trim() : "(no element)")(document.querySelector(%q))`, selector))
	if got != want {
		b.t.Errorf("%s reads %q, want %q (at %s)", selector, got, want, b.location())
	}
}

func (b *consoleBrowser) wantNoElement(selector string) {
	b.t.Helper()
	if b.eval(fmt.Sprintf(`String(document.querySelector(%q) !== null)`, selector)) != "false" {
		b.t.Errorf("the page %s has %s", b.location(), selector)
	}
}

func (b *consoleBrowser) wantCount(want string) {
	b.t.Helper()
	b.wantText("#count", want)
}

// wantHeader checks that the header names the account and the user as GET /me does.
func (b *consoleBrowser) wantHeader(me *client.Me) {
	b.t.Helper()
	b.wantText("#account", me.AccountName)
	b.wantText("#user", me.UserName)
}

// consoleRow is a row of the OAuth clients table.
type consoleRow struct {
	ID     string   `json:"id"`
	Link   string   `json:"link"`
	Href   string   `json:"href"`
	Cells  []string `json:"cells"`
	Markup int      `json:"markup"`
}

func (b *consoleBrowser) rows() []consoleRow {
	b.t.Helper()
	raw := b.evalJSON(`[...document.querySelectorAll("#oauth-clients tbody tr.oauth-client")].map(r => {
		const a = r.querySelector("a");
		return {id: r.dataset.id, link: a ? a.textContent : "", href: a ? a.getAttribute("href") : "",
			cells: [...r.cells].map(c => c.textContent.trim()), markup: r.querySelectorAll("b, script").length};
	})`)
	var rows []consoleRow
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		b.t.Fatalf("reading the table's rows: %v\n%s", err, raw)
	}
	return rows
}

// wantRows checks that the table lists exactly ids, in that order.
func (b *consoleBrowser) wantRows(what string, ids []string) {
	b.t.Helper()
	rows := b.rows()
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.ID
	}
	if !slices.Equal(got, ids) {
		b.t.Errorf("%s: the table lists %d clients %v, want %d %v", what, len(got), got, len(ids), ids)
	}
}

// cookies is every cookie the browser holds for the sandbox.
func (b *consoleBrowser) cookies() []*cdpnet.Cookie {
	b.t.Helper()
	return browserCall(b, cdpnet.GetCookies, cdpnet.GetCookiesParams{URLs: []string{b.base + "/"}}).Cookies
}

// sessionCookie checks the console's only cookie: HttpOnly, SameSite=Strict, and
// a random id rather than the token.
func (b *consoleBrowser) sessionCookie() *cdpnet.Cookie {
	b.t.Helper()
	cookies := b.cookies()
	if len(cookies) != 1 || cookies[0].Name != "appxchange_console" {
		b.t.Fatalf("after signing in the browser holds the cookies %v, want appxchange_console alone", cookieNames(cookies))
	}
	c := cookies[0]
	if !c.HTTPOnly || c.SameSite != cdpnet.CookieSameSiteStrict || c.Path != "/" {
		b.t.Errorf("the session cookie is HttpOnly %t, SameSite %q, Path %q; want HttpOnly, Strict, /", c.HTTPOnly, c.SameSite, c.Path)
	}
	if len(c.Value) < 32 {
		b.t.Errorf("the session cookie's value %q is too short to be a random id", c.Value)
	}
	for _, s := range b.secrets {
		if strings.Contains(c.Value, s) {
			b.t.Errorf("the session cookie holds the secret %q", s)
		}
	}
	return c
}

func cookieNames(cookies []*cdpnet.Cookie) []string {
	names := make([]string, len(cookies))
	for i, c := range cookies {
		names[i] = c.Name
	}
	return names
}

// screenshots takes the page at path at 1280×800 and at a phone's 390×844, as
// name.png and name-phone.png, into a temporary directory and into
// APPXCHANGE_CONSOLE_SCREENSHOTS when it is set.
func (b *consoleBrowser) screenshots(name, path string) {
	b.t.Helper()
	dirs := []string{b.t.TempDir()}
	if dir := os.Getenv("APPXCHANGE_CONSOLE_SCREENSHOTS"); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			b.t.Fatalf("APPXCHANGE_CONSOLE_SCREENSHOTS=%s is not a directory", dir)
		}
		dirs = append(dirs, dir)
	}
	for _, shot := range []struct {
		file          string
		width, height int64
		emulate       chromedp.Action[chromedp.Void]
	}{
		{name + ".png", 1280, 800, chromedp.EmulateViewport(1280, 800)},
		{name + "-phone.png", 390, 844, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)},
	} {
		b.do(shot.emulate)
		b.open(path)
		ctx, cancel := b.step()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			b.t.Fatalf("browser: screenshot %s: %v", shot.file, err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
		if err != nil || format != "png" || int64(cfg.Width) != shot.width || int64(cfg.Height) != shot.height {
			b.t.Errorf("the screenshot %s is not a %d×%d PNG: %s %d×%d, %v", shot.file, shot.width, shot.height, format, cfg.Width, cfg.Height, err)
		}
		for _, dir := range dirs {
			if err := os.WriteFile(filepath.Join(dir, shot.file), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
		b.t.Logf("screenshot %s: %d bytes, in %s", shot.file, len(png), strings.Join(dirs, " and "))
	}
	b.do(chromedp.EmulateReset())
}

// header is the value of a response header, whatever the case of its name.
func header(h cdpnet.Headers, name string) (string, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, ok := v.(string)
			return s, ok
		}
	}
	return "", false
}
