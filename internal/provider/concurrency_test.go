package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestAccCLI_twoStatesOneClient: two configurations with their own state files manage
// the same OAuth client (a team's and a platform's, say). Each plans a change; the
// first applies; the second's saved plan was made before that change, so its apply
// fails with the error that says what to do instead of silently undoing it. Planning
// again shows the first team's change, and nothing is lost.
func TestAccCLI_twoStatesOneClient(t *testing.T) {
	sb := startSandbox(t)
	config := func(address, clientID, scopes string) string {
		return cliAcmeConfig(sb.baseURL()) + fmt.Sprintf(`
resource "appxchange_oauth_client" %q {
  name                  = "shared"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = %q
  scopes                = %s
}
`, address, procoreID, clientID, scopes)
	}
	team := newCLIWorkspace(t)
	team.write("main.tf", config("team", "shared-app", `["openid"]`))
	team.mustRun("apply", "-auto-approve", "-no-color")
	id := strings.TrimSpace(regexp.MustCompile(`(?m)^\s*id\s+=\s+"([^"]+)"`).FindStringSubmatch(team.mustRun("state", "show", "-no-color", "appxchange_oauth_client.team"))[1])

	platform := newCLIWorkspace(t)
	platform.write("main.tf", config("platform", "shared-app", `["openid"]`)+fmt.Sprintf("\nimport {\n  to = appxchange_oauth_client.platform\n  id = %q\n}\n", id))
	platform.mustRun("apply", "-auto-approve", "-no-color")

	// Both plan a change of the same client.
	team.write("main.tf", config("team", "shared-app", `["openid", "offline_access"]`))
	team.mustRun("plan", "-no-color", "-out=tfplan")
	platform.write("main.tf", config("platform", "platform-app", `["openid"]`))
	platform.mustRun("plan", "-no-color", "-out=tfplan")

	// The team applies first.
	team.mustRun("apply", "-no-color", "tfplan")

	// The platform's plan is stale: its apply is refused, and says what to do.
	out, err := platform.run("apply", "-no-color", "tfplan")
	if err == nil || !wrapped(`Unable to Update OAuth Client`).MatchString(out) || !wrapped(`changed outside Terraform`).MatchString(out) ||
		!wrapped(`Run terraform plan again`).MatchString(out) {
		t.Fatalf("the stale apply was not refused with the If-Match error (%v):\n%s", err, tail(out, 40))
	}
	got, err := sb.apiClient(t, acmeToken).GetOAuthClient(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClientID != "shared-app" || len(got.Scopes) != 2 {
		t.Errorf("the team's update was lost: %+v", got)
	}

	// Planning again shows the team's change, which the platform's configuration
	// would now undo: a decision for a person, made in the open.
	plan := platform.mustRun("plan", "-no-color")
	if !strings.Contains(plan, `"shared-app" -> "platform-app"`) || !strings.Contains(plan, `- "offline_access"`) {
		t.Errorf("the new plan does not show the team's change:\n%s", tail(plan, 40))
	}
}
