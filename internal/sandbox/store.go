package sandbox

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
)

func init() {
	// fold(x) lowercases with Go's Unicode rules: SQLite's lower() folds ASCII only.
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

// migrations are applied in order; PRAGMA user_version records how many ran.
// Append new steps, never edit an applied one.
var migrations = []string{
	`CREATE TABLE accounts (
		id   TEXT PRIMARY KEY,
		name TEXT NOT NULL
	);
	CREATE TABLE tokens (
		token_sha256 TEXT PRIMARY KEY,
		account_id   TEXT NOT NULL REFERENCES accounts(id),
		user_id      TEXT NOT NULL,
		user_name    TEXT NOT NULL,
		expires_at   INTEGER
	);
	CREATE INDEX tokens_expires_at ON tokens(expires_at);
	CREATE TABLE service_accounts (
		client_id     TEXT PRIMARY KEY,
		secret_sha256 TEXT NOT NULL,
		account_id    TEXT NOT NULL REFERENCES accounts(id),
		name          TEXT NOT NULL
	);
	CREATE TABLE connectors (
		id               TEXT PRIMARY KEY,
		key              TEXT NOT NULL UNIQUE,
		name             TEXT NOT NULL,
		description      TEXT NOT NULL DEFAULT '',
		visibility       TEXT NOT NULL,
		owner_account_id TEXT NOT NULL REFERENCES accounts(id),
		definitions      TEXT NOT NULL,
		created_at       INTEGER NOT NULL,
		updated_at       INTEGER NOT NULL,
		version          INTEGER NOT NULL
	);
	CREATE INDEX connectors_owner ON connectors(owner_account_id);
	CREATE TABLE oauth_clients (
		id                    TEXT PRIMARY KEY,
		account_id            TEXT NOT NULL REFERENCES accounts(id),
		name                  TEXT NOT NULL,
		connector_id          TEXT NOT NULL REFERENCES connectors(id),
		definition_key        TEXT NOT NULL,
		client_id             TEXT NOT NULL,
		secret_sha256         TEXT,
		secret_expires_at     TEXT,
		authorization_url     TEXT NOT NULL DEFAULT '',
		token_url             TEXT NOT NULL,
		refresh_url           TEXT NOT NULL DEFAULT '',
		scopes                TEXT NOT NULL DEFAULT '[]',
		prompts               TEXT NOT NULL DEFAULT '[]',
		client_authentication TEXT NOT NULL,
		public                INTEGER NOT NULL,
		created_at            INTEGER NOT NULL,
		updated_at            INTEGER NOT NULL,
		version               INTEGER NOT NULL
	);
	CREATE INDEX oauth_clients_account ON oauth_clients(account_id, created_at);
	CREATE INDEX oauth_clients_connector ON oauth_clients(connector_id, definition_key);
	CREATE TABLE idempotency_keys (
		account_id   TEXT NOT NULL,
		key          TEXT NOT NULL,
		fingerprint  TEXT NOT NULL,
		status       INTEGER NOT NULL,
		etag         TEXT NOT NULL,
		location     TEXT NOT NULL,
		body         BLOB NOT NULL,
		created_at   INTEGER NOT NULL,
		PRIMARY KEY (account_id, key)
	);
	CREATE INDEX idempotency_keys_created_at ON idempotency_keys(created_at);`,
	// The method and path of each request, which the lookup of a key returns, taken
	// for the records already kept from their fingerprints ("METHOD PATH SHA256").
	`ALTER TABLE idempotency_keys ADD COLUMN method TEXT NOT NULL DEFAULT '';
	ALTER TABLE idempotency_keys ADD COLUMN path TEXT NOT NULL DEFAULT '';
	UPDATE idempotency_keys SET
		method = substr(fingerprint, 1, instr(fingerprint, ' ') - 1),
		path   = substr(fingerprint, instr(fingerprint, ' ') + 1, length(fingerprint) - instr(fingerprint, ' ') - 65);`,
}

// store holds the SQLite database. Every write goes through one connection in
// one transaction, so writes are serialised in Go and never meet SQLITE_BUSY;
// reads use a pool of their own, which WAL lets run beside the writer.
type store struct {
	writer *sql.DB
	reader *sql.DB
}

// openStore opens (creating when needed) the database at path and brings its
// schema up to date. ":memory:" keeps everything in memory.
func openStore(ctx context.Context, path string) (*store, error) {
	if path == ":memory:" {
		db, err := sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(1)")
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		s := &store{writer: db, reader: db}
		return s, s.migrate(ctx)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
	}
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
	s := &store{writer: writer, reader: reader}
	if err := s.migrate(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *store) migrate(ctx context.Context) error {
	var version int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this sandbox knows (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying schema migration %d: %w", i+1, err)
		}
	}
	return nil
}

// inTx runs fn in one write transaction, committing when it returns nil.
func (s *store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		// A rollback that fails is reported too; one the context already made is not.
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}

func (s *store) close() error {
	var err error
	if s.reader != s.writer {
		err = s.reader.Close()
	}
	if werr := s.writer.Close(); werr != nil {
		err = werr
	}
	return err
}
