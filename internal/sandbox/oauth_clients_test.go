package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const clients = "/management/v1/oauth-clients"

func TestOAuthClientLifecycle(t *testing.T) {
	e := newEnv(t)

	// Create: the secret is accepted, never returned; the defaults come from the definition.
	rep := e.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: map[string]any{
		"name": "Acme Procore", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow",
		"clientId": "acme-procore", "clientSecret": "canary-secret-4711", "scopes": []string{"openid", "offline_access"},
		"clientSecretExpiresAt": "2027-01-31T01:00:00+01:00",
	}})
	var c OAuthClient
	rep.decode(t, &c)
	if strings.Contains(string(rep.body), "canary-secret-4711") || strings.Contains(string(rep.body), "clientSecret\"") {
		t.Fatalf("the create response shows the secret: %s", rep.body)
	}
	if !c.ClientSecretSet || c.AccountID != "acme" || c.TokenURL != "https://id.trimble.com/oauth/token" || c.ClientAuthentication != "basicAuthHeader" || c.Public {
		t.Fatalf("unexpected client: %+v", c)
	}
	if c.ClientSecretExpiresAt != "2027-01-31T00:00:00Z" {
		t.Fatalf("clientSecretExpiresAt = %q, want it normalised to UTC", c.ClientSecretExpiresAt)
	}
	if c.AuthorizationURL != "" || c.RefreshURL != "" {
		t.Fatalf("the sandbox filled in URLs the client did not set: %+v", c)
	}
	if got, want := rep.header.Get("Location"), clients+"/"+c.ID; got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
	created := rep.header.Get("ETag")

	// Read: the same object and ETag.
	rep = e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID})
	var read OAuthClient
	rep.decode(t, &read)
	if read.ID != c.ID || read.Name != c.Name || !slices.Equal(read.Scopes, []string{"openid", "offline_access"}) || rep.header.Get("ETag") != created {
		t.Fatalf("read %+v (ETag %s), created %+v (ETag %s)", read, rep.header.Get("ETag"), c, created)
	}

	// Update: only what is sent changes; null clears; the ETag moves.
	rep = e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, headers: map[string]string{"If-Match": created},
		body: map[string]any{"name": "Renamed", "clientSecret": nil, "scopes": nil, "prompts": []string{"consent", "login"}}})
	var updated OAuthClient
	rep.decode(t, &updated)
	if updated.Name != "Renamed" || updated.ClientSecretSet || updated.Scopes != nil || !slices.Equal(updated.Prompts, []string{"consent", "login"}) || updated.ClientID != "acme-procore" {
		t.Fatalf("after PATCH: %+v", updated)
	}
	if rep.header.Get("ETag") == created {
		t.Fatal("the ETag did not change with the update")
	}

	// A PATCH that changes nothing keeps the ETag.
	same := e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"name": "Renamed"}})
	if same.header.Get("ETag") != rep.header.Get("ETag") {
		t.Fatalf("a no-op PATCH moved the ETag from %s to %s", rep.header.Get("ETag"), same.header.Get("ETag"))
	}

	// Delete, then it is gone.
	e.must(http.StatusNoContent, req{token: acme, method: "DELETE", path: clients + "/" + c.ID})
	e.wantProblem(e.do(req{token: acme, method: "GET", path: clients + "/" + c.ID}), http.StatusNotFound, "", "No OAuth client")
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: clients + "/" + c.ID}), http.StatusNotFound, "", "No OAuth client")
}

func TestOAuthClientDefaults(t *testing.T) {
	e := newEnv(t)
	custom := e.createConnector(acme, customConnector("acme-erp"))

	// powerbi's client-credentials definition presets the client authentication, not the token URL.
	pbi := e.createClient(acme, map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials"})
	if pbi.ClientAuthentication != "clientCredentialsInBody" || pbi.TokenURL != defaultTokenURL {
		t.Fatalf("powerbi client: %+v", pbi)
	}
	// A preset token URL wins over the default; an explicit one wins over the preset.
	cc := e.createClient(acme, map[string]any{"connectorId": custom.ID, "connectionDefinitionKey": "oAuth2ClientCredentials"})
	if cc.TokenURL != "https://login.example.com/token" || cc.ClientAuthentication != "basicAuthHeader" {
		t.Fatalf("custom client: %+v", cc)
	}
	explicit := e.createClient(acme, map[string]any{"connectorId": custom.ID, "connectionDefinitionKey": "oAuth2ClientCredentials",
		"tokenUrl": "http://127.0.0.1:9999/token", "clientAuthentication": "clientCredentialsInBody"})
	if explicit.TokenURL != "http://127.0.0.1:9999/token" || explicit.ClientAuthentication != "clientCredentialsInBody" {
		t.Fatalf("explicit client: %+v", explicit)
	}
	// null in a PATCH resets to the default again.
	var reset OAuthClient
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + explicit.ID,
		body: map[string]any{"tokenUrl": nil, "clientAuthentication": nil}}).decode(t, &reset)
	if reset.TokenURL != "https://login.example.com/token" || reset.ClientAuthentication != "basicAuthHeader" {
		t.Fatalf("after reset: %+v", reset)
	}
}

func TestOAuthClientRules(t *testing.T) {
	e := newEnv(t)
	custom := e.createConnector(acme, customConnector("acme-rules"))
	private := e.createConnector(globex, customConnector("globex-private"))
	cases := []struct {
		name      string
		overrides map[string]any
		status    int
		field     string
		says      string
	}{
		{"name missing", map[string]any{"name": nil}, 422, "name", "is required"},
		{"name empty", map[string]any{"name": ""}, 422, "name", "must not be empty"},
		{"name too long", map[string]any{"name": strings.Repeat("n", 201)}, 422, "name", "1 to 200 characters"},
		{"client id missing", map[string]any{"clientId": nil}, 422, "clientId", "is required"},
		{"connector unknown", map[string]any{"connectorId": "00000000-0000-4000-8000-000000000000"}, 422, "connectorId", "is visible to your account"},
		{"connector of another account", map[string]any{"connectorId": private.ID}, 422, "connectorId", "is visible to your account"},
		{"definition unknown", map[string]any{"connectionDefinitionKey": "oAuth2Password"}, 422, "connectionDefinitionKey", `it has: "oAuth2CodeFlow", "apiKeyAuth"`},
		{"definition not OAuth", map[string]any{"connectionDefinitionKey": "apiKeyAuth"}, 422, "connectionDefinitionKey", "does not use OAuth clients"},
		{"code flow without authorization URL", map[string]any{"connectorId": custom.ID}, 422, "authorizationUrl", "presets no authorization URL"},
		{"client credentials with authorization URL", map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials", "authorizationUrl": "https://example.com/a"}, 422, "authorizationUrl", "is not used"},
		{"client credentials with refresh URL", map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials", "refreshUrl": "https://example.com/r"}, 422, "refreshUrl", "is not used"},
		{"client credentials with prompts", map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials", "prompts": []string{"login"}}, 422, "prompts", "is not used"},
		{"client credentials without secret", map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials", "clientSecret": nil}, 422, "clientSecret", "needs a client secret"},
		{"empty secret", map[string]any{"clientSecret": ""}, 422, "clientSecret", "must not be empty"},
		{"prompt none combined", map[string]any{"prompts": []string{"none", "login"}}, 422, "prompts", `"none" cannot be combined`},
		{"prompt unknown", map[string]any{"prompts": []string{"always"}}, 422, "prompts[0]", "must be one of"},
		{"prompt repeated", map[string]any{"prompts": []string{"login", "login"}}, 422, "prompts[1]", "repeats"},
		{"scope with whitespace", map[string]any{"scopes": []string{"openid profile"}}, 422, "scopes[0]", "without whitespace"},
		{"scope empty", map[string]any{"scopes": []string{"openid", ""}}, 422, "scopes[1]", "must not be empty"},
		{"scope repeated", map[string]any{"scopes": []string{"a", "a"}}, 422, "scopes[1]", "repeats"},
		{"http URL off loopback", map[string]any{"tokenUrl": "http://id.example.com/token"}, 422, "tokenUrl", "must use https"},
		{"relative URL", map[string]any{"authorizationUrl": "/oauth/authorize"}, 422, "authorizationUrl", "absolute URL"},
		{"ftp URL", map[string]any{"refreshUrl": "ftp://example.com/r"}, 422, "refreshUrl", "must use https"},
		{"empty URL", map[string]any{"refreshUrl": ""}, 422, "refreshUrl", "must not be empty"},
		{"timestamp not RFC 3339", map[string]any{"clientSecretExpiresAt": "2027-01-31"}, 422, "clientSecretExpiresAt", "RFC 3339"},
		{"timestamp with a one-digit hour", map[string]any{"clientSecretExpiresAt": "2027-01-31T0:00:00Z"}, 422, "clientSecretExpiresAt", "RFC 3339"},
		{"timestamp with an offset of 24 hours", map[string]any{"clientSecretExpiresAt": "2027-01-31T00:00:00+24:00"}, 422, "clientSecretExpiresAt", "RFC 3339"},
		{"timestamp with a comma before the fraction", map[string]any{"clientSecretExpiresAt": "2027-01-31T00:00:00,5Z"}, 422, "clientSecretExpiresAt", "RFC 3339"},
		{"client authentication unknown", map[string]any{"clientAuthentication": "client_secret_post"}, 422, "clientAuthentication", "must be one of"},
		{"public on a foreign connector", map[string]any{"public": true}, 403, "public", "Only the connector's owner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"name": "n", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecret": "s"}
			for k, v := range tc.overrides {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: body}), tc.status, tc.field, tc.says)
		})
	}
	// Nothing was written by any refused request.
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	if list.TotalItems != 0 {
		t.Fatalf("refused requests left %d clients", list.TotalItems)
	}
	// Every broken rule is listed at once.
	rep := e.do(req{token: acme, method: "POST", path: clients, body: map[string]any{"name": "", "connectorId": powerbiID,
		"connectionDefinitionKey": "oAuth2ClientCredentials", "clientId": "c", "prompts": []string{"login"}, "tokenUrl": "http://x.example.com"}})
	p := e.wantProblem(rep, 422, "prompts", "rules")
	for _, f := range []string{"name", "prompts", "tokenUrl", "clientSecret"} {
		if !slices.Contains(fieldsOf(p), f) {
			t.Errorf("the problem does not name %s: %v", f, fieldsOf(p))
		}
	}
}

func TestOAuthClientUpdateRules(t *testing.T) {
	e := newEnv(t)
	c := e.createClient(acme, nil)
	path := clients + "/" + c.ID
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectorId": powerbiID}}), 422, "connectorId", "cannot be changed")
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectionDefinitionKey": "apiKeyAuth"}}), 422, "connectionDefinitionKey", "cannot be changed")
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"name": nil}}), 422, "name", "cannot be null")
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"prompts": []string{"none", "consent"}}}), 422, "prompts", "cannot be combined")
	// Sending the current immutable values is not a change.
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow"}})

	// A client-credentials client needs a secret to be created; clearing it later is allowed,
	// as removing every secret attribute in Terraform clears it.
	cc := e.createClient(acme, map[string]any{"connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials"})
	var cleared OAuthClient
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + cc.ID, body: map[string]any{"clientSecret": nil}}).decode(t, &cleared)
	if cleared.ClientSecretSet {
		t.Fatal("the secret was not cleared")
	}
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"clientSecret": strings.Repeat("s", 4097)}}), 422, "clientSecret", "at most 4096")

	// Any RFC 3339 instant is kept as given, in UTC, whatever its year.
	for in, want := range map[string]string{
		"9999-12-31T23:59:59Z":           "9999-12-31T23:59:59Z",
		"2300-01-01T00:00:00+02:00":      "2299-12-31T22:00:00Z",
		"1600-01-01T00:00:00.5Z":         "1600-01-01T00:00:00.5Z",
		"2027-06-30T12:00:00.000000001Z": "2027-06-30T12:00:00.000000001Z",
	} {
		var got OAuthClient
		e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, body: map[string]any{"clientSecretExpiresAt": in}}).decode(t, &got)
		var read OAuthClient
		e.must(http.StatusOK, req{token: acme, method: "GET", path: path}).decode(t, &read)
		if got.ClientSecretExpiresAt != want || read.ClientSecretExpiresAt != want {
			t.Errorf("clientSecretExpiresAt %q came back as %q, read as %q; want %q", in, got.ClientSecretExpiresAt, read.ClientSecretExpiresAt, want)
		}
	}
}

func TestOAuthClientVisibility(t *testing.T) {
	e := newEnv(t)
	// Only the connector's owner makes a public client.
	pub := e.createClient(xchange, map[string]any{"name": "Procore public client", "public": true})
	private := e.createClient(globex, map[string]any{"name": "Globex private client"})
	own := e.createClient(acme, map[string]any{"name": "Acme own client"})

	// Another account reads a public client, and cannot change or delete it.
	var read OAuthClient
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + pub.ID}).decode(t, &read)
	if read.AccountID != "xchange" || !read.Public {
		t.Fatalf("public client read as %+v", read)
	}
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: clients + "/" + pub.ID, body: map[string]any{"name": "mine"}}), 403, "", "not changed")
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: clients + "/" + pub.ID}), 403, "", "not changed")

	// Another account's private client does not exist for acme.
	e.wantProblem(e.do(req{token: acme, method: "GET", path: clients + "/" + private.ID}), 404, "", "cannot see it")
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: clients + "/" + private.ID, body: map[string]any{"name": "x"}}), 404, "", "cannot see it")
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: clients + "/" + private.ID}), 404, "", "cannot see it")

	// The list holds acme's own clients and the public one, not globex's.
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: clients}).decode(t, &list)
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	if list.TotalItems != 2 || !slices.Contains(ids, pub.ID) || !slices.Contains(ids, own.ID) {
		t.Fatalf("acme lists %v (total %d), want %s and %s", ids, list.TotalItems, pub.ID, own.ID)
	}

	// A public client on a private connector is visible only where the connector is.
	conn := e.createConnector(acme, customConnector("acme-internal"))
	hidden := e.createClient(acme, map[string]any{"connectorId": conn.ID, "public": true, "authorizationUrl": "https://login.example.com/authorize"})
	e.wantProblem(e.do(req{token: globex, method: "GET", path: clients + "/" + hidden.ID}), 404, "", "cannot see it")
}

func TestOAuthClientListFiltersAndPages(t *testing.T) {
	e := newEnv(t)
	for i := range 25 {
		e.createClient(acme, map[string]any{"name": fmt.Sprintf("Client %02d", i)})
	}
	e.createClient(acme, map[string]any{"name": "Power BI reporting", "connectorId": powerbiID, "connectionDefinitionKey": "oAuth2ClientCredentials"})
	e.createClient(xchange, map[string]any{"name": "Procore public", "public": true})

	// Every page, no item twice, in a stable order.
	seen := map[string]bool{}
	total := 0
	for index := 0; ; index++ {
		var p page[OAuthClient]
		e.must(http.StatusOK, req{token: acme, method: "GET", path: fmt.Sprintf("%s?pageSize=10&pageIndex=%d", clients, index)}).decode(t, &p)
		if p.PageSize != 10 || p.PageIndex != index {
			t.Fatalf("page %+v", p)
		}
		total = p.TotalItems
		for _, c := range p.Items {
			if seen[c.ID] {
				t.Fatalf("client %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if len(p.Items) < 10 {
			break
		}
	}
	if total != 27 || len(seen) != 27 {
		t.Fatalf("saw %d clients, total %d, want 27", len(seen), total)
	}

	count := func(query string) int {
		var p page[OAuthClient]
		e.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "?" + query}).decode(t, &p)
		if len(p.Items) != min(p.TotalItems, 100) {
			t.Fatalf("%s: %d items of %d", query, len(p.Items), p.TotalItems)
		}
		return p.TotalItems
	}
	for query, want := range map[string]int{
		"connectorId=" + powerbiID:               1,
		"connectionDefinitionKey=oAuth2CodeFlow": 26,
		"public=true":                            1,
		"public=false":                           26,
		"search=power":                           1,
		"search=CLIENT%2007":                     1,
		"search=client&connectorId=" + procoreID: 25,
		"connectorId=" + vistaID:                 0,
		"search=%25":                             0,
		"connectionDefinitionKey=oAuth2CodeFlow&public=true": 1,
	} {
		if got := count(query); got != want {
			t.Errorf("%s: %d clients, want %d", query, got, want)
		}
	}

	// Search folds case beyond ASCII.
	e.createClient(acme, map[string]any{"name": "Ärger Client"})
	for _, query := range []string{"search=%C3%A4rger", "search=%C3%84RGER", "search=%C3%84rger"} {
		if got := count(query); got != 1 {
			t.Errorf("%s: %d clients, want 1", query, got)
		}
	}

	for _, query := range []string{"pageSize=0", "pageSize=1001", "pageIndex=-1", "pageSize=ten", "public=yes"} {
		e.wantProblem(e.do(req{token: acme, method: "GET", path: clients + "?" + query}), 400, strings.Split(query, "=")[0], "must be")
	}
}
