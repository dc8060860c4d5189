package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// variant is one of the things measured side by side: N resources of the provider,
// of the do-nothing plugin, of HashiCorp's time provider, or of Terraform's built-in
// terraform_data; or the provider again under Go's garbage collection defaults.
type variant struct {
	key    string // short name, used for directories
	title  string // column title
	plugin string // plugin binary name; empty for terraform_data
	config func(n int, apiURL string) string
	// env is added to the CLI's environment, which the CLI passes to its plugins.
	env []string
	// api: the variant's commands call the sandbox, whose requests are recorded.
	api bool
}

var (
	coreVariant = variant{key: "core", title: "terraform_data", config: coreConfig}
	noopVariant = variant{
		key: "noop", title: "do-nothing plugin", plugin: "terraform-provider-noop",
		config: func(n int, _ string) string { return pluginConfig(n, "noop", "bench/noop", "", "bench") },
	}
	providerVariant = variant{
		key: "provider", title: "appxchange", plugin: "terraform-provider-appxchange", api: true,
		config: func(n int, apiURL string) string {
			return pluginConfig(n, "appxchange", "appxchange/appxchange", providerBlock(apiURL), "bench")
		},
	}
	// timeVariant is a peer: a framework provider of HashiCorp's own, with no API,
	// built from the Go module proxy (timeModule).
	timeVariant = variant{key: "time", title: "time provider", plugin: "terraform-provider-time", config: timeConfig}
	// gcDefaultsVariant is the provider with GOGC=100 in its environment, which wins
	// over its own policy (plugin.TuneGC): what the policy changes, measured alike.
	gcDefaultsVariant = variant{
		key: "provider-gogc100", title: "appxchange, Go's GC defaults", plugin: "terraform-provider-appxchange",
		env: []string{"GOGC=100"}, api: true,
		config: func(n int, apiURL string) string {
			return pluginConfig(n, "appxchange", "appxchange/appxchange", providerBlock(apiURL), "benchgc")
		},
	}
	// variants are always measured; timeVariant and gcDefaultsVariant when asked.
	variants = []variant{coreVariant, noopVariant, providerVariant}
	// pluginVariants are those with a plugin of their own, which the stand-in serves.
	pluginVariants = []variant{noopVariant, providerVariant, timeVariant}
)

// timeModule is the time provider that the benchmark builds as its peer.
const timeModule = "github.com/hashicorp/terraform-provider-time@v0.14.2"

// Seeded public connectors of the sandbox: the clients alternate between them, so a
// plan meets two distinct connectors.
var connectors = []struct{ id, definition string }{
	{"6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a01", "oAuth2CodeFlow"},
	{"6f1c2b0e-8a7d-4c1e-9b3f-0d2a5e7c9a02", "oAuth2ClientCredentials"},
}

func connectorsLocal() string {
	var b strings.Builder
	b.WriteString("locals {\n  connectors = [\n")
	for _, c := range connectors {
		fmt.Fprintf(&b, "    { id = %q, definition = %q },\n", c.id, c.definition)
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}

// providerBlock configures the provider with the sandbox's seeded service account,
// so that tokens are fetched and counted as a real pipeline's would be.
func providerBlock(apiURL string) string {
	return fmt.Sprintf(`provider "appxchange" {
  base_url      = %q
  token_url     = %q
  client_id     = "acme-automation"
  client_secret = "acme-automation-secret"
}
`, apiURL+"/management/v1", apiURL+"/oauth/token")
}

// pluginConfig is n OAuth clients of a plugin, the provider or the do-nothing one,
// their names starting with prefix (two variants may share one API).
func pluginConfig(n int, name, source, providerBlock, prefix string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    %[2]s = { source = %[3]q }
  }
}

%[4]s
%[5]s
resource "%[2]s_oauth_client" "bench" {
  count = %[1]d

  name                     = "%[6]s-${count.index}"
  connector_id             = local.connectors[count.index %% 2].id
  connection_definition    = local.connectors[count.index %% 2].definition
  client_id                = "%[6]s-app-${count.index}"
  client_secret_wo         = "%[6]s-secret-${count.index}"
  client_secret_wo_version = 1
  client_secret_expires_at = "2030-12-31T23:59:59Z"
  scopes                   = ["openid", "offline_access"]
}
`, n, name, source, providerBlock, connectorsLocal(), prefix)
}

// coreConfig is n terraform_data resources carrying the same values.
func coreConfig(n int, _ string) string {
	return fmt.Sprintf(`%[2]s
resource "terraform_data" "bench" {
  count = %[1]d

  input = {
    name                     = "bench-${count.index}"
    connector_id             = local.connectors[count.index %% 2].id
    connection_definition    = local.connectors[count.index %% 2].definition
    client_id                = "bench-app-${count.index}"
    client_secret            = sensitive("bench-secret-${count.index}")
    client_secret_expires_at = "2030-12-31T23:59:59Z"
    scopes                   = toset(["openid", "offline_access"])
  }
}
`, n, connectorsLocal())
}

// timeConfig is n time_offset resources of the time provider: fixed instants, so
// that a plan after the apply finds nothing to do.
func timeConfig(n int, _ string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}

resource "time_offset" "bench" {
  count = %d

  base_rfc3339 = "2030-12-31T23:59:59Z"
  offset_days  = count.index %% 2 + 1
}
`, n)
}

// phase is one CLI command measured.
type phase struct {
	name string
	args []string
	// noChanges: the command must find nothing to do (plan -detailed-exitcode exits 0).
	noChanges bool
	// bare: the command takes neither -input nor -parallelism (terraform query).
	bare bool
}

var phases = []phase{
	{name: "apply", args: []string{"apply", "-auto-approve"}},
	{name: "plan", args: []string{"plan", "-detailed-exitcode"}, noChanges: true},
	{name: "plan -refresh=false", args: []string{"plan", "-refresh=false", "-detailed-exitcode"}, noChanges: true},
	{name: "destroy", args: []string{"destroy", "-auto-approve"}},
}

// cli runs the Terraform CLI in workspaces under one directory, with an environment
// of its own: no logging, no plugin cache, and the plugins as dev overrides.
type cli struct {
	path        string
	env         []string
	parallelism int
	rssFile     string
}

// newCLI writes the CLI configuration that points the plugins at standIn, a
// directory of symbolic links to this executable, which starts the real plugins
// found in pluginDir. GOGC and GOMEMLIMIT are left out of the environment: they would
// override the provider's own garbage collection policy.
func newCLI(path, dir, standIn, pluginDir string, parallelism int) (*cli, error) {
	rc := filepath.Join(dir, "terraformrc")
	err := os.WriteFile(rc, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "appxchange/appxchange" = %[1]q
    "bench/noop"           = %[1]q
    "hashicorp/time"       = %[1]q
  }
  direct {}
}
`, standIn), 0o600)
	if err != nil {
		return nil, err
	}
	c := &cli{path: path, parallelism: parallelism, rssFile: filepath.Join(dir, "peak-rss")}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "APPXCHANGE_") || name == "CHECKPOINT_DISABLE" ||
			name == "GOGC" || name == "GOMEMLIMIT" {
			continue
		}
		c.env = append(c.env, kv)
	}
	c.env = append(c.env, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		PluginDirEnv+"="+pluginDir, PeakRSSEnv+"="+c.rssFile)
	return c, nil
}

// measured is what one command cost.
type measured struct {
	elapsed time.Duration
	peakRSS []int64 // of each plugin process the command started
}

// run runs one command in dir, with env added to the CLI's environment, and measures
// it. Its output goes to dir/last.log.
func (c *cli) run(ctx context.Context, dir string, ph phase, env []string) (measured, error) {
	if err := os.Remove(c.rssFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return measured{}, err
	}
	args := append([]string{"-chdir=" + dir}, ph.args...)
	args = append(args, "-no-color")
	if !ph.bare {
		args = append(args, "-input=false")
	}
	if c.parallelism > 0 && !ph.bare {
		args = append(args, fmt.Sprintf("-parallelism=%d", c.parallelism))
	}
	logPath := filepath.Join(dir, "last.log")
	out, err := os.Create(logPath)
	if err != nil {
		return measured{}, err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = slices.Concat(c.env, env), out, out
	start := time.Now()
	err = cmd.Run()
	m := measured{elapsed: time.Since(start)}
	if err != nil {
		return m, fmt.Errorf("%s in %s: %w\n%s", strings.Join(ph.args, " "), dir, err, tail(logPath, 30))
	}
	m.peakRSS, err = readPeakRSS(c.rssFile)
	return m, err
}

// output runs a command whose standard output is the result, such as
// `providers schema -json` or `output -json`.
func (c *cli) output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, c.path, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s in %s: %w\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// tail is the last lines of a file, for an error message.
func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
