//go:build soak

package provider

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAccSoak_rateLimit: 300 OAuth clients are applied against a sandbox that allows
// 20 requests per second per token; the no-op plan that follows, which reads each
// client once with Terraform's 10 operations at a time, is empty, and the rate limit
// refused at most 5% of its requests: the provider paces itself by the sandbox's
// RateLimit headers instead of sending and being refused. Under faults too, where
// the faults' own 429s are expected and not counted.
func TestAccSoak_rateLimit(t *testing.T) {
	const limit, clients, connectors = 20, 300, 2
	for name, faults := range map[string]string{"no faults": "0", "faults": "0.2"} {
		t.Run(name, func(t *testing.T) {
			seed := rand.Int64N(1 << 30)
			sb := startSandboxProcess(t, "-rate-limit", fmt.Sprint(limit), "-faults", faults, "-fault-seed", fmt.Sprint(seed))
			t.Logf("fault seed %d", seed)
			w := newSoakWorkspace(t)
			w.write("main.tf", soakConfig(sb, clients, 10))

			started := time.Now()
			out, err := w.run("apply", "-auto-approve", "-no-color")
			applied := time.Since(started)
			if err != nil {
				t.Fatalf("the apply at -rate-limit %d failed: %v\n%s", limit, err, tail(out, 60))
			}
			applyStats := sb.stats()

			sb.resetStats()
			started = time.Now()
			out, err = w.run("plan", "-detailed-exitcode", "-no-color")
			planned := time.Since(started)
			if code := exitCode(err); code != 0 {
				t.Errorf("the plan after the apply is not empty (exit code %d):\n%s", code, tail(out, 60))
			}
			plan := sb.stats()
			if plan.Total < clients {
				t.Errorf("the plan made %d requests for %d OAuth clients: it did not read them all: %v", plan.Total, clients, plan.Requests)
			}
			if plan.RateLimited*100 > plan.Total*5 {
				t.Errorf("the rate limit refused %d of the plan's %d requests; want at most 5%%: %v", plan.RateLimited, plan.Total, plan.Requests)
			}
			t.Logf("soak rate limit (-rate-limit %d, -faults %s): apply of %d clients and %d connectors: %d requests, %d refused by the limit, %d faults, %s; "+
				"no-op plan: %d requests, %d refused by the limit (%.1f%%), %d faults, %s against a floor of %s (%d requests / %d per second)",
				limit, faults, clients, connectors, applyStats.Total, applyStats.RateLimited, applyStats.Faults, applied.Round(time.Millisecond),
				plan.Total, plan.RateLimited, 100*float64(plan.RateLimited)/float64(plan.Total), plan.Faults, planned.Round(time.Millisecond),
				(time.Duration(plan.Total-plan.RateLimited) * time.Second / limit).Round(time.Millisecond), plan.Total-plan.RateLimited, limit)
		})
	}
}
