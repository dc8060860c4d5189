// Package bench measures what the provider costs per resource against Terraform's own
// floor. Through the real CLI and a sandbox of its own on loopback, it applies, plans
// (with and without refresh) and destroys N appxchange_oauth_client resources, and in
// the same run, alternating, N resources of a do-nothing framework plugin of the same
// schema shape, N terraform_data resources, N time_offset resources of HashiCorp's time
// provider, and the provider again under Go's garbage collection defaults; it counts
// the API requests of every command and each plugin process's peak memory, reads many
// OAuth clients with a data source and with `terraform query`, and plans against
// rate-limited sandboxes. `make bench` runs it; Report prints the results as markdown.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Options are what a run measures, and where.
type Options struct {
	// CLI is the Terraform (or OpenTofu) executable.
	CLI string
	// Counts are the numbers of resources measured, such as 100 and 1000.
	Counts []int
	// Reps is how many times each command is measured; the report gives medians.
	Reps int
	// Parallelism is the CLI's -parallelism; 0 keeps the CLI's default (10).
	Parallelism int
	// DataSourceClients is how many OAuth clients the data source reads, and
	// `terraform query` too, also at a tenth of them; 0 skips both.
	DataSourceClients int
	// Dir is an empty directory for binaries, workspaces, the sandbox and logs.
	Dir string
	// Repo is the repository root, where the binaries are built from.
	Repo string
	// Peer adds HashiCorp's time provider (timeModule), built with go install.
	Peer bool
	// GCDefaults adds the provider under Go's garbage collection defaults (GOGC=100),
	// to the commands and to the data source and the query, to compare with its policy.
	GCDefaults bool
	// RateLimitedClients is how many OAuth clients are planned against sandboxes
	// limited to rateLimit requests per second, without and with faults; 0 skips them.
	RateLimitedClients int
	// ProfileDir, when set, gets a CPU and an allocation profile of every provider
	// process: the provider is built from internal/bench/testdata/profiled-provider.
	ProfileDir string
	// Progress receives a line per step; nil discards them.
	Progress io.Writer
}

// Results are what a run measured.
type Results struct {
	CLIVersion string
	Counts     []int
	Reps       int
	// Variants are those measured, in the order of the report's columns.
	Variants []variant
	// Commands holds every measured command, by resource count, variant and phase.
	Commands map[cell][]sample
	// DataSource is the data source read; nil when skipped.
	DataSource *dataSourceResult
	// Query is `terraform query` over the data source's clients; nil when skipped.
	Query *queryResults
	// RateLimited are the plans against rate-limited sandboxes; empty when skipped.
	RateLimited []*rateLimitedResult
}

type cell struct {
	n       int
	variant string // variant key
	phase   string // phase name
}

// sample is one measured command.
type sample struct {
	measured
	requests map[string]int // API requests by "METHOD /route STATUS"; variants with an API only
	// rateLimited is how many of the requests the sandbox's rate limit refused.
	rateLimited int
}

// Run builds the binaries, starts the sandbox and measures everything Options ask for.
func Run(ctx context.Context, opt Options) (*Results, error) {
	if opt.Reps < 1 || len(opt.Counts) == 0 {
		return nil, errors.New("at least one resource count and one repetition are needed")
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	progress := func(format string, args ...any) { fmt.Fprintf(opt.Progress, "bench: "+format+"\n", args...) }

	bin := filepath.Join(opt.Dir, "bin")
	progress("building the provider, the do-nothing plugin and the sandbox into %s", bin)
	providerPackage := "."
	if opt.ProfileDir != "" {
		providerPackage = "./internal/bench/testdata/profiled-provider"
	}
	builds := [][]string{
		{filepath.Join(bin, providerVariant.plugin), providerPackage},
		{filepath.Join(bin, noopVariant.plugin), "./internal/bench/testdata/noop-provider"},
		{filepath.Join(bin, "appxchange-sandbox"), "./internal/sandbox/cmd/appxchange-sandbox"},
	}
	for _, b := range builds {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1])
		cmd.Dir, cmd.Stderr = opt.Repo, opt.Progress
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go build %s: %w", b[1], err)
		}
	}
	if opt.Peer {
		progress("building the peer, %s", timeModule)
		if err := installTimeProvider(ctx, opt.Dir, bin, opt.Progress); err != nil {
			return nil, err
		}
	}
	standIn, err := standInDir(opt.Dir)
	if err != nil {
		return nil, err
	}

	sb, err := startSandbox(filepath.Join(bin, "appxchange-sandbox"), filepath.Join(opt.Dir, "sandbox.db"), filepath.Join(opt.Dir, "sandbox.log"))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := sb.stop(); err != nil {
			progress("the sandbox exited with %v; its log: %s", err, filepath.Join(opt.Dir, "sandbox.log"))
		}
	}()
	progress("sandbox on %s", sb.url)

	c, err := newCLI(opt.CLI, opt.Dir, standIn, bin, opt.Parallelism)
	if err != nil {
		return nil, err
	}
	if opt.ProfileDir != "" {
		c.env = append(c.env, "APPXCHANGE_BENCH_PROFILE_DIR="+opt.ProfileDir)
	}
	res := &Results{Counts: opt.Counts, Reps: opt.Reps, Variants: measuredVariants(opt), Commands: map[cell][]sample{}}
	version, err := c.output(ctx, opt.Dir, "version")
	if err != nil {
		return nil, err
	}
	res.CLIVersion, _, _ = strings.Cut(string(version), "\n")

	m := &measurer{cli: c, sb: sb, dir: opt.Dir, variants: res.Variants, gcDefaults: opt.GCDefaults, progress: progress}
	if err := m.checkSameShape(ctx); err != nil {
		return nil, err
	}
	progress("warming up: every command once at N=10, not counted")
	if err := m.cycle(ctx, 10, 0, func(cell, sample) {}); err != nil {
		return nil, err
	}
	// The rate-limited scenarios first: they are the likeliest to fail (faults), and
	// the shortest.
	if opt.RateLimitedClients > 0 {
		sandboxBinary := filepath.Join(bin, "appxchange-sandbox")
		for i, sc := range rateLimitedScenarios {
			r, err := m.rateLimited(ctx, sandboxBinary, sc, opt.RateLimitedClients, opt.Reps, i)
			if err != nil {
				return nil, err
			}
			res.RateLimited = append(res.RateLimited, r)
		}
	}
	for _, n := range opt.Counts {
		for rep := range opt.Reps {
			progress("N=%d, repetition %d of %d", n, rep+1, opt.Reps)
			err := m.cycle(ctx, n, rep, func(k cell, s sample) { res.Commands[k] = append(res.Commands[k], s) })
			if err != nil {
				return nil, err
			}
		}
	}
	if opt.DataSourceClients > 0 {
		res.DataSource, res.Query, err = m.manyClients(ctx, opt.DataSourceClients, opt.Reps, res.CLIVersion)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// measuredVariants are the variants that opt asks for, in the report's order: the
// floors, the peer, the provider, the provider under Go's defaults.
func measuredVariants(opt Options) []variant {
	out := []variant{coreVariant, noopVariant}
	if opt.Peer {
		out = append(out, timeVariant)
	}
	out = append(out, providerVariant)
	if opt.GCDefaults {
		out = append(out, gcDefaultsVariant)
	}
	return out
}

// installTimeProvider builds the peer into bin with go install, from dir: outside the
// repository's module, whose go.mod must not choose the peer's dependencies. GOFLAGS is
// cleared, since a -mod flag there would make go install refuse a module@version.
func installTimeProvider(ctx context.Context, dir, bin string, progress io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "install", timeModule)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, progress, progress
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=", "GOWORK=off")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s (the peer; -peer=false skips it): %w", timeModule, err)
	}
	return nil
}

// measurer runs the commands of a benchmark.
type measurer struct {
	cli        *cli
	sb         *sandbox
	dir        string
	variants   []variant
	gcDefaults bool // the data source and the query are also measured under Go's GC defaults
	progress   func(format string, args ...any)
}

// workspace writes the configuration of n resources of v, once, and returns its directory.
func (m *measurer) workspace(v variant, n int) (string, error) {
	dir := filepath.Join(m.dir, "workspaces", fmt.Sprintf("%s-%d", v.key, n))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(v.config(n, m.sb.url)), 0o600)
}

// cycle measures every phase for every variant at n resources: each phase for all
// the variants before the next phase, the variants' order turning with rep, so
// that a slow moment of the machine falls on all of them alike.
func (m *measurer) cycle(ctx context.Context, n, rep int, record func(cell, sample)) error {
	vs := m.variants
	order := slices.Concat(vs[rep%len(vs):], vs[:rep%len(vs)])
	for _, ph := range phases {
		for _, v := range order {
			dir, err := m.workspace(v, n)
			if err != nil {
				return err
			}
			if err := m.sb.resetStats(ctx); err != nil {
				return err
			}
			got, err := m.cli.run(ctx, dir, ph, v.env)
			if err != nil {
				return err
			}
			s := sample{measured: got}
			if v.api {
				st, err := m.sb.stats(ctx)
				if err != nil {
					return err
				}
				s.requests = st.Requests
			}
			record(cell{n: n, variant: v.key, phase: ph.name}, s)
		}
	}
	return nil
}

// standInDir makes the directory that the CLI's dev_overrides point at: each plugin's
// name is a symbolic link to this executable, which then runs the real plugin and
// records its peak memory (see ServePlugin).
func standInDir(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	standIn := filepath.Join(dir, "stand-in")
	if err := os.MkdirAll(standIn, 0o755); err != nil {
		return "", err
	}
	for _, v := range pluginVariants {
		if err := os.Symlink(self, filepath.Join(standIn, v.plugin)); err != nil {
			return "", err
		}
	}
	return standIn, nil
}
