package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAccCLI_queryImportGuide follows the guide "Import every OAuth client of an
// account" the Terraform 1.14 way, with the guide's own files
// (examples/guides/import-oauth-clients/query): terraform query
// -generate-config-out writes an import block with the identity and a configuration
// for each of the account's clients and connectors, none of another account's; the
// plan imports exactly them and changes nothing; the apply writes nothing to the API
// and keeps every secret where it was; the next plan is empty. No secret is printed
// on the way, with TF_LOG=trace. Another account's query lists none of acme's.
func TestAccCLI_queryImportGuide(t *testing.T) {
	requireListResources(t)
	w := newCLIWorkspace(t)
	sb := startSandbox(t)
	a := makeImportableAccount(t, sb)
	own := map[string]string{a.erp.ID: "connector"}
	for _, c := range []struct{ id, secret string }{
		{a.production.ID, "procore-prod-secret"}, {a.staging.ID, ""}, {a.reporting.ID, "powerbi-secret"},
		{a.partners.ID, "erp-partners-secret"}, {a.internal.ID, ""},
	} {
		own[c.id] = c.secret
	}
	secrets := []string{"procore-prod-secret", "powerbi-secret", "erp-partners-secret"}

	copyDir(t, filepath.Join("..", "..", "examples", "guides", "import-oauth-clients", "query"), w.dir)
	w.env = append(w.env, "APPXCHANGE_BASE_URL="+sb.baseURL(), "APPXCHANGE_ACCESS_TOKEN="+acmeToken)
	var printed []string

	// terraform query writes an import block and a resource for each own object.
	sb.resetStats(t)
	printed = append(printed, w.mustRun("query", "-generate-config-out=generated.tf", "-no-color"))
	sb.expectNoWrites(t)()
	content, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	generated := string(content)
	identities := regexp.MustCompile(`identity = \{\s*id = "([^"]+)"\s*\}`).FindAllStringSubmatch(generated, -1)
	var ids []string
	for _, m := range identities {
		ids = append(ids, m[1])
	}
	for id := range own {
		if !slices.Contains(ids, id) {
			t.Errorf("the generated configuration has no import block for %s:\n%s", id, generated)
		}
	}
	if len(ids) != len(own) {
		t.Errorf("%d import blocks for the account's %d objects: the account owns only those:\n%s", len(ids), len(own), generated)
	}
	for _, want := range []string{
		`name                     = "ERP for partners"`, `public                   = true`,
		`token_url                = "https://erp.example.com/token"`, `client_authentication    = "client_credentials_body"`,
		`token_url                = "https://erp.example.com/internal/token"`,
		`client_secret_expires_at = "2030-06-30T00:00:00Z"`, `prompts                  = ["consent"]`,
		`key         = "acme-erp"`,
	} {
		if !strings.Contains(generated, want) {
			t.Errorf("the generated configuration lacks %s:\n%s", want, generated)
		}
	}

	// The generated configuration validates, and its plan imports exactly those objects.
	w.mustRun("validate", "-no-color")
	plan := w.mustRun("plan", "-no-color")
	printed = append(printed, plan)
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(own)); !strings.Contains(plan, want) {
		t.Fatalf("the plan does not say %q:\n%s", want, tail(plan, 60))
	}

	// The apply adopts them without a write; the secrets stay at the API as they were.
	sb.resetStats(t)
	applied := w.mustRun("apply", "-auto-approve", "-no-color")
	printed = append(printed, applied)
	if want := fmt.Sprintf("%d imported, 0 added, 0 changed, 0 destroyed", len(own)); !strings.Contains(applied, want) {
		t.Errorf("the apply does not say %q:\n%s", want, tail(applied, 40))
	}
	sb.expectNoWrites(t)()
	for id, secret := range own {
		if secret == "connector" {
			continue
		}
		want := ""
		if secret != "" {
			want = sb.secretHash(t, secret)
		}
		if got := sb.storedSecretHash(t, id); got != want {
			t.Errorf("the secret of the client %s changed in the import", id)
		}
	}
	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(state), `"identity_schema_version"`); n != len(own) {
		t.Errorf("the state has %d identities, want %d", n, len(own))
	}

	// Adopted: the next plan changes nothing.
	again := w.mustRun("plan", "-detailed-exitcode", "-no-color")
	printed = append(printed, again)
	if !strings.Contains(again, "No changes.") {
		t.Errorf("the plan after the import is not empty:\n%s", tail(again, 40))
	}

	// Globex's query lists its own client and none of acme's, public ones included.
	globex := &cliWorkspace{t: t, dir: filepath.Join(w.dir, "globex"), env: append(slices.Clone(w.env), "APPXCHANGE_ACCESS_TOKEN="+globexToken)}
	copyDir(t, filepath.Join("..", "..", "examples", "guides", "import-oauth-clients", "query"), globex.dir)
	listed := globex.mustRun("query", "-no-color")
	printed = append(printed, listed)
	// Result lines, such as "list.appxchange_oauth_client.clients   id=UUID   NAME";
	// the rest is the trace log, where the API's answers hold acme's public objects.
	var results []string
	for _, m := range regexp.MustCompile(`(?m)^list\.appxchange_\S+\s+id=(\S+)`).FindAllStringSubmatch(listed, -1) {
		results = append(results, m[1])
	}
	if !slices.Equal(results, []string{a.globexPrivate.ID}) {
		t.Errorf("globex's query lists %v, want only its own client %s:\n%s", results, a.globexPrivate.ID, tail(listed, 40))
	}

	for _, out := range printed {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("a secret was printed: %q", secret)
			}
		}
	}
}
