package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// connectorPlans lets the plan of an OAuth client see the connector as the same run
// changes it. It lives as long as the provider's configuration: one provider process
// of one Terraform command, which plans (or applies) every resource of the run.
//
// The case it is right in: Terraform plans and applies a resource after the ones it
// refers to. A client whose connector_id refers to an appxchange_connector is planned
// after the connector, finds the connector's planned form here and is judged against
// the definitions it will meet at apply.
//
// The case it would be wrong in alone: a client that names its connector
// by a literal id has no order with the connector, in the plan or at apply. Planned
// first, it is judged against the connector as it is now, and a change of the
// connector in the same run that breaks it would go unseen until apply. So a client
// judged against the connector of now is kept here (judgedNow), and the connector's plan judges
// it again against what it plans: whichever of the two comes second sees the other,
// and the plan fails in both orders (TestConnectorPlansJudgeInEitherOrder,
// TestAccConnectorOAuthClient_literalConnectorID).
//
// After a connector's apply, its entry is the connector the API returned, or is
// dropped when the apply failed, so that clients applied later meet the connector as
// it is rather than as it was planned.
type connectorPlans struct {
	mu sync.Mutex
	// planned is the connector each id is planned to become; nil when this run changes
	// it in ways known only at apply.
	planned map[string]*client.Connector
	// judged holds, by connector id, the clients judged against the connector as the
	// API has it now, while no plan of that connector had been seen.
	judged map[string][]clientJudgement
}

// plan records the connector that id is planned to become (nil when it is known only
// at apply), and returns the problems of the clients already judged against its
// current form that the planned one brings. key names the connector in them.
func (p *connectorPlans) plan(id string, planned *client.Connector) diag.Diagnostics {
	p.mu.Lock()
	if p.planned == nil {
		p.planned = map[string]*client.Connector{}
	}
	p.planned[id] = planned
	judged := p.judged[id]
	delete(p.judged, id)
	p.mu.Unlock()

	var diags diag.Diagnostics
	if planned == nil {
		return diags
	}
	for _, j := range judged {
		for _, d := range judgeOAuthClient(j, planned) {
			if d.Severity() != diag.SeverityError {
				continue
			}
			what, _, _ := strings.Cut(d.Detail(), ". ")
			diags.AddError("OAuth Client Breaks the Planned Connector",
				fmt.Sprintf("The OAuth client %s names this connector by a literal id, and the change planned here breaks it: %s. "+
					"Set its connector_id to this connector's id attribute, so that Terraform plans and applies the client after the connector.",
					clientName(j.Config), strings.TrimSuffix(what, ".")))
		}
	}
	return diags
}

// lookup returns the connector that id is planned to become, and whether this run
// plans to change it at all.
func (p *connectorPlans) lookup(id string) (*client.Connector, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.planned[id]
	return c, ok
}

// judgedNow takes a client judged against the connector id as it is now. It keeps
// it for the connector's plan to judge again, or, when that plan was recorded in the
// meantime, judges it against the planned connector at once.
func (p *connectorPlans) judgedNow(id string, j clientJudgement) diag.Diagnostics {
	p.mu.Lock()
	planned, ok := p.planned[id]
	if !ok {
		if p.judged == nil {
			p.judged = map[string][]clientJudgement{}
		}
		p.judged[id] = append(p.judged[id], j)
	}
	p.mu.Unlock()
	if planned == nil {
		return nil
	}
	return judgeOAuthClient(j, planned)
}

// applied records what became of a planned connector at apply: the connector the API
// returned, or, when the apply failed (nil), nothing, as the API keeps the old one.
func (p *connectorPlans) applied(id string, conn *client.Connector) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if conn == nil {
		delete(p.planned, id)
		return
	}
	if _, ok := p.planned[id]; ok {
		p.planned[id] = conn
	}
}

// connectorForPlan is the connector an OAuth client with this connector_id will meet
// at apply: its planned form when this run changes it, else the API's (read at most
// once per provider process). It is nil without an error when the run changes the
// connector in ways not known until apply. fromPlan says which it is.
func (pd *providerData) connectorForPlan(ctx context.Context, id string) (conn *client.Connector, fromPlan bool, err error) {
	if planned, ok := pd.plannedConnectors.lookup(id); ok {
		return planned, true, nil
	}
	conn, err = pd.client.CachedConnector(ctx, id)
	return conn, false, err
}

// clientName names a client in a message by its name, or says it has none yet.
func clientName(config *oauthClientModel) string {
	if config.Name.IsUnknown() || config.Name.IsNull() {
		return "(its name is known only at apply)"
	}
	return fmt.Sprintf("%q", config.Name.ValueString())
}
