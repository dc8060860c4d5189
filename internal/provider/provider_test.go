package provider

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// Credentials and ids of the sandbox's built-in seed.
const (
	acmeToken    = "acme-admin-token"
	procoreID    = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01"
	powerbiID    = "6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02"
	acmeClientID = "acme-automation"
	acmeSecret   = "acme-automation-secret"
)

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"appxchange": providerserver.NewProtocol6WithError(New("test")()),
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
	url string
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
	return &testSandbox{url: ts.URL}
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
