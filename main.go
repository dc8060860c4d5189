// Command terraform-provider-appxchange is the Terraform provider for Trimble
// App Xchange connectivity objects.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/appxchange/terraform-provider-appxchange/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	if !debug {
		provider.QuietDiscardedLogs()
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/appxchange/appxchange",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
