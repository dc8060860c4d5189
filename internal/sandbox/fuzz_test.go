package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzBodies drives one route with arbitrary bodies: every answer must be a
// success or a 4xx problem, never a 5xx or a panic (which would be a 500).
func fuzzBodies(f *testing.F, method string, path func(s *Server) string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	srv, err := New(context.Background(), Config{DataPath: ":memory:"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	target := path(srv)
	if target == "" {
		f.Fatal("the fixture for the fuzzed route was not created")
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(method, target, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+acme)
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, r)
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %s answered %d to %q: %s", method, target, rec.Code, body, rec.Body)
		case rec.Code >= 400:
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Title == "" || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without a problem body: %s", rec.Code, rec.Body)
			}
		case rec.Code != http.StatusOK && rec.Code != http.StatusCreated:
			t.Fatalf("unexpected status %d: %s", rec.Code, rec.Body)
		}
	})
}

// fixture creates an object through the handler and returns its path.
func fixture(s *Server, path, body string) string {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+acme)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	return rec.Header().Get("Location")
}

const fuzzClient = `{"name":"n","connectorId":"` + procoreID + `","connectionDefinitionKey":"oAuth2CodeFlow","clientId":"c","clientSecret":"s","scopes":["a"],"prompts":["login"],"clientSecretExpiresAt":"2030-01-01T00:00:00Z"}`

const fuzzConnector = `{"key":"fuzz-target","name":"n","visibility":"public","connectionDefinitions":[{"key":"oAuth2CodeFlow","title":"t","authType":"oauth2CodeFlow","tokenUrl":"https://a.example/t","scopes":["x"],"properties":[{"key":"p","title":"t","type":"enum","enumValues":["a","b"]}]},{"key":"apiKey","title":"k","authType":"apiKey"}]}`

func FuzzCreateOAuthClient(f *testing.F) {
	fuzzBodies(f, "POST", func(*Server) string { return "/management/v1/oauth-clients" },
		fuzzClient, `{}`, `null`, `[]`, `{"name":null}`, `{"scopes":[null]}`, `{"public":1}`,
		`{"name":"n","connectorId":"`+powerbiID+`","connectionDefinitionKey":"oAuth2ClientCredentials","clientId":"c"}`,
		`{"name":"n","connectorId":"`+procoreID+`","connectionDefinitionKey":"oAuth2CodeFlow","clientId":"c","tokenUrl":"http://[::1]:80/t","clientSecretExpiresAt":"9999-12-31T23:59:59.999999999+14:00"}`)
}

func FuzzUpdateOAuthClient(f *testing.F) {
	fuzzBodies(f, "PATCH", func(s *Server) string { return fixture(s, "/management/v1/oauth-clients", fuzzClient) },
		`{"name":"m"}`, `{"clientSecret":null}`, `{"scopes":null,"prompts":["none"]}`, `{"connectorId":"x"}`,
		`{"tokenUrl":null,"clientAuthentication":"clientCredentialsInBody"}`, `{"public":true}`, `{"clientSecretExpiresAt":"0000-01-01T00:00:00Z"}`)
}

func FuzzCreateConnector(f *testing.F) {
	fuzzBodies(f, "POST", func(*Server) string { return "/management/v1/connectors" },
		strings.Replace(fuzzConnector, "fuzz-target", "fuzz-new", 1), `{"key":"ab","name":"n","connectionDefinitions":[]}`,
		`{"connectionDefinitions":[{"properties":[{"enumValues":[]}]}]}`, `{"key":"procore","name":"n","connectionDefinitions":[{"key":"a","title":"t","authType":"custom"}]}`)
}

func FuzzUpdateConnector(f *testing.F) {
	fuzzBodies(f, "PATCH", func(s *Server) string { return fixture(s, "/management/v1/connectors", fuzzConnector) },
		`{"name":"m"}`, `{"description":null}`, `{"visibility":"account"}`, `{"key":"other"}`,
		`{"connectionDefinitions":[{"key":"apiKey","title":"k","authType":"basic"}]}`)
}
