// Command appxchange-bench measures the provider against Terraform's own floor and
// prints a markdown report (see package bench). `make bench` runs it.
//
//	appxchange-bench -cli PATH [-n 100,1000] [-reps 5] [-parallelism 0] [-data-source 10000]
//		[-peer=true] [-gc-defaults=true] [-rate-limited-clients 300] [-out FILE] [-profile DIR] [-keep]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/appxchange/terraform-provider-appxchange/internal/bench"
)

func main() {
	if bench.StandsInForPlugin() {
		os.Exit(bench.ServePlugin())
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("appxchange-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cliPath := fs.String("cli", "", "Terraform or OpenTofu executable (required)")
	counts := fs.String("n", "1000", "comma-separated resource counts")
	reps := fs.Int("reps", 3, "repetitions of every command; the report gives medians")
	parallelism := fs.Int("parallelism", 0, "the CLI's -parallelism; 0 keeps its default")
	dataSource := fs.Int("data-source", 10000, "OAuth clients read by the data source and terraform query (also at a tenth of them); 0 skips both")
	peer := fs.Bool("peer", true, "also measure HashiCorp's time provider, built with go install from the Go module proxy")
	gcDefaults := fs.Bool("gc-defaults", true, "also measure the provider under Go's GC defaults (GOGC=100), against its own GC policy")
	rateLimited := fs.Int("rate-limited-clients", 300, "OAuth clients planned against sandboxes limited to 20 requests per second, without and with faults; 0 skips them")
	outPath := fs.String("out", "", "also write the report to this file")
	profile := fs.String("profile", "", "write CPU and allocation profiles of every provider process into this directory (with -gc-defaults=false, or those processes write profiles too)")
	keep := fs.Bool("keep", false, "keep the work directory (binaries, workspaces, logs)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ns, err := parseCounts(*counts)
	if err != nil || *cliPath == "" || *rateLimited < 0 {
		fmt.Fprintln(stderr, "appxchange-bench: -cli is required and -n must be positive counts such as 100,1000, -rate-limited-clients 0 or more")
		return 2
	}
	repo, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "appxchange-bench:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "appxchange-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "appxchange-bench:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := bench.Run(ctx, bench.Options{
		CLI: *cliPath, Counts: ns, Reps: *reps, Parallelism: *parallelism, DataSourceClients: *dataSource,
		Peer: *peer, GCDefaults: *gcDefaults, RateLimitedClients: *rateLimited,
		Dir: dir, Repo: repo, ProfileDir: *profile, Progress: stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "appxchange-bench: %v\nappxchange-bench: the work directory is kept: %s\n", err, dir)
		return 1
	}
	var report strings.Builder
	failed := bench.Report(&report, res)
	fmt.Fprint(stdout, report.String())
	if *outPath != "" {
		if err := os.WriteFile(*outPath, []byte(report.String()), 0o644); err != nil {
			fmt.Fprintln(stderr, "appxchange-bench:", err)
			return 1
		}
	}
	if *keep {
		fmt.Fprintf(stderr, "appxchange-bench: the work directory is kept: %s\n", dir)
	} else {
		os.RemoveAll(dir)
	}
	if len(failed) > 0 {
		fmt.Fprintf(stderr, "appxchange-bench: %d request targets not met:\n  %s\n", len(failed), strings.Join(failed, "\n  "))
		return 1
	}
	return 0
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive count", part)
		}
		out = append(out, n)
	}
	return out, nil
}
