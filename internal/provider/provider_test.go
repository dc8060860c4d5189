package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// Credentials and ids of the sandbox's built-in seed.
const (
	acmeToken    = "acme-admin-token"
	globexToken  = "globex-admin-token"
	xchangeToken = "xchange-admin-token"
	procoreID    = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
	powerbiID    = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02"
	acmeClientID = "acme-automation"
	acmeSecret   = "acme-automation-secret"
)

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"appxchange": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

func TestMain(m *testing.M) {
	// The tests configure the provider themselves; the caller's environment must not leak in.
	for _, name := range []string{envBaseURL, envAccessToken, envClientID, envClientSecret, envTokenURL, envMaxRetries} {
		os.Unsetenv(name)
	}
	flag.Parse()
	if !testing.Short() {
		switch {
		case os.Getenv("TF_ACC") == "":
			fmt.Fprintln(os.Stderr, "FAIL: the acceptance tests need TF_ACC=1 and a Terraform CLI in TF_ACC_TERRAFORM_PATH. "+
				"Run `make test`, which provides both, or `go test -short` for the unit tests alone.")
			os.Exit(1)
		case os.Getenv("TF_ACC_TERRAFORM_PATH") == "":
			fmt.Fprintln(os.Stderr, "FAIL: TF_ACC_TERRAFORM_PATH is not set, and the tests never download a CLI. "+
				"Run `make test`, or set it to the path that scripts/terraform-cli.sh prints.")
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// testSandbox is a sandbox inside the test process, on a temporary database and a free port.
type testSandbox struct {
	url      string
	dataPath string
}

func startSandbox(t *testing.T, options ...func(*sandbox.Config)) *testSandbox {
	t.Helper()
	cfg := sandbox.Config{DataPath: filepath.Join(t.TempDir(), "sandbox.db")}
	for _, o := range options {
		o(&cfg)
	}
	srv, err := sandbox.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &testSandbox{url: ts.URL, dataPath: cfg.DataPath}
}

// baseURL is the provider's base_url for this sandbox.
func (s *testSandbox) baseURL() string { return s.url + "/management/v1" }

// providerConfig is a provider block that authenticates with token, with extra attribute lines.
func (s *testSandbox) providerConfig(token string, extra ...string) string {
	return fmt.Sprintf(`
provider "appxchange" {
  base_url     = %q
  access_token = %q
  max_retries  = 2
%s}
`, s.baseURL(), token, strings.Join(append(extra, ""), "\n"))
}

// stats reads the sandbox's request counts.
func (s *testSandbox) stats(t *testing.T) sandbox.Stats {
	t.Helper()
	resp, err := http.Get(s.url + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// resetStats zeroes the sandbox's request counts.
func (s *testSandbox) resetStats(t *testing.T) {
	t.Helper()
	resp, err := http.Post(s.url+"/_sandbox/stats/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		t.Fatalf("resetting the sandbox stats: %s", resp.Status)
	}
}

// writes lists the POST, PATCH and DELETE requests of the API that the sandbox answered
// since its stats were last reset, whatever their status ("PATCH /route 200": count).
func (s *testSandbox) writes(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for key, n := range s.stats(t).Requests {
		if strings.HasPrefix(key, "POST /management/") || strings.HasPrefix(key, "PATCH /") || strings.HasPrefix(key, "DELETE /") {
			out[key] += n
		}
	}
	return out
}

// expectNoWrites is a check that the API has seen no write since the stats were last reset.
func (s *testSandbox) expectNoWrites(t *testing.T) func() {
	return func() {
		t.Helper()
		if w := s.writes(t); len(w) > 0 {
			t.Errorf("the sandbox saw API writes: %v", w)
		}
	}
}

// apiClient is a client of the sandbox's API acting with token, for checks made
// beside Terraform.
func (s *testSandbox) apiClient(t *testing.T, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: s.baseURL(), AccessToken: token, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// storedSecretHash is the hash of the secret the sandbox holds for an OAuth client,
// read from its database; empty when it holds none.
func (s *testSandbox) storedSecretHash(t *testing.T, id string) string {
	t.Helper()
	var hash sql.NullString
	s.query(t, "SELECT secret_hash FROM oauth_clients WHERE id = ?", id).Scan(&hash)
	return hash.String
}

// secretHash is the hash the sandbox stores for secret: HMAC-SHA256, under the
// database's own key, of the secret's SHA-256 in hex.
func (s *testSandbox) secretHash(t *testing.T, secret string) string {
	t.Helper()
	var key []byte
	s.query(t, "SELECT value FROM settings WHERE name = 'hash_key'").Scan(&key)
	sum := sha256.Sum256([]byte(secret))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(hex.EncodeToString(sum[:])))
	return hex.EncodeToString(mac.Sum(nil))
}

// query reads one row of the sandbox's database; scan it with Scan.
func (s *testSandbox) query(t *testing.T, query string, args ...any) rowScanner {
	t.Helper()
	db, err := sql.Open("sqlite", s.dataPath)
	if err != nil {
		t.Fatal(err)
	}
	return rowScanner{t: t, db: db, row: db.QueryRow(query, args...)}
}

// rowScanner scans one row, fails the test when it cannot, and closes the database.
type rowScanner struct {
	t   *testing.T
	db  *sql.DB
	row *sql.Row
}

func (r rowScanner) Scan(dest ...any) {
	r.t.Helper()
	defer r.db.Close()
	if err := r.row.Scan(dest...); err != nil {
		r.t.Fatalf("reading the sandbox's database: %v", err)
	}
}
