package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPatchBodies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		patch any
		want  string
	}{
		{&OAuthClientPatch{}, `{}`},
		{&OAuthClientPatch{Name: Set("n"), ClientSecret: Null[string](), Scopes: Set([]string{"a", "b"}), Prompts: Null[[]string](), Public: Set(false)},
			`{"name":"n","clientSecret":null,"scopes":["a","b"],"prompts":null,"public":false}`},
		{&OAuthClientPatch{TokenURL: Null[string](), ClientAuthentication: Set(ClientAuthCredentialsInBody), ClientSecretExpiresAt: Set("2027-01-01T00:00:00Z")},
			`{"clientSecretExpiresAt":"2027-01-01T00:00:00Z","tokenUrl":null,"clientAuthentication":"clientCredentialsInBody"}`},
		{&ConnectorPatch{Description: Set(""), Visibility: Set(VisibilityAccount)}, `{"description":"","visibility":"account"}`},
		{&ConnectorPatch{ConnectionDefinitions: Set([]ConnectionDefinition{{Key: "apiKeyAuth", Title: "API key", AuthType: AuthTypeAPIKey,
			Properties: []Property{{Key: "region", Title: "Region", Type: "enum", EnumValues: []string{"eu"}}}}})},
			`{"connectionDefinitions":[{"key":"apiKeyAuth","title":"API key","authType":"apiKey","properties":[{"key":"region","title":"Region","type":"enum","required":false,"sensitive":false,"enumValues":["eu"]}]}]}`},
		{&OAuthClientInput{Name: "n", ConnectorID: "c", ConnectionDefinitionKey: "k", ClientID: "i"},
			`{"name":"n","connectorId":"c","connectionDefinitionKey":"k","clientId":"i","public":false}`},
		{&ConnectorInput{Key: "k1", Name: "K", ConnectionDefinitions: []ConnectionDefinition{{Key: "basicAuth", Title: "Basic", AuthType: AuthTypeBasic}}},
			`{"key":"k1","name":"K","connectionDefinitions":[{"key":"basicAuth","title":"Basic","authType":"basic"}]}`},
	} {
		got, err := json.Marshal(tc.patch)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%T:\n got %s\nwant %s", tc.patch, got, tc.want)
		}
	}
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  APIError
		want string
	}{
		{APIError{StatusCode: 422, Title: "Unprocessable Entity", Detail: "The request breaks 2 rules; see errors.",
			Errors: []FieldError{{"name", "must not be empty"}, {"scopes[1]", "must not contain whitespace"}}},
			"Unprocessable Entity (422): The request breaks 2 rules; see errors; name: must not be empty; scopes[1]: must not contain whitespace"},
		// A detail that already says the one field error is not repeated.
		{APIError{StatusCode: 422, Title: "Unprocessable Entity", Detail: "name: must not be empty", Errors: []FieldError{{"name", "must not be empty"}}},
			"Unprocessable Entity (422): name: must not be empty"},
		{APIError{StatusCode: 404, Title: "Not Found"}, "Not Found (404)"},
		{APIError{StatusCode: 409, Title: "Conflict", Errors: []FieldError{{"", "in use"}}}, "Conflict (409): in use"},
		{APIError{StatusCode: 503, Title: "Service Unavailable", Detail: "down", Attempts: 3}, "Service Unavailable (503): down (gave up after 3 attempts)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestProblemTextsArePrintable(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": []string{"application/problem+json"}}}
	e := newAPIError(resp, []byte(`{"title":"Bad \u001b[31mRequest","detail":"line one\nline two\u202e.",`+
		`"errors":[{"field":"name\u0000","detail":"is\tbad"}]}`), redactor{})
	want := "Bad \uFFFD[31mRequest (400): line one line two\uFFFD; name\uFFFD: is bad"
	if got := e.Error(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestAnswersThatAreNotProblems(t *testing.T) {
	t.Parallel()
	html := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<h1>Bad gateway</h1> Authorization: Bearer leaked")
	}
	teapot := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
	}
	ts, rec := serve(t, html, teapot, redirect)
	c := newTestClient(t, ts.URL, func(cfg *Config) { cfg.MaxRetries = 0 })
	for _, want := range []string{"Bad Gateway (502)", "I'm a teapot (418)", "Found (302)"} {
		_, err := c.Me(context.Background())
		var apiErr *APIError
		if !errors.As(err, &apiErr) || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if n := rec.count(); n != 3 {
		t.Errorf("%d requests, want 3: a redirect is not followed", n)
	}
}

func TestGarbageAnswersAreErrors(t *testing.T) {
	t.Parallel()
	raw := func(contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			fmt.Fprint(w, body)
		}
	}
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		call func(c *Client) error
		want string
	}{
		{"html", raw("text/html", "<html>hi</html>"), func(c *Client) error { _, err := c.GetConnector(context.Background(), "x"); return err }, "not application/json"},
		{"not JSON", raw("application/json", "<html>hi</html>"), func(c *Client) error { _, err := c.GetConnector(context.Background(), "x"); return err }, "invalid character"},
		{"empty object", raw("application/json", "{}"), func(c *Client) error { _, err := c.GetOAuthClient(context.Background(), "x"); return err }, "has no id"},
		{"null", raw("application/json", "null"), func(c *Client) error { _, err := c.Me(context.Background()); return err }, "no accountId"},
		{"two values", raw("application/json", `{"accountId":"a"} {}`), func(c *Client) error { _, err := c.Me(context.Background()); return err }, "more than one JSON value"},
		{"wrong type", raw("application/json", `{"id":5}`), func(c *Client) error { _, err := c.GetConnector(context.Background(), "x"); return err }, "cannot unmarshal number"},
		{"page without items", raw("application/json", `{"pageIndex":0,"pageSize":100,"totalItems":0}`), func(c *Client) error {
			_, err := c.ListOAuthClients(context.Background(), OAuthClientFilter{}, PageOptions{})
			return err
		}, "no items"},
		{"page with a bad item", raw("application/json", `{"items":[{}],"pageIndex":0,"pageSize":100,"totalItems":1}`), func(c *Client) error {
			_, err := c.AllConnectors(context.Background(), ConnectorFilter{})
			return err
		}, "item 0: the connector has no id"},
		{"created nothing", raw("application/json", `{}`), func(c *Client) error {
			_, err := c.CreateConnector(context.Background(), &ConnectorInput{Key: "k1", Name: "K"})
			return err
		}, "POST /connectors: the response (200) is not what the API returns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, _ := serve(t, tc.h)
			err := tc.call(newTestClient(t, ts.URL))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				t.Errorf("a 200 answer became an *APIError: %v", err)
			}
		})
	}
}
