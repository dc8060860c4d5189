// Command appxchange-sandbox serves a local App Xchange management API backed
// by SQLite, for trying, demonstrating and testing the Terraform provider.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := sandbox.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
