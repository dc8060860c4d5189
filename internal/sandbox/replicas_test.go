package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// replicas are n sandboxes on one new PostgreSQL schema, as a shared service runs.
func replicas(t *testing.T, n int) []*env {
	t.Helper()
	schema := testSchema(t)
	out := make([]*env, n)
	for i := range out {
		out[i] = newEnv(t, func(c *Config) { c.DataPath, c.DatabaseURL = "", schema })
	}
	return out
}

// racers is how many requests race in each case.
const racers = 16

// concurrently sends racers requests at once, request i to replica i%len(rs), and
// returns the replies in order.
func concurrently(t *testing.T, rs []*env, r func(i int) req) []*reply {
	t.Helper()
	n := racers
	replies := make([]*reply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			replies[i], errs[i] = rs[i%len(rs)].send(r(i))
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return replies
}

func statuses(replies []*reply) map[int]int {
	out := map[int]int{}
	for _, r := range replies {
		out[r.status]++
	}
	return out
}

// TestReplicasMigrateAtOnce: replicas that start together on an empty database
// agree on one schema and one hash key, so a token hashed by one is found by all.
func TestReplicasMigrateAtOnce(t *testing.T) {
	schema := testSchema(t)
	stores := make([]*store, 6)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = openPostgres(context.Background(), schema) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer stores[i].close()
	}
	var versions []int
	if err := queryColumn(stores[0].writer, "SELECT version FROM schema_migrations ORDER BY version", &versions); err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := range postgresMigrations {
		want = append(want, i+1)
	}
	if !slices.Equal(versions, want) {
		t.Fatalf("schema_migrations %v, want each migration once: %v", versions, want)
	}
	for i, st := range stores {
		if got, want := st.hash("a token"), stores[0].hash("a token"); got != want {
			t.Fatalf("replica %d hashes a token as %s, replica 0 as %s", i, got, want)
		}
	}
	if stores[0].hash("a token") == sha256Hex("a token") {
		t.Fatal("the hash of a token is its bare SHA-256")
	}
}

func queryColumn[T any](q *sql.DB, query string, out *[]T) error {
	rows, err := q.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}

// TestReplicasAreOneAPI: what one replica makes, every other one honours.
func TestReplicasAreOneAPI(t *testing.T) {
	rs := replicas(t, 2)
	a, b := rs[0], rs[1]

	// An object made through one is read and changed through the other, with its ETag.
	c := a.createClient(acme, map[string]any{"name": "Made on a"})
	path := clients + "/" + c.ID
	etag := b.must(http.StatusOK, req{token: acme, method: "GET", path: path}).header.Get("ETag")
	b.must(http.StatusOK, req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": etag}, body: map[string]any{"name": "Changed on b"}})
	a.wantProblem(a.do(req{token: acme, method: "PATCH", path: path, headers: map[string]string{"If-Match": etag}, body: map[string]any{"name": "lost"}}), 412, "", "changed since it was read")

	// A token issued by one authenticates on the other.
	rep := a.token(url.Values{"grant_type": {"client_credentials"}}, "acme-automation", "acme-automation-secret")
	token := strings.Split(strings.Split(string(rep.body), `"access_token":"`)[1], `"`)[0]
	b.must(http.StatusOK, req{token: token, method: "GET", path: "/management/v1/me"})

	// An Idempotency-Key used on one replays on the other, and is looked up there.
	key := map[string]string{"Idempotency-Key": "across-replicas"}
	body := map[string]any{"name": "Keyed", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "k"}
	first := a.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	replay := b.must(http.StatusCreated, req{token: acme, method: "POST", path: clients, body: body, headers: key})
	if string(first.body) != string(replay.body) || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the other replica did not replay the first answer:\n%s\n%s", first.body, replay.body)
	}
	b.must(http.StatusOK, req{token: acme, method: "GET", path: "/management/v1/idempotency-keys/across-replicas"})

	// A console session opened on one replica is known to the other, and signing
	// out on that one ends it on both.
	br := a.browser()
	br.signIn(acme)
	session := br.session()
	br.base = b.url
	br.page("/console/oauth-clients").wantContains(t, `<span id="user">`)
	br.post("/console/sign-out", nil)
	br.base = a.url
	br.request("GET", "/console/oauth-clients", nil, map[string]string{"Cookie": consoleCookie + "=" + session}).wantRedirect(t, "/console/sign-in")
}

// TestReplicasConcurrentWrites: writes that race through two replicas meet the
// guarantees of one process.
func TestReplicasConcurrentWrites(t *testing.T) {
	rs := replicas(t, 2)
	const n = racers

	t.Run("one Idempotency-Key makes one object", func(t *testing.T) {
		body := map[string]any{"name": "Raced", "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "r", "clientSecret": "s"}
		replies := concurrently(t, rs, func(int) req {
			return req{token: acme, method: "POST", path: clients, body: body, headers: map[string]string{"Idempotency-Key": "raced-create"}}
		})
		ids := map[string]int{}
		for _, r := range replies {
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var c OAuthClient
			r.decode(t, &c)
			ids[c.ID]++
		}
		var list page[OAuthClient]
		rs[0].must(http.StatusOK, req{token: acme, method: "GET", path: clients + "?search=raced"}).decode(t, &list)
		if len(ids) != 1 || list.TotalItems != 1 {
			t.Fatalf("%d answers named %d objects and %d exist, want 1", n, len(ids), list.TotalItems)
		}
	})

	t.Run("If-Match lets exactly one writer win", func(t *testing.T) {
		c := rs[0].createClient(acme, map[string]any{"name": "Contended"})
		etag := rs[1].must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID}).header.Get("ETag")
		replies := concurrently(t, rs, func(i int) req {
			return req{token: acme, method: "PATCH", path: clients + "/" + c.ID, headers: map[string]string{"If-Match": etag},
				body: map[string]any{"name": fmt.Sprintf("writer %d", i)}}
		})
		got := statuses(replies)
		if got[http.StatusOK] != 1 || got[http.StatusPreconditionFailed] != n-1 {
			t.Fatalf("statuses %v, want one 200 and %d 412", got, n-1)
		}
		var winner, now OAuthClient
		for _, r := range replies {
			if r.status == http.StatusOK {
				r.decode(t, &winner)
			}
		}
		rs[1].must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID}).decode(t, &now)
		if now.Name != winner.Name {
			t.Fatalf("stored name %q, but the winner wrote %q", now.Name, winner.Name)
		}
	})

	t.Run("a connector key is taken once", func(t *testing.T) {
		replies := concurrently(t, rs, func(int) req {
			return req{token: acme, method: "POST", path: connectors, body: customConnector("raced-key")}
		})
		got := statuses(replies)
		if got[http.StatusCreated] != 1 || got[http.StatusConflict] != n-1 {
			t.Fatalf("statuses %v, want one 201 and %d 409", got, n-1)
		}
	})

	t.Run("concurrent creates all land", func(t *testing.T) {
		replies := concurrently(t, rs, func(i int) req {
			return req{token: globex, method: "POST", path: clients, headers: map[string]string{"Idempotency-Key": fmt.Sprintf("many-%d", i)},
				body: map[string]any{"name": fmt.Sprintf("many %02d", i), "connectorId": procoreID, "connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "m"}}
		})
		if got := statuses(replies); got[http.StatusCreated] != n {
			t.Fatalf("statuses %v, want %d 201", got, n)
		}
		var list page[OAuthClient]
		rs[1].must(http.StatusOK, req{token: globex, method: "GET", path: clients + "?search=many"}).decode(t, &list)
		var names []string
		for _, c := range list.Items {
			names = append(names, c.Name)
		}
		sort.Strings(names)
		if len(names) != n || names[0] != "many 00" || names[n-1] != fmt.Sprintf("many %02d", n-1) {
			t.Fatalf("listed %v", names)
		}
	})
}

// TestConflictingWritesRunAgain: a PostgreSQL write that meets a concurrent one is
// run again, and counted, until it goes through; one that keeps meeting them gives
// way with errBusy (503) after maxAttempts, leaving nothing behind.
func TestConflictingWritesRunAgain(t *testing.T) {
	st, err := openPostgres(context.Background(), testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	retries := 0
	st.retried = func() { retries++ }
	conflict := &pgconn.PgError{Code: "40001", Message: "could not serialize access due to read/write dependencies among transactions"}
	insert := func(ctx context.Context, tx db, id string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name) VALUES (?, ?)`, id, "Retried")
		return err
	}

	runs := 0
	err = st.inTx(context.Background(), func(tx db) error {
		runs++
		if err := insert(context.Background(), tx, "retried"); err != nil {
			return err
		}
		if runs <= 2 {
			return fmt.Errorf("reading: %w", conflict)
		}
		return nil
	})
	if err != nil || runs != 3 || retries != 2 {
		t.Fatalf("a write that met 2 conflicts: error %v, %d runs, %d retries counted; want nil, 3 and 2", err, runs, retries)
	}

	runs, retries = 0, 0
	err = st.inTx(context.Background(), func(tx db) error {
		runs++
		if err := insert(context.Background(), tx, "never"); err != nil {
			return err
		}
		return conflict
	})
	if !errors.Is(err, errBusy) || runs != maxAttempts || retries != maxAttempts-1 {
		t.Fatalf("a write that always conflicts: error %v, %d runs, %d retries; want errBusy after %d runs", err, runs, retries, maxAttempts)
	}
	var names []string
	if err := queryColumn(st.writer, "SELECT id FROM accounts WHERE name = 'Retried' ORDER BY id", &names); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"retried"}) {
		t.Fatalf("accounts written %v, want only the one whose write went through, once", names)
	}

	// Another error is not run again.
	runs = 0
	if err := st.inTx(context.Background(), func(db) error { runs++; return errors.New("a rule broken") }); err == nil || runs != 1 {
		t.Fatalf("a write that failed for good: error %v after %d runs, want its error after 1", err, runs)
	}
}
