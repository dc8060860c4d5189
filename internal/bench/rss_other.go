//go:build !linux

package bench

import "os"

// peakRSSMeasured: the peak RSS of plugins is not measured here.
const peakRSSMeasured = false

// peakRSS is not measured off Linux; the report says so.
func peakRSS(*os.ProcessState) int64 { return 0 }
