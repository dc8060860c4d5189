package plugin

import (
	"os"
	"runtime/debug"
)

// The provider's garbage collector, unless the user chose one: collect when the heap
// has grown by gcPercent since the last collection, rather than Go's 100, and sooner
// when the process nears gcMemoryLimit. A provider process lives for one command and
// allocates, per resource, far more garbage than it keeps: at Go's defaults it
// collects many times in a plan of 1,000 resources, each time to find little alive.
// The limit bounds what the higher percentage would otherwise let the heap reach on a
// large read (a data source over 10,000 clients). DEVELOPERS.md ("Performance") has
// the measurements that chose both.
const (
	gcPercent     = 200
	gcMemoryLimit = 256 << 20
)

// gcSetting is what the provider asks of the garbage collector.
type gcSetting struct {
	percent     int
	memoryLimit int64
}

// gcPolicy decides the setting from the environment, read through lookupEnv: none when
// GOGC or GOMEMLIMIT is set (even empty), since the Go runtime has read them already
// and a user who set one has decided.
func gcPolicy(lookupEnv func(string) (string, bool)) (gcSetting, bool) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, set := lookupEnv(name); set {
			return gcSetting{}, false
		}
	}
	return gcSetting{percent: gcPercent, memoryLimit: gcMemoryLimit}, true
}

// TuneGC sets the provider's garbage collection policy (gcPercent, gcMemoryLimit)
// unless GOGC or GOMEMLIMIT is in the environment. Call it first thing in main.
func TuneGC() {
	s, ok := gcPolicy(os.LookupEnv)
	if !ok {
		return
	}
	debug.SetGCPercent(s.percent)
	debug.SetMemoryLimit(s.memoryLimit)
}
