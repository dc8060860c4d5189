package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/contracttest"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

const (
	procoreID = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
	powerbiID = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02"
)

// sandboxEnv is a sandbox behind a real HTTP server.
type sandboxEnv struct {
	t   *testing.T
	url string
}

// startSandbox serves a sandbox on an in-memory database. Without faults every
// request and response is checked against the OpenAPI document, so the client
// cannot drift from the contract.
func startSandbox(t *testing.T, cfg sandbox.Config) *sandboxEnv {
	t.Helper()
	cfg.DataPath = ":memory:"
	srv, err := sandbox.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	ts := httptest.NewUnstartedServer(nil)
	serverURL := "http://" + ts.Listener.Addr().String()
	ts.Config.Handler = srv.Handler()
	if cfg.FaultRate == 0 {
		ts.Config.Handler = &contractCheck{t: t, checker: contracttest.New(t, serverURL), next: srv.Handler()}
	}
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &sandboxEnv{t: t, url: serverURL}
}

// contractCheck fails the test on any request the client sends, or response it
// gets, that the OpenAPI document does not allow.
type contractCheck struct {
	t       *testing.T
	checker *contracttest.Checker
	next    http.Handler
}

func (c *contractCheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.t.Errorf("reading the request: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)

	// The document's routes carry the server URL, which a server-side request lacks.
	abs := r.Clone(r.Context())
	abs.URL.Scheme, abs.URL.Host = "http", r.Host
	res := c.checker.Check(contracttest.Exchange{Request: abs, RequestBody: body, Status: rec.Code, Header: rec.Header(), ResponseBody: rec.Body.Bytes()})
	if res.RequestError != nil {
		c.t.Errorf("the client's request %s %s breaks the contract: %v\nbody: %s", r.Method, r.URL, res.RequestError, body)
	}
	if res.ResponseError != nil {
		c.t.Errorf("the response to %s %s (%d) breaks the contract: %v\nbody: %s", r.Method, r.URL, rec.Code, res.ResponseError, rec.Body.Bytes())
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes()) // a failed write reaches the client, whose test reports it
}

func (e *sandboxEnv) client(token string, options ...func(*Config)) *Client {
	return newTestClient(e.t, e.url, append([]func(*Config){func(cfg *Config) { cfg.AccessToken = token }}, options...)...)
}

// requests returns the sandbox's count of one "METHOD /route STATUS".
func (e *sandboxEnv) requests(key string) int {
	e.t.Helper()
	resp, err := http.Get(e.url + "/_sandbox/stats")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		e.t.Fatal(err)
	}
	if key == "faults" {
		return stats.Faults
	}
	return stats.Requests[key]
}

func wantAPIError(t *testing.T, err error, status int, field string) {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
		t.Fatalf("err = %v, want a %d *APIError", err, status)
	}
	if field != "" && !slices.ContainsFunc(apiErr.Errors, func(f FieldError) bool { return f.Field == field }) {
		t.Fatalf("the %d names the fields %+v, want %q", status, apiErr.Errors, field)
	}
}

func customConnectorInput(key string) *ConnectorInput {
	return &ConnectorInput{
		Key:         key,
		Name:        "Acme ERP",
		Description: "Acme's in-house ERP.",
		ConnectionDefinitions: []ConnectionDefinition{
			{Key: "oAuth2CodeFlow", Title: "Code flow", AuthType: AuthTypeOAuth2CodeFlow},
			{Key: "oAuth2ClientCredentials", Title: "Client credentials", AuthType: AuthTypeOAuth2ClientCredentials,
				TokenURL: "https://erp.acme.example/token", Scopes: []string{"erp.read"}, ClientAuthentication: ClientAuthCredentialsInBody},
			{Key: "apiKeyAuth", Title: "API key", Description: "A key from the admin page.", AuthType: AuthTypeAPIKey, Properties: []Property{
				{Key: "region", Title: "Region", Type: "enum", Required: true, EnumValues: []string{"eu", "us"}},
				{Key: "apiKey", Title: "API key", Type: "string", Sensitive: true},
			}},
		},
	}
}

func TestSandboxConnectors(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.Config{})
	acme, globex := env.client("acme-admin-token"), env.client("globex-admin-token")
	ctx := context.Background()

	// The caller, and a public connector found by its key.
	me, err := acme.Me(ctx)
	if err != nil || me.AccountID != "acme" || me.UserID != "acme-admin" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	procore, err := acme.ConnectorByKey(ctx, "procore")
	if err != nil || procore.ID != procoreID || procore.Visibility != VisibilityPublic || procore.ConnectionDefinitions[0].Key != "oAuth2CodeFlow" {
		t.Fatalf("ConnectorByKey(procore) = %+v, %v", procore, err)
	}
	if _, err := acme.ConnectorByKey(ctx, "no-such-connector"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown key: err = %v, want ErrNotFound", err)
	}

	// Register a connector; it reads back as it was given.
	in := customConnectorInput("acme-erp")
	created, err := acme.CreateConnector(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if created.ETag == "" || created.OwnerAccountID != "acme" || created.Visibility != VisibilityAccount || created.Description != in.Description ||
		!reflect.DeepEqual(created.ConnectionDefinitions, in.ConnectionDefinitions) {
		t.Errorf("created = %+v", created)
	}
	got, err := acme.GetConnector(ctx, created.ID)
	if err != nil || !reflect.DeepEqual(got, created) {
		t.Errorf("GetConnector = %+v, %v; want %+v", got, err, created)
	}
	wantAPIError(t, firstErr(acme.CreateConnector(ctx, in)), http.StatusConflict, "key")
	bad := customConnectorInput("acme-bad")
	bad.ConnectionDefinitions[2].Properties[0].EnumValues = nil
	wantAPIError(t, firstErr(acme.CreateConnector(ctx, bad)), http.StatusUnprocessableEntity, "connectionDefinitions[2].properties[0].enumValues")

	// Update with the ETag; a stale ETag is refused.
	updated, err := acme.UpdateConnector(ctx, created.ID, created.ETag, &ConnectorPatch{Name: Set("Acme ERP 2"), Description: Null[string]()})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "Acme ERP 2" || updated.Description != "" || updated.ETag == created.ETag || updated.ETag == "" {
		t.Errorf("updated = %+v", updated)
	}
	_, err = acme.UpdateConnector(ctx, created.ID, created.ETag, &ConnectorPatch{Name: Set("lost update")})
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("stale ETag: err = %v, want ErrPreconditionFailed", err)
	}
	wantAPIError(t, err, http.StatusPreconditionFailed, "")

	// Lists and filters.
	page, err := acme.ListConnectors(ctx, ConnectorFilter{Search: "ERP 2"}, PageOptions{PageSize: 10})
	if err != nil || page.TotalItems != 1 || page.Items[0].ID != created.ID || page.PageSize != 10 {
		t.Errorf("ListConnectors(search) = %+v, %v", page, err)
	}
	own, err := acme.AllConnectors(ctx, ConnectorFilter{Visibility: VisibilityAccount})
	if err != nil || len(own) != 1 || own[0].ID != created.ID {
		t.Errorf("AllConnectors(account) = %+v, %v", own, err)
	}
	public, err := acme.AllConnectors(ctx, ConnectorFilter{Visibility: VisibilityPublic})
	if err != nil || len(public) != 3 {
		t.Errorf("AllConnectors(public) = %d connectors, %v; want the 3 of the seed", len(public), err)
	}

	// Other accounts cannot see a private connector, nor change a public one of another account.
	if _, err := globex.GetConnector(ctx, created.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("globex reads acme's connector: err = %v, want ErrNotFound", err)
	}
	wantAPIError(t, firstErr(acme.UpdateConnector(ctx, procoreID, "", &ConnectorPatch{Name: Set("Mine")})), http.StatusForbidden, "")

	// Delete: a stale ETag is refused, the current one works, and then it is gone.
	if err := acme.DeleteConnector(ctx, created.ID, created.ETag); !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("delete with a stale ETag: err = %v", err)
	}
	if err := acme.DeleteConnector(ctx, created.ID, updated.ETag); err != nil {
		t.Fatal(err)
	}
	if _, err := acme.GetConnector(ctx, created.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := acme.DeleteConnector(ctx, created.ID, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: err = %v, want ErrNotFound", err)
	}
}

func firstErr[T any](_ T, err error) error { return err }

func TestSandboxOAuthClients(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.Config{})
	acme, globex := env.client("acme-admin-token"), env.client("globex-admin-token")
	ctx := context.Background()

	// Create on procore's code flow: the definition's preset token URL and the default
	// client authentication are filled in, and the expiry is stored in UTC.
	created, err := acme.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "Acme Procore", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "acme-procore",
		ClientSecret: "acme-procore-secret", ClientSecretExpiresAt: "2027-01-01T01:00:00+01:00", Scopes: []string{"openid", "profile"}, Prompts: []string{"consent"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := OAuthClient{ID: created.ID, AccountID: "acme", Name: "Acme Procore", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow",
		ClientID: "acme-procore", ClientSecretSet: true, ClientSecretExpiresAt: "2027-01-01T00:00:00Z", TokenURL: "https://id.trimble.com/oauth/token",
		Scopes: []string{"openid", "profile"}, Prompts: []string{"consent"}, ClientAuthentication: ClientAuthBasicAuthHeader,
		CreatedAt: created.CreatedAt, UpdatedAt: created.UpdatedAt, ETag: created.ETag}
	if !reflect.DeepEqual(*created, want) || created.ETag == "" {
		t.Errorf("created:\n got %+v\nwant %+v", *created, want)
	}
	got, err := acme.GetOAuthClient(ctx, created.ID)
	if err != nil || !reflect.DeepEqual(got, created) {
		t.Errorf("GetOAuthClient = %+v, %v", got, err)
	}

	// Update: null clears the secret and the prompts; a stale ETag is refused.
	updated, err := acme.UpdateOAuthClient(ctx, created.ID, created.ETag, &OAuthClientPatch{
		Name: Set("Acme Procore 2"), ClientSecret: Null[string](), Prompts: Null[[]string](), Scopes: Set([]string{"openid"}),
		ClientAuthentication: Set(ClientAuthCredentialsInBody), RefreshURL: Set("https://id.trimble.com/oauth/refresh"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "Acme Procore 2" || updated.ClientSecretSet || updated.Prompts != nil || !slices.Equal(updated.Scopes, []string{"openid"}) ||
		updated.ClientAuthentication != ClientAuthCredentialsInBody || updated.RefreshURL == "" || updated.ETag == created.ETag {
		t.Errorf("updated = %+v", updated)
	}
	_, err = acme.UpdateOAuthClient(ctx, created.ID, created.ETag, &OAuthClientPatch{ClientSecret: Set("new-secret")})
	if !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("stale ETag: err = %v, want ErrPreconditionFailed", err)
	}
	reset, err := acme.UpdateOAuthClient(ctx, created.ID, "", &OAuthClientPatch{ClientSecret: Set("new-secret"), ClientAuthentication: Null[string]()})
	if err != nil || !reset.ClientSecretSet || reset.ClientAuthentication != ClientAuthBasicAuthHeader {
		t.Errorf("set the secret and reset the client authentication: %+v, %v", reset, err)
	}

	// Lists with every filter.
	notPublic := false
	page, err := acme.ListOAuthClients(ctx, OAuthClientFilter{ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", Search: "procore 2", Public: &notPublic}, PageOptions{})
	if err != nil || page.TotalItems != 1 || page.Items[0].ID != created.ID || page.Items[0].ETag != "" {
		t.Errorf("ListOAuthClients = %+v, %v", page, err)
	}
	isPublic := true
	if all, err := acme.AllOAuthClients(ctx, OAuthClientFilter{Public: &isPublic}); err != nil || len(all) != 0 {
		t.Errorf("AllOAuthClients(public) = %+v, %v", all, err)
	}

	// Other accounts cannot see it; rules of the platform come back as field errors.
	if _, err := globex.GetOAuthClient(ctx, created.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("globex reads acme's client: err = %v, want ErrNotFound", err)
	}
	_, err = globex.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "Globex Procore", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "g", Public: true,
	})
	wantAPIError(t, err, http.StatusForbidden, "public")
	if !strings.Contains(err.Error(), "Forbidden (403): ") {
		t.Errorf("message %q", err.Error())
	}
	wantAPIError(t, firstErr(acme.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "Power BI", ConnectorID: powerbiID, ConnectionDefinitionKey: "oAuth2ClientCredentials", ClientID: "pbi",
	})), http.StatusUnprocessableEntity, "clientSecret")
	wantAPIError(t, firstErr(acme.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "Prompts", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "p", Prompts: []string{"none", "login"},
	})), http.StatusUnprocessableEntity, "prompts")

	// A connector in use cannot be deleted.
	erp, err := acme.CreateConnector(ctx, customConnectorInput("acme-erp"))
	if err != nil {
		t.Fatal(err)
	}
	erpClient, err := acme.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "ERP", ConnectorID: erp.ID, ConnectionDefinitionKey: "oAuth2ClientCredentials", ClientID: "erp", ClientSecret: "erp-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	if erpClient.TokenURL != "https://erp.acme.example/token" || erpClient.ClientAuthentication != ClientAuthCredentialsInBody {
		t.Errorf("the definition's presets were not applied: %+v", erpClient)
	}
	wantAPIError(t, firstErr(acme.CreateOAuthClient(ctx, &OAuthClientInput{
		Name: "ERP code", ConnectorID: erp.ID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "erp",
	})), http.StatusUnprocessableEntity, "authorizationUrl")
	err = acme.DeleteConnector(ctx, erp.ID, "")
	wantAPIError(t, err, http.StatusConflict, "")
	if !strings.Contains(err.Error(), "1 OAuth client") {
		t.Errorf("the conflict does not say how many clients: %v", err)
	}

	// Delete; a second delete of the same client is ErrNotFound, which callers treat as done.
	for _, c := range []*OAuthClient{reset, erpClient} {
		if err := acme.DeleteOAuthClient(ctx, c.ID, c.ETag); err != nil {
			t.Fatal(err)
		}
		if err := acme.DeleteOAuthClient(ctx, c.ID, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: err = %v, want ErrNotFound", err)
		}
	}
	if _, err := acme.GetOAuthClient(ctx, created.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := acme.DeleteConnector(ctx, erp.ID, ""); err != nil {
		t.Errorf("delete the connector no longer in use: %v", err)
	}
}

func TestSandboxPagination(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.Config{})
	acme := env.client("acme-admin-token")
	acme.pageSize = 7
	ctx := context.Background()
	for i := range 30 {
		if _, err := acme.CreateOAuthClient(ctx, &OAuthClientInput{Name: fmt.Sprintf("Paged %02d", i), ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "p"}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := acme.AllOAuthClients(ctx, OAuthClientFilter{Search: "paged"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range all {
		names[c.Name] = true
	}
	if len(all) != 30 || len(names) != 30 {
		t.Errorf("%d clients with %d distinct names, want 30", len(all), len(names))
	}
	if n := env.requests("GET /management/v1/oauth-clients 200"); n != 5 {
		t.Errorf("%d list requests, want 5 pages of at most 7", n)
	}
}

func TestSandboxServiceAccount(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.Config{})
	robot := newTestClient(t, env.url, func(cfg *Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret, cfg.TokenURL = "", "acme-automation", "acme-automation-secret", env.url+"/oauth/token"
	})
	for range 10 {
		me, err := robot.Me(context.Background())
		if err != nil || me.AccountID != "acme" || me.UserID != "acme-automation" {
			t.Fatalf("Me = %+v, %v", me, err)
		}
	}
	if n := env.requests("POST /oauth/token 200"); n != 1 {
		t.Errorf("%d tokens issued for 10 requests, want 1", n)
	}

	wrong := newTestClient(t, env.url, func(cfg *Config) {
		cfg.AccessToken, cfg.ClientID, cfg.ClientSecret, cfg.TokenURL = "", "acme-automation", "not-the-secret", env.url+"/oauth/token"
	})
	_, err := wrong.Me(context.Background())
	var cred *CredentialsError
	if !errors.As(err, &cred) || cred.Code != "invalid_client" || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("err = %v, want refused credentials without the secret", err)
	}
}

// TestSandboxUnderFaults creates and deletes clients concurrently while 30% of the
// requests fail, some after their change was committed: retries with idempotency
// keys must neither lose nor duplicate a client.
func TestSandboxUnderFaults(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.Config{FaultRate: 0.3, FaultSeed: 20260115})
	acme := env.client("acme-admin-token", func(cfg *Config) {
		cfg.MaxRetries, cfg.RetryWaitMin, cfg.RetryWaitMax = 10, time.Millisecond, 5*time.Millisecond
	})
	ctx := context.Background()
	const total, workers = 40, 8
	work := make(chan int)
	go func() {
		for i := range total {
			work <- i
		}
		close(work)
	}()
	var mu sync.Mutex
	created := map[string]*OAuthClient{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range work {
				c, err := acme.CreateOAuthClient(ctx, &OAuthClientInput{
					Name: fmt.Sprintf("Faulty %02d", i), ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "f", ClientSecret: "s",
				})
				if err != nil {
					t.Errorf("create %d: %v", i, err)
					continue
				}
				mu.Lock()
				created[c.ID] = c
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stored, err := acme.AllOAuthClients(ctx, OAuthClientFilter{Search: "faulty"})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != total || len(stored) != total {
		t.Fatalf("%d clients created and %d stored, want %d of each", len(created), len(stored), total)
	}
	for _, c := range stored {
		if created[c.ID] == nil {
			t.Errorf("stored client %s (%s) was not returned by any create", c.ID, c.Name)
		}
	}

	gone := make(chan *OAuthClient)
	go func() {
		for _, c := range created {
			gone <- c
		}
		close(gone)
	}()
	for range workers {
		wg.Go(func() {
			for c := range gone {
				// A delete committed before a fault is retried into a 404: it is done.
				if err := acme.DeleteOAuthClient(ctx, c.ID, c.ETag); err != nil && !errors.Is(err, ErrNotFound) {
					t.Errorf("delete %s: %v", c.Name, err)
				}
			}
		})
	}
	wg.Wait()
	left, err := acme.AllOAuthClients(ctx, OAuthClientFilter{Search: "faulty"})
	if err != nil || len(left) != 0 {
		t.Errorf("%d clients left after deleting all (err %v)", len(left), err)
	}
	if faults := env.requests("faults"); faults < 20 {
		t.Errorf("only %d faults were injected; the test did not exercise retries", faults)
	}
}
