package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
)

func init() {
	// fold(x) lowercases with Go's Unicode rules: SQLite's lower() folds ASCII only.
	// Migration 3 fills the name_folded columns with it.
	sqlite.MustRegisterDeterministicScalarFunction("fold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil
		}
	})
}

// fold is how names are kept for a case-insensitive search: in Go, so that both
// stores fold alike whatever their locale.
func fold(s string) string { return strings.ToLower(s) }

// store holds the database: one SQLite file for one process, or PostgreSQL for
// several replicas.
//
// On SQLite every write goes through one connection in one transaction, so writes
// are serialised in Go and never meet SQLITE_BUSY; reads use a pool of their own,
// which WAL lets run beside the writer.
//
// On PostgreSQL every write transaction is SERIALIZABLE and is run again when the
// database reports a conflict with a concurrent one, so that replicas behave as one
// process would: an Idempotency-Key makes one object, If-Match lets one writer win,
// a connector key is taken once. Nothing that must hold across replicas is kept in
// process memory.
type store struct {
	postgres bool
	writer   *sql.DB
	reader   db
	// hashKey keys the hashes of tokens and secrets: random, one per database.
	hashKey []byte
	// retried, when set, is told of each write run again after a conflict.
	retried func()
}

// db runs the queries of this package, written with ? placeholders, on either
// store: numbered turns them into PostgreSQL's $1, $2, ... A db with stmts reads
// through prepared statements.
type db struct {
	q interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	}
	numbered bool
	stmts    *stmtCache
}

func (d db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if stmt := d.stmts.get(ctx, query); stmt != nil {
		return stmt.QueryRowContext(ctx, args...)
	}
	return d.q.QueryRowContext(ctx, d.rebind(query), args...)
}

func (d db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if stmt := d.stmts.get(ctx, query); stmt != nil {
		return stmt.QueryContext(ctx, args...)
	}
	return d.q.QueryContext(ctx, d.rebind(query), args...)
}

func (d db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.q.ExecContext(ctx, d.rebind(query), args...)
}

// rebind numbers the placeholders of a query for PostgreSQL. The queries of this
// package hold no ? inside a string literal.
func (d db) rebind(query string) string {
	if !d.numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stmtCache keeps the SQLite reader's prepared statements, by query: SQLite parses a
// query again at every prepare, which was half the CPU of a GET. (pgx keeps its own
// per connection.) The queries of this package are few, so the cache stays small;
// past maxStatements a query is prepared each time.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxStatements = 256

// get is the prepared statement of query, or nil: a query that fails to prepare
// runs unprepared, to fail there with its error.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stmt, ok := c.stmts[query]; ok {
		return stmt
	}
	if len(c.stmts) >= maxStatements {
		return nil
	}
	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.stmts[query] = stmt
	return stmt
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, stmt := range c.stmts {
		stmt.Close()
	}
	c.stmts = nil
}

// openStore opens (creating when needed) the SQLite database at path and brings
// its schema up to date. ":memory:" keeps everything in memory. A new file is
// created readable by its owner only, and SQLite gives its WAL the same mode.
func openStore(ctx context.Context, path string) (*store, error) {
	if path == ":memory:" {
		conn, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		conn.SetMaxOpenConns(1)
		conn.SetConnMaxIdleTime(0)
		conn.SetConnMaxLifetime(0)
		s := &store{writer: conn, reader: db{q: conn}}
		if err := s.migrate(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return s, nil
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	// synchronous(NORMAL) in WAL mode survives a crash of this process (kill -9)
	// without losing a committed transaction; only an OS crash could.
	params := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		params.Add("_pragma", p)
	}
	params.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params.Encode()
	writer, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", dsn)
	if err != nil {
		writer.Close()
		return nil, err
	}
	reader.SetMaxOpenConns(8)
	s := &store{writer: writer, reader: db{q: reader, stmts: &stmtCache{db: reader, stmts: map[string]*sql.Stmt{}}}}
	if err := s.migrate(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// openPostgres connects to the PostgreSQL database at dsn (a postgres:// URL or a
// key=value DSN) and brings its schema up to date; replicas may do so at once.
func openPostgres(ctx context.Context, dsn string) (*store, error) {
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(20)
	conn.SetMaxIdleConns(20)
	conn.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := conn.PingContext(pingCtx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("connecting: %w", err)
	}
	s := &store{postgres: true, writer: conn, reader: db{q: conn, numbered: true}}
	if err := s.migrate(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

// maxAttempts bounds how often a PostgreSQL write that meets a concurrent one is run.
const maxAttempts = 12

// errBusy is a write that kept meeting concurrent ones: the caller is told to retry.
var errBusy = errors.New("the database stayed busy with concurrent writes")

// inTx runs fn in one write transaction, committing when it returns nil. On
// PostgreSQL fn may run more than once: it must start from what it reads in tx.
func (s *store) inTx(ctx context.Context, fn func(tx db) error) error {
	if !s.postgres {
		return s.attempt(ctx, nil, fn)
	}
	opts := &sql.TxOptions{Isolation: sql.LevelSerializable}
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, opts, fn)
		if !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%w: %w", errBusy, err)
		}
		if s.retried != nil {
			s.retried()
		}
		// Jittered and growing, so that the transactions that met part ways.
		wait := time.Duration(attempt) * time.Duration(1+mathrand.IntN(5)) * time.Millisecond
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

func (s *store) attempt(ctx context.Context, opts *sql.TxOptions, fn func(tx db) error) error {
	tx, err := s.writer.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(db{q: tx, numbered: s.postgres}); err != nil {
		// A rollback that fails is reported too; one the context already made is not.
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}

// retryable tells a conflict that running the transaction again resolves:
// a serialization failure, a deadlock, or a unique key that a concurrent
// transaction took first (the next run sees it and answers as it should).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}

// hash is how a token or secret is stored: HMAC-SHA256 under the database's own
// key of the secret's SHA-256, so that the same secret hashes differently in every
// database and no table of precomputed hashes applies. Hashing the digest lets a
// migration rekey the bare SHA-256 that older databases held.
func (s *store) hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return s.rekey(hex.EncodeToString(sum[:]))
}

// rekey is the keyed hash of a hex SHA-256 digest.
func (s *store) rekey(digest string) string {
	mac := hmac.New(sha256.New, s.hashKey)
	mac.Write([]byte(digest))
	return hex.EncodeToString(mac.Sum(nil))
}

// loadHashKey reads the database's hash key, making it on first use. Replicas
// starting at once agree: the first insert wins and every one reads it back.
func (s *store) loadHashKey(ctx context.Context, tx db) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('hash_key', ?) ON CONFLICT DO NOTHING`, key); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = 'hash_key'`).Scan(&s.hashKey)
}

func (s *store) close() error {
	var err error
	if s.reader.stmts != nil {
		s.reader.stmts.close()
	}
	if r, ok := s.reader.q.(*sql.DB); ok && r != s.writer {
		err = r.Close()
	}
	if werr := s.writer.Close(); werr != nil {
		err = werr
	}
	return err
}
