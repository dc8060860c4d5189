package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// A client that names its connector by a literal id, and a plan of the connector
// that retypes the client's definition: whichever Terraform plans first, the plan
// has the error, once.
func TestConnectorPlansJudgeInEitherOrder(t *testing.T) {
	server := planConnector()
	retyped := planConnector()
	retyped.ConnectionDefinitions[3].AuthType = client.AuthTypeAPIKey // password
	config := planConfig("password", nil)
	const broken = `"password" of connector "crm" has the auth type api_key, and OAuth clients do not apply to it.`

	// judge is what the client's ModifyPlan does with the connector it found.
	judge := func(p *connectorPlans) diag.Diagnostics {
		conn, fromPlan := p.lookup(server.ID)
		if !fromPlan {
			conn = server
		}
		_, judged, diags := planOAuthClient(oauthClientPlanInput{Config: config, Proposed: proposed(config, nil), Connector: conn})
		if judged != nil && !fromPlan {
			diags.Append(p.judgedNow(server.ID, *judged)...)
		}
		return diags
	}

	t.Run("connector first", func(t *testing.T) {
		var p connectorPlans
		if diags := p.plan(server.ID, retyped); diags.HasError() {
			t.Fatalf("the connector's plan failed with no client judged: %v", diags)
		}
		checkDiags(t, judge(&p), []wantDiag{{"connection_definition", "Not an OAuth Connection Definition", broken}})
	})
	t.Run("client first", func(t *testing.T) {
		var p connectorPlans
		checkDiags(t, judge(&p), nil)
		diags := p.plan(server.ID, retyped)
		checkDiags(t, diags, []wantDiag{{"", "OAuth Client Breaks the Planned Connector", broken}})
		if !strings.Contains(diags[0].Detail(), `The OAuth client "CRM app" names this connector by a literal id`) {
			t.Errorf("the error does not name the client: %s", diags[0].Detail())
		}
		// Judged once: a second plan of the connector has nothing left to judge.
		checkDiags(t, p.plan(server.ID, retyped), nil)
	})
	t.Run("client first, between its lookup and its judgement", func(t *testing.T) {
		var p connectorPlans
		_, judged, diags := planOAuthClient(oauthClientPlanInput{Config: config, Proposed: proposed(config, nil), Connector: server})
		checkDiags(t, diags, nil)
		checkDiags(t, p.plan(server.ID, retyped), nil)
		checkDiags(t, p.judgedNow(server.ID, *judged), []wantDiag{{"connection_definition", "Not an OAuth Connection Definition", broken}})
	})
	t.Run("after the apply", func(t *testing.T) {
		var p connectorPlans
		p.plan(server.ID, retyped)
		p.applied(server.ID, nil)
		if _, ok := p.lookup(server.ID); ok {
			t.Error("a failed apply left its plan behind")
		}
		p.plan(server.ID, retyped)
		answered := planConnector()
		p.applied(server.ID, answered)
		if got, ok := p.lookup(server.ID); !ok || got != answered {
			t.Errorf("after the apply the connector is %v, want the API's answer", got)
		}
	})
}
