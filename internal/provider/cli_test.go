package provider

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// cliWorkspace runs the Terraform CLI the way users do: the provider built as a
// binary, found through dev_overrides, in a directory of .tf files.
type cliWorkspace struct {
	t   *testing.T
	dir string
	env []string
}

func newCLIWorkspace(t *testing.T) *cliWorkspace {
	t.Helper()
	// Like the framework's acceptance tests: skipped without TF_ACC (go test -short),
	// which make test always sets, and whose scripts/test.sh fails on any skip.
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1, or run make test")
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; run make test")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-appxchange"), "github.com/appxchange/terraform-provider-appxchange")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "appxchange/appxchange" = %q
  }
  direct {}
}
`, bin))
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_LOG=trace", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &cliWorkspace{t: t, dir: work, env: env}
}

// run runs the CLI with TF_LOG=trace and returns everything it printed.
func (w *cliWorkspace) run(args ...string) (string, error) {
	w.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append([]string{"-chdir=" + w.dir}, args...)...)
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// output is the raw value of an output of the workspace's state: what
// `terraform output -raw` prints on stdout, the trace log left out.
func (w *cliWorkspace) output(name string) string {
	w.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "-chdir="+w.dir, "output", "-raw", name)
	cmd.Env = w.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("terraform output -raw %s: %v\n%s", name, err, tail(stderr.String(), 30))
	}
	return string(out)
}

// mustRun is run that fails the test when the CLI fails.
func (w *cliWorkspace) mustRun(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, tail(out, 60))
	}
	return out
}

func (w *cliWorkspace) write(name, content string) {
	writeFile(w.t, filepath.Join(w.dir, name), content)
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tail is the last n lines of s: enough of a trace log to see a failure.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// cliConfig is the terraform and provider blocks of a CLI workspace: the provider
// at baseURL, with settings as lines of HCL such as `max_retries = 2`.
func cliConfig(baseURL string, settings ...string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    appxchange = { source = "appxchange/appxchange" }
  }
}

provider "appxchange" {
  base_url = %q
%s}
`, baseURL, strings.Join(append(settings, ""), "\n"))
}

// cliAcmeConfig is cliConfig authenticating with acme's access token.
func cliAcmeConfig(baseURL string, settings ...string) string {
	return cliConfig(baseURL, append([]string{fmt.Sprintf("access_token = %q", acmeToken)}, settings...)...)
}

// cliServiceAccountConfig is cliConfig authenticating with the sandbox's seeded
// service account.
func (s *testSandbox) cliServiceAccountConfig() string {
	return cliConfig(s.baseURL(), fmt.Sprintf("token_url = %q", s.url+"/oauth/token"),
		fmt.Sprintf("client_id = %q", acmeClientID), fmt.Sprintf("client_secret = %q", acmeSecret))
}

// syncBuffer is a buffer that the sandbox's logger may write from many requests at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// bearerToken matches a credential sent in an Authorization header.
var bearerToken = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]{8,}`)

// TestAccCLI_secretsNeverPrinted drives the real CLI with TF_LOG=trace through plans,
// applies, a rotation and a refused plan, and looks for every secret in everything
// printed, in the sandbox's log and, for write-only secrets, in the state file.
// It also checks that -generate-config-out writes a configuration that validates.
func TestAccCLI_secretsNeverPrinted(t *testing.T) {
	var sandboxLog syncBuffer
	sb := startSandbox(t, func(c *sandbox.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&sandboxLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	w := newCLIWorkspace(t)
	const (
		secret        = "cnry-sec-3b9f27d1"
		writeOnly     = "cnry-wo-8d41c0aa"
		rotated       = "cnry-sec-rot-55a1e2"
		rotatedWO     = "cnry-wo-rot-e7c2b4"
		refusedSecret = "cnry-refused-0c9d7f"
	)
	canaries := []string{secret, writeOnly, rotated, rotatedWO, refusedSecret, acmeSecret}
	config := func(secret, writeOnly string, version int) string {
		return sb.cliServiceAccountConfig() + fmt.Sprintf(`
resource "appxchange_oauth_client" "sensitive" {
  name                     = "kept in state"
  connector_id             = %q
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "sensitive-app"
  client_secret            = %q
  client_secret_expires_at = "2020-01-01T00:00:00Z"
}

resource "appxchange_oauth_client" "write_only" {
  name                     = "never in state"
  connector_id             = %q
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "write-only-app"
  client_secret_wo         = %q
  client_secret_wo_version = %d
}
`, powerbiID, secret, powerbiID, writeOnly, version)
	}
	var outputs []string
	w.write("main.tf", config(secret, writeOnly, 1))
	first := w.mustRun("plan", "-no-color", "-input=false")
	// An expiry in the past is a warning at the attribute's line, not an error.
	if !wrapped(`(?s)Warning: Timestamp In The Past.*client_secret_expires_at = "2020-01-01T00:00:00Z".*The client secret expires at 2020-01-01T00:00:00Z, which has already passed.`).MatchString(first) {
		t.Errorf("the plan does not warn about the past expiry:\n%s", tail(first, 60))
	}
	outputs = append(outputs, first, w.mustRun("apply", "-auto-approve", "-no-color", "-input=false"))

	// Rotation: both secrets change, and the plan says so without showing them.
	w.write("main.tf", config(rotated, rotatedWO, 2))
	plan := w.mustRun("plan", "-no-color", "-input=false")
	if !strings.Contains(plan, "client_secret_wo_version = 1 -> 2") || !strings.Contains(plan, "(sensitive value)") {
		t.Errorf("the rotation plan does not show the change:\n%s", tail(plan, 80))
	}
	outputs = append(outputs, plan, w.mustRun("apply", "-auto-approve", "-no-color", "-input=false"))

	// A refused secret (too long) fails the plan without echoing it. It comes from a
	// sensitive variable, as secrets should: Terraform shows the source line of an
	// error, so a literal written in the configuration would be shown by Terraform itself.
	w.write("refused.tf", fmt.Sprintf(`
variable "refused_secret" {
  type      = string
  sensitive = true
}

resource "appxchange_oauth_client" "refused" {
  name                  = "refused"
  connector_id          = %q
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "refused-app"
  client_secret         = var.refused_secret
}
`, powerbiID))
	w.env = append(w.env, "TF_VAR_refused_secret="+refusedSecret+strings.Repeat("x", 4096))
	refused, err := w.run("plan", "-no-color", "-input=false")
	if err == nil || !strings.Contains(refused, "client_secret") || !strings.Contains(refused, "string length must be between 1 and 4096") {
		t.Errorf("the plan with a secret too long did not fail on client_secret (%v):\n%s", err, tail(refused, 40))
	}
	outputs = append(outputs, refused)
	if err := os.Remove(filepath.Join(w.dir, "refused.tf")); err != nil {
		t.Fatal(err)
	}
	w.env = w.env[:len(w.env)-1]

	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), rotated) {
		t.Error("the state does not hold client_secret: the scan of the state would prove nothing")
	}
	for _, wo := range []string{writeOnly, rotatedWO} {
		if strings.Contains(string(state), wo) {
			t.Errorf("the state file holds the write-only secret %q", wo)
		}
	}

	// An OAuth client made outside Terraform, adopted with generated configuration.
	made, err := sb.apiClient(t, acmeToken).CreateOAuthClient(context.Background(), &client.OAuthClientInput{
		Name: "made by hand", ConnectorID: procoreID, ConnectionDefinitionKey: "oAuth2CodeFlow", ClientID: "by-hand",
		ClientSecret: "by-hand-secret", Scopes: []string{"openid"}, Prompts: []string{"login"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.write("import.tf", fmt.Sprintf("import {\n  to = appxchange_oauth_client.adopted\n  id = %q\n}\n", made.ID))
	outputs = append(outputs, w.mustRun("plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"))
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(generated), `client_id                = "by-hand"`) {
		t.Errorf("the generated configuration lacks the client's attributes:\n%s", generated)
	}
	outputs = append(outputs, w.mustRun("validate", "-no-color"))
	outputs = append(outputs, w.mustRun("apply", "-auto-approve", "-no-color", "-input=false"))
	if out, err := w.run("plan", "-no-color", "-input=false", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after adopting the client is not empty (%v):\n%s", err, tail(out, 60))
	}
	outputs = append(outputs, w.mustRun("destroy", "-auto-approve", "-no-color", "-input=false"))

	printed := strings.Join(outputs, "\n")
	if !strings.Contains(printed, "[TRACE]") || !strings.Contains(printed, "provider.terraform-provider-appxchange") {
		t.Fatal("the CLI printed no trace log of the provider: the scan would prove nothing")
	}
	logged := sandboxLog.String()
	if !strings.Contains(logged, "/oauth-clients") {
		t.Fatal("the sandbox logged no request: the scan of its log would prove nothing")
	}
	for _, c := range canaries {
		if i := strings.Index(printed, c); i >= 0 {
			t.Errorf("the CLI printed the secret %q: ...%s...", c, printed[max(0, i-300):min(len(printed), i+100)])
		}
		if strings.Contains(logged, c) {
			t.Errorf("the sandbox logged the secret %q", c)
		}
	}
	for _, m := range bearerToken.FindAllString(printed+logged, 5) {
		t.Errorf("a bearer token was printed or logged: %q", m)
	}
}

// TestAccCLI_examplesValidate: every example directory (those the docs show, the
// guides' steps, the example module and its own module) says where the provider
// comes from, in a required_providers block of its own, and passes terraform validate.
func TestAccCLI_examplesValidate(t *testing.T) {
	w := newCLIWorkspace(t)
	// Import blocks by identity need Terraform 1.12, query files 1.14: on older CLIs
	// and OpenTofu, which know neither, those files are left out.
	cli := cliUnderTest(t)
	identities, queries := cli.isTerraform(1, 12), cli.isTerraform(1, 14)
	validated := 0
	for _, dir := range exampleDirs(t) {
		if !hasProviderSource(t, dir) {
			t.Errorf("%s has no required_providers entry with source = %q: copied on its own, terraform init looks for "+
				"hashicorp/appxchange. Add a versions.tf like the one in examples/resources/appxchange_connector (tfplugindocs does not render it)", dir, "appxchange/appxchange")
		}
		queryFiles, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
		for _, set := range exampleFileSets(dir, identities, queries) {
			validateExampleCopy(t, w, dir, set, queries && len(queryFiles) > 0)
		}
		validated++
	}
	if want := 6 + 2*btoi(queries); validated < want {
		t.Errorf("validated %d example directories, want at least %d: the provider, quickstart, resource, data source (and list resource) examples", validated, want)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// exitCode is the exit status of a CLI run: 0, or what the error says.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if exit, ok := err.(*exec.ExitError); ok { //nolint:errorlint // the error of exec's Run is an *ExitError itself, never wrapped
		return exit.ExitCode()
	}
	return -1
}

// TestAccCLI_planReadsEachConnectorOnce: a plan of unchanged OAuth clients reads
// nothing but the clients themselves (and nothing at all without refresh), and the
// definition checks of many changed clients share one read of each connector per
// provider process.
func TestAccCLI_planReadsEachConnectorOnce(t *testing.T) {
	sb := startSandbox(t)
	w := newCLIWorkspace(t)
	configure := func(name string) {
		var config strings.Builder
		config.WriteString(sb.cliServiceAccountConfig())
		for i := range 6 {
			fmt.Fprintf(&config, `
resource "appxchange_oauth_client" "procore_%[1]d" {
  name                  = "procore %[1]d %[2]s"
  connector_id          = %[3]q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "procore-%[1]d"
}

resource "appxchange_oauth_client" "powerbi_%[1]d" {
  name                  = "powerbi %[1]d %[2]s"
  connector_id          = %[4]q
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "powerbi-%[1]d"
  client_secret         = "secret-%[1]d"
}
`, i, name, procoreID, powerbiID)
		}
		w.write("main.tf", config.String())
	}
	configure("first")
	w.mustRun("apply", "-auto-approve", "-no-color", "-input=false")

	for _, c := range []struct {
		name    string
		args    []string
		changes bool
		want    map[string]int
	}{
		{"first", []string{"plan", "-refresh=false"}, false, map[string]int{}},
		{"first", []string{"plan"}, false, map[string]int{
			"GET /management/v1/oauth-clients/{id} 200": 12,
			"POST /oauth/token 200":                     1,
		}},
		{"renamed", []string{"plan", "-refresh=false"}, true, map[string]int{
			"GET /management/v1/connectors/{id} 200": 2,
			"POST /oauth/token 200":                  1,
		}},
	} {
		configure(c.name)
		sb.resetStats(t)
		out, err := w.run(append(c.args, "-no-color", "-input=false", "-detailed-exitcode")...)
		if code := exitCode(err); (code == 2) != c.changes || (code != 0 && code != 2) {
			t.Errorf("terraform %s with the names %q exited %d (changes expected: %t):\n%s", strings.Join(c.args, " "), c.name, code, c.changes, tail(out, 40))
		}
		got := sb.stats(t).Requests
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("terraform %s with the names %q made the requests %v, want %v", strings.Join(c.args, " "), c.name, got, c.want)
		}
	}
	w.mustRun("destroy", "-auto-approve", "-no-color", "-input=false")
}

// TestAccCLI_changedElsewhereIsNotOverwritten: a saved plan applied after someone
// else changed the client fails with If-Match, overwriting nothing, and says what to do.
func TestAccCLI_changedElsewhereIsNotOverwritten(t *testing.T) {
	sb := startSandbox(t)
	w := newCLIWorkspace(t)
	config := func(name string) string {
		return cliAcmeConfig(sb.baseURL()) + fmt.Sprintf(`
resource "appxchange_oauth_client" "shared" {
  name                  = %q
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "team-a"
}
`, name, procoreID)
	}
	w.write("main.tf", config("first"))
	w.mustRun("apply", "-auto-approve", "-no-color", "-input=false")
	w.write("main.tf", config("second"))
	w.mustRun("plan", "-no-color", "-input=false", "-out=tfplan")

	api := sb.apiClient(t, acmeToken)
	ctx := context.Background()
	all, err := api.AllOAuthClients(ctx, client.OAuthClientFilter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("want the one client, got %v (%v)", all, err)
	}
	id := all[0].ID
	if _, err := api.UpdateOAuthClient(ctx, id, "", &client.OAuthClientPatch{ClientID: client.Set("team-b")}); err != nil {
		t.Fatal(err)
	}

	out, err := w.run("apply", "-no-color", "-input=false", "tfplan")
	if err == nil || !strings.Contains(out, "Unable to Update OAuth Client") ||
		!regexp.MustCompile(`changed\s+outside\s+Terraform`).MatchString(out) || !regexp.MustCompile(`Run\s+terraform\s+plan\s+again`).MatchString(out) {
		t.Fatalf("the stale apply did not fail with the If-Match error (%v):\n%s", err, tail(out, 40))
	}
	got, err := api.GetOAuthClient(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClientID != "team-b" || got.Name != "first" {
		t.Errorf("the stale apply overwrote the other change: %+v", got)
	}

	// Planning again shows both sides; applying it makes the configuration true.
	plan := w.mustRun("plan", "-no-color", "-input=false")
	if !strings.Contains(plan, `"team-b" -> "team-a"`) || !strings.Contains(plan, `"first" -> "second"`) {
		t.Errorf("the new plan does not show the change made elsewhere:\n%s", tail(plan, 40))
	}
	w.mustRun("apply", "-auto-approve", "-no-color", "-input=false")
	w.mustRun("destroy", "-auto-approve", "-no-color", "-input=false")
}

// exampleDirs is every example directory under examples/: each directory with .tf
// or .tfquery.hcl files, nested ones included (a guide's steps, a module's own
// modules), test directories and hidden ones (.terraform) left out.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..", "examples")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root && (d.Name() == "tests" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.tf"))
		queryFiles, _ := filepath.Glob(filepath.Join(path, "*.tfquery.hcl"))
		if len(files)+len(queryFiles) > 0 {
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// exampleFileSets is the files of an example directory that a user copies together:
// .tf files, with its query files when queries. The two import examples may import
// the same resource, as alternatives: each set has one of them, the one by identity
// only when identities.
func exampleFileSets(dir string, identities, queries bool) [][]string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if queries {
		queryFiles, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
		files = append(files, queryFiles...)
	}
	byID, byIdentity := filepath.Join(dir, "import-by-string-id.tf"), filepath.Join(dir, "import-by-identity.tf")
	sets := [][]string{slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == byIdentity })}
	if identities && slices.Contains(files, byIdentity) {
		sets = append(sets, slices.DeleteFunc(slices.Clone(files), func(f string) bool { return f == byID }))
	}
	return sets
}

// providerSource matches a required_providers block naming the provider by its
// registry source: without it, Terraform takes appxchange for hashicorp/appxchange.
var providerSource = regexp.MustCompile(`(?s)required_providers\s*\{.*?\bappxchange\s*=\s*\{[^}]*\bsource\s*=\s*"appxchange/appxchange"`)

// hasProviderSource reports whether a .tf file of dir requires the provider by its source.
func hasProviderSource(t *testing.T, dir string) bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if providerSource.Match(content) {
			return true
		}
	}
	return false
}

// copyExample writes files, and every subdirectory of dir (an example module's
// tests and modules, a guide's steps), into the empty directory dst, as a user
// copies an example.
func copyExample(t *testing.T, dir string, files []string, dst string) {
	t.Helper()
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, filepath.Base(f)), string(content))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			copyDir(t, filepath.Join(dir, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}

// validateExampleCopy runs terraform validate (-query with query files) on a copy of
// files of an example directory with its subdirectories, after terraform get when
// it calls a module.
func validateExampleCopy(t *testing.T, w *cliWorkspace, dir string, files []string, query bool) {
	t.Helper()
	if err := os.RemoveAll(w.dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExample(t, dir, files, w.dir)
	var config strings.Builder
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		config.Write(content)
	}
	if strings.Contains(config.String(), "module \"") {
		if out, err := w.run("get", "-no-color"); err != nil {
			t.Errorf("%s: terraform get: %v\n%s", dir, err, tail(out, 30))
			return
		}
	}
	validate := []string{"validate", "-no-color"}
	if query {
		validate = append(validate, "-query")
		if !strings.Contains(config.String(), "provider \"appxchange\"") {
			w.write("provider_test.tf", "provider \"appxchange\" {}\n")
		}
	}
	if out, err := w.run(validate...); err != nil {
		t.Errorf("%s does not validate (%d files): %v\n%s", dir, len(files), err, tail(out, 30))
	}
}

// TestAccCLI_examplesInitWhenCopied: every example directory, copied on its own
// out of the repository as a user copies it (with one of its import examples),
// passes terraform init with nothing but the CLI configuration of the provider's
// dev override, and init never looks for hashicorp/appxchange: each directory says
// where the provider comes from.
//
// Terraform 1.15 and later skip the providers that dev_overrides replace at init.
// Older ones and OpenTofu 1.12 still look each one up at its origin (warning that
// init is not needed), which fails for a provider the registry does not have yet:
// there a filesystem mirror offers the built provider as the version CHANGELOG.md
// is about to release, standing in for the registry, so init also checks that the
// examples' version constraint admits that version.
func TestAccCLI_examplesInitWhenCopied(t *testing.T) {
	w := newCLIWorkspace(t)
	cli := cliUnderTest(t)
	env := append(slices.Clone(w.env), "TF_LOG=")
	skips := cli.isTerraform(1, 15)
	version := releaseVersion(t)
	if !skips {
		env = append(env, "TF_CLI_CONFIG_FILE="+mirrorCLIConfig(t, w, cli, version))
	}
	var initialized []string
	copies := 0
	for _, dir := range exampleDirs(t) {
		// Query files go along: CLIs without terraform query ignore them.
		for _, set := range exampleFileSets(dir, cli.isTerraform(1, 12), true) {
			copies++
			copied := &cliWorkspace{t: t, dir: t.TempDir(), env: env}
			copyExample(t, dir, set, copied.dir)
			names := make([]string, len(set))
			for i, f := range set {
				names[i] = filepath.Base(f)
			}
			out, err := copied.run("init", "-input=false", "-no-color")
			switch {
			case err != nil:
				t.Errorf("terraform init fails in a copy of %s (%s): %v\n%s", dir, strings.Join(names, ", "), err, tail(out, 40))
			case strings.Contains(out, "hashicorp/appxchange"):
				t.Errorf("terraform init in a copy of %s (%s) looks for hashicorp/appxchange:\n%s", dir, strings.Join(names, ", "), tail(out, 40))
			case skips && !strings.Contains(out, "not installed as part of init"):
				t.Errorf("terraform init in a copy of %s (%s) does not say that it skipped the overridden provider:\n%s", dir, strings.Join(names, ", "), tail(out, 40))
			case !skips && !strings.Contains(out, "Installed appxchange/appxchange v"+version):
				t.Errorf("terraform init in a copy of %s (%s) did not install appxchange/appxchange %s from the mirror:\n%s", dir, strings.Join(names, ", "), version, tail(out, 40))
			}
		}
		rel, _ := filepath.Rel(filepath.Join("..", "..", "examples"), dir)
		initialized = append(initialized, filepath.ToSlash(rel))
	}
	t.Logf("%s: terraform init ran in %d copies of %d example directories (%s), the provider skipped as overridden: %t",
		cli, copies, len(initialized), strings.Join(initialized, ", "), skips)
	for _, want := range []string{
		"provider", "quickstart", "resources/appxchange_oauth_client", "data-sources/appxchange_account",
		"list-resources/appxchange_oauth_client", "guides/import-oauth-clients/discover", "guides/import-oauth-clients/query",
	} {
		if !slices.Contains(initialized, want) {
			t.Errorf("examples/%s was not copied and initialized; the directories were %v", want, initialized)
		}
	}
}

// releaseVersion is the version at the top of CHANGELOG.md: the next release.
func releaseVersion(t *testing.T) string {
	t.Helper()
	changelog, err := os.ReadFile(filepath.Join("..", "..", "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## (\d+\.\d+\.\d+)`).FindSubmatch(changelog)
	if m == nil {
		t.Fatal("CHANGELOG.md has no version heading")
	}
	return string(m[1])
}

// devOverrideDir is the directory of the provider that the workspace's CLI
// configuration overrides appxchange/appxchange with.
func devOverrideDir(t *testing.T, w *cliWorkspace) string {
	t.Helper()
	var rc string
	for _, e := range w.env {
		if name, ok := strings.CutPrefix(e, "TF_CLI_CONFIG_FILE="); ok {
			rc = name
		}
	}
	content, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"appxchange/appxchange"\s*=\s*("[^"\n]*")`).FindSubmatch(content)
	if m == nil {
		t.Fatalf("the CLI configuration %s has no dev override of appxchange/appxchange:\n%s", rc, content)
	}
	dir, err := strconv.Unquote(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// mirrorCLIConfig writes a CLI configuration with the workspace's dev override,
// and a filesystem mirror holding the overridden provider as version, from which
// alone appxchange/appxchange is installed. The short address in the configuration
// means the CLI's own registry, as in a source: registry.terraform.io for
// Terraform, registry.opentofu.org for OpenTofu, which is where the mirror puts it.
func mirrorCLIConfig(t *testing.T, w *cliWorkspace, cli testCLI, version string) string {
	t.Helper()
	bin := devOverrideDir(t, w)
	host := "registry.terraform.io"
	if cli.kind == "OpenTofu" {
		host = "registry.opentofu.org"
	}
	mirror := t.TempDir()
	pkg := filepath.Join(mirror, host, "appxchange", "appxchange", version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	provider, err := os.ReadFile(filepath.Join(bin, "terraform-provider-appxchange"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "terraform-provider-appxchange"), provider, 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "appxchange/appxchange" = %q
  }
  filesystem_mirror {
    path    = %q
    include = ["appxchange/appxchange"]
  }
  direct {
    exclude = ["appxchange/appxchange"]
  }
}
`, bin, mirror))
	return rc
}
