package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client *client.Client
	// plannedConnectors holds the connectors that this run's plan changes.
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

// connectorPlans remembers, for each connector that a plan creates no instance of but
// changes, the connector it is planned to become. Terraform plans a resource after the
// resources it refers to, in the same provider process, so an OAuth client whose
// connector_id refers to an appxchange_connector is checked against the definitions
// that it will meet at apply rather than the ones on the server now.
type connectorPlans struct {
	mu      sync.Mutex
	planned map[string]*client.Connector
}

// plan records the connector that id is planned to become; nil when its connection
// definitions are not known until apply.
func (p *connectorPlans) plan(id string, planned *client.Connector) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.planned == nil {
		p.planned = map[string]*client.Connector{}
	}
	p.planned[id] = planned
}

// lookup returns the connector that id is planned to become, and whether a plan
// changes it at all.
func (p *connectorPlans) lookup(id string) (*client.Connector, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.planned[id]
	return c, ok
}

// connectorForPlan is the connector an OAuth client with this connector_id will meet
// at apply: its planned form when this run changes it, else the server's (read at most
// once per provider process). It is nil without an error when the run changes the
// connector in ways not known until apply.
func (pd *providerData) connectorForPlan(ctx context.Context, id string) (*client.Connector, error) {
	if planned, ok := pd.plannedConnectors.lookup(id); ok {
		return planned, nil
	}
	return pd.client.CachedConnector(ctx, id)
}
