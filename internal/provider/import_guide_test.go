package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// TestAccCLI_importGuide follows the guide "Import every OAuth client of an account"
// (templates/guides/import-oauth-clients.md.tmpl) with its own example files: the
// discover configuration prints an import block for each of the account's clients,
// -generate-config-out writes their configuration, the apply adopts them without an
// API write, and the plan after it is empty.
func TestAccCLI_importGuide(t *testing.T) {
	w := newCLIWorkspace(t)
	sb := startSandbox(t)
	ctx := context.Background()
	acme := sb.apiClient(t, acmeToken)

	// What the web app made: the account's own clients, a public one on a connector
	// the account owns among them, and clients of other accounts.
	crm, err := acme.CreateConnector(ctx, &client.ConnectorInput{
		Key: "guide-crm", Name: "Guide CRM", Visibility: client.VisibilityPublic,
		ConnectionDefinitions: []client.ConnectionDefinition{{
			Key: "oAuth2CodeFlow", Title: "OAuth", AuthType: client.AuthTypeOAuth2CodeFlow,
			AuthorizationURL: "https://crm.example.com/authorize", TokenURL: "https://crm.example.com/token",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	own := map[string]string{} // id → name
	for _, in := range []client.OAuthClientInput{
		{Name: "Procore (production)", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "procore-prod",
			ClientSecret: "guide-secret-1", Scopes: []string{"openid", "offline_access"}, Prompts: []string{"login", "consent"}},
		{Name: "Procore (production)", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "procore-prod-2",
			RefreshURL: "https://login.procore.com/oauth/refresh", ClientAuthentication: "clientCredentialsInBody"},
		{Name: "2027 reporting", ConnectorID: powerbiID, ConnectionDefinitionKey: "oAuth2ClientCredentials", ClientID: "powerbi",
			ClientSecret: "guide-secret-2", ClientSecretExpiresAt: "2027-06-30T12:00:00Z"},
		{Name: "CRM for everyone", ConnectorID: crm.ID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "crm-public", Public: true},
	} {
		made, err := acme.CreateOAuthClient(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		own[made.ID] = made.Name
	}
	if _, err := sb.apiClient(t, xchangeToken).CreateOAuthClient(ctx, &client.OAuthClientInput{
		Name: "Procore for everyone", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "procore-public", Public: true,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.apiClient(t, globexToken).CreateOAuthClient(ctx, &client.OAuthClientInput{
		Name: "Globex Procore", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "globex",
	}); err != nil {
		t.Fatal(err)
	}

	copyDir(t, filepath.Join("..", "..", "examples", "guides", "import-oauth-clients"), w.dir)
	w.env = append(w.env, "APPXCHANGE_BASE_URL="+sb.baseURL(), "APPXCHANGE_ACCESS_TOKEN="+acmeToken)
	discover := &cliWorkspace{t: t, dir: filepath.Join(w.dir, "discover"), env: w.env}

	// Step 1: the discover configuration prints one import block per own client
	// (terraform init, which the guide runs first, is not needed with dev_overrides).
	discover.mustRun("apply", "-auto-approve", "-no-color")
	if count := discover.output("count"); count != "4" {
		t.Errorf("the discover configuration counts %s clients; the account has 4", count)
	}
	blocks := discover.output("import_blocks")
	imported := regexp.MustCompile(`id = "([^"]+)"`).FindAllStringSubmatch(blocks, -1)
	var ids []string
	for _, m := range imported {
		ids = append(ids, m[1])
	}
	for id, name := range own {
		if !slices.Contains(ids, id) {
			t.Errorf("no import block for the account's client %q (%s):\n%s", name, id, blocks)
		}
	}
	if len(ids) != len(own) {
		t.Errorf("%d import blocks for the account's %d clients: other accounts' clients cannot be imported:\n%s", len(ids), len(own), blocks)
	}
	w.write("imports.tf", blocks)

	// Step 2: Terraform writes the configuration of every imported client.
	plan := w.mustRun("plan", "-generate-config-out=oauth_clients.tf", "-no-color")
	if !strings.Contains(plan, "4 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the plan does not import exactly the 4 clients:\n%s", tail(plan, 40))
	}
	generated, err := os.ReadFile(filepath.Join(w.dir, "oauth_clients.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name                     = "2027 reporting"`, `client_secret_expires_at = "2027-06-30T12:00:00Z"`,
		`prompts                  = ["consent", "login"]`, `client_authentication    = "client_credentials_body"`, `public                   = true`} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("the generated configuration lacks %s:\n%s", want, generated)
		}
	}

	// Step 3: the apply adopts them and changes nothing at App Xchange.
	w.mustRun("validate", "-no-color")
	sb.resetStats(t)
	applied := w.mustRun("apply", "-auto-approve", "-no-color")
	if !strings.Contains(applied, "4 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("the apply did not import exactly the 4 clients:\n%s", tail(applied, 40))
	}
	sb.expectNoWrites(t)()
	for id := range own {
		state := w.mustRun("state", "show", "-no-color", "appxchange_oauth_client."+resourceNameFor(t, blocks, id))
		if !strings.Contains(state, id) {
			t.Errorf("the state of the client %s does not hold its id:\n%s", id, state)
		}
	}

	// Step 4: with the import blocks gone, the configuration plans no change.
	if err := os.Remove(filepath.Join(w.dir, "imports.tf")); err != nil {
		t.Fatal(err)
	}
	if out := w.mustRun("plan", "-detailed-exitcode", "-no-color"); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after the import is not empty:\n%s", tail(out, 40))
	}
}

// resourceNameFor is the resource name that the import blocks give the client id.
func resourceNameFor(t *testing.T, blocks, id string) string {
	t.Helper()
	m := regexp.MustCompile(`to = appxchange_oauth_client\.(\S+)\n\s*id = "` + regexp.QuoteMeta(id) + `"`).FindStringSubmatch(blocks)
	if m == nil {
		t.Fatalf("no import block for %s:\n%s", id, blocks)
	}
	return m[1]
}

// copyDir copies the .tf, .tfquery.hcl and .tftest.hcl files of src and of its
// subdirectories into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if filepath.Ext(path) != ".tf" && !strings.HasSuffix(path, ".tfquery.hcl") && !strings.HasSuffix(path, ".tftest.hcl") {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), content, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
