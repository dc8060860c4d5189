package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const connectors = "/management/v1/connectors"

func TestSeededConnectorsListed(t *testing.T) {
	e := newEnv(t)
	var list page[Connector]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: connectors}).decode(t, &list)
	var keys []string
	for _, c := range list.Items {
		keys = append(keys, c.Key)
	}
	if !slices.Equal(keys, []string{"procore", "powerbi", "vista"}) || list.TotalItems != 3 || list.PageSize != 100 {
		t.Fatalf("acme lists %v (%+v), want the three public connectors", keys, list)
	}
	procore := list.Items[0]
	if procore.ID != procoreID || procore.OwnerAccountID != "xchange" || procore.Visibility != "public" ||
		procore.ConnectionDefinitions[0].TokenURL != "https://id.trimble.com/oauth/token" ||
		procore.ConnectionDefinitions[1].Properties[0].Sensitive != true {
		t.Fatalf("procore as listed: %+v", procore)
	}
}

func TestConnectorLifecycle(t *testing.T) {
	e := newEnv(t)
	// Create: visibility defaults to account, the caller owns it.
	rep := e.must(http.StatusCreated, req{token: acme, method: "POST", path: connectors, body: customConnector("acme-erp")})
	var c Connector
	rep.decode(t, &c)
	if c.Visibility != "account" || c.OwnerAccountID != "acme" || len(c.ConnectionDefinitions) != 3 || rep.header.Get("Location") != connectors+"/"+c.ID {
		t.Fatalf("created %+v", c)
	}
	// Definitions are stored as given: required and sensitive default to false, nothing else is filled in.
	region := c.ConnectionDefinitions[2].Properties[0]
	if region.Required || region.Sensitive || !slices.Equal(region.EnumValues, []string{"eu", "us"}) || c.ConnectionDefinitions[0].TokenURL != "" {
		t.Fatalf("stored definitions %+v", c.ConnectionDefinitions)
	}

	// Lookup by key, and by search; private connectors stay private.
	for _, q := range []string{"key=acme-erp", "search=ERP", "search=custom", "visibility=account"} {
		var list page[Connector]
		e.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "?" + q}).decode(t, &list)
		if list.TotalItems != 1 || list.Items[0].ID != c.ID {
			t.Errorf("acme %s: %+v", q, list)
		}
		e.must(http.StatusOK, req{token: globex, method: "GET", path: connectors + "?" + q}).decode(t, &list)
		if list.TotalItems != 0 {
			t.Errorf("globex %s sees %+v", q, list.Items)
		}
	}
	e.wantProblem(e.do(req{token: globex, method: "GET", path: connectors + "/" + c.ID}), 404, "", "cannot see it")
	e.wantProblem(e.do(req{token: globex, method: "PATCH", path: connectors + "/" + c.ID, body: map[string]any{"name": "x"}}), 404, "", "cannot see it")
	e.wantProblem(e.do(req{token: globex, method: "DELETE", path: connectors + "/" + c.ID}), 404, "", "cannot see it")
	e.wantProblem(e.do(req{token: acme, method: "GET", path: connectors + "?visibility=secret"}), 400, "visibility", "must be one of")

	// Update in place; the key cannot change.
	var updated Connector
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: connectors + "/" + c.ID, headers: map[string]string{"If-Match": rep.header.Get("ETag")},
		body: map[string]any{"name": "Acme ERP", "description": "Our ERP.", "visibility": "public"}}).decode(t, &updated)
	if updated.Name != "Acme ERP" || updated.Description != "Our ERP." || updated.Visibility != "public" || updated.Key != "acme-erp" {
		t.Fatalf("updated %+v", updated)
	}
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: connectors + "/" + c.ID, body: map[string]any{"key": "acme-erp2"}}), 422, "key", "cannot be changed")
	var cleared Connector
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: connectors + "/" + c.ID, body: map[string]any{"description": nil}}).decode(t, &cleared)
	if cleared.Description != "" || cleared.Name != "Acme ERP" {
		t.Fatalf("description not cleared: %+v", cleared)
	}

	// Public now: globex reads it, cannot change or delete it.
	e.must(http.StatusOK, req{token: globex, method: "GET", path: connectors + "/" + c.ID})
	e.wantProblem(e.do(req{token: globex, method: "PATCH", path: connectors + "/" + c.ID, body: map[string]any{"name": "x"}}), 403, "", "not changed")
	e.wantProblem(e.do(req{token: globex, method: "DELETE", path: connectors + "/" + c.ID}), 403, "", "not changed")
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: connectors + "/" + procoreID, body: map[string]any{"name": "Mine"}}), 403, "", "another account")

	// Delete, then it is gone.
	e.must(http.StatusNoContent, req{token: acme, method: "DELETE", path: connectors + "/" + c.ID})
	e.wantProblem(e.do(req{token: acme, method: "GET", path: connectors + "/" + c.ID}), 404, "", "No connector")
}

func TestConnectorRules(t *testing.T) {
	e := newEnv(t)
	e.createConnector(acme, customConnector("taken"))
	def := func(extra map[string]any) map[string]any {
		d := map[string]any{"key": "oAuth2CodeFlow", "title": "Code flow", "authType": "oauth2CodeFlow"}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	with := func(overrides map[string]any) map[string]any {
		body := map[string]any{"key": "new-one", "name": "New", "connectionDefinitions": []any{def(nil)}}
		for k, v := range overrides {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return body
	}
	prop := func(extra map[string]any) map[string]any {
		p := map[string]any{"key": "env", "title": "Environment", "type": "string"}
		for k, v := range extra {
			p[k] = v
		}
		return def(map[string]any{"properties": []any{p}})
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		field  string
		says   string
	}{
		{"key taken", with(map[string]any{"key": "taken"}), 409, "key", "already taken"},
		{"key taken by a seeded connector", with(map[string]any{"key": "procore"}), 409, "key", "already taken"},
		{"key uppercase", with(map[string]any{"key": "MyConnector"}), 422, "key", "lowercase letters"},
		{"key too short", with(map[string]any{"key": "a"}), 422, "key", "2 to 63"},
		{"key leading dash", with(map[string]any{"key": "-abc"}), 422, "key", "starting with"},
		{"key missing", with(map[string]any{"key": nil}), 422, "key", "is required"},
		{"name missing", with(map[string]any{"name": nil}), 422, "name", "is required"},
		{"name too long", with(map[string]any{"name": strings.Repeat("x", 201)}), 422, "name", "1 to 200"},
		{"visibility unknown", with(map[string]any{"visibility": "everyone"}), 422, "visibility", "must be one of"},
		{"visibility null", map[string]any{"key": "new-one", "name": "New", "visibility": nil, "connectionDefinitions": []any{def(nil)}}, 422, "visibility", "cannot be null"},
		{"definitions missing", with(map[string]any{"connectionDefinitions": nil}), 422, "connectionDefinitions", "is required"},
		{"definitions empty", with(map[string]any{"connectionDefinitions": []any{}}), 422, "connectionDefinitions", "at least one"},
		{"definition key repeated", with(map[string]any{"connectionDefinitions": []any{def(nil), def(nil)}}), 422, "connectionDefinitions[1].key", "repeats"},
		{"definition key not camelCase", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"key": "o-auth"})}}), 422, "connectionDefinitions[0].key", "camelCase"},
		{"definition title missing", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"title": ""})}}), 422, "connectionDefinitions[0].title", "must not be empty"},
		{"auth type unknown", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"authType": "oauth1"})}}), 422, "connectionDefinitions[0].authType", "must be one of"},
		{"OAuth preset on API key", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"authType": "apiKey", "tokenUrl": "https://example.com/t"})}}), 422, "connectionDefinitions[0].tokenUrl", "applies only to the auth types"},
		{"scopes preset on basic", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"authType": "basic", "scopes": []string{"a"}})}}), 422, "connectionDefinitions[0].scopes", "OAuth 2.0 preset"},
		{"preset URL on http", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"authorizationUrl": "http://example.com/a"})}}), 422, "connectionDefinitions[0].authorizationUrl", "must use https"},
		{"preset client authentication unknown", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"clientAuthentication": "header"})}}), 422, "connectionDefinitions[0].clientAuthentication", "must be one of"},
		{"preset scope with space", with(map[string]any{"connectionDefinitions": []any{def(map[string]any{"scopes": []string{"a b"}})}}), 422, "connectionDefinitions[0].scopes[0]", "without whitespace"},
		{"enum without values", with(map[string]any{"connectionDefinitions": []any{prop(map[string]any{"type": "enum"})}}), 422, "connectionDefinitions[0].properties[0].enumValues", "is required when type is"},
		{"values without enum", with(map[string]any{"connectionDefinitions": []any{prop(map[string]any{"enumValues": []string{"a"}})}}), 422, "connectionDefinitions[0].properties[0].enumValues", "applies only when type"},
		{"property type unknown", with(map[string]any{"connectionDefinitions": []any{prop(map[string]any{"type": "date"})}}), 422, "connectionDefinitions[0].properties[0].type", "must be one of"},
		{"property title missing", with(map[string]any{"connectionDefinitions": []any{prop(map[string]any{"title": ""})}}), 422, "connectionDefinitions[0].properties[0].title", "must not be empty"},
		{"enum value repeated", with(map[string]any{"connectionDefinitions": []any{prop(map[string]any{"type": "enum", "enumValues": []string{"a", "a"}})}}), 422, "connectionDefinitions[0].properties[0].enumValues[1]", "repeats"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.wantProblem(e.do(req{token: acme, method: "POST", path: connectors, body: tc.body}), tc.status, tc.field, tc.says)
		})
	}
	var list page[Connector]
	e.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "?visibility=account"}).decode(t, &list)
	if list.TotalItems != 1 {
		t.Fatalf("refused requests left connectors behind: %+v", list.Items)
	}
}

func TestConnectorInUse(t *testing.T) {
	e := newEnv(t)
	body := customConnector("acme-shared")
	body["visibility"] = "public"
	conn := e.createConnector(acme, body)
	path := connectors + "/" + conn.ID
	for i := range 2 {
		e.createClient(acme, map[string]any{"name": fmt.Sprint("code ", i), "connectorId": conn.ID, "authorizationUrl": "https://login.example.com/authorize"})
	}
	e.createClient(globex, map[string]any{"name": "globex cc", "connectorId": conn.ID, "connectionDefinitionKey": "oAuth2ClientCredentials"})

	// Deleting a connector with clients is refused, with the count and what to do.
	e.wantProblem(e.do(req{token: acme, method: "DELETE", path: path}), 409, "", "used by 3 OAuth client(s); delete them first")

	defs := conn.ConnectionDefinitions
	// Removing a used definition is refused.
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectionDefinitions": defs[1:]}}),
		409, "connectionDefinitions", `"oAuth2CodeFlow" is used by 2 OAuth client(s)`)
	// Changing a used definition's auth type is refused.
	retyped := slices.Clone(defs)
	retyped[1].AuthType = authOAuth2Password
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectionDefinitions": retyped}}),
		409, "connectionDefinitions[1].authType", `"oAuth2ClientCredentials" is used by 1 OAuth client(s)`)
	// Hiding a public connector from the accounts whose clients use it is refused.
	e.wantProblem(e.do(req{token: acme, method: "PATCH", path: path, body: map[string]any{"visibility": "account"}}), 409, "visibility", "1 OAuth client(s) of other accounts")
	// An unused definition may go; other changes to used ones are fine.
	changed := slices.Clone(defs[:2])
	changed[0].Title = "Sign in"
	var updated Connector
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, body: map[string]any{"connectionDefinitions": changed}}).decode(t, &updated)
	if len(updated.ConnectionDefinitions) != 2 || updated.ConnectionDefinitions[0].Title != "Sign in" {
		t.Fatalf("updated %+v", updated.ConnectionDefinitions)
	}
	// A public client on it: only its owner may make one.
	e.createClient(acme, map[string]any{"name": "public", "connectorId": conn.ID, "public": true, "authorizationUrl": "https://login.example.com/authorize"})
	e.wantProblem(e.do(req{token: globex, method: "POST", path: clients, body: map[string]any{"name": "g", "connectorId": conn.ID,
		"connectionDefinitionKey": "oAuth2ClientCredentials", "clientId": "g", "clientSecret": "s", "public": true}}), 403, "public", "connector's owner")
}
