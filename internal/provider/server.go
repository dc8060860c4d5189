package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/appxchange/terraform-provider-appxchange/internal/plugin"
)

// Address is the provider's address, which its binary serves.
const Address = "registry.terraform.io/appxchange/appxchange"

// NewServer is the provider's protocol 6 server, as providerserver.NewProtocol6 makes
// it, behind plugin.Releasing, which releases the context of each call on a resource
// or data source when the call returns. The binary, its profiling build and the
// acceptance tests all serve the provider through it.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return plugin.Releasing(providerserver.NewProtocol6(New(version)())())
	}
}
