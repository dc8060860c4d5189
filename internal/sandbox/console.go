package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The console is a read-only web view of what an account sees through the API:
// its OAuth clients (with the public ones it may use) and its connectors. It
// is not part of the API: it is not counted in the stats and gets no faults,
// latency or rate limit. It reads through the API's own functions, so it shows
// exactly what the API would answer to the signed-in account.

//go:embed console_templates/*.html
var consoleTemplateFiles embed.FS

//go:embed console_static/console.css
var consoleCSS []byte

const (
	consoleCookie      = "appxchange_console"
	consoleSessionTTL  = 8 * time.Hour
	consoleMaxSessions = 10000
	consolePageSize    = 100
	// consoleMaxPage is the last page whose pageIndex the API's pageParams accepts.
	consoleMaxPage = (1<<31)/consolePageSize + 1
	// consoleExpirySoon is how close a secret's expiry must be to be marked.
	consoleExpirySoon   = 30 * 24 * time.Hour
	consoleMaxFormBytes = 16 << 10
	consoleCSP          = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// consoleTemplates holds one template set per page, each the layout plus the page's content.
var consoleTemplates = parseConsoleTemplates()

func parseConsoleTemplates() map[string]*template.Template {
	funcs := template.FuncMap{"join": strings.Join}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(consoleTemplateFiles, "console_templates/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"sign-in", "oauth-clients", "oauth-client", "connectors", "error"} {
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(consoleTemplateFiles, "console_templates/"+name+".html"))
	}
	return pages
}

// console serves the web console of one server: its sessions live in the database.
type console struct {
	s        *Server
	sessions *consoleSessions
	csrf     *http.CrossOriginProtection
	// guard throttles failed sign-ins per address, with the API's failed authentications.
	guard *failures
}

func (s *Server) newConsole(guard *failures) *console {
	return &console{s: s, sessions: &consoleSessions{st: s.store, max: consoleMaxSessions}, csrf: http.NewCrossOriginProtection(), guard: guard}
}

// consolePage is what the layout renders; Data is the page's own.
type consolePage struct {
	Title     string
	Tab       string     // "oauth-clients" or "connectors": the tab marked current
	Principal *principal // nil when nobody is signed in
	Data      any
}

// page wraps every console handler: the security headers go on every answer.
func (c *console) page(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", consoleCSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Type", "text/html; charset=utf-8")
		h(w, r)
	})
}

// form wraps a POST handler: a form sent from another site is refused.
func (c *console) form(h http.HandlerFunc) http.Handler {
	return c.page(func(w http.ResponseWriter, r *http.Request) {
		if err := c.csrf.Check(r); err != nil {
			c.errorPage(w, r, http.StatusForbidden, "This form was sent from another site; the console accepts its own forms only.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, consoleMaxFormBytes)
		h(w, r)
	})
}

// signedIn wraps a page that needs an account: without a session it sends the browser to sign in.
func (c *console) signedIn(h func(w http.ResponseWriter, r *http.Request, p *principal)) http.Handler {
	return c.page(func(w http.ResponseWriter, r *http.Request) {
		p := c.principal(r)
		if p == nil {
			http.Redirect(w, r, "/console/sign-in", http.StatusSeeOther)
			return
		}
		h(w, r, p)
	})
}

// principal is the account of the request's session, or nil.
func (c *console) principal(r *http.Request) *principal {
	cookie, err := r.Cookie(consoleCookie)
	if err != nil {
		return nil
	}
	p, err := c.sessions.lookup(r.Context(), cookie.Value, c.s.now())
	if err != nil && r.Context().Err() == nil {
		c.s.log.Error("reading a console session", "error", err)
	}
	return p
}

func (c *console) render(w http.ResponseWriter, status int, name string, pg consolePage) {
	var buf bytes.Buffer
	if err := consoleTemplates[name].ExecuteTemplate(&buf, "layout", pg); err != nil {
		c.s.log.Error("rendering a console page", "page", name, "error", err)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`<!doctype html><title>Console error</title><p id="error">The console failed to render this page.</p>` + "\n"))
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type consoleErrorData struct{ Message string }

func (c *console) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	c.render(w, status, "error", consolePage{Title: http.StatusText(status), Principal: c.principal(r), Data: consoleErrorData{Message: message}})
}

// fail answers an error of the store or of an API function.
func (c *console) fail(w http.ResponseWriter, r *http.Request, err error) {
	var prob *problem
	if errors.As(err, &prob) && prob.Status < 500 {
		c.errorPage(w, r, prob.Status, prob.Detail)
		return
	}
	if r.Context().Err() == nil {
		c.s.log.Error("console request failed", "method", r.Method, "error", err)
	}
	c.errorPage(w, r, http.StatusInternalServerError, "The sandbox failed to read this page.")
}

// root sends / to the console.
func (c *console) root(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/console/oauth-clients", http.StatusSeeOther)
}

// bare serves /console, which no pattern with a method can hold without answering other methods as problems.
func (c *console) bare(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		c.notFound(w, r)
		return
	}
	c.root(w, r)
}

// notFound answers every /console path no page has: 405 for a known page, else 404.
func (c *console) notFound(w http.ResponseWriter, r *http.Request) {
	if allow := consoleAllow(r.URL.Path); allow != "" {
		w.Header().Set("Allow", allow)
		c.errorPage(w, r, http.StatusMethodNotAllowed, r.Method+" is not allowed here; use "+allow+".")
		return
	}
	c.errorPage(w, r, http.StatusNotFound, "There is no console page at "+shorten(r.URL.Path)+".")
}

// consoleAllow lists the methods of a console page, or "" when the path is none.
func consoleAllow(path string) string {
	switch path {
	case "/console", "/console/", "/console/oauth-clients", "/console/connectors", "/console/static/console.css":
		return "GET, HEAD"
	case "/console/sign-in":
		return "GET, HEAD, POST"
	case "/console/sign-out":
		return "POST"
	}
	if id, ok := strings.CutPrefix(path, "/console/oauth-clients/"); ok && id != "" && !strings.Contains(id, "/") {
		return "GET, HEAD"
	}
	return ""
}

// shorten keeps what a page echoes of a request short.
func shorten(s string) string {
	const limit = 100
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}

func (c *console) css(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(consoleCSS)
}

type consoleSignInData struct{ Error string }

func (c *console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, http.StatusOK, "sign-in", consolePage{Title: "Sign in", Principal: c.principal(r), Data: consoleSignInData{}})
}

// signIn checks a token as the API's bearer authentication does and starts a
// session for its account. The token itself is kept nowhere: not in the
// session, the cookie, a URL, a log line or the page.
func (c *console) signIn(w http.ResponseWriter, r *http.Request) {
	refuse := func(status int, message string) {
		if status == http.StatusUnauthorized {
			c.guard.fail(c.s.clientAddr(r), c.s.now())
		}
		c.render(w, status, "sign-in", consolePage{Title: "Sign in", Principal: c.principal(r), Data: consoleSignInData{Error: message}})
	}
	if retryAfter, blocked := c.guard.blocked(c.s.clientAddr(r), c.s.now()); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		refuse(http.StatusTooManyRequests, fmt.Sprintf("Too many failed sign-ins from this address; try again in %d seconds.", retryAfter))
		return
	}
	if err := r.ParseForm(); err != nil {
		refuse(http.StatusBadRequest, "The sign-in form could not be read; send it again.")
		return
	}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		refuse(http.StatusUnauthorized, "Enter an account token.")
		return
	}
	p, prob := c.s.authenticate(r.Context(), token, true)
	if prob != nil && prob.Status >= 500 {
		c.fail(w, r, prob)
		return
	}
	if prob != nil {
		message := "That token is not valid for this sandbox."
		if strings.Contains(prob.challenge, "expired") {
			message = "That token has expired; request a new one at /oauth/token."
		}
		refuse(http.StatusUnauthorized, message)
		return
	}
	now := c.s.now()
	expires, err := c.sessionExpiry(r.Context(), token, now)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if old, err := r.Cookie(consoleCookie); err == nil {
		if err := c.sessions.remove(r.Context(), old.Value); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	id, err := c.sessions.create(r.Context(), *p, expires, now)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     consoleCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   max(1, int(expires.Sub(now)/time.Second)),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/console/oauth-clients", http.StatusSeeOther)
}

// sessionExpiry is 8 hours from now, or the token's own expiry when that is sooner:
// a session never outlives the token it was opened with.
func (c *console) sessionExpiry(ctx context.Context, token string, now time.Time) (time.Time, error) {
	expires := now.Add(consoleSessionTTL)
	var tokenExpires sql.NullInt64
	err := c.s.store.reader.QueryRowContext(ctx, `SELECT expires_at FROM tokens WHERE token_hash = ?`, c.s.store.hash(token)).Scan(&tokenExpires)
	if err != nil {
		return time.Time{}, err
	}
	if tokenExpires.Valid && time.Unix(0, tokenExpires.Int64).Before(expires) {
		expires = time.Unix(0, tokenExpires.Int64)
	}
	return expires, nil
}

func (c *console) signOut(w http.ResponseWriter, r *http.Request) {
	if cookie, err := r.Cookie(consoleCookie); err == nil {
		if err := c.sessions.remove(r.Context(), cookie.Value); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name:     consoleCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/console/sign-in", http.StatusSeeOther)
}

// consoleClientRow is one line of the OAuth clients table.
type consoleClientRow struct {
	ID, Name                    string
	ConnectorName, ConnectorKey string
	DefinitionKey               string
	Public                      bool
}

type consoleClientsData struct {
	Search         string
	Count          string
	Rows           []consoleClientRow
	Previous, Next string
}

func (c *console) oauthClients(w http.ResponseWriter, r *http.Request, p *principal) {
	q := r.URL.Query()
	search := q.Get("search")
	pageNumber := consolePageNumber(q.Get("page"))
	query := url.Values{"pageIndex": {strconv.Itoa(pageNumber - 1)}, "pageSize": {strconv.Itoa(consolePageSize)}}
	if search != "" {
		query.Set("search", search)
	}
	var list page[OAuthClient]
	if err := c.callAPI(r.Context(), c.s.listClients, p, query, &list); err != nil {
		c.fail(w, r, err)
		return
	}
	connectors := map[string]*Connector{}
	data := consoleClientsData{Search: search, Rows: make([]consoleClientRow, 0, len(list.Items))}
	for _, item := range list.Items {
		conn, ok := connectors[item.ConnectorID]
		if !ok {
			var err error
			if conn, err = c.visibleConnector(r.Context(), item.ConnectorID, p); err != nil {
				c.fail(w, r, err)
				return
			}
			connectors[item.ConnectorID] = conn
		}
		row := consoleClientRow{ID: item.ID, Name: item.Name, ConnectorKey: item.ConnectorID, DefinitionKey: item.ConnectionDefinitionKey, Public: item.Public}
		if conn != nil {
			row.ConnectorName, row.ConnectorKey = conn.Name, conn.Key
		}
		data.Rows = append(data.Rows, row)
	}
	links := consolePaging(pageNumber, len(list.Items), list.TotalItems)
	data.Count = links.count("OAuth clients")
	link := func(n int) string {
		v := url.Values{"page": {strconv.Itoa(n)}}
		if search != "" {
			v.Set("search", search)
		}
		return "/console/oauth-clients?" + v.Encode()
	}
	if links.previous > 0 {
		data.Previous = link(links.previous)
	}
	if links.next > 0 {
		data.Next = link(links.next)
	}
	c.render(w, http.StatusOK, "oauth-clients", consolePage{Title: "OAuth Clients", Tab: "oauth-clients", Principal: p, Data: data})
}

// consolePageNumber reads ?page=: pages count from 1; anything else is the first page.
func consolePageNumber(raw string) int {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, consoleMaxPage)
}

// paging is where a page of a list stands: its first and last items (from 1)
// and the pages before and after it (0 when there is none).
type paging struct {
	number, first, last, total int
	previous, next             int
}

func consolePaging(number, items, total int) paging {
	pg := paging{number: number, total: total}
	if items > 0 {
		pg.first = (number-1)*consolePageSize + 1
		pg.last = pg.first + items - 1
	}
	if number > 1 {
		lastPage := max(1, (total+consolePageSize-1)/consolePageSize)
		pg.previous = min(number-1, lastPage)
	}
	if number*consolePageSize < total {
		pg.next = number + 1
	}
	return pg
}

// count says which items the page shows, such as "Showing 1–100 of 250".
func (pg paging) count(things string) string {
	switch {
	case pg.total == 0:
		return "No " + things + "."
	case pg.first == 0:
		return fmt.Sprintf("No %s on page %d; there are %d.", things, pg.number, pg.total)
	}
	return fmt.Sprintf("Showing %d–%d of %d", pg.first, pg.last, pg.total)
}

// visibleConnector is the connector with id when p may read it, else nil.
func (c *console) visibleConnector(ctx context.Context, id string, p *principal) (*Connector, error) {
	conn, err := loadConnector(ctx, c.s.store.reader, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case !canReadConnector(conn, p):
		return nil, nil
	}
	return conn, nil
}

// callAPI runs an API handler in process for p, with no fault, latency, rate
// limit or count, and decodes its answer into out; an answer other than 200 is
// returned as its problem.
func (c *console) callAPI(ctx context.Context, h apiHandler, p *principal, query url.Values, out any) error {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/?"+query.Encode(), nil)
	if err != nil {
		return err
	}
	rec := &recordedAnswer{header: http.Header{}}
	h(rec, r, p)
	if rec.status != http.StatusOK {
		prob := &problem{}
		if err := json.Unmarshal(rec.body.Bytes(), prob); err != nil || prob.Status == 0 {
			return fmt.Errorf("the API answered %d", rec.status)
		}
		return prob
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}

// recordedAnswer keeps an in-process API answer.
type recordedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *recordedAnswer) Header() http.Header { return a.header }

func (a *recordedAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *recordedAnswer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}

// consoleClient is an OAuth client as its console page shows it: never its secret.
type consoleClient struct {
	ID, Name, AccountID                    string
	ConnectorName, ConnectorKey            string
	DefinitionKey, DefinitionTitle         string
	ClientID                               string
	AuthorizationURL, TokenURL, RefreshURL string
	Scopes, Prompts                        []string
	ClientAuthentication, ClientAuthLabel  string
	Public, SecretSet                      bool
	Created, Updated                       string
	Expiry                                 secretExpiry
}

// secretExpiry is how a secret's expiry is shown.
type secretExpiry struct {
	Text string // the RFC 3339 instant, or "None"
	Soon bool   // within consoleExpirySoon of now, or past
	Note string // " — expires in N days" or " — expired" when Soon
}

// expiryOf decides how a secret's expiry (RFC 3339, or "" for none) is shown at now.
func expiryOf(raw string, now time.Time) secretExpiry {
	if raw == "" {
		return secretExpiry{Text: "None"}
	}
	e := secretExpiry{Text: raw}
	at, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return e
	}
	left := at.Sub(now)
	switch {
	case left <= 0:
		e.Soon, e.Note = true, " — expired"
	case left <= consoleExpirySoon:
		days := int((left + 24*time.Hour - 1) / (24 * time.Hour))
		e.Soon, e.Note = true, fmt.Sprintf(" — expires in %d days", days)
		if days == 1 {
			e.Note = " — expires in 1 day"
		}
	}
	return e
}

// clientAuthenticationLabels are the product's words for the API's values.
var clientAuthenticationLabels = map[string]string{
	"basicAuthHeader":         "Basic auth header",
	"clientCredentialsInBody": "Client credentials body",
}

type consoleClientData struct{ Client consoleClient }

func (c *console) oauthClient(w http.ResponseWriter, r *http.Request, p *principal) {
	id := r.PathValue("id")
	cl, acc, err := loadClient(r.Context(), c.s.store.reader, id, p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if acc == accessNone {
		c.render(w, http.StatusNotFound, "error", consolePage{Title: "Not found", Tab: "oauth-clients", Principal: p,
			Data: consoleErrorData{Message: "No OAuth client " + shorten(id) + " is visible to your account."}})
		return
	}
	conn, err := c.visibleConnector(r.Context(), cl.ConnectorID, p)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := consoleClient{
		ID: cl.ID, Name: cl.Name, AccountID: cl.AccountID, ConnectorKey: cl.ConnectorID,
		DefinitionKey: cl.ConnectionDefinitionKey, ClientID: cl.ClientID,
		AuthorizationURL: cl.AuthorizationURL, TokenURL: cl.TokenURL, RefreshURL: cl.RefreshURL,
		Scopes: cl.Scopes, Prompts: cl.Prompts,
		ClientAuthentication: cl.ClientAuthentication, ClientAuthLabel: clientAuthenticationLabels[cl.ClientAuthentication],
		Public: cl.Public, SecretSet: cl.ClientSecretSet,
		Created: cl.CreatedAt, Updated: cl.UpdatedAt,
		Expiry: expiryOf(cl.ClientSecretExpiresAt, c.s.now()),
	}
	if conn != nil {
		view.ConnectorName, view.ConnectorKey = conn.Name, conn.Key
		for _, def := range conn.ConnectionDefinitions {
			if def.Key == cl.ConnectionDefinitionKey {
				view.DefinitionTitle = def.Title
			}
		}
	}
	c.render(w, http.StatusOK, "oauth-client", consolePage{Title: cl.Name, Tab: "oauth-clients", Principal: p, Data: consoleClientData{Client: view}})
}

type consoleConnectorsData struct {
	Count          string
	Connectors     []Connector
	Previous, Next string
}

func (c *console) connectors(w http.ResponseWriter, r *http.Request, p *principal) {
	pageNumber := consolePageNumber(r.URL.Query().Get("page"))
	query := url.Values{"pageIndex": {strconv.Itoa(pageNumber - 1)}, "pageSize": {strconv.Itoa(consolePageSize)}}
	var list page[Connector]
	if err := c.callAPI(r.Context(), c.s.listConnectors, p, query, &list); err != nil {
		c.fail(w, r, err)
		return
	}
	links := consolePaging(pageNumber, len(list.Items), list.TotalItems)
	data := consoleConnectorsData{Count: links.count("connectors"), Connectors: list.Items}
	if links.previous > 0 {
		data.Previous = "/console/connectors?page=" + strconv.Itoa(links.previous)
	}
	if links.next > 0 {
		data.Next = "/console/connectors?page=" + strconv.Itoa(links.next)
	}
	c.render(w, http.StatusOK, "connectors", consolePage{Title: "Connectors", Tab: "connectors", Principal: p, Data: data})
}

// consoleSessions keeps who is signed in to the console in the database, so that
// every replica knows every session. Only a keyed hash of each id is stored, and
// there are at most max sessions: the expired go first, then the ones closest to
// expiring.
type consoleSessions struct {
	st  *store
	max int
}

// create starts a session for p and returns its id: 32 random bytes, base64url.
func (cs *consoleSessions) create(ctx context.Context, p principal, expires, now time.Time) (string, error) {
	var raw [32]byte
	rand.Read(raw[:])
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	err := cs.st.inTx(ctx, func(tx db) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM console_sessions`).Scan(&n); err != nil {
			return err
		}
		if n >= cs.max {
			res, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= ?`, now.UnixNano())
			if err != nil {
				return err
			}
			gone, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if over := n - int(gone) - cs.max + 1; over > 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash IN
					(SELECT id_hash FROM console_sessions ORDER BY expires_at LIMIT ?)`, over); err != nil {
					return err
				}
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (id_hash, account_id, user_id, user_name, expires_at) VALUES (?, ?, ?, ?, ?)`,
			cs.st.hash(id), p.AccountID, p.UserID, p.UserName, expires.UnixNano())
		return err
	})
	return id, err
}

// lookup is the account of a live session, or nil.
func (cs *consoleSessions) lookup(ctx context.Context, id string, now time.Time) (*principal, error) {
	if id == "" {
		return nil, nil
	}
	var p principal
	err := cs.st.reader.QueryRowContext(ctx, `SELECT s.account_id, a.name, s.user_id, s.user_name FROM console_sessions s
		JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ? AND s.expires_at > ?`, cs.st.hash(id), now.UnixNano()).
		Scan(&p.AccountID, &p.AccountName, &p.UserID, &p.UserName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (cs *consoleSessions) remove(ctx context.Context, id string) error {
	return cs.st.inTx(ctx, func(tx db) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE id_hash = ?`, cs.st.hash(id))
		return err
	})
}
