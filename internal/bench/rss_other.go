//go:build !linux

package bench

import "os"

// peakRSS is not measured off Linux; the report says so.
func peakRSS(*os.ProcessState) int64 { return 0 }
