// Command terraform-provider-appxchange, built by `appxchange-bench -profile DIR`, is
// the provider with profiling: each process writes a CPU profile and, at its end, a
// heap profile (allocations since start) into $APPXCHANGE_BENCH_PROFILE_DIR, named by
// its process id. Read them with `go tool pprof`.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/appxchange/terraform-provider-appxchange/internal/plugin"
	"github.com/appxchange/terraform-provider-appxchange/internal/provider"
)

func main() {
	dir := os.Getenv("APPXCHANGE_BENCH_PROFILE_DIR")
	if dir == "" {
		log.Fatal("APPXCHANGE_BENCH_PROFILE_DIR is not set")
	}
	plugin.TuneGC()
	plugin.QuietDiscardedLogs(provider.Address)
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	cpu, err := os.Create(name("cpu"))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.Fatal(err)
	}
	err = tf6server.Serve(provider.Address, provider.NewServer("profiled"))
	pprof.StopCPUProfile()
	cpu.Close()
	if heap, herr := os.Create(name("allocs")); herr == nil {
		_ = pprof.Lookup("allocs").WriteTo(heap, 0)
		heap.Close()
	}
	if err != nil {
		log.Fatal(err)
	}
}
