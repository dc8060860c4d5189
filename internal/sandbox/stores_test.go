package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/appxchange/terraform-provider-appxchange/internal/pgcluster"
)

// storeEnv picks the store that newEnv's sandboxes run on: sqlite (the default)
// or postgres. scripts/test.sh runs this package's tests on both, so that one
// suite holds both stores to the same API.
const storeEnv = "APPXCHANGE_SANDBOX_STORE"

// postgresURLEnv names a PostgreSQL database to use instead of a cluster of the
// tests' own (each test gets a schema of its own in it).
const postgresURLEnv = "APPXCHANGE_SANDBOX_POSTGRES_URL"

// testStore is where a test's sandbox keeps its data: a new SQLite file, or a new
// schema in the tests' PostgreSQL database.
func testStore(t *testing.T) Config {
	t.Helper()
	switch kind := os.Getenv(storeEnv); kind {
	case "", "sqlite":
		return Config{DataPath: filepath.Join(t.TempDir(), "sandbox.db")}
	case "postgres":
		return Config{DatabaseURL: testSchema(t)}
	default:
		t.Fatalf("%s=%s: want sqlite or postgres", storeEnv, kind)
		return Config{}
	}
}

// pg is the PostgreSQL of this test process, started on first use.
var pg struct {
	once    sync.Once
	cluster *pgcluster.Cluster
	url     string
	err     error
	schemas atomic.Int64
}

// postgresDatabase is the URL of the tests' database. Without PostgreSQL the
// test fails: it never skips.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	pg.once.Do(func() {
		if pg.url = os.Getenv(postgresURLEnv); pg.url != "" {
			return
		}
		ctx := context.Background()
		if pg.cluster, pg.err = pgcluster.Start(ctx, pgcluster.Options{}); pg.err != nil {
			return
		}
		if pg.err = pg.cluster.CreateDatabase(ctx, "sandbox_test"); pg.err == nil {
			pg.url = pg.cluster.URL("sandbox_test")
		}
	})
	if pg.err != nil {
		t.Fatalf("PostgreSQL for the tests: %v (scripts/postgres.sh finds or installs it; or set %s)", pg.err, postgresURLEnv)
	}
	return pg.url
}

// stopPostgres stops the tests' cluster, if one was started.
func stopPostgres() {
	if pg.cluster != nil {
		if err := pg.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}

// testSchema is the URL of a new, empty schema of the tests' database, dropped
// when the test ends: a database of its own for the test, at a fraction of the cost.
func testSchema(t *testing.T) string {
	t.Helper()
	base := postgresDatabase(t)
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), pg.schemas.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		admin.Close()
		t.Fatalf("creating the schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Errorf("dropping the schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}

// storedText is everything a store holds, as text: the bytes of the SQLite files,
// or every row of every table of the PostgreSQL schema.
func storedText(t *testing.T, store Config) string {
	t.Helper()
	if store.DatabaseURL == "" {
		var stored []byte
		files, _ := filepath.Glob(store.DataPath + "*")
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, b...)
		}
		if len(stored) == 0 {
			t.Fatalf("no database files at %s", store.DataPath)
		}
		return string(stored)
	}
	conn, err := sql.Open("pgx", store.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		// The row as text, and its bytea columns decoded too.
		rows, err := conn.Query(fmt.Sprintf("SELECT t::text FROM %s t", table))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatal(err)
			}
			b.WriteString(row)
			b.WriteByte('\n')
		}
		rows.Close()
	}
	if b.Len() == 0 {
		t.Fatal("the PostgreSQL schema holds nothing")
	}
	return b.String()
}
