package plugin

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestGCPolicy(t *testing.T) {
	policy := gcSetting{percent: gcPercent, memoryLimit: gcMemoryLimit}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want gcSetting
		ok   bool
	}{
		{name: "neither set", env: map[string]string{"GOFLAGS": "-mod=mod"}, want: policy, ok: true},
		{name: "GOGC wins", env: map[string]string{"GOGC": "100"}},
		{name: "GOGC off wins", env: map[string]string{"GOGC": "off"}},
		{name: "GOMEMLIMIT wins", env: map[string]string{"GOMEMLIMIT": "1GiB"}},
		{name: "set but empty still wins", env: map[string]string{"GOGC": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(name string) (string, bool) { v, ok := tc.env[name]; return v, ok }
			got, ok := gcPolicy(lookup)
			if got != tc.want || ok != tc.ok {
				t.Errorf("gcPolicy = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if gcPercent <= 100 || gcMemoryLimit <= 0 {
		t.Errorf("the policy (%d%%, %d bytes) is no higher percentage with a limit", gcPercent, gcMemoryLimit)
	}
}

// TestTuneGC applies the policy to this process: only when the environment leaves the
// collector to it. The runtime's settings are restored afterwards.
func TestTuneGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	current := func() (int, int64) {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p, debug.SetMemoryLimit(-1) // a negative limit only reads it
	}

	t.Run("GOGC set", func(t *testing.T) {
		t.Setenv("GOGC", "100")
		TuneGC()
		if p, l := current(); p != 100 || l != math.MaxInt64 {
			t.Errorf("with GOGC set, TuneGC changed the collector to %d%%, limit %d", p, l)
		}
	})
	t.Run("GOMEMLIMIT set", func(t *testing.T) {
		t.Setenv("GOMEMLIMIT", "1GiB")
		TuneGC()
		if p, l := current(); p != 100 || l != math.MaxInt64 {
			t.Errorf("with GOMEMLIMIT set, TuneGC changed the collector to %d%%, limit %d", p, l)
		}
	})
	t.Run("neither set", func(t *testing.T) {
		unsetEnv(t, "GOGC")
		unsetEnv(t, "GOMEMLIMIT")
		TuneGC()
		if p, l := current(); p != gcPercent || l != gcMemoryLimit {
			t.Errorf("TuneGC set %d%%, limit %d; want %d%%, limit %d", p, l, gcPercent, gcMemoryLimit)
		}
	})
}

// unsetEnv removes name from the environment for the rest of the test.
func unsetEnv(t *testing.T, name string) {
	t.Setenv(name, "") // restores the old value at the end of the test
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
