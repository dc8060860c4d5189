package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// rateLimit is the sandbox's limit in the rate-limited scenarios, in requests per
// second per token: the soak test's, and the order of a real API's.
const rateLimit = 20

// Targets of the rate-limited scenarios: a no-op plan within 1.1× of the floor that
// the limit sets, and at most 5% of its requests refused by the limit.
const (
	rateFloorLimit   = 1.1
	rateRefusedLimit = 0.05
)

// rateLimitedScenario is a sandbox limited to rateLimit requests per second.
type rateLimitedScenario struct {
	title string
	flags []string // the sandbox's flags beyond -rate-limit
	// maxRetries, when not 0, is the provider's max_retries: at 20% faults the
	// default 4 leaves about one plan in ten with a request that failed 5 times.
	maxRetries int
}

var rateLimitedScenarios = []rateLimitedScenario{
	{title: fmt.Sprintf("rate limit %d/s", rateLimit)},
	{title: fmt.Sprintf("rate limit %d/s, 20%% faults", rateLimit), flags: []string{"-faults", "0.2"}, maxRetries: 10},
}

// setupApplies is how many times the unmeasured apply of a scenario is tried: an
// apply whose create failed beyond its retries converges on the next (the tainted
// placeholder's idempotency key is looked up), as it would for a user.
const setupApplies = 3

// rateLimitedResult is what no-op plans of many OAuth clients cost against one
// rate-limited sandbox.
type rateLimitedResult struct {
	title   string
	clients int
	rate    float64
	samples []sample
}

// rateLimited starts a sandbox of its own for sc (the i-th scenario: its own
// database), applies n OAuth clients there, not measured, then measures reps no-op
// plans.
func (m *measurer) rateLimited(ctx context.Context, binary string, sc rateLimitedScenario, n, reps, i int) (*rateLimitedResult, error) {
	name := fmt.Sprintf("rate-limited-%d", i+1)
	logPath := filepath.Join(m.dir, name+".log")
	sb, err := startSandbox(binary, filepath.Join(m.dir, name+".db"), logPath,
		append([]string{"-rate-limit", fmt.Sprint(rateLimit)}, sc.flags...)...)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := sb.stop(); err != nil {
			m.progress("the sandbox of %s exited with %v; its log: %s", sc.title, err, logPath)
		}
	}()
	dir := filepath.Join(m.dir, "workspaces", fmt.Sprintf("%s-%d", name, n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config := providerVariant.config(n, sb.url)
	if sc.maxRetries > 0 {
		config = strings.Replace(config, "provider \"appxchange\" {\n", fmt.Sprintf("provider \"appxchange\" {\n  max_retries   = %d\n", sc.maxRetries), 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	m.progress("%s: applying %d OAuth clients, not measured", sc.title, n)
	start := time.Now()
	for try := 1; ; try++ {
		_, err := m.cli.run(ctx, dir, phases[0], nil)
		if err == nil {
			break
		}
		if try == setupApplies {
			return nil, err
		}
		m.progress("%s: the apply failed (%v); applying again, as a user would", sc.title, err)
	}
	m.progress("%s: applied in %s", sc.title, time.Since(start).Round(10*time.Millisecond))
	res := &rateLimitedResult{title: sc.title, clients: n, rate: rateLimit}
	for rep := range reps {
		m.progress("%s: no-op plan of %d OAuth clients, repetition %d of %d", sc.title, n, rep+1, reps)
		if err := sb.resetStats(ctx); err != nil {
			return nil, err
		}
		got, err := m.cli.run(ctx, dir, phases[1], nil)
		if err != nil {
			return nil, err
		}
		st, err := sb.stats(ctx)
		if err != nil {
			return nil, err
		}
		res.samples = append(res.samples, sample{measured: got, requests: st.Requests, rateLimited: st.RateLimited})
	}
	return res, nil
}

// limitedPlan is what one plan did against the limit.
type limitedPlan struct {
	limited int           // requests under the limit: every API request but tokens
	refused int           // of them, those the limit refused
	floor   time.Duration // the time the limit needs for those it let through
	elapsed time.Duration
}

// limitedPlanOf reads one plan's sample: the token endpoint is not rate limited, every
// other request is, and those that passed the limit take 1/rate seconds each at least.
func limitedPlanOf(s sample, rate float64) limitedPlan {
	rc := countRequests(s.requests)
	limited := rc.other(routeToken)
	passed := max(0, limited-s.rateLimited)
	return limitedPlan{
		limited: limited, refused: s.rateLimited, elapsed: s.elapsed,
		floor: time.Duration(float64(passed) / rate * float64(time.Second)),
	}
}

// overFloor is the plan's time over its floor; 0 when there is no floor.
func (p limitedPlan) overFloor() float64 {
	if p.floor <= 0 {
		return 0
	}
	return float64(p.elapsed) / float64(p.floor)
}

// refusedShare is the share of the requests under the limit that it refused.
func (p limitedPlan) refusedShare() float64 {
	if p.limited == 0 {
		return 0
	}
	return float64(p.refused) / float64(p.limited)
}

// report writes the scenario's section and returns its targets: the median plan's
// time over the floor, and the largest share refused by any plan. Both are reported
// and never fail the run: the time is the machine's, and the share is what the
// client's pacing achieves against this limit, which the report is there to show.
func (r *rateLimitedResult) report(w io.Writer) []target {
	fmt.Fprintf(w, "\n### No-op plan of %d OAuth clients, %s\n\n", r.clients, r.title)
	fmt.Fprintf(w, "A sandbox of its own limited to %.0f requests per second per token; the clients applied first, "+
		"not measured. The floor is the requests that passed the limit ÷ %.0f per second.\n\n", r.rate, r.rate)
	fmt.Fprintf(w, "| repetition | time | floor | × floor | requests | refused by the limit | refused share | requests by route and status |\n")
	fmt.Fprintf(w, "|---:|---:|---:|---:|---:|---:|---:|---|\n")
	plans := make([]limitedPlan, len(r.samples))
	for i, s := range r.samples {
		p := limitedPlanOf(s, r.rate)
		plans[i] = p
		fmt.Fprintf(w, "| %d | %s | %s | %.2f | %d | %d | %.1f%% | %s |\n", i+1, seconds(p.elapsed), seconds(p.floor),
			p.overFloor(), p.limited, p.refused, 100*p.refusedShare(), byRouteAndStatus(s.requests))
	}
	what := fmt.Sprintf("no-op plan of %d clients, %s", r.clients, r.title)
	floorTarget := target{what: fmt.Sprintf("%s: median time within %.1f× of the floor", what, rateFloorLimit), got: "not run", timing: true}
	refusedTarget := target{what: fmt.Sprintf("%s: at most %.0f%% of requests refused by the limit", what, 100*rateRefusedLimit), got: "not run", timing: true}
	if len(plans) > 0 {
		ratios := make([]float64, len(plans))
		worstShare := 0.0
		for i, p := range plans {
			ratios[i] = p.overFloor()
			worstShare = max(worstShare, p.refusedShare())
		}
		slices.Sort(ratios)
		mid := ratios[len(ratios)/2]
		if len(ratios)%2 == 0 {
			mid = (ratios[len(ratios)/2-1] + mid) / 2
		}
		floorTarget.got, floorTarget.met = fmt.Sprintf("%.2f×", mid), mid > 0 && mid <= rateFloorLimit
		refusedTarget.got, refusedTarget.met = fmt.Sprintf("%.1f%% (the worst repetition)", 100*worstShare), worstShare <= rateRefusedLimit
	}
	return []target{floorTarget, refusedTarget}
}

// byRouteAndStatus lists requests as the sandbox counts them, "METHOD /route STATUS: n",
// sorted.
func byRouteAndStatus(requests map[string]int) string {
	keys := make([]string, 0, len(requests))
	for k := range requests {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, requests[k])
	}
	return strings.Join(parts, "; ")
}
