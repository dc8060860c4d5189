package provider

import (
	"fmt"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client *client.Client
	// plannedConnectors holds the connectors that this provider process plans to
	// change, and the OAuth clients judged against their definitions of now.
	plannedConnectors connectorPlans
}

// configuredData takes the data that Configure handed over; nil before Configure.
func configuredData(data any) (*providerData, string) {
	if data == nil {
		return nil, ""
	}
	pd, ok := data.(*providerData)
	if !ok {
		return nil, fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", data)
	}
	return pd, ""
}

// configuredClient takes the API client out of the data that Configure handed over.
func configuredClient(data any) (*client.Client, string) {
	pd, problem := configuredData(data)
	if pd == nil {
		return nil, problem
	}
	return pd.client, ""
}
