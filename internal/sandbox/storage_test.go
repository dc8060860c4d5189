package sandbox

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary run the sandbox command instead of the tests,
// so that a real process can be killed.
const childEnv = "APPXCHANGE_SANDBOX_TEST_CHILD"

func childContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kills what the test left running; the errors only say it had stopped or was killed.
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the sandbox printed no first line: %v\nstderr: %s", err, c.stderr)
	}
	m := regexp.MustCompile(`^appxchange sandbox listening on (http://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}
	c.url = m[1]
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // keeps the child from blocking on a full pipe
	return c
}

// envAt is an env whose requests go to a sandbox process at url.
func envAt(t *testing.T, url string) *env {
	return &env{t: t, url: url, client: &http.Client{Timeout: 10 * time.Second, Transport: newContractCheck(t, url, http.DefaultTransport)}}
}

func TestRestartKeepsData(t *testing.T) {
	e := newEnv(t)
	conn := e.createConnector(acme, customConnector("kept"))
	c := e.createClient(acme, map[string]any{"name": "Kept"})
	// Changing a seeded object: a restart, which seeds again, must keep the change.
	e.must(http.StatusOK, req{token: xchange, method: "PATCH", path: connectors + "/" + procoreID, body: map[string]any{"name": "Procore (renamed)"}})
	e.srv.Close()

	srv, err := New(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e2 := envAt(t, serve(t, srv))
	var got OAuthClient
	e2.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + c.ID}).decode(t, &got)
	if got.Name != "Kept" || !got.ClientSecretSet {
		t.Fatalf("after restart: %+v", got)
	}
	e2.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "/" + conn.ID})
	var procore Connector
	e2.must(http.StatusOK, req{token: acme, method: "GET", path: connectors + "/" + procoreID}).decode(t, &procore)
	if procore.Name != "Procore (renamed)" {
		t.Fatalf("seeding again overwrote a change: %q", procore.Name)
	}
	var list page[Connector]
	e2.must(http.StatusOK, req{token: acme, method: "GET", path: connectors}).decode(t, &list)
	if list.TotalItems != 4 {
		t.Fatalf("%d connectors after a second seeding, want 4", list.TotalItems)
	}
}

func serve(t *testing.T, srv *Server) string {
	t.Helper()
	ts := newTestServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db")
	st, err := openStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var mode string
	if err := st.writer.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := st.writer.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if version != len(sqliteMigrations) || mode != "wal" {
		t.Fatalf("user_version %d, journal_mode %s", version, mode)
	}
	if _, err := st.writer.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(sqliteMigrations)+1)); err != nil {
		t.Fatal(err)
	}
	if err := st.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := openStore(context.Background(), path); err == nil || !strings.Contains(err.Error(), "newer than this sandbox knows") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

// TestMigrationKeepsIdempotencyRecords: a database of the first schema, with a
// stored write, is brought up to date, and the lookup of its key tells the method
// and path taken from the record's fingerprint.
func TestMigrationKeepsIdempotencyRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":"` + procoreID + `"}`
	for _, stmt := range []string{sqliteMigrations[0].sql, "PRAGMA user_version = 1"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.Exec(`INSERT INTO idempotency_keys (account_id, key, fingerprint, status, etag, location, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		"acme", "before-migration", "PATCH /management/v1/connectors/"+procoreID+" "+sha256Hex(body), 200, `"2"`, "", body, time.Now().UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := openStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	var version int
	var method, route string
	if err := st.writer.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := st.writer.QueryRow("SELECT method, path FROM idempotency_keys WHERE key = 'before-migration'").Scan(&method, &route); err != nil {
		t.Fatal(err)
	}
	if version != len(sqliteMigrations) || method != "PATCH" || route != connectors+"/"+procoreID {
		t.Fatalf("after the migration: user_version %d, method %q, path %q", version, method, route)
	}
}

func TestKillDuringWritesLosesNothing(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "crash.db")
	c := startChild(t, "-listen", "127.0.0.1:0", "-data", data)
	e := envAt(t, c.url)

	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"name":"w%d-%d","connectorId":%q,"connectionDefinitionKey":"oAuth2CodeFlow","clientId":"c","clientSecret":"s"}`, w, i, procoreID)
				rep, err := e.send(req{token: acme, method: "POST", path: clients, body: body})
				if err != nil {
					return // the process is gone
				}
				if rep.status == http.StatusCreated {
					var oc OAuthClient
					rep.decode(t, &oc)
					mu.Lock()
					acked = append(acked, oc.ID)
					mu.Unlock()
				}
			}
		}()
	}
	// Kill it in the middle of the writes, once enough of them were answered.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 30 {
			break
		}
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var killed *exec.ExitError
	if err := c.cmd.Wait(); !errors.As(err, &killed) {
		t.Fatalf("waiting for the killed sandbox: %v", err)
	}
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d creates were answered before the kill", len(acked))
	}

	// Restarted on the same file: every answered create is there, the file is sound.
	c2 := startChild(t, "-listen", "127.0.0.1:0", "-data", data)
	e2 := envAt(t, c2.url)
	for _, id := range acked {
		e2.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "/" + id})
	}
	var list page[OAuthClient]
	e2.must(http.StatusOK, req{token: acme, method: "GET", path: clients + "?pageSize=1"}).decode(t, &list)
	if list.TotalItems < len(acked) || list.TotalItems > len(acked)+6 {
		t.Fatalf("%d clients stored, %d answered, at most 6 in flight", list.TotalItems, len(acked))
	}
	// SIGTERM stops it cleanly.
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c2.cmd.Wait(); err != nil {
		t.Fatalf("stopping on SIGTERM: %v\n%s", err, c2.stderr)
	}
	db, err := sql.Open("sqlite", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	t.Logf("%d creates answered before kill -9; %d stored after restart", len(acked), list.TotalItems)
}

func TestCommandLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, in := io.Pipe()
	var stderr syncBuffer
	done := make(chan int)
	go func() { done <- Main(ctx, []string{"-listen", "127.0.0.1:0", "-data", ":memory:"}, in, &stderr) }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "appxchange sandbox listening on "))
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(url) {
		t.Fatalf("first line %q", line)
	}
	var list page[Connector]
	envAt(t, url).must(http.StatusOK, req{token: acme, method: "GET", path: connectors}).decode(t, &list)
	if list.TotalItems != 3 {
		t.Fatalf("%d connectors", list.TotalItems)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}

	seed := filepath.Join(t.TempDir(), "seed.json")
	for name, tc := range map[string]struct {
		args []string
		seed string
		code int
		says string
	}{
		"unknown flag":      {[]string{"-port", "1"}, "", 2, "flag provided but not defined"},
		"bad fault rate":    {[]string{"-faults", "2", "-data", ":memory:"}, "", 1, "between 0 and 1"},
		"missing seed":      {[]string{"-seed", "/nonexistent/seed.json"}, "", 1, "no such file"},
		"bad seed":          {[]string{"-seed", seed}, `{"accounts":[{"id":"a","name":"A"}],"connectors":[{"id":"x","key":"Bad Key","name":"n","visibility":"public","ownerAccountId":"a","connectionDefinitions":[]}]}`, 1, "connectors[0].key"},
		"unknown seed key":  {[]string{"-seed", seed}, `{"users":[]}`, 1, `unknown field "users"`},
		"data and database": {[]string{"-data", ":memory:", "-database", "postgres://localhost/x"}, "", 2, "-data and -database are exclusive"},
		"unreachable database, password kept back": {[]string{"-database", "postgres://sandbox:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5"}, "", 1,
			"opening the PostgreSQL database postgres://sandbox:xxxxx@127.0.0.1:1/x"},
	} {
		if tc.seed != "" {
			if err := os.WriteFile(seed, []byte(tc.seed), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var stderr syncBuffer
		if code := Main(context.Background(), tc.args, io.Discard, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.says) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", name, code, stderr.String(), tc.code, tc.says)
		}
		if strings.Contains(stderr.String(), "hunter2") {
			t.Errorf("%s: the database password is in the message: %q", name, stderr.String())
		}
	}
}

func TestSeedFile(t *testing.T) {
	seed, err := ParseSeed([]byte(`{
		"accounts": [{"id": "initech", "name": "Initech"}],
		"tokens": [{"token": "initech-token", "accountId": "initech", "userId": "peter"}],
		"serviceAccounts": [{"clientId": "initech-ci", "clientSecret": "initech-ci-secret", "accountId": "initech"}],
		"connectors": [{"id": "0b7a2c1e-1111-4222-8333-444455556666", "key": "tps", "name": "TPS reports", "visibility": "account", "ownerAccountId": "initech",
			"connectionDefinitions": [{"key": "oAuth2ClientCredentials", "title": "CC", "authType": "oauth2ClientCredentials"}]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *Config) { c.Seed = seed })
	var me principal
	e.must(http.StatusOK, req{token: "initech-token", method: "GET", path: "/management/v1/me"}).decode(t, &me)
	if me.AccountID != "initech" || me.UserName != "peter" {
		t.Fatalf("me %+v", me)
	}
	var list page[Connector]
	e.must(http.StatusOK, req{token: "initech-token", method: "GET", path: connectors}).decode(t, &list)
	if list.TotalItems != 1 || list.Items[0].Key != "tps" {
		t.Fatalf("connectors %+v", list)
	}
	// The built-in seed is not loaded beside a given one.
	e.wantProblem(e.do(req{token: acme, method: "GET", path: "/management/v1/me"}), 401, "", "not valid")
}

func TestSecretsNeverStoredOrLogged(t *testing.T) {
	e := newEnv(t)
	secrets := []string{"canary-client-secret-1", "canary-client-secret-2", "acme-automation-secret", acme}
	c := e.createClient(acme, map[string]any{"clientSecret": secrets[0]})
	e.must(http.StatusOK, req{token: acme, method: "PATCH", path: clients + "/" + c.ID, body: map[string]any{"clientSecret": secrets[1]}})
	e.wantProblem(e.do(req{token: acme, method: "POST", path: clients, body: map[string]any{"name": "", "connectorId": procoreID,
		"connectionDefinitionKey": "oAuth2CodeFlow", "clientId": "c", "clientSecret": secrets[0]}}), 422, "name", "")
	grant := url.Values{"grant_type": {"client_credentials"}}
	rep := e.token(grant, "acme-automation", secrets[2])
	e.token(grant, "acme-automation", "wrong-"+secrets[2])
	issued := strings.Split(strings.Split(string(rep.body), `"access_token":"`)[1], `"`)[0]
	secrets = append(secrets, issued)
	e.must(http.StatusOK, req{token: issued, method: "GET", path: clients + "/" + c.ID})
	e.do(req{token: "wrong-" + acme, method: "GET", path: "/management/v1/me"})
	e.srv.Close()

	stored := storedText(t, e.store)
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/management/v1/oauth-clients/{id} status=200") {
		t.Fatalf("the request log lacks its lines:\n%s", logs)
	}
	for _, s := range secrets {
		if strings.Contains(stored, s) || strings.Contains(stored, sha256Hex(s)) {
			t.Errorf("the database holds %q in plain text or as its bare SHA-256", s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q", s)
		}
	}
	if strings.Contains(logs, "Bearer") || strings.Contains(logs, "Authorization") {
		t.Errorf("the log mentions credentials:\n%s", logs)
	}
}

// TestSchemasAgree: the PostgreSQL schema has the tables, columns, nullability and
// indexes that the SQLite migrations end with.
func TestSchemasAgree(t *testing.T) {
	lite, err := openStore(context.Background(), filepath.Join(t.TempDir(), "schema.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.close()
	pgStore, err := openPostgres(context.Background(), testSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pgStore.close()

	var liteColumns, pgColumns, liteIndexes, pgIndexes []string
	for _, q := range []struct {
		db    *sql.DB
		query string
		out   *[]string
	}{
		{lite.writer, `SELECT m.name || '.' || p.name || CASE WHEN p."notnull" OR p.pk > 0 THEN ' not null' ELSE '' END
			FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1`, &liteColumns},
		{pgStore.writer, `SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY 1`, &pgColumns},
		{lite.writer, `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY 1`, &liteIndexes},
		{pgStore.writer, `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%\_pkey' AND indexname NOT LIKE '%\_key' ORDER BY 1`, &pgIndexes},
	} {
		if err := queryColumn(q.db, q.query, q.out); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(liteColumns, pgColumns) {
		t.Errorf("columns differ:\nSQLite:     %v\nPostgreSQL: %v", liteColumns, pgColumns)
	}
	if !slices.Equal(liteIndexes, pgIndexes) {
		t.Errorf("indexes differ:\nSQLite:     %v\nPostgreSQL: %v", liteIndexes, pgIndexes)
	}
	if len(liteColumns) < 40 || len(liteIndexes) < 5 {
		t.Fatalf("too few to compare: %d columns, %d indexes", len(liteColumns), len(liteIndexes))
	}
}

// TestMigrationRekeysBareHashes: a database of schema 2 holds bare SHA-256 of a
// token, a service account's secret and a client secret; after the migration its
// token and secret still work, and no bare SHA-256 is left.
func TestMigrationRekeysBareHashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	const token, secret, clientSecret = "old-token-kept", "old-service-secret", "old-client-secret"
	const connectorID, clientID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", "1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
	now := time.Now().UnixNano()
	for _, stmt := range []string{sqliteMigrations[0].sql, sqliteMigrations[1].sql, "PRAGMA user_version = 2",
		`INSERT INTO accounts (id, name) VALUES ('acme', 'Acme')`,
		`INSERT INTO tokens (token_sha256, account_id, user_id, user_name) VALUES ('` + sha256Hex(token) + `', 'acme', 'u', 'U')`,
		`INSERT INTO service_accounts (client_id, secret_sha256, account_id, name) VALUES ('old-service', '` + sha256Hex(secret) + `', 'acme', 'Old')`,
		fmt.Sprintf(`INSERT INTO connectors (id, key, name, visibility, owner_account_id, definitions, created_at, updated_at, version)
			VALUES ('%s', 'old-connector', 'Old Connector', 'account', 'acme', '[{"key":"oAuth2CodeFlow","authType":"oauth2CodeFlow"}]', %d, %d, 1)`, connectorID, now, now),
		fmt.Sprintf(`INSERT INTO oauth_clients (id, account_id, name, connector_id, definition_key, client_id, secret_sha256, authorization_url, token_url, client_authentication, public, created_at, updated_at, version)
			VALUES ('%s', 'acme', 'Ünïcode Client', '%s', 'oAuth2CodeFlow', 'cid', '%s', 'https://t.example/authorize', 'https://t.example/token', 'clientCredentialsInBody', 0, %d, %d, 1)`, clientID, connectorID, sha256Hex(clientSecret), now, now),
	} {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	srv, err := New(context.Background(), Config{DataPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := envAt(t, serve(t, srv))
	e.must(http.StatusOK, req{token: token, method: "GET", path: "/management/v1/me"})
	if rep := e.token(url.Values{"grant_type": {"client_credentials"}}, "old-service", secret); rep.status != http.StatusOK {
		t.Fatalf("the service account's secret after the migration: %d %s", rep.status, rep.body)
	}
	var c OAuthClient
	e.must(http.StatusOK, req{token: token, method: "GET", path: clients + "/" + clientID}).decode(t, &c)
	if !c.ClientSecretSet {
		t.Fatal("the client's secret was lost in the migration")
	}
	// Sending the same secret again changes nothing: its hash is the one migrated.
	e.must(http.StatusOK, req{token: token, method: "PATCH", path: clients + "/" + clientID, body: map[string]any{"clientSecret": clientSecret}}).decode(t, &c)
	if c.UpdatedAt != formatTime(now) {
		t.Fatalf("the same secret counted as a change: updated %s, want %s", c.UpdatedAt, formatTime(now))
	}
	// The name was folded for the search in Go's way, Unicode included.
	var list page[OAuthClient]
	e.must(http.StatusOK, req{token: token, method: "GET", path: clients + "?search=%C3%BCN%C3%8F"}).decode(t, &list)
	if list.TotalItems != 1 {
		t.Fatalf("search for üNÏ after the migration: %d clients, want 1", list.TotalItems)
	}
	srv.Close()
	stored := storedText(t, Config{DataPath: path})
	for _, s := range []string{token, secret, clientSecret} {
		if strings.Contains(stored, sha256Hex(s)) {
			t.Errorf("the bare SHA-256 of %q is still stored", s)
		}
	}
}

// TestDataFilesAreOwnerOnly: the database and its WAL are created readable by
// their owner only, whatever the umask.
func TestDataFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	e := newEnv(t, func(c *Config) { c.DatabaseURL, c.DataPath = "", filepath.Join(dir, "sandbox.db") })
	e.createClient(acme, nil)
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) < 2 {
		t.Fatalf("files %v (%v), want the database and its WAL", files, err)
	}
	for _, f := range append(files, dir) {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: others may read it", f, perm)
		}
	}
}
