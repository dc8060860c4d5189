//go:build soak

package provider

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The soak tests drive the real CLI against the sandbox as its own process, under
// faults, throttling and crashes. They run with `make soak` (go test -tags soak).

// soakConfig is a configuration of two connectors of acme's and clients OAuth
// clients spread over them, each with a secret, with the provider's retries.
func soakConfig(sb *sandboxProcess, clients, maxRetries int) string {
	return cliAcmeConfig(sb.baseURL(), fmt.Sprintf("max_retries = %d", maxRetries)) + fmt.Sprintf(`
resource "appxchange_connector" "soak" {
  count = 2
  key   = "soak-${count.index}"
  name  = "Soak ${count.index}"
  connection_definitions = {
    oAuth2CodeFlow = {
      title             = "OAuth"
      auth_type         = "oauth2_code_flow"
      authorization_url = "https://soak.example.com/authorize"
      token_url         = "https://soak.example.com/token"
    }
  }
}

resource "appxchange_oauth_client" "soak" {
  count                 = %d
  name                  = "soak client ${count.index}"
  connector_id          = appxchange_connector.soak[count.index %% 2].id
  connection_definition = "oAuth2CodeFlow"
  client_id             = "soak-app-${count.index}"
  client_secret         = "soak-secret-${count.index}"
  scopes                = ["read", "write"]
}
`, clients)
}

// expectServerHolds checks that acme owns exactly the soak configuration's objects:
// no duplicate, no orphan, each client once by name.
func expectServerHolds(t *testing.T, sb *sandboxProcess, wantClients, wantConnectors int) {
	t.Helper()
	clients, connectors := sb.ownObjects()
	names := map[string]int{}
	for _, c := range clients {
		names[c.Name]++
	}
	for name, n := range names {
		if n > 1 {
			t.Errorf("the server holds %d OAuth clients named %q: a retried create was applied twice", n, name)
		}
	}
	if len(clients) != wantClients || len(names) != wantClients {
		t.Errorf("the server holds %d OAuth clients (%d names); want %d", len(clients), len(names), wantClients)
	}
	if len(connectors) != wantConnectors {
		t.Errorf("the server holds %d connectors of acme's; want %d", len(connectors), wantConnectors)
	}
}

// newSoakWorkspace is a CLI workspace without the trace log, which for a hundred
// resources is large and slow and proves nothing here.
func newSoakWorkspace(t *testing.T) *cliWorkspace {
	w := newCLIWorkspace(t)
	w.env = append(w.env, "TF_LOG=")
	return w
}

// TestAccSoak_faults: with a fifth of the API's answers faulted (server errors, 429s,
// dropped connections, some after the change was committed), one apply of 50 OAuth
// clients and 2 connectors succeeds, the server holds exactly those, the next plan
// is empty, and destroy leaves nothing.
func TestAccSoak_faults(t *testing.T) {
	seed := rand.Int64N(1 << 30)
	sb := startSandboxProcess(t, "-faults", "0.2", "-fault-seed", fmt.Sprint(seed))
	t.Logf("fault seed %d (to repeat this run, set it in startSandboxProcess)", seed)
	w := newSoakWorkspace(t)
	const clients, connectors = 50, 2
	w.write("main.tf", soakConfig(sb, clients, 10))

	started := time.Now()
	out, err := w.run("apply", "-auto-approve", "-no-color")
	applied := time.Since(started)
	if err != nil {
		t.Fatalf("the apply under faults failed: %v\n%s", err, tail(out, 60))
	}
	applyStats := sb.stats()
	expectServerHolds(t, sb, clients, connectors)

	sb.resetStats()
	out, err = w.run("plan", "-detailed-exitcode", "-no-color")
	if code := exitCode(err); code != 0 {
		t.Errorf("the plan after the apply is not empty (exit code %d):\n%s", code, tail(out, 60))
	}
	planStats := sb.stats()

	sb.resetStats()
	if out, err := w.run("destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the destroy under faults failed: %v\n%s", err, tail(out, 60))
	}
	destroyStats := sb.stats()
	expectServerHolds(t, sb, 0, 0)

	faults := applyStats.Faults + planStats.Faults + destroyStats.Faults
	total := applyStats.Total + planStats.Total + destroyStats.Total
	if faults == 0 {
		t.Errorf("the sandbox injected no fault in %d requests: the test proved nothing", total)
	}
	t.Logf("soak faults: %d clients + %d connectors applied, planned and destroyed through %d faults in %d requests "+
		"(apply %d/%d in %s, plan %d/%d, destroy %d/%d); no duplicate, no orphan, empty plan",
		clients, connectors, faults, total, applyStats.Faults, applyStats.Total, applied.Round(time.Millisecond),
		planStats.Faults, planStats.Total, destroyStats.Faults, destroyStats.Total)
}

// TestAccSoak_throttling: against an API that limits to 20 requests per second per
// token and says so only by 429 with Retry-After (no RateLimit headers), an apply of
// 100 OAuth clients at 10 resources at a time succeeds: every 429 is retried, the
// provider learns a pace from them, and the total time is compared with the ideal,
// the requests divided by the limit. (With the headers, TestAccSoak_rateLimit.)
func TestAccSoak_throttling(t *testing.T) {
	const limit, clients = 20, 100
	sb := startSandboxProcess(t, "-rate-limit", fmt.Sprint(limit), "-rate-limit-headers=false")
	w := newSoakWorkspace(t)
	config := cliAcmeConfig(sb.baseURL()) + fmt.Sprintf(`
resource "appxchange_oauth_client" "throttled" {
  count                 = %d
  name                  = "throttled client ${count.index}"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "throttled-app-${count.index}"
}
`, clients, procoreID)
	w.write("main.tf", config)

	started := time.Now()
	out, err := w.run("apply", "-auto-approve", "-parallelism=10", "-no-color")
	elapsed := time.Since(started)
	if err != nil {
		t.Fatalf("the throttled apply failed: %v\n%s", err, tail(out, 60))
	}
	st := sb.stats()
	throttled := countStatus(st, "429")
	created := st.Requests["POST /management/v1/oauth-clients 201"]
	if created != clients {
		t.Errorf("%d creates succeeded; want %d: %v", created, clients, st.Requests)
	}
	if throttled == 0 {
		t.Errorf("the sandbox throttled no request at %d per second: the test proved nothing: %v", limit, st.Requests)
	}
	if failed := st.Total - throttled - countStatus(st, "200") - countStatus(st, "201"); failed != 0 {
		t.Errorf("%d requests failed otherwise than by throttling: %v", failed, st.Requests)
	}
	expectServerHolds(t, sb, clients, 0)
	answered := st.Total - throttled
	ideal := time.Duration(float64(answered) / limit * float64(time.Second))
	t.Logf("soak throttling: %d clients at -rate-limit %d and -parallelism=10: %d requests answered, %d throttled (429) and retried; "+
		"apply took %s against an ideal of %s (%d requests / %d per second): %.2fx",
		clients, limit, answered, throttled, elapsed.Round(time.Millisecond), ideal.Round(time.Millisecond), answered, limit,
		elapsed.Seconds()/ideal.Seconds())

	sb.resetStats()
	out, err = w.run("plan", "-detailed-exitcode", "-no-color")
	if code := exitCode(err); code != 0 {
		t.Errorf("the plan after the throttled apply is not empty (exit code %d):\n%s", code, tail(out, 60))
	}
	if out, err := w.run("destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the throttled destroy failed: %v\n%s", err, tail(out, 60))
	}
	expectServerHolds(t, sb, 0, 0)
}

// TestAccSoak_crashRestart: the sandbox is killed with SIGKILL in the middle of an apply
// of 50 OAuth clients and 2 connectors, and started again on the same database
// within the provider's retries. That apply, or at the latest the next one,
// converges: the server holds each object once, the state holds exactly the
// server's objects, and the plan after it is empty.
func TestAccSoak_crashRestart(t *testing.T) {
	sb := startSandboxProcess(t, "-latency", "300ms")
	w := newSoakWorkspace(t)
	const clients, connectors = 50, 2
	w.write("main.tf", soakConfig(sb, clients, 6))

	apply := w.start("apply", "-auto-approve", "-no-color")
	created := waitFor(t, 2*time.Minute, func() int { return sb.stats().Requests["POST /management/v1/oauth-clients 201"] }, 10)
	sb.kill()
	time.Sleep(time.Second)
	sb.start()
	first, firstErr := apply.wait()
	t.Logf("killed after %d creates; the interrupted apply %s", created, map[bool]string{true: "failed", false: "completed"}[firstErr != nil])
	if firstErr != nil {
		t.Logf("the interrupted apply said:\n%s", tail(first, 30))
	}

	if out, err := w.run("apply", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the apply after the restart failed: %v\n%s", err, tail(out, 60))
	}
	expectServerHolds(t, sb, clients, connectors)
	expectStateMatchesServer(t, w, sb)
	if out, err := w.run("plan", "-detailed-exitcode", "-no-color"); exitCode(err) != 0 {
		t.Errorf("the plan after the restart is not empty:\n%s", tail(out, 60))
	}
	if out, err := w.run("destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the destroy failed: %v\n%s", err, tail(out, 60))
	}
	expectServerHolds(t, sb, 0, 0)
}

// waitFor polls count until it reaches at least want, and returns what it reached.
func waitFor(t *testing.T, limit time.Duration, count func() int, want int) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		n := count()
		if n >= want {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %d, reached %d", limit, want, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expectStateMatchesServer checks that the workspace's state holds exactly the
// objects that acme owns on the server, by id, and nothing tainted.
func expectStateMatchesServer(t *testing.T, w *cliWorkspace, sb *sandboxProcess) {
	t.Helper()
	expectStatesMatchServer(t, sb, w)
}

// expectStatesMatchServer checks that the states of the workspaces together hold
// exactly the objects that acme owns on the server, by id, each in one state only,
// and nothing tainted.
func expectStatesMatchServer(t *testing.T, sb *sandboxProcess, workspaces ...*cliWorkspace) {
	t.Helper()
	inState := map[string]bool{}
	for _, w := range workspaces {
		for _, i := range stateInstances(t, w) {
			if i.tainted {
				t.Errorf("the state holds a tainted %s %q", i.typ, i.id)
			}
			if i.id != "" && inState[i.id] {
				t.Errorf("the states hold the %s %q twice", i.typ, i.id)
			}
			inState[i.id] = true
		}
	}
	clients, connectors := sb.ownObjects()
	onServer := map[string]bool{}
	for _, c := range clients {
		onServer[c.ID] = true
	}
	for _, c := range connectors {
		onServer[c.ID] = true
	}
	for id := range onServer {
		if !inState[id] {
			t.Errorf("the server holds %q, which the state does not: an orphan", id)
		}
	}
	for id := range inState {
		if !onServer[id] {
			t.Errorf("the state holds %q, which the server does not", id)
		}
	}
}

// TestAccSoak_secretsThroughCrash: canary values for client_secret, client_secret_wo,
// the provider's access token and its service account's secret never appear in what
// the CLI prints with TF_LOG=trace, in the output of an apply whose sandbox is killed
// under it, in the sandbox's log, or (write-only) in the state file, while the sandbox
// also injects faults.
func TestAccSoak_secretsThroughCrash(t *testing.T) {
	const (
		token         = "cnry-token-4f1e9a7c"
		accountSecret = "cnry-account-secret-b83d20e6"
		secret        = "cnry-sec-91c4d7e2"
		writeOnly     = "cnry-wo-0e6b5fa3"
	)
	seed := fmt.Sprintf(`{
  "accounts": [{"id": "acme", "name": "Acme Corporation"}],
  "tokens": [{"token": %q, "accountId": "acme", "userId": "acme-admin", "userName": "Acme Admin"}],
  "serviceAccounts": [{"clientId": "acme-automation", "clientSecret": %q, "accountId": "acme", "name": "Acme automation"}],
  "connectors": []
}`, token, accountSecret)
	seedFile := filepath.Join(t.TempDir(), "seed.json")
	writeFile(t, seedFile, seed)
	sb := startSandboxProcess(t, "-seed", seedFile, "-latency", "200ms", "-faults", "0.1")
	w := newCLIWorkspace(t) // TF_LOG=trace

	config := func(auth ...string) string {
		return cliConfig(sb.baseURL(), append(auth, "max_retries = 8")...) + fmt.Sprintf(`
resource "appxchange_connector" "crm" {
  key  = "canary-crm"
  name = "Canary CRM"
  connection_definitions = {
    oAuth2ClientCredentials = { title = "OAuth", auth_type = "oauth2_client_credentials", token_url = "https://crm.example.com/token" }
  }
}

resource "appxchange_oauth_client" "sensitive" {
  count                 = 10
  name                  = "sensitive ${count.index}"
  connector_id          = appxchange_connector.crm.id
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "sensitive-${count.index}"
  client_secret         = "%s-${count.index}"
}

resource "appxchange_oauth_client" "write_only" {
  count                    = 10
  name                     = "write-only ${count.index}"
  connector_id             = appxchange_connector.crm.id
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "write-only-${count.index}"
  client_secret_wo         = "%s-${count.index}"
  client_secret_wo_version = 1
}
`, secret, writeOnly)
	}
	w.write("main.tf", config(fmt.Sprintf("token_url = %q", sb.url()+"/oauth/token"), `client_id = "acme-automation"`, fmt.Sprintf("client_secret = %q", accountSecret)))

	var outputs []string
	apply := w.start("apply", "-auto-approve", "-no-color")
	waitFor(t, 2*time.Minute, func() int { return sb.stats().Requests["POST /management/v1/oauth-clients 201"] }, 5)
	sb.kill()
	time.Sleep(3 * time.Second) // requests meet a closed port, and are retried
	sb.start()
	crashed, crashErr := apply.wait()
	outputs = append(outputs, crashed)
	if !strings.Contains(crashed, "connection refused") {
		t.Error("the apply's trace log shows no request refused while the sandbox was down: the crash scan would prove little")
	}
	if crashErr != nil {
		t.Logf("the interrupted apply failed: %v", crashErr)
	}
	outputs = append(outputs, w.mustRun("apply", "-auto-approve", "-no-color"))

	// The same through an access token, then a destroy.
	w.write("main.tf", config(fmt.Sprintf("access_token = %q", token)))
	outputs = append(outputs, w.mustRun("apply", "-auto-approve", "-no-color"), w.mustRun("destroy", "-auto-approve", "-no-color"))

	printed := strings.Join(outputs, "\n")
	if !strings.Contains(printed, "[TRACE]") || !strings.Contains(printed, "provider.terraform-provider-appxchange") {
		t.Fatal("the CLI printed no trace log of the provider: the scan would prove nothing")
	}
	logged := sb.logText()
	if !strings.Contains(logged, "/oauth-clients") {
		t.Fatal("the sandbox logged no request: the scan of its log would prove nothing")
	}
	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	leaks := 0
	for _, c := range []string{token, accountSecret, secret, writeOnly} {
		if i := strings.Index(printed, c); i >= 0 {
			leaks++
			t.Errorf("the CLI printed the secret %q: ...%s...", c, printed[max(0, i-300):min(len(printed), i+100)])
		}
		if strings.Contains(logged, c) {
			leaks++
			t.Errorf("the sandbox logged the secret %q", c)
		}
	}
	if strings.Contains(string(state), writeOnly) {
		leaks++
		t.Errorf("the state file holds the write-only secret")
	}
	for _, m := range bearerToken.FindAllString(printed+logged, 5) {
		leaks++
		t.Errorf("a bearer token was printed or logged: %q", m)
	}
	t.Logf("soak secrets: 4 canaries searched in %d MB of CLI output (TF_LOG=trace, a killed sandbox, faults), %d KB of sandbox log and the state: %d leaks",
		len(printed)>>20, len(logged)>>10, leaks)
}
