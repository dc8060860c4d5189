package bench

import (
	"os"
	"syscall"
)

// peakRSSMeasured: the peak RSS of plugins is measured here.
const peakRSSMeasured = true

// peakRSS is a finished process's peak resident set size in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}
