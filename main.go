// Command terraform-provider-appxchange is the Terraform provider for Trimble
// App Xchange connectivity objects.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/appxchange/terraform-provider-appxchange/internal/plugin"
	"github.com/appxchange/terraform-provider-appxchange/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	plugin.TuneGC()
	if !debug {
		plugin.QuietDiscardedLogs(provider.Address)
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(provider.Address, provider.NewServer(version), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}
