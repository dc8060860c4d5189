package bench

import (
	"fmt"
	"io"
)

// Targets of the provider's garbage collection policy (plugin.TuneGC) against Go's
// defaults, measured alike in one run: a no-op plan no slower, and a read of many
// clients within gcRSSLimit of the peak memory of Go's defaults.
const (
	gcPlanLimit = 1.0
	gcRSSLimit  = 1.5
)

// reportGC writes the provider's commands at n resources under its policy and under
// Go's defaults, and returns the target on the no-op plan.
func (r *Results) reportGC(w io.Writer, n int) []target {
	fmt.Fprintf(w, "\nGarbage collection: appxchange under its policy and with GOGC=100 (Go's defaults), alternating.\n\n")
	fmt.Fprintf(w, "| command | %s | %s | × Go's defaults | peak RSS | peak RSS, Go's defaults |\n|---|---:|---:|---:|---:|---:|\n",
		providerVariant.title, gcDefaultsVariant.title)
	for _, ph := range phases {
		policy, defaults := r.Commands[cell{n, providerVariant.key, ph.name}], r.Commands[cell{n, gcDefaultsVariant.key, ph.name}]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", ph.name, seconds(median(policy)), seconds(median(defaults)),
			ratio(median(policy), median(defaults)), mebibytes(peak(policy)), mebibytes(peak(defaults)))
	}
	plan := phases[1]
	got, base := r.median(n, providerVariant, plan), r.median(n, gcDefaultsVariant, plan)
	return []target{{
		what:   fmt.Sprintf("N=%d %s under the GC policy within %.2f× of Go's GC defaults", n, plan.name, gcPlanLimit),
		got:    ratio(got, base) + "×",
		met:    base > 0 && float64(got) <= gcPlanLimit*float64(base),
		timing: true,
	}}
}

// reportGCRead writes one read of many clients (what) under the provider's policy and
// under Go's defaults, and returns the target on its peak memory.
func reportGCRead(w io.Writer, what string, policy, defaults []sample) target {
	fmt.Fprintf(w, "\nGarbage collection, %s: %s and %s peak RSS under the policy, %s and %s under Go's defaults (GOGC=100).\n",
		what, seconds(median(policy)), mebibytes(peak(policy)), seconds(median(defaults)), mebibytes(peak(defaults)))
	t := target{
		what:   fmt.Sprintf("%s: peak RSS under the GC policy within %.1f× of Go's GC defaults", what, gcRSSLimit),
		got:    "not measured",
		timing: true,
	}
	if a, b := peak(policy), peak(defaults); a > 0 && b > 0 {
		t.got = fmt.Sprintf("%.2f× (%s, %s); time %s×", float64(a)/float64(b), mebibytes(a), mebibytes(b), ratio(median(policy), median(defaults)))
		t.met = float64(a) <= gcRSSLimit*float64(b)
	}
	return t
}
