package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// benchServer is a sandbox on a temporary database holding clients OAuth clients
// of acme's, served in process so that a benchmark measures the handler, not a network.
func benchServer(b *testing.B, clients int) (http.Handler, []string) {
	b.Helper()
	srv, err := New(context.Background(), Config{DataPath: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatalf("starting the sandbox: %v", err)
	}
	b.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	ids := make([]string, 0, clients)
	for i := range clients {
		body := fmt.Sprintf(`{"name":"bench %d","connectorId":%q,"connectionDefinitionKey":"oAuth2CodeFlow","clientId":"bench-%d","clientSecret":"s-%d","scopes":["read","write"]}`, i, procoreID, i, i)
		r := httptest.NewRequest(http.MethodPost, "/management/v1/oauth-clients", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+acme)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("creating client %d: %d %s", i, w.Code, w.Body)
		}
		ids = append(ids, w.Header().Get("Location"))
	}
	return h, ids
}

// benchGet serves GET path b.N times and fails on any answer but 200.
func benchGet(b *testing.B, h http.Handler, path string) {
	b.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer "+acme)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s answered %d: %s", path, w.Code, w.Body)
		}
	}
}

// BenchmarkGetOAuthClient is the read that a plan makes once per OAuth client.
func BenchmarkGetOAuthClient(b *testing.B) {
	h, ids := benchServer(b, 1)
	benchGet(b, h, ids[0])
}

// BenchmarkListOAuthClients is a page of 100 OAuth clients, as data sources read them.
func BenchmarkListOAuthClients(b *testing.B) {
	h, _ := benchServer(b, 100)
	benchGet(b, h, "/management/v1/oauth-clients?pageSize=100")
}
