package provider

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAccCLI_moduleTests runs the test files of the example module
// examples/modules/oauth-client the way a module's CI would, with the CLI's own test
// command: the unit tests with the provider mocked and no API at all, then the
// integration tests against a sandbox, whose requests show what they did. Every CLI
// of the matrix has terraform test (1.6) and mock_provider (1.7).
func TestAccCLI_moduleTests(t *testing.T) {
	w := newCLIWorkspace(t)
	copyDir(t, filepath.Join("..", "..", "examples", "modules", "oauth-client"), w.dir)
	// get installs the module's own child module; init would also look up the
	// provider, which only the dev override provides here.
	w.mustRun("get", "-no-color")

	// Unit tests: no base URL and no credentials, so any call to the API would fail.
	unit := w.mustRun("test", "-no-color", "-filter=tests/unit.tftest.hcl")
	if !strings.Contains(unit, "Success! 5 passed, 0 failed.") {
		t.Errorf("the unit tests did not all pass:\n%s", tail(unit, 60))
	}

	// Integration tests: against the sandbox, which the runs change and the end cleans up.
	sb := startSandbox(t)
	w.env = append(w.env, "APPXCHANGE_BASE_URL="+sb.baseURL(), "APPXCHANGE_ACCESS_TOKEN="+acmeToken)
	integration := w.mustRun("test", "-no-color", "-filter=tests/integration.tftest.hcl")
	if !strings.Contains(integration, "Success! 4 passed, 0 failed.") {
		t.Errorf("the integration tests did not all pass:\n%s", tail(integration, 60))
	}
	writes := sb.writes(t)
	for key, want := range map[string]int{
		"POST /management/v1/oauth-clients 201":        2, // Procore, then Power BI
		"PATCH /management/v1/oauth-clients/{id} 200":  1, // the rename, in place
		"DELETE /management/v1/oauth-clients/{id} 204": 2, // the Procore client replaced, then the clean-up
	} {
		if writes[key] != want {
			t.Errorf("%s: %d, want %d (all writes: %v)", key, writes[key], want, writes)
		}
	}
	if err := checkNoOAuthClients(t, sb)(nil); err != nil {
		t.Error(err)
	}
	for _, out := range []string{unit, integration} {
		if strings.Contains(out, "module-test-secret") || strings.Contains(out, "unit-test-secret") {
			t.Error("a secret of the test files was printed")
		}
	}
}
