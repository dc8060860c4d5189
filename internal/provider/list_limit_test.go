package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// The data sources that list stop above dataSourceItemLimit objects. These tests run
// each of them, through the CLI, against an API whose lists never end (every page
// full, a total of 10^12): each read stops with an error that names the data source
// and the way out after limit/1000+1 pages, and never asks for a page past those.

// TestDataSourceItemLimitIsDocumented: the limit is 100,000, and the schemas (which
// make the registry pages) say so.
func TestDataSourceItemLimitIsDocumented(t *testing.T) {
	if dataSourceItemLimit != 100_000 || client.DefaultItemLimit != dataSourceItemLimit {
		t.Errorf("the limit is %d and the client's default %d; CHANGELOG.md and the schemas say 100,000", dataSourceItemLimit, client.DefaultItemLimit)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100_000: "100,000", 1_234_567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	ctx := t.Context()
	for _, tc := range []struct {
		d         datasource.DataSource
		attribute string // empty for the data source's own description
		want      string
	}{
		{NewOAuthClientsDataSource(), "", "up to 100,000 OAuth clients: a longer list is an error"},
		{NewOAuthClientsDataSource(), "", "`appxchange_oauth_client` list resource (`terraform query`), which reads a page at a time"},
		{NewConnectorsDataSource(), "", "up to 100,000 connectors: a longer list is an error"},
		{NewConnectorsDataSource(), "", "`appxchange_connector` list resource (`terraform query`), which reads a page at a time"},
		{NewOAuthClientDataSource(), "name", "up to 100,000 of them: more is an error that asks for `connector_id` or `id`"},
	} {
		var resp datasource.SchemaResponse
		tc.d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		text := resp.Schema.MarkdownDescription
		if tc.attribute != "" {
			text = resp.Schema.Attributes[tc.attribute].GetMarkdownDescription()
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%T %s: the description %q lacks %q", tc.d, tc.attribute, text, tc.want)
		}
	}
}

func TestAccOAuthClientsDataSource_itemLimit(t *testing.T) {
	api := startEndlessAPI(t, "/management/v1/oauth-clients", "search=bulk")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: api.providerConfig() + `data "appxchange_oauth_clients" "all" { search = "bulk" }`,
				ExpectError: expectErrorDiagnostic("Too Many OAuth Clients",
					"The list has more than 100,000 OAuth clients.",
					"appxchange_oauth_clients reads at most 100,000, so that a long list cannot exhaust the provider's memory.",
					"Narrow the list with connector_id, connection_definition, public or search, or list the account's own clients "+
						"with `terraform query` and the appxchange_oauth_client list resource, which reads a page at a time."),
			},
		},
	})
}

func TestAccConnectorsDataSource_itemLimit(t *testing.T) {
	api := startEndlessAPI(t, "/management/v1/connectors", "visibility=public")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: api.providerConfig() + `data "appxchange_connectors" "public" { visibility = "public" }`,
				ExpectError: expectErrorDiagnostic("Too Many Connectors",
					"The list has more than 100,000 connectors.",
					"appxchange_connectors reads at most 100,000, so that a long list cannot exhaust the provider's memory.",
					"Narrow the list with search or visibility, or list the account's own connectors "+
						"with `terraform query` and the appxchange_connector list resource, which reads a page at a time."),
			},
		},
	})
}

// TestAccOAuthClientDataSource_nameLookupLimit: the lookup by name reads the clients
// whose names contain the name; none of the endless list's is named exactly so, and
// the lookup stops at the limit rather than read on for a match.
func TestAccOAuthClientDataSource_nameLookupLimit(t *testing.T) {
	api := startEndlessAPI(t, "/management/v1/oauth-clients", "search=needle", "connectorId="+procoreID+"&search=needle")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: api.providerConfig() + `data "appxchange_oauth_client" "this" { name = "needle" }`,
				ExpectError: expectErrorDiagnostic("Too Many OAuth Clients",
					`More than 100,000 OAuth clients whose names contain "needle" are visible to your account.`,
					"The lookup by name reads at most 100,000, so that a long list cannot exhaust the provider's memory.",
					"Set connector_id to narrow the lookup to one connector, or look the client up by id."),
			},
			{
				Config: api.providerConfig() + fmt.Sprintf(`data "appxchange_oauth_client" "this" {
  name         = "needle"
  connector_id = %q
}`, procoreID),
				ExpectError: expectErrorDiagnostic("Too Many OAuth Clients",
					fmt.Sprintf(`More than 100,000 OAuth clients whose names contain "needle" on the connector %q are visible to your account.`, procoreID),
					"Look the client up by id instead."),
			},
		},
	})
}

// endlessAPI serves lists of OAuth clients and connectors that never end: every page
// as full as its pageSize asks, and a total of 10^12. It answers nothing else. It
// refuses a page past the one that passes dataSourceItemLimit, so a read that does not
// stop there fails at once rather than after the client's 10,000 pages. When the test
// ends, it checks that it was asked for the pages of path alone, with the queries
// given (paging aside), in whole reads of dataSourceItemLimit/1000+1 pages.
type endlessAPI struct {
	url string

	mu       sync.Mutex
	reads    map[string]int             // pages answered, by path
	queries  map[string]map[string]bool // the queries of those pages, paging aside
	problems []string
}

func startEndlessAPI(t *testing.T, path string, queries ...string) *endlessAPI {
	t.Helper()
	items := map[string]json.RawMessage{
		"/management/v1/oauth-clients": json.RawMessage(`{"id":"5f0c6a55-5d0a-4d8e-9d4c-3f0b2f1c9e11","accountId":"acme","name":"needle in a haystack",` +
			`"connectorId":"` + procoreID + `","connectionDefinitionKey":"oAuth2CodeFlow","clientId":"abc","clientSecretSet":false,` +
			`"tokenUrl":"https://id.example.com/oauth/token","clientAuthentication":"basicAuthHeader","public":false,` +
			`"createdAt":"2026-01-15T09:30:00Z","updatedAt":"2026-01-15T09:30:00Z"}`),
		"/management/v1/connectors": json.RawMessage(`{"id":"` + procoreID + `","key":"procore","name":"Procore","visibility":"public",` +
			`"ownerAccountId":"xchange","connectionDefinitions":[],"createdAt":"2026-01-15T09:30:00Z","updatedAt":"2026-01-15T09:30:00Z"}`),
	}
	api := &endlessAPI{reads: map[string]int{}, queries: map[string]map[string]bool{}}
	lastPage := dataSourceItemLimit / 1000 // pages of 1,000: index 100 is the 101st, which passes 100,000
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		item, ok := items[r.URL.Path]
		q := r.URL.Query()
		index, _ := strconv.Atoi(q.Get("pageIndex"))
		size, _ := strconv.Atoi(q.Get("pageSize"))
		problem := ""
		switch {
		case !ok || r.Method != http.MethodGet:
			problem = fmt.Sprintf("%s %s is not served", r.Method, r.URL.Path)
		case size != 1000:
			problem = fmt.Sprintf("%s asks for pages of %q, not 1000", r.URL, q.Get("pageSize"))
		case index > lastPage:
			problem = fmt.Sprintf("%s asks for page %d, past page %d that passes the limit", r.URL, index, lastPage)
		}
		api.mu.Lock()
		if problem != "" {
			api.problems = append(api.problems, problem)
		} else {
			api.reads[r.URL.Path]++
			q.Del("pageIndex")
			q.Del("pageSize")
			if api.queries[r.URL.Path] == nil {
				api.queries[r.URL.Path] = map[string]bool{}
			}
			api.queries[r.URL.Path][q.Encode()] = true
		}
		api.mu.Unlock()
		if problem != "" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"type":"about:blank","title":"Bad Request","status":400,"detail":%q}`, problem)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"items":[`)
		for i := range size {
			if i > 0 {
				fmt.Fprint(w, ",")
			}
			_, _ = w.Write(item)
		}
		fmt.Fprintf(w, `],"pageIndex":%d,"pageSize":%d,"totalItems":1000000000000}`, index, size)
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if !t.Skipped() {
			api.expectReads(t, path, queries)
		}
	})
	api.url = ts.URL
	return api
}

// providerConfig is a provider block for this API.
func (a *endlessAPI) providerConfig() string {
	return (&testSandbox{url: a.url}).providerConfig(acmeToken)
}

// expectReads checks that the API was asked for nothing but the pages of path, with
// the queries wanted, in whole reads of dataSourceItemLimit/1000+1 pages.
func (a *endlessAPI) expectReads(t *testing.T, path string, queries []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range a.problems {
		t.Errorf("refused: %s", p)
	}
	perRead := dataSourceItemLimit/1000 + 1
	n := a.reads[path]
	if n == 0 || n%perRead != 0 || len(a.reads) != 1 {
		t.Errorf("pages read: %v; want only %s, in reads of %d pages", a.reads, path, perRead)
	}
	want := map[string]bool{}
	for _, q := range queries {
		want[q] = true
	}
	if got := a.queries[path]; !maps.Equal(got, want) {
		t.Errorf("%s was read with the queries %v, want %v", path, slices.Sorted(maps.Keys(got)), queries)
	}
	t.Logf("%d pages of %s read, %d per read", n, path, perRead)
}
