package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// expiryCheckFailed is the summary of the warning of a failed check block, the same in
// Terraform and OpenTofu.
const expiryCheckFailed = "Check block assertion failed"

// TestAccCLI_secretExpiryGuide follows the guide "Watch client secret expiry"
// (templates/guides/secret-expiry.md.tmpl) with its own example files, through the
// real CLI: the check warns in plan and apply about the one secret that expires
// within the warning period, names no other client (one has no expiry at all),
// never fails the run and causes no diff; after the rotation the guide describes,
// it is quiet, and the warning period is a variable.
func TestAccCLI_secretExpiryGuide(t *testing.T) {
	w := newCLIWorkspace(t)
	sb := startSandbox(t)
	acme := sb.apiClient(t, acmeToken)

	copyDir(t, filepath.Join("..", "..", "examples", "guides", "secret-expiry"), w.dir)
	// No trace log: the test reads what users see.
	w.env = append(w.env, "TF_LOG=", "APPXCHANGE_BASE_URL="+sb.baseURL(), "APPXCHANGE_ACCESS_TOKEN="+acmeToken)
	secrets := func(production string) string {
		return "TF_VAR_client_secrets=" + fmt.Sprintf(`{ production = %q, staging = "expiry-staging-1", sandbox = "expiry-sandbox-1" }`, production)
	}
	w.env = append(w.env, secrets("expiry-production-1"))

	// The dates are relative to now: a plan's plantimestamp() is the time it runs.
	now := time.Now().UTC().Truncate(time.Second)
	in := func(days int) string { return now.AddDate(0, 0, days).Format(time.RFC3339) }
	clients := func(productionVersion int, productionExpiry string) string {
		return fmt.Sprintf(`oauth_clients = {
  production = { name = "Procore (production)", client_id = "procore-prod", client_secret_version = %d, client_secret_expires_at = %q }
  staging    = { name = "Procore (staging)", client_id = "procore-staging", client_secret_version = 1, client_secret_expires_at = %q }
  sandbox    = { name = "Procore (sandbox)", client_id = "procore-sandbox", client_secret_version = 1 }
}
`, productionVersion, productionExpiry, in(120))
	}

	// (a) The production secret expires in 10 days, within the default 30: the plan
	// and the apply warn about it alone, and exit 0.
	soon := in(10)
	w.write("terraform.tfvars", clients(1, soon))
	plan := w.mustRun("plan", "-no-color", "-input=false")
	expectExpiryWarning(t, "the first plan", plan, 30, "Procore (production) expires "+soon)
	expectPrinted(t, "the first plan", plan, "Plan: 3 to add, 0 to change, 0 to destroy.")
	applied := w.mustRun("apply", "-auto-approve", "-no-color", "-input=false")
	expectExpiryWarning(t, "the apply", applied, 30, "Procore (production) expires "+soon)
	expectPrinted(t, "the apply", applied, "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.")
	production := oauthClientNamed(t, acme, "Procore (production)")
	if production.ClientSecretExpiresAt != soon || sb.storedSecretHash(t, production.ID) != sb.secretHash(t, "expiry-production-1") {
		t.Errorf("the API holds the production client with the expiry %q (want %q) and another secret than the first one", production.ClientSecretExpiresAt, soon)
	}

	// (c) The next plan still warns, and plans nothing: plantimestamp() is in the check
	// only, never in a resource argument.
	plan = expectEmptyPlan(t, w, "the plan after the apply")
	expectExpiryWarning(t, "the plan after the apply", plan, 30, "Procore (production) expires "+soon)
	t.Logf("%s: the plan after the apply exits 0 with:\n%s", cliUnderTest(t), expiryWarningLines(plan))
	// A saved plan's JSON holds the failed check and its message, for CI to report.
	status, problems := expiryCheckInPlan(t, w)
	if want := expiryMessage(30, "Procore (production) expires "+soon); status != "fail" || len(problems) != 1 || !strings.HasPrefix(problems[0], want) {
		t.Errorf("the JSON plan has the check %s with the problems %q, want fail with %q", status, problems, want)
	}

	// The warning period is a variable: at 5 days, 10 days away is no warning.
	plan = expectEmptyPlan(t, w, "the plan with 5 days", "-var", "secret_expiry_warning_days=5")
	expectNoExpiryWarning(t, "the plan with 5 days", plan)

	// (b) The rotation of the guide: a new secret, a higher version and the new
	// expiry, 60 days away. The plan updates the client in place, and nothing warns.
	later := in(60)
	w.write("terraform.tfvars", clients(2, later))
	w.env = append(w.env, secrets("expiry-production-2"))
	out, err := w.run("plan", "-detailed-exitcode", "-no-color", "-input=false")
	if code := exitCode(err); code != 2 {
		t.Errorf("the plan of the rotation exits %d, want 2 (changes):\n%s", code, tail(out, 40))
	}
	expectPrinted(t, "the plan of the rotation", out, "Plan: 0 to add, 1 to change, 0 to destroy.")
	expectNoExpiryWarning(t, "the plan of the rotation", out)
	if !wrapped("client_secret_wo_version = 1 -> 2").MatchString(out) || strings.Contains(out, "expiry-production-2") {
		t.Errorf("the plan of the rotation does not raise client_secret_wo_version from 1 to 2, or shows the new secret:\n%s", tail(out, 40))
	}
	applied = w.mustRun("apply", "-auto-approve", "-no-color", "-input=false")
	expectPrinted(t, "the apply of the rotation", applied, "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")
	expectNoExpiryWarning(t, "the apply of the rotation", applied)
	production = oauthClientNamed(t, acme, "Procore (production)")
	if production.ClientSecretExpiresAt != later || sb.storedSecretHash(t, production.ID) != sb.secretHash(t, "expiry-production-2") {
		t.Errorf("after the rotation the API holds the production client with the expiry %q (want %q) and another secret than the new one", production.ClientSecretExpiresAt, later)
	}
	plan = expectEmptyPlan(t, w, "the plan after the rotation")
	expectNoExpiryWarning(t, "the plan after the rotation", plan)
	if status, problems := expiryCheckInPlan(t, w); status != "pass" || len(problems) != 0 {
		t.Errorf("after the rotation the JSON plan has the check %s with the problems %q, want pass", status, problems)
	}

	// At 90 days, the rotated secret (60 days) warns again, the staging one (120 days)
	// does not, and the sandbox client, which has no expiry, never does.
	plan = expectEmptyPlan(t, w, "the plan with 90 days", "-var", "secret_expiry_warning_days=90")
	expectExpiryWarning(t, "the plan with 90 days", plan, 90, "Procore (production) expires "+later)
	// At 150 days, the one warning lists both secrets that expire within it.
	plan = expectEmptyPlan(t, w, "the plan with 150 days", "-var", "secret_expiry_warning_days=150")
	expectExpiryWarning(t, "the plan with 150 days", plan, 150, "Procore (production) expires "+later, "Procore (staging) expires "+in(120))
}

// expectExpiryWarning fails unless out holds the guide's check warning about
// exactly the expiring clients given, in their order, with days as the period.
func expectExpiryWarning(t *testing.T, step, out string, days int, expiring ...string) {
	t.Helper()
	message := expiryMessage(days, expiring...)
	if !strings.Contains(out, expiryCheckFailed) || !wrapped(regexp.QuoteMeta(message)).MatchString(out) {
		t.Errorf("%s does not warn %q:\n%s", step, message, tail(out, 40))
	}
	if strings.Contains(out, "Error:") {
		t.Errorf("%s reports an error:\n%s", step, tail(out, 40))
	}
}

// expiryMessage is the start of the message of the guide's check.
func expiryMessage(days int, expiring ...string) string {
	return fmt.Sprintf("OAuth client secrets expire within %d days: %s. Register a new secret", days, strings.Join(expiring, "; "))
}

// expiryCheckInPlan saves a plan, as the guide does for CI, and returns the status
// of the check client_secret_expiry in its JSON and the messages of its problems.
func expiryCheckInPlan(t *testing.T, w *cliWorkspace) (status string, problems []string) {
	t.Helper()
	w.mustRun("plan", "-out=tfplan", "-no-color", "-input=false")
	show := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "-chdir="+w.dir, "show", "-json", "tfplan")
	show.Env = w.env
	out, err := show.Output()
	if err != nil {
		t.Fatalf("terraform show -json tfplan: %v", err)
	}
	var plan struct {
		Checks []struct {
			Address struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"address"`
			Status    string `json:"status"`
			Instances []struct {
				Problems []struct {
					Message string `json:"message"`
				} `json:"problems"`
			} `json:"instances"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		t.Fatalf("terraform show -json tfplan: %v\n%s", err, tail(string(out), 20))
	}
	for _, c := range plan.Checks {
		if c.Address.Kind != "check" || c.Address.Name != "client_secret_expiry" {
			continue
		}
		for _, i := range c.Instances {
			for _, p := range i.Problems {
				problems = append(problems, p.Message)
			}
		}
		return c.Status, problems
	}
	t.Fatalf("the JSON plan has no check client_secret_expiry:\n%s", tail(string(out), 20))
	return "", nil
}

// expectNoExpiryWarning fails when out holds a check warning.
func expectNoExpiryWarning(t *testing.T, step, out string) {
	t.Helper()
	if strings.Contains(out, expiryCheckFailed) || wrapped("secrets expire within").MatchString(out) {
		t.Errorf("%s warns about an expiry:\n%s", step, tail(out, 40))
	}
}

func expectPrinted(t *testing.T, step, out, text string) {
	t.Helper()
	if !strings.Contains(out, text) {
		t.Errorf("%s does not say %q:\n%s", step, text, tail(out, 40))
	}
}

// expectEmptyPlan runs plan -detailed-exitcode with args and fails unless it exits
// 0, which it does only when it plans no change.
func expectEmptyPlan(t *testing.T, w *cliWorkspace, step string, args ...string) string {
	t.Helper()
	out, err := w.run(append([]string{"plan", "-detailed-exitcode", "-no-color", "-input=false"}, args...)...)
	if code := exitCode(err); code != 0 {
		t.Errorf("%s (plan -detailed-exitcode) exits %d, want 0 (no changes):\n%s", step, code, tail(out, 40))
	}
	expectPrinted(t, step, out, "No changes.")
	return out
}

// oauthClientNamed is the account's one OAuth client of that name, as the API holds it.
func oauthClientNamed(t *testing.T, c *client.Client, name string) client.OAuthClient {
	t.Helper()
	found, err := c.AllOAuthClients(context.Background(), client.OAuthClientFilter{Search: name})
	if err != nil {
		t.Fatal(err)
	}
	var named []client.OAuthClient
	for _, o := range found {
		if o.Name == name {
			named = append(named, o)
		}
	}
	if len(named) != 1 {
		t.Fatalf("the account has %d OAuth clients named %q, want 1", len(named), name)
	}
	return named[0]
}

// expiryWarningLines is the check's warning as the CLI printed it, for the test's log.
func expiryWarningLines(out string) string {
	i := strings.Index(out, "Warning: "+expiryCheckFailed)
	if i < 0 {
		return ""
	}
	lines := strings.Split(out[i:], "\n")
	for n, line := range lines {
		if n > 0 && strings.Contains(line, "Register") {
			for n+1 < len(lines) && strings.TrimSpace(lines[n+1]) != "" {
				n++
			}
			return strings.Join(lines[:n+1], "\n")
		}
	}
	return tail(strings.Join(lines, "\n"), 20)
}
