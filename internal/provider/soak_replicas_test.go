//go:build soak

package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/pgcluster"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// The sandbox as a shared service: replicas, each its own process, on one
// PostgreSQL database, and Terraform workspaces that reach different replicas at
// the same time. Together the replicas must act as one API.

// replicaDatabase starts a PostgreSQL cluster of the test's own, stopped when the
// test ends, and returns the URL of a new database on it for replicas to share.
func replicaDatabase(t *testing.T) string {
	t.Helper()
	cluster, err := pgcluster.Start(t.Context(), pgcluster.Options{})
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v (scripts/postgres.sh finds or installs it)", err)
	}
	t.Cleanup(func() {
		if err := cluster.Stop(); err != nil {
			t.Errorf("stopping PostgreSQL: %v", err)
		}
	})
	if err := cluster.CreateDatabase(t.Context(), "appxchange"); err != nil {
		t.Fatal(err)
	}
	return cluster.URL("appxchange")
}

// replicaWorkspaces is n CLI workspaces that share one build of the provider: the
// first one's settings, each in a directory of its own.
func replicaWorkspaces(t *testing.T, n int) []*cliWorkspace {
	t.Helper()
	first := newSoakWorkspace(t)
	workspaces := []*cliWorkspace{first}
	for len(workspaces) < n {
		workspaces = append(workspaces, &cliWorkspace{t: t, dir: t.TempDir(), env: first.env})
	}
	return workspaces
}

// replicaClientsConfig is the configuration of workspace: clients OAuth clients on
// the public procore connector, named after the workspace (ws3-client-17), with
// scopes, through the replica sb with maxRetries retries.
func replicaClientsConfig(sb *sandboxProcess, workspace, clients, maxRetries int, scopes []string) string {
	return cliAcmeConfig(sb.baseURL(), fmt.Sprintf("max_retries = %d", maxRetries)) + fmt.Sprintf(`
resource "appxchange_oauth_client" "replicated" {
  count                 = %[1]d
  name                  = "ws%[2]d-client-${count.index}"
  connector_id          = %[3]q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "ws%[2]d-app-${count.index}"
  client_secret         = "ws%[2]d-secret-${count.index}"
  scopes                = %[4]s
}
`, clients, workspace, procoreID, hclStrings(scopes))
}

// hclStrings is a list of strings in HCL: ["read", "write"].
func hclStrings(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// runAll runs the CLI with args in every workspace at once and returns when all
// have ended: the time that took, and each one's output and error.
func runAll(workspaces []*cliWorkspace, args ...string) (time.Duration, []string, []error) {
	started := time.Now()
	running := make([]*runningCLI, len(workspaces))
	for i, w := range workspaces {
		running[i] = w.start(args...)
	}
	outs, errs := make([]string, len(running)), make([]error, len(running))
	for i, r := range running {
		outs[i], errs[i] = r.wait()
	}
	return time.Since(started), outs, errs
}

// applyAll applies every workspace at once and stops the test unless all succeed;
// it returns the time the applies took and what each replica answered meanwhile.
func applyAll(t *testing.T, workspaces []*cliWorkspace, replicas []*sandboxProcess) (time.Duration, []sandbox.Stats) {
	t.Helper()
	for _, r := range replicas {
		r.resetStats()
	}
	elapsed, outs, errs := runAll(workspaces, "apply", "-auto-approve", "-no-color")
	for i, err := range errs {
		if err != nil {
			t.Errorf("the apply of workspace %d failed: %v\n%s", i, err, tail(outs[i], 40))
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	stats := make([]sandbox.Stats, len(replicas))
	for i, r := range replicas {
		stats[i] = r.stats()
	}
	return elapsed, stats
}

// expectPlansEmpty plans every workspace at once and fails for each plan that is
// not empty.
func expectPlansEmpty(t *testing.T, workspaces []*cliWorkspace) {
	t.Helper()
	_, outs, errs := runAll(workspaces, "plan", "-detailed-exitcode", "-no-color")
	for i, err := range errs {
		if code := exitCode(err); code != 0 {
			t.Errorf("the plan of workspace %d is not empty (exit code %d):\n%s", i, code, tail(outs[i], 40))
		}
	}
}

// expectClientsOnServer checks, through sb, that acme owns exactly the OAuth
// clients named in want, each once and with the scopes want gives it, and returns
// how many were there twice or more, missing, or with other scopes (a lost update).
func expectClientsOnServer(t *testing.T, sb *sandboxProcess, want map[string][]string) (duplicates, missing, stale int) {
	t.Helper()
	clients, _ := sb.ownObjects()
	byName := map[string][]client.OAuthClient{}
	for _, c := range clients {
		byName[c.Name] = append(byName[c.Name], c)
	}
	var duplicated, absent, outdated, unexpected []string
	for name, scopes := range want {
		held := byName[name]
		if len(held) == 0 {
			absent = append(absent, name)
			continue
		}
		if len(held) > 1 {
			duplicated = append(duplicated, name)
		}
		for _, c := range held {
			if !slices.Equal(c.Scopes, scopes) {
				outdated = append(outdated, fmt.Sprintf("%s %v", name, c.Scopes))
			}
		}
	}
	for name := range byName {
		if _, ok := want[name]; !ok {
			unexpected = append(unexpected, name)
		}
	}
	for _, found := range []struct {
		names []string
		what  string
	}{
		{duplicated, "are held more than once: a create was applied twice"},
		{absent, "are missing"},
		{outdated, "have other scopes than the last apply's: an update was lost"},
		{unexpected, "are held but in no configuration"},
	} {
		if len(found.names) > 0 {
			slices.Sort(found.names)
			t.Errorf("%d OAuth clients %s, such as %q", len(found.names), found.what, found.names[:min(5, len(found.names))])
		}
	}
	return len(duplicated), len(absent), len(outdated)
}

// replicaFigures says what a replica answered: its requests, the faults it
// injected by kind, the server errors of its own (not injected), and what its log
// holds so far of writes that gave way to concurrent ones (503) and of errors.
func replicaFigures(p *sandboxProcess, st sandbox.Stats) string {
	serverErrors := 0
	for key, n := range st.Requests {
		if status := key[strings.LastIndex(key, " ")+1:]; strings.HasPrefix(status, "5") {
			serverErrors += n
		}
	}
	// The sandbox has no rate limit here: every 429 and dropped connection is a fault.
	throttled, dropped := countStatus(st, "429"), countStatus(st, "dropped")
	injected := st.Faults - throttled - dropped
	log := p.logText()
	return fmt.Sprintf("%d requests, %d faults injected (%d 5xx, %d 429, %d dropped), %d 5xx of its own, %d writes run again after a conflict; its log: %d writes gave way (503 busy), %d errors",
		st.Total, st.Faults, injected, throttled, dropped, serverErrors-injected, st.WriteRetries,
		strings.Count(log, "write gave way to concurrent writes"), strings.Count(log, "level=ERROR"))
}

// TestAccSoak_replicas: two replicas on one PostgreSQL database, each injecting
// faults in a fifth of its answers, serve 8 workspaces of 50 OAuth clients that
// apply at the same time, half through each replica. Every plan after it is empty
// and the server holds the 400 clients, each once; then all 8 change every client
// at the same time, and the server holds every change: none is lost.
func TestAccSoak_replicas(t *testing.T) {
	const workspaces, clients, maxRetries = 8, 50, 12
	database := replicaDatabase(t)
	replicas := []*sandboxProcess{
		startSandboxReplica(t, database, "-faults", "0.2", "-fault-seed", "1"),
		startSandboxReplica(t, database, "-faults", "0.2", "-fault-seed", "2"),
	}
	ws := replicaWorkspaces(t, workspaces)
	// configure writes each workspace's configuration with scopes, workspaces 0-3
	// through replica A and 4-7 through B, and returns the clients it names.
	configure := func(scopes []string) map[string][]string {
		want := map[string][]string{}
		for i, w := range ws {
			w.write("main.tf", replicaClientsConfig(replicas[i*len(replicas)/workspaces], i, clients, maxRetries, scopes))
			for j := range clients {
				want[fmt.Sprintf("ws%d-client-%d", i, j)] = scopes
			}
		}
		return want
	}

	want := configure([]string{"read"})
	created, createStats := applyAll(t, ws, replicas)
	expectPlansEmpty(t, ws)
	duplicates, missing, _ := expectClientsOnServer(t, replicas[1], want)
	expectStatesMatchServer(t, replicas[0], ws...)
	if t.Failed() {
		t.FailNow()
	}

	want = configure([]string{"read", "write"})
	updated, updateStats := applyAll(t, ws, replicas)
	expectPlansEmpty(t, ws)
	_, _, lost := expectClientsOnServer(t, replicas[0], want)

	t.Logf("soak replicas: %d workspaces x %d OAuth clients, applied at once through %d replicas (%d workspaces each, -faults 0.2) on one PostgreSQL database",
		workspaces, clients, len(replicas), workspaces/len(replicas))
	for _, phase := range []struct {
		name    string
		elapsed time.Duration
		stats   []sandbox.Stats
	}{{"create", created, createStats}, {"update", updated, updateStats}} {
		t.Logf("  %s apply: %s wall", phase.name, phase.elapsed.Round(time.Second))
		for i, r := range replicas {
			t.Logf("    replica %c: %s", 'A'+i, replicaFigures(r, phase.stats[i]))
		}
	}
	t.Logf("  server: %d clients, %d duplicates, %d missing, %d lost updates; every plan empty after each apply", len(want), duplicates, missing, lost)
}

// TestAccSoak_replicasConcurrentUpdate: one OAuth client managed by two workspaces
// (the second imported it), each through its own replica. Both plan a different
// change from the same version of the client, so both plans hold the same ETag, and
// both applies run at the same time: exactly one succeeds, the other is refused
// with the provider's message for a 412, and the server holds the winner's change.
func TestAccSoak_replicasConcurrentUpdate(t *testing.T) {
	database := replicaDatabase(t)
	replicas := []*sandboxProcess{startSandboxReplica(t, database), startSandboxReplica(t, database)}
	ws := replicaWorkspaces(t, 2)
	// config is workspace i's configuration of the client, through replica i,
	// importing the client of id when id is not empty.
	config := func(i int, id string, scopes []string) string {
		c := cliAcmeConfig(replicas[i].baseURL()) + fmt.Sprintf(`
resource "appxchange_oauth_client" "shared" {
  name                  = "shared client"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "shared-app"
  scopes                = %s
}
`, procoreID, hclStrings(scopes))
		if id != "" {
			c += fmt.Sprintf("\nimport {\n  to = appxchange_oauth_client.shared\n  id = %q\n}\n", id)
		}
		return c
	}
	ws[0].write("main.tf", config(0, "", []string{"read"}))
	ws[0].mustRun("apply", "-auto-approve", "-no-color")
	id := stateInstances(t, ws[0])[0].id
	ws[1].write("main.tf", config(1, id, []string{"read"}))
	if out := ws[1].mustRun("apply", "-auto-approve", "-no-color"); !strings.Contains(out, "1 imported, 0 added, 0 changed") {
		t.Fatalf("the second workspace did not import the client unchanged:\n%s", tail(out, 30))
	}

	wantScopes := [][]string{{"read", "through-a"}, {"read", "through-b"}}
	imports := []string{"", id}
	for i, w := range ws {
		w.write("main.tf", config(i, imports[i], wantScopes[i]))
		if out := w.mustRun("plan", "-out=change.tfplan", "-no-color"); !strings.Contains(out, "0 to add, 1 to change, 0 to destroy") {
			t.Fatalf("workspace %d plans no update of the client:\n%s", i, tail(out, 30))
		}
	}
	for _, r := range replicas {
		r.resetStats()
	}
	_, outs, errs := runAll(ws, "apply", "-no-color", "change.tfplan")

	const summary = "Unable to Update OAuth Client"
	const refusal = `The OAuth client "shared client" changed outside Terraform since Terraform last read it, so nothing was written.`
	var winners []int
	for i, err := range errs {
		if err == nil {
			winners = append(winners, i)
		} else if !wrapped(summary).MatchString(outs[i]) || !wrapped(regexp.QuoteMeta(refusal)).MatchString(outs[i]) {
			t.Errorf("the apply of workspace %d failed without the provider's message for a 412 (%s: %s): %v\n%s", i, summary, refusal, err, tail(outs[i], 30))
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d of the 2 applies succeeded; want exactly 1", len(winners))
	}
	var updated, refused int
	for _, r := range replicas {
		st := r.stats()
		updated += st.Requests["PATCH /management/v1/oauth-clients/{id} 200"]
		refused += st.Requests["PATCH /management/v1/oauth-clients/{id} 412"]
	}
	if updated != 1 || refused != 1 {
		t.Errorf("the replicas answered %d updates with 200 and %d with 412; want 1 and 1", updated, refused)
	}
	winner := winners[0]
	got, err := replicas[1-winner].apiClient(acmeToken).GetOAuthClient(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Scopes, wantScopes[winner]) {
		t.Errorf("the server holds the scopes %v; want the winner's %v", got.Scopes, wantScopes[winner])
	}
	t.Logf("soak replicas concurrent update: two plans from one ETag applied at once through replicas A and B: "+
		"workspace %d (replica %c) won with %v; the other was answered 412 and said: %s: %s",
		winner, 'A'+winner, got.Scopes, summary, refusal)
}

// TestAccSoak_replicasKill: 4 workspaces of 50 OAuth clients apply at the same
// time through two replicas on one PostgreSQL database, and replica A is killed
// with SIGKILL in the middle, then started again on the same address and database,
// as a supervisor would. The applies finish through their retries, or a second
// apply converges; then every plan is empty, and the server holds the 200 clients,
// each once, each in one state.
func TestAccSoak_replicasKill(t *testing.T) {
	const workspaces, clients, maxRetries = 4, 50, 8
	database := replicaDatabase(t)
	a := startSandboxReplica(t, database, "-latency", "300ms")
	b := startSandboxReplica(t, database, "-latency", "300ms")
	replicas := []*sandboxProcess{a, b}
	ws := replicaWorkspaces(t, workspaces)
	for i, w := range ws {
		w.write("main.tf", replicaClientsConfig(replicas[i*len(replicas)/workspaces], i, clients, maxRetries, []string{"read"}))
	}
	// stored counts the OAuth clients in the database, answered or not, through B.
	api := b.apiClient(acmeToken)
	stored := func() int {
		page, err := api.ListOAuthClients(t.Context(), client.OAuthClientFilter{}, client.PageOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		return page.TotalItems
	}
	if n := stored(); n != 0 {
		t.Fatalf("the database holds %d OAuth clients before the apply; want none", n)
	}

	started := time.Now()
	running := make([]*runningCLI, len(ws))
	for i, w := range ws {
		running[i] = w.start("apply", "-auto-approve", "-no-color")
	}
	waitFor(t, 5*time.Minute, stored, workspaces*clients/5)
	answeredByA := a.stats().Requests["POST /management/v1/oauth-clients 201"]
	a.kill()
	atKill := stored()
	if answeredByA == 0 || atKill >= workspaces*clients {
		t.Fatalf("replica A was killed after answering %d creates, with %d of %d clients stored: the kill proved nothing", answeredByA, atKill, workspaces*clients)
	}
	time.Sleep(2 * time.Second) // requests to A meet a closed port, and are retried
	a.start()
	var failed []*cliWorkspace
	for i, r := range running {
		if out, err := r.wait(); err != nil {
			t.Logf("the interrupted apply of workspace %d failed: %v\n%s", i, err, tail(out, 20))
			failed = append(failed, ws[i])
		}
	}
	elapsed := time.Since(started)
	stats := []sandbox.Stats{a.stats(), b.stats()}
	if len(failed) > 0 {
		_, outs, errs := runAll(failed, "apply", "-auto-approve", "-no-color")
		for i, err := range errs {
			if err != nil {
				t.Fatalf("the apply after the restart failed: %v\n%s", err, tail(outs[i], 40))
			}
		}
	}

	expectPlansEmpty(t, ws)
	expectServerHolds(t, b, workspaces*clients, 0)
	expectStatesMatchServer(t, a, ws...)
	t.Logf("soak replicas kill: %d workspaces x %d OAuth clients applied at once through %d replicas (%d workspaces each, -latency 300ms) on one PostgreSQL database; "+
		"replica A killed (SIGKILL) after answering %d creates, with %d clients stored, and restarted 2s later",
		workspaces, clients, len(replicas), workspaces/len(replicas), answeredByA, atKill)
	t.Logf("  the applies took %s wall; %d of %d failed and converged on a second apply", elapsed.Round(time.Second), len(failed), workspaces)
	t.Logf("    replica A since its restart: %s", replicaFigures(a, stats[0]))
	t.Logf("    replica B: %s", replicaFigures(b, stats[1]))
	t.Logf("  server: %d clients, each once; every plan empty", workspaces*clients)
}
