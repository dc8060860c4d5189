//go:build soak

package provider

import (
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// crashConfig is a configuration of connectors of acme's and OAuth clients on the
// public procore connector, none depending on another, so that creates of both kinds
// are in flight together, with maxRetries retries.
func crashConfig(sb *sandboxProcess, clients, connectors, maxRetries int) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    appxchange = { source = "appxchange/appxchange" }
  }
}

provider "appxchange" {
  base_url     = %q
  access_token = %q
  max_retries  = %d
}

resource "appxchange_connector" "crash" {
  count = %d
  key   = "crash-${count.index}"
  name  = "Crash ${count.index}"
  connection_definitions = {
    oAuth2CodeFlow = {
      title             = "OAuth"
      auth_type         = "oauth2_code_flow"
      authorization_url = "https://crash.example.com/authorize"
    }
  }
}

resource "appxchange_oauth_client" "crash" {
  count                 = %d
  name                  = "crash client ${count.index}"
  connector_id          = %q
  connection_definition = "oAuth2CodeFlow"
  client_id             = "crash-app-${count.index}"
  client_secret         = "crash-secret-${count.index}"
}
`, sb.baseURL(), acmeToken, maxRetries, connectors, clients, procoreID)
}

// storedObjects counts the OAuth clients and connectors of acme's in the sandbox's
// database, committed whether or not their creates have been answered.
func (p *sandboxProcess) storedObjects() (clients, connectors int) {
	p.t.Helper()
	db, err := sql.Open("sqlite", p.data)
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT (SELECT count(*) FROM oauth_clients WHERE account_id = 'acme'),
		(SELECT count(*) FROM connectors WHERE owner_account_id = 'acme')`).Scan(&clients, &connectors)
	if err != nil {
		p.t.Fatal(err)
	}
	return clients, connectors
}

// TestAccSoak_crashLongOutage: the sandbox is killed with SIGKILL in the middle of an
// apply of OAuth clients and connectors, with half of its latency after each commit,
// and stays down until the apply has spent every retry and failed. Some creates were
// committed and never answered. Started again on the same database, the next apply
// converges: each object once on the server, the state holding exactly the server's
// objects, nothing orphaned or duplicated; the plan after it is empty, and destroy
// leaves nothing.
func TestAccSoak_crashLongOutage(t *testing.T) {
	sb := startSandboxProcess(t, "-latency", "400ms")
	w := newSoakWorkspace(t)
	const clients, connectors = 60, 20
	w.write("main.tf", crashConfig(sb, clients, connectors, 1))

	apply := w.start("apply", "-auto-approve", "-no-color", "-parallelism=16")
	// The kill comes while creates are committed and not yet answered (the database
	// holds more objects than the sandbox has answered creates for): of both kinds if
	// that comes before half of the creates are answered, else three of either.
	var created int
	waitFor(t, 2*time.Minute, func() int {
		storedClients, storedConnectors := sb.storedObjects()
		st := sb.stats()
		answeredClients, answeredConnectors := st.Requests["POST /management/v1/oauth-clients 201"], st.Requests["POST /management/v1/connectors 201"]
		created = answeredClients + answeredConnectors
		both := storedClients > answeredClients && storedConnectors > answeredConnectors
		several := storedClients+storedConnectors >= created+3
		if both || (several && created >= (clients+connectors)/2) {
			return 1
		}
		return 0
	}, 1)
	sb.kill()
	out, err := apply.wait()
	if err == nil {
		t.Fatalf("the apply succeeded although the sandbox was down from the %dth create until it ended:\n%s", created, tail(out, 40))
	}
	sb.start()

	// What the crash left: objects on the server that the state does not name are
	// creates that were committed and never answered.
	instances := stateInstances(t, w)
	inState := map[string]bool{}
	placeholders := map[string]int{}
	for _, in := range instances {
		if in.id == "" {
			placeholders[in.typ]++
		}
		inState[in.id] = true
	}
	serverClients, serverConnectors := sb.ownObjects()
	unanswered := map[string]int{}
	for _, c := range serverClients {
		if !inState[c.ID] {
			unanswered["appxchange_oauth_client"]++
		}
	}
	for _, c := range serverConnectors {
		if !inState[c.ID] {
			unanswered["appxchange_connector"]++
		}
	}
	t.Logf("killed after %d answered creates; the failed apply left %d objects in the state, of which placeholders of creates of unknown outcome: %v; "+
		"the server holds %d clients and %d connectors, of which committed but never answered: %v",
		created, len(instances), placeholders, len(serverClients), len(serverConnectors), unanswered)
	if unanswered["appxchange_oauth_client"]+unanswered["appxchange_connector"] == 0 {
		t.Fatalf("no create was committed and left unanswered by the crash: the test proved nothing\n%s", tail(out, 40))
	}

	sb.resetStats()
	if out, err := w.run("apply", "-auto-approve", "-no-color"); err != nil {
		t.Errorf("the apply after the outage failed: %v\n%s", err, tail(out, 30))
	}
	st := sb.stats()
	found, notFound := st.Requests["GET /management/v1/idempotency-keys/{key} 200"], st.Requests["GET /management/v1/idempotency-keys/{key} 404"]
	deleted := st.Requests["DELETE /management/v1/oauth-clients/{id} 204"] + st.Requests["DELETE /management/v1/connectors/{id} 204"]
	t.Logf("the apply after the outage: idempotency keys looked up: %d found, %d not found; creates: %d clients, %d connectors; deletes: %d",
		found, notFound, st.Requests["POST /management/v1/oauth-clients 201"], st.Requests["POST /management/v1/connectors 201"], deleted)
	// Each placeholder was looked up once; each create that was committed and never
	// answered was found, taken over, and replaced as tainted.
	if total := placeholders["appxchange_oauth_client"] + placeholders["appxchange_connector"]; found+notFound != total {
		t.Errorf("%d idempotency keys were looked up for %d placeholders", found+notFound, total)
	}
	if total := unanswered["appxchange_oauth_client"] + unanswered["appxchange_connector"]; found != total || deleted != total {
		t.Errorf("%d creates were committed and never answered; %d were found by their idempotency keys and %d objects deleted", total, found, deleted)
	}
	expectServerHolds(t, sb, clients, connectors)
	expectStateMatchesServer(t, w, sb)
	if t.Failed() {
		t.FailNow()
	}
	if out, err := w.run("plan", "-detailed-exitcode", "-no-color"); exitCode(err) != 0 {
		t.Errorf("the plan after the outage is not empty:\n%s", tail(out, 60))
	}
	if out, err := w.run("destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the destroy failed: %v\n%s", err, tail(out, 60))
	}
	expectServerHolds(t, sb, 0, 0)
}
