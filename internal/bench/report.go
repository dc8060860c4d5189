package bench

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Routes of the API as the sandbox's stats name them.
const (
	routeCreate    = "POST /management/v1/oauth-clients"
	routeRead      = "GET /management/v1/oauth-clients/{id}"
	routeUpdate    = "PATCH /management/v1/oauth-clients/{id}"
	routeDelete    = "DELETE /management/v1/oauth-clients/{id}"
	routeList      = "GET /management/v1/oauth-clients"
	routeToken     = "POST /oauth/token"
	routeMe        = "GET /management/v1/me"
	routeConnector = "GET /management/v1/connectors/{id}"
)

// requestCounts are the API requests of one command, by route, with the answers that
// were not 2xx counted apart.
type requestCounts struct {
	byRoute map[string]int
	failed  int
}

func countRequests(stats map[string]int) requestCounts {
	rc := requestCounts{byRoute: map[string]int{}}
	for key, count := range stats {
		i := strings.LastIndexByte(key, ' ')
		route, status := key[:i], key[i+1:]
		rc.byRoute[route] += count
		if !strings.HasPrefix(status, "2") {
			rc.failed += count
		}
	}
	return rc
}

// other is every request that is none of the given routes.
func (rc requestCounts) other(known ...string) int {
	n := 0
	for route, count := range rc.byRoute {
		if !slices.Contains(known, route) {
			n += count
		}
	}
	return n
}

// worst is, route by route, the largest count of any sample: the report and the
// targets hold every repetition to the same promise.
func worst(samples []sample) requestCounts {
	out := requestCounts{byRoute: map[string]int{}}
	for _, s := range samples {
		rc := countRequests(s.requests)
		for route, count := range rc.byRoute {
			out.byRoute[route] = max(out.byRoute[route], count)
		}
		out.failed = max(out.failed, rc.failed)
	}
	return out
}

func median(samples []sample) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	d := make([]time.Duration, len(samples))
	for i, s := range samples {
		d[i] = s.elapsed
	}
	slices.Sort(d)
	mid := len(d) / 2
	if len(d)%2 == 0 {
		return (d[mid-1] + d[mid]) / 2
	}
	return d[mid]
}

// processes is the most plugin processes any sample's command started.
func processes(samples []sample) int {
	n := 0
	for _, s := range samples {
		n = max(n, len(s.peakRSS))
	}
	return n
}

// peak is the largest peak RSS of any plugin process of any sample, in bytes.
func peak(samples []sample) int64 {
	var p int64
	for _, s := range samples {
		for _, rss := range s.peakRSS {
			p = max(p, rss)
		}
	}
	return p
}

// target is one promise of the benchmark, kept or not.
type target struct {
	what string
	got  string
	met  bool
	// timing: a target on time (or on what a timed client achieves), reported but
	// never failing the run, since the machines that run it are shared.
	timing bool
}

// Report writes the results as markdown and returns the targets on requests that were
// not met; timing targets are reported alone.
func Report(w io.Writer, r *Results) (failed []string) {
	fmt.Fprintf(w, "## Benchmark\n\n%s, %s/%s, %d CPUs; medians of %d repetitions, the variants alternating.\n",
		r.CLIVersion, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), r.Reps)
	var targets []target
	baselines := r.baselines()
	for _, n := range r.Counts {
		fmt.Fprintf(w, "\n### N = %d\n\n", n)
		header, align := "| command |", "|---|"
		for _, v := range append(slices.Clone(baselines), providerVariant) {
			header, align = header+" "+v.title+" |", align+"---:|"
		}
		for _, v := range r.ratioBaselines() {
			header, align = header+" × "+v.title+" |", align+"---:|"
		}
		fmt.Fprintf(w, "%s\n%s\n", header, align)
		for _, ph := range phases {
			prov := r.median(n, providerVariant, ph)
			row := "| " + ph.name + " |"
			for _, v := range baselines {
				row += " " + seconds(r.median(n, v, ph)) + " |"
			}
			row += " " + seconds(prov) + " |"
			for _, v := range r.ratioBaselines() {
				row += " " + ratio(prov, r.median(n, v, ph)) + " |"
			}
			fmt.Fprintln(w, row)
		}
		fmt.Fprintf(w, "\nAPI requests of appxchange; per resource for OAuth clients, per command for the rest; "+
			"peak RSS of one plugin process.\n\n")
		peers := "" // the peak RSS of the time provider, when measured
		if r.has(timeVariant) {
			peers = " peak RSS time provider |"
		}
		fmt.Fprintf(w, "| command | POST | GET | PATCH | DELETE | token | /me | connector | other | not 2xx | plugin processes | peak RSS appxchange | peak RSS do-nothing |%s\n", peers)
		fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n", strings.Repeat("---:|", strings.Count(peers, "|")))
		for _, ph := range phases {
			samples := r.Commands[cell{n, providerVariant.key, ph.name}]
			rc := worst(samples)
			procs := processes(samples)
			per := func(route string) string { return fmt.Sprintf("%.3f", float64(rc.byRoute[route])/float64(n)) }
			peerRSS := ""
			if peers != "" {
				peerRSS = " " + mebibytes(peak(r.Commands[cell{n, timeVariant.key, ph.name}])) + " |"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d | %s | %s |%s\n", ph.name,
				per(routeCreate), per(routeRead), per(routeUpdate), per(routeDelete),
				rc.byRoute[routeToken], rc.byRoute[routeMe], rc.byRoute[routeConnector],
				rc.other(routeCreate, routeRead, routeUpdate, routeDelete, routeToken, routeMe, routeConnector),
				rc.failed, procs, mebibytes(peak(samples)), mebibytes(peak(r.Commands[cell{n, noopVariant.key, ph.name}])), peerRSS)
			targets = append(targets, requestTargets(n, ph.name, rc, procs)...)
		}
		if r.has(gcDefaultsVariant) {
			targets = append(targets, r.reportGC(w, n)...)
		}
	}
	if largest := slices.Max(r.Counts); largest > 0 {
		targets = append(targets, r.timingTargets(largest)...)
	}
	if ds := r.DataSource; ds != nil {
		rc := worst(ds.samples)
		fmt.Fprintf(w, "\n### Data source over %d OAuth clients\n\n", ds.clients)
		fmt.Fprintf(w, "`data \"appxchange_oauth_clients\"` with no filter, read by `apply`.\n\n")
		fmt.Fprintf(w, "| clients | page requests | token | other | not 2xx | time | peak RSS |\n|---:|---:|---:|---:|---:|---:|---:|\n")
		fmt.Fprintf(w, "| %d | %d | %d | %d | %d | %s | %s |\n", ds.clients, rc.byRoute[routeList], rc.byRoute[routeToken],
			rc.other(routeList, routeToken), rc.failed, seconds(median(ds.samples)), mebibytes(peak(ds.samples)))
		if len(ds.gcDefaults) > 0 {
			targets = append(targets, reportGCRead(w, "the data source's read", ds.samples, ds.gcDefaults))
		}
		pages := (ds.clients + 999) / 1000
		targets = append(targets, target{
			what: fmt.Sprintf("data source over %d clients: %d page requests (page size 1000)", ds.clients, pages),
			got:  fmt.Sprintf("%d, %d other, %d not 2xx", rc.byRoute[routeList], rc.other(routeList, routeToken), rc.failed),
			met:  rc.byRoute[routeList] == pages && rc.other(routeList, routeToken) == 0 && rc.failed == 0,
		})
	}

	if q := r.Query; q != nil {
		targets = append(targets, q.report(w)...)
	}
	for _, rl := range r.RateLimited {
		targets = append(targets, rl.report(w)...)
	}

	fmt.Fprintf(w, "\n### Targets\n\n")
	for _, t := range targets {
		mark := "met"
		if !t.met {
			mark = "**not met**"
			if !t.timing {
				failed = append(failed, t.what+": "+t.got)
			}
		}
		fmt.Fprintf(w, "- %s: %s (%s)\n", t.what, t.got, mark)
	}
	return failed
}

// has reports whether v was measured.
func (r *Results) has(v variant) bool {
	return slices.ContainsFunc(r.Variants, func(m variant) bool { return m.key == v.key })
}

// baselines are the variants measured that the provider is compared with, in the
// report's order of columns: terraform_data, the do-nothing plugin, the time provider.
func (r *Results) baselines() []variant {
	var out []variant
	for _, v := range []variant{coreVariant, noopVariant, timeVariant} {
		if r.has(v) {
			out = append(out, v)
		}
	}
	return out
}

// ratioBaselines are the baselines in the order of the ratio columns: the do-nothing
// plugin first, the closest floor.
func (r *Results) ratioBaselines() []variant {
	var out []variant
	for _, v := range []variant{noopVariant, coreVariant, timeVariant} {
		if r.has(v) {
			out = append(out, v)
		}
	}
	return out
}

func (r *Results) median(n int, v variant, ph phase) time.Duration {
	return median(r.Commands[cell{n, v.key, ph.name}])
}

// requestTargets are the promises on the API requests of one command at n resources.
func requestTargets(n int, phase string, rc requestCounts, procs int) []target {
	perResource := map[string]map[string]int{ // phase → route → requests per resource
		"apply":               {routeCreate: 1, routeRead: 0, routeUpdate: 0, routeDelete: 0},
		"plan":                {routeCreate: 0, routeRead: 1, routeUpdate: 0, routeDelete: 0},
		"plan -refresh=false": {routeCreate: 0, routeRead: 0, routeUpdate: 0, routeDelete: 0},
		"destroy":             {routeCreate: 0, routeRead: 1, routeUpdate: 0, routeDelete: 1},
	}[phase]
	var parts []string
	met := true
	for _, route := range []string{routeCreate, routeRead, routeUpdate, routeDelete} {
		want := perResource[route] * n
		parts = append(parts, fmt.Sprintf("%s %d", route[:strings.IndexByte(route, ' ')], rc.byRoute[route]))
		met = met && rc.byRoute[route] == want
	}
	ts := []target{{
		what: fmt.Sprintf("N=%d %s: OAuth client requests %s", n, phase, wantString(perResource, n)),
		got:  strings.Join(parts, ", "), met: met,
	}}
	fixed := []struct {
		route, name string
		each        int
	}{{routeToken, "token requests", 1}, {routeMe, "/me reads", 1}, {routeConnector, "connector reads", len(connectors)}}
	for _, f := range fixed {
		ts = append(ts, target{
			what: fmt.Sprintf("N=%d %s: %s at most %d per plugin process (%d processes)", n, phase, f.name, f.each, procs),
			got:  fmt.Sprintf("%d", rc.byRoute[f.route]), met: rc.byRoute[f.route] <= f.each*procs,
		})
	}
	other := rc.other(routeCreate, routeRead, routeUpdate, routeDelete, routeToken, routeMe, routeConnector)
	ts = append(ts, target{
		what: fmt.Sprintf("N=%d %s: no other request and no answer but 2xx", n, phase),
		got:  fmt.Sprintf("%d other, %d not 2xx", other, rc.failed), met: other == 0 && rc.failed == 0,
	})
	return ts
}

func wantString(perResource map[string]int, n int) string {
	var parts []string
	for _, route := range []string{routeCreate, routeRead, routeUpdate, routeDelete} {
		parts = append(parts, fmt.Sprintf("%s %d", route[:strings.IndexByte(route, ' ')], perResource[route]*n))
	}
	return strings.Join(parts, ", ")
}

// timingTargets compare the medians at n resources with the time targets: a no-op
// plan within 2× of terraform_data and no slower than HashiCorp's time provider.
func (r *Results) timingTargets(n int) []target {
	plan, apply := phases[1], phases[0]
	checks := []struct {
		ph    phase
		base  variant
		limit float64
	}{{plan, noopVariant, 1.15}, {plan, coreVariant, 2}, {apply, noopVariant, 1.3}, {plan, timeVariant, 1}}
	var ts []target
	for _, c := range checks {
		if !r.has(c.base) {
			continue
		}
		got := r.median(n, providerVariant, c.ph)
		base := r.median(n, c.base, c.ph)
		ts = append(ts, target{
			what:   fmt.Sprintf("N=%d %s within %.2f× of %s", n, c.ph.name, c.limit, c.base.title),
			got:    ratio(got, base) + "×",
			met:    base > 0 && float64(got) <= c.limit*float64(base),
			timing: true,
		})
	}
	return ts
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

func mebibytes(b int64) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
