package pgcluster

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// These tests start real clusters: they fail, never skip, where no PostgreSQL
// server can be found (scripts/test.sh exports APPXCHANGE_PG_BIN).

func TestStartCreateStop(t *testing.T) {
	ctx := t.Context()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir()
	for _, name := range []string{"alpha", "beta"} {
		if err := c.CreateDatabase(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.CreateDatabase(ctx, "alpha"); !errors.Is(err, ErrDatabaseExists) {
		t.Errorf("creating alpha again: got %v, want ErrDatabaseExists", err)
	}

	// Each URL reaches its own database: a table made in alpha is not in beta.
	alpha := connect(t, c.URL("alpha"))
	if _, err := alpha.Exec(ctx, "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	var db string
	var n int
	if err := alpha.QueryRow(ctx, "SELECT current_database(), (SELECT sum(n) FROM t)").Scan(&db, &n); err != nil {
		t.Fatal(err)
	}
	if db != "alpha" || n != 3 {
		t.Errorf("in alpha: current_database() = %q, sum(n) = %d; want alpha, 3", db, n)
	}
	beta := connect(t, c.URL("beta"))
	var tables int
	if err := beta.QueryRow(ctx, "SELECT current_database(), count(*) FROM pg_tables WHERE tablename = 't'").Scan(&db, &tables); err != nil {
		t.Fatal(err)
	}
	if db != "beta" || tables != 0 {
		t.Errorf("in beta: current_database() = %q, tables named t = %d; want beta, 0", db, tables)
	}

	// Stop ends the connections, the server and the directory.
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := alpha.Ping(ctx); err == nil {
		t.Error("a connection still answers after Stop")
	}
	if _, err := pgx.Connect(ctx, c.URL("postgres")); err == nil {
		t.Errorf("%s accepts connections after Stop", c.URL("postgres"))
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the cluster's directory %s is still there after Stop (stat: %v)", dir, err)
	}
}

func TestKeptDirIsReused(t *testing.T) {
	ctx := t.Context()
	// A quote and a space in the path, which pg_ctl hands to /bin/sh.
	dir := filepath.Join(reachableTempDir(t), "it's kept")

	first, err := Start(ctx, Options{Dir: dir, Fsync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.CreateDatabase(ctx, "kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := connect(t, first.URL("kept")).Exec(ctx, "CREATE TABLE t AS SELECT 42 AS n"); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Fatalf("Stop removed a kept cluster: %v", err)
	}

	// The next start runs the same cluster: its database and data are there.
	second, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := second.Stop(); err != nil {
			t.Error(err)
		}
	})
	if err := second.CreateDatabase(ctx, "kept"); !errors.Is(err, ErrDatabaseExists) {
		t.Errorf("creating kept in the reused cluster: got %v, want ErrDatabaseExists", err)
	}
	var n int
	if err := connect(t, second.URL("kept")).QueryRow(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Errorf("the kept table: n = %d, %v; want 42", n, err)
	}
}

func TestFailedStartShowsTheLog(t *testing.T) {
	// A data directory that initdb did not make: the server refuses it in its log.
	dir := filepath.Join(reachableTempDir(t), "pg")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "PG_VERSION"), []byte("7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := serverOwner()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"data", "data/PG_VERSION"} {
		if err := o.own(filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Start(t.Context(), Options{Dir: dir})
	if err == nil {
		t.Fatalf("Start succeeded on a data directory that initdb did not make (Stop: %v)", c.Stop())
	}
	for _, want := range []string{"the server did not start", filepath.Join(dir, "postgres.log"), "could not access the server configuration file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not contain %q:\n%v", want, err)
		}
	}
}

func TestStartTakesAnotherPortWhenItsOwnWasTaken(t *testing.T) {
	// Another process binds the free port before the server does.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	takenPort := int(netip.MustParseAddrPort(taken.Addr().String()).Port())
	var given []int
	ports := func() (int, error) {
		port, err := freePort()
		if len(given) == 0 {
			port = takenPort
		}
		given = append(given, port)
		return port, err
	}
	c, err := start(t.Context(), Options{}, ports)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if len(given) != 2 || c.port != given[1] {
		t.Errorf("ports tried %v, the server is on %d; want the taken %d, then another", given, c.port, takenPort)
	}
	if err := connect(t, c.URL("postgres")).Ping(t.Context()); err != nil {
		t.Error(err)
	}
}

func TestBogusBinNamesTheFix(t *testing.T) {
	onlyInitdb := t.TempDir()
	if err := os.WriteFile(filepath.Join(onlyInitdb, "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, bin, missing string
	}{
		{"no such directory", filepath.Join(t.TempDir(), "nothing"), "initdb"},
		{"empty directory", t.TempDir(), "initdb"},
		{"initdb alone", onlyInitdb, "pg_ctl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvBin, tc.bin)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			c, err := Start(t.Context(), Options{})
			if err == nil {
				t.Fatalf("Start succeeded with %s=%s (Stop: %v)", EnvBin, tc.bin, c.Stop())
			}
			for _, want := range []string{EnvBin + "=" + tc.bin, "no executable " + tc.missing, "run scripts/postgres.sh"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not contain %q: %v", want, err)
				}
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("a failed Start left %d entries in the temporary directory", len(left))
			}
		})
	}
}

func TestNewestFirst(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in, want []string
	}{
		{"by number, not text", []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"},
			[]string{"/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/9.6/bin"}},
		{"minor versions", []string{"/usr/lib/postgresql/9.4/bin", "/usr/lib/postgresql/9.10/bin"},
			[]string{"/usr/lib/postgresql/9.10/bin", "/usr/lib/postgresql/9.4/bin"}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newestFirst(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("newestFirst(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// connect opens a connection that the test closes.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// reachableTempDir is a test's temporary directory that the user postgres can
// enter, as a root process's server runs as that user; t.TempDir is root's alone.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// BenchmarkStartStop is what a test binary pays for its cluster: initdb, the
// server's start, and Stop.
func BenchmarkStartStop(b *testing.B) {
	for b.Loop() {
		c, err := Start(b.Context(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Stop(); err != nil {
			b.Fatal(err)
		}
	}
}
