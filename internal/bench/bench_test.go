package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the plugins, as the benchmark's own
// executable does when the smoke test runs it.
func TestMain(m *testing.M) {
	if StandsInForPlugin() {
		os.Exit(ServePlugin())
	}
	os.Exit(m.Run())
}

// TestAccBench_smallRun runs the whole benchmark, small, through the CLI of make
// test: every command of every variant (the peer and Go's GC defaults included), the
// request counts, the peak memory of the plugins, the data source and the
// rate-limited plans. The request targets hold at any size, so they must hold here;
// times at this size mean nothing and are not checked.
func TestAccBench_smallRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI; make test runs it")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run make test")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	res, err := Run(t.Context(), Options{
		CLI: cli, Counts: []int{3}, Reps: 1, DataSourceClients: 25, Peer: true, GCDefaults: true, RateLimitedClients: 4,
		Dir: t.TempDir(), Repo: repo, Progress: &progress,
	})
	if err != nil {
		t.Fatalf("the benchmark failed: %v\n%s", err, progress.String())
	}
	var report strings.Builder
	if failed := Report(&report, res); len(failed) > 0 {
		t.Errorf("request targets not met:\n%s\n\n%s", strings.Join(failed, "\n"), report.String())
	}
	if len(res.Variants) != 5 {
		t.Errorf("measured %d variants, want 5 (the peer and Go's GC defaults included)", len(res.Variants))
	}
	for _, v := range res.Variants {
		for _, ph := range phases {
			samples := res.Commands[cell{3, v.key, ph.name}]
			if len(samples) != 1 || samples[0].elapsed <= 0 {
				t.Errorf("%s %s: %d samples, want 1 with a time", v.title, ph.name, len(samples))
				continue
			}
			if v.plugin != "" && (processes(samples) == 0 || (peak(samples) == 0 && peakRSSMeasured)) {
				t.Errorf("%s %s: no plugin process measured (%d processes, peak %d bytes)", v.title, ph.name, processes(samples), peak(samples))
			}
		}
	}
	if res.DataSource == nil || res.DataSource.clients < 25 || len(res.DataSource.gcDefaults) != 1 {
		t.Errorf("the data source read %+v, want at least the 25 clients made, also under Go's GC defaults", res.DataSource)
	}
	if len(res.RateLimited) != len(rateLimitedScenarios) {
		t.Errorf("%d rate-limited scenarios measured, want %d", len(res.RateLimited), len(rateLimitedScenarios))
	}
	for _, rl := range res.RateLimited {
		// A refreshing plan reads each client: 4 reads at least, each under the limit.
		if len(rl.samples) != 1 || limitedPlanOf(rl.samples[0], rl.rate).limited < 4 {
			t.Errorf("%s: %d plans, want 1 with at least a read per client: %+v", rl.title, len(rl.samples), rl.samples)
		}
	}
	// On a CLI that has terraform query the query must have run, at both sizes; on
	// one that has not, the report says so and the run passes.
	if res.Query == nil {
		t.Errorf("the query was skipped")
	} else if queryCLI.MatchString(res.CLIVersion) {
		if res.Query.notMeasured != "" || len(res.Query.sizes) != 2 {
			t.Errorf("%s has terraform query, but the query was not measured at both sizes: %q, %d sizes",
				res.CLIVersion, res.Query.notMeasured, len(res.Query.sizes))
		}
		if !strings.Contains(report.String(), "| clients listed | results |") || (peakRSSMeasured && !strings.Contains(report.String(), "Peak RSS over ")) {
			t.Errorf("the report has no query table or no RSS ratio:\n%s", report.String())
		}
	} else {
		if !strings.Contains(report.String(), "`terraform query` not measured: needs Terraform 1.14 or later (the CLI is "+res.CLIVersion+")") {
			t.Errorf("the report does not say why the query was not measured:\n%s", report.String())
		}
		t.Logf("terraform query not measured: %s", res.Query.notMeasured)
	}
	for _, want := range []string{
		"| apply |", "| plan -refresh=false |", "| destroy |", "### Data source over", "### Query over", "### Targets",
		"× time provider |", "| appxchange, Go's GC defaults |", "### No-op plan of 4 OAuth clients, rate limit 20/s, 20% faults",
	} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("the report has no %q:\n%s", want, report.String())
		}
	}
	t.Logf("bench smoke run:\n%s", report.String())
}

// queryCLI matches the version line of a CLI that has `terraform query` of list
// resources: Terraform 1.14 and later. It is written apart from queryUnsupported, so
// that a mistake there cannot hide the query from the smoke run.
var queryCLI = regexp.MustCompile(`^Terraform v(1\.(1[4-9]|[2-9][0-9])|[2-9])\.`)

// results makes Results of one command per variant and phase at n resources, with
// the given API requests for the provider's commands: terraform_data takes 1 s, the
// do-nothing plugin 2 s, the provider 3 s, and any variant added after them 4 s, 5 s.
func results(n int, requests map[string]map[string]int, added ...variant) *Results {
	vs := slices.Concat(variants, added)
	r := &Results{CLIVersion: "Terraform v0.0.0", Counts: []int{n}, Reps: 1, Variants: vs, Commands: map[cell][]sample{}}
	for i, v := range vs {
		for _, ph := range phases {
			s := sample{measured: measured{elapsed: time.Duration(i+1) * time.Second, peakRSS: []int64{0, 40 << 20}}}
			if v.api {
				s.requests = requests[ph.name]
			}
			r.Commands[cell{n, v.key, ph.name}] = []sample{s}
		}
	}
	return r
}

// ideal is what the provider's commands ask of the API at n resources, at best.
func ideal(n int) map[string]map[string]int {
	return map[string]map[string]int{
		"apply":               {routeCreate + " 201": n, routeToken + " 200": 2, routeConnector + " 200": 4},
		"plan":                {routeRead + " 200": n, routeToken + " 200": 1},
		"plan -refresh=false": {},
		"destroy":             {routeRead + " 200": n, routeDelete + " 204": n, routeToken + " 200": 2},
	}
}

func TestReportKeepsRequestTargets(t *testing.T) {
	var out strings.Builder
	if failed := Report(&out, results(10, ideal(10))); len(failed) > 0 {
		t.Fatalf("the ideal requests failed targets: %v\n%s", failed, out.String())
	}
	for _, want := range []string{
		"| apply | 1.00 s | 2.00 s | 3.00 s | 1.50 | 3.00 |",
		"| apply | 1.000 | 0.000 | 0.000 | 0.000 | 2 | 0 | 4 | 0 | 0 | 2 | 40 MiB | 40 MiB |",
		"N=10 plan within 1.15× of do-nothing plugin: 1.50× (**not met**)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no line %q:\n%s", want, out.String())
		}
	}
}

func TestReportFailsBrokenRequestTargets(t *testing.T) {
	for name, breakIt := range map[string]func(map[string]map[string]int){
		"a create per client twice": func(r map[string]map[string]int) { r["apply"][routeCreate+" 201"] = 20 },
		"a read without refresh":    func(r map[string]map[string]int) { r["plan -refresh=false"][routeRead+" 200"] = 1 },
		"a token per client":        func(r map[string]map[string]int) { r["plan"][routeToken+" 200"] = 10 },
		"a connector per client":    func(r map[string]map[string]int) { r["plan"][routeConnector+" 200"] = 10 },
		"a refused request":         func(r map[string]map[string]int) { r["destroy"][routeDelete+" 412"] = 1 },
		"a request of another kind": func(r map[string]map[string]int) { r["plan"][routeList+" 200"] = 1 },
		"a delete missing":          func(r map[string]map[string]int) { r["destroy"][routeDelete+" 204"] = 9 },
	} {
		t.Run(name, func(t *testing.T) {
			requests := ideal(10)
			breakIt(requests)
			var out strings.Builder
			if failed := Report(&out, results(10, requests)); len(failed) == 0 {
				t.Errorf("no target failed:\n%s", out.String())
			}
		})
	}
}

func TestMedian(t *testing.T) {
	s := func(ds ...time.Duration) []sample {
		out := make([]sample, len(ds))
		for i, d := range ds {
			out[i].elapsed = d
		}
		return out
	}
	for _, tc := range []struct {
		samples []sample
		want    time.Duration
	}{
		{s(3, 1, 2), 2},
		{s(4, 1, 3, 2), 2}, // (2+3)/2 in integer nanoseconds
		{s(7), 7},
		{nil, 0},
	} {
		if got := median(tc.samples); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.samples, got, tc.want)
		}
	}
}

func TestShapeDiff(t *testing.T) {
	str := attributeShape{Type: []byte(`"string"`), Optional: true}
	want := map[string]attributeShape{"name": str, "secret": {Type: []byte(`"string"`), Optional: true, Sensitive: true}}
	if d := shapeDiff(want, map[string]attributeShape{"name": str, "secret": want["secret"]}); d != "" {
		t.Errorf("equal shapes differ: %s", d)
	}
	got := shapeDiff(want, map[string]attributeShape{"name": str, "secret": str, "extra": str})
	for _, part := range []string{"secret is", "extra is extra"} {
		if !strings.Contains(got, part) {
			t.Errorf("the difference %q does not say %q", got, part)
		}
	}
	if d := shapeDiff(want, map[string]attributeShape{"name": str}); !strings.Contains(d, "secret is missing") {
		t.Errorf("a missing attribute is not named: %q", d)
	}
}

func TestPeakRSSFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rss")
	if got, err := readPeakRSS(file); err != nil || got != nil {
		t.Fatalf("no file: %v, %v", got, err)
	}
	for _, v := range []int64{100, 0, 300} {
		if err := appendPeakRSS(file, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readPeakRSS(file)
	if err != nil || len(got) != 3 || got[0] != 100 || got[2] != 300 {
		t.Errorf("read %v, %v; want [100 0 300]", got, err)
	}
}

func TestReportComparesWithEveryBaseline(t *testing.T) {
	var out strings.Builder
	if failed := Report(&out, results(10, ideal(10), timeVariant, gcDefaultsVariant)); len(failed) > 0 {
		t.Fatalf("the ideal requests failed targets: %v\n%s", failed, out.String())
	}
	for _, want := range []string{
		"| command | terraform_data | do-nothing plugin | time provider | appxchange | × do-nothing plugin | × terraform_data | × time provider |",
		// terraform_data 1 s, do-nothing 2 s, appxchange 3 s, time 4 s.
		"| plan | 1.00 s | 2.00 s | 4.00 s | 3.00 s | 1.50 | 3.00 | 0.75 |",
		"| apply | 1.000 | 0.000 | 0.000 | 0.000 | 2 | 0 | 4 | 0 | 0 | 2 | 40 MiB | 40 MiB | 40 MiB |",
		"N=10 plan within 2.00× of terraform_data: 3.00× (**not met**)",
		"N=10 plan within 1.00× of time provider: 0.75× (met)",
		// Go's GC defaults 5 s.
		"| plan | 3.00 s | 5.00 s | 0.60 | 40 MiB | 40 MiB |",
		"N=10 plan under the GC policy within 1.00× of Go's GC defaults: 0.60× (met)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no line %q:\n%s", want, out.String())
		}
	}

	// Without the peer and the GC comparison, neither is reported.
	out.Reset()
	Report(&out, results(10, ideal(10)))
	for _, absent := range []string{"time provider", "Go's GC defaults"} {
		if strings.Contains(out.String(), absent) {
			t.Errorf("the report names %q, which was not measured:\n%s", absent, out.String())
		}
	}
}

func TestReportGCTargets(t *testing.T) {
	r := results(20, ideal(20), gcDefaultsVariant)
	// The policy's plan, slower than Go's defaults (4 s): the target is not met.
	r.Commands[cell{20, providerVariant.key, "plan"}][0].elapsed = 6 * time.Second
	mib := func(m int64, d time.Duration) []sample {
		return []sample{{measured: measured{elapsed: d, peakRSS: []int64{m << 20}}}}
	}
	r.DataSource = &dataSourceResult{clients: 20, samples: mib(300, 3*time.Second), gcDefaults: mib(150, 4*time.Second)}
	var out strings.Builder
	Report(&out, r)
	for _, want := range []string{
		"N=20 plan under the GC policy within 1.00× of Go's GC defaults: 1.50× (**not met**)",
		"the data source's read: peak RSS under the GC policy within 1.5× of Go's GC defaults: 2.00× (300 MiB, 150 MiB); time 0.75× (**not met**)",
		"Garbage collection, the data source's read: 3.00 s and 300 MiB peak RSS under the policy, 4.00 s and 150 MiB under Go's defaults (GOGC=100).",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no line %q:\n%s", want, out.String())
		}
	}
}

func TestRateLimitedReport(t *testing.T) {
	// A no-op plan of 300 clients: a read each, 10 of them refused once by the limit
	// and then read, one /me, two connectors, and a token, which is not limited.
	requests := map[string]int{
		routeRead + " 200": 300, routeRead + " 429": 10, routeMe + " 200": 1, routeConnector + " 200": 2, routeToken + " 200": 1,
	}
	plan := func(elapsed time.Duration, refused int) sample {
		return sample{measured: measured{elapsed: elapsed}, requests: requests, rateLimited: refused}
	}
	for _, tc := range []struct {
		name    string
		samples []sample
		want    []string
	}{{
		name: "both targets met",
		// 313 limited requests, 303 passed: a floor of 15.15 s.
		samples: []sample{plan(16*time.Second, 10), plan(15500*time.Millisecond, 10), plan(30*time.Second, 10)},
		want: []string{
			"| 1 | 16.00 s | 15.15 s | 1.06 | 313 | 10 | 3.2% | GET /management/v1/connectors/{id} 200: 2; GET /management/v1/me 200: 1; GET /management/v1/oauth-clients/{id} 200: 300; GET /management/v1/oauth-clients/{id} 429: 10; POST /oauth/token 200: 1 |",
			"no-op plan of 300 clients, rate limit 20/s: median time within 1.1× of the floor: 1.06× (met)",
			"no-op plan of 300 clients, rate limit 20/s: at most 5% of requests refused by the limit: 3.2% (the worst repetition) (met)",
		},
	}, {
		name: "slow, and too many refused",
		// 313 limited requests, 293 passed: a floor of 14.65 s.
		samples: []sample{plan(20*time.Second, 20)},
		want: []string{
			"| 1 | 20.00 s | 14.65 s | 1.37 | 313 | 20 | 6.4% |",
			"median time within 1.1× of the floor: 1.37× (**not met**)",
			"at most 5% of requests refused by the limit: 6.4% (the worst repetition) (**not met**)",
		},
	}, {
		name:    "not run",
		samples: nil,
		want:    []string{"median time within 1.1× of the floor: not run (**not met**)"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := results(10, ideal(10))
			r.RateLimited = []*rateLimitedResult{{title: "rate limit 20/s", clients: 300, rate: 20, samples: tc.samples}}
			var out strings.Builder
			if failed := Report(&out, r); len(failed) > 0 {
				t.Errorf("the rate-limited scenario failed the run: %v", failed)
			}
			for _, want := range tc.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report has no %q:\n%s", want, out.String())
				}
			}
		})
	}
}
