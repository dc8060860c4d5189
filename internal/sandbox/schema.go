package sandbox

import (
	"context"
	"fmt"
)

// sqliteMigrations are applied in order; PRAGMA user_version records how many ran.
// Append new steps, never edit an applied one. A step's after runs in the same
// transaction, for what SQL alone cannot do.
var sqliteMigrations = []migration{
	{sql: `CREATE TABLE accounts (
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
	CREATE INDEX idempotency_keys_created_at ON idempotency_keys(created_at);`},
	// The method and path of each request, which the lookup of a key returns, taken
	// for the records already kept from their fingerprints ("METHOD PATH SHA256").
	{sql: `ALTER TABLE idempotency_keys ADD COLUMN method TEXT NOT NULL DEFAULT '';
	ALTER TABLE idempotency_keys ADD COLUMN path TEXT NOT NULL DEFAULT '';
	UPDATE idempotency_keys SET
		method = substr(fingerprint, 1, instr(fingerprint, ' ') - 1),
		path   = substr(fingerprint, instr(fingerprint, ' ') + 1, length(fingerprint) - instr(fingerprint, ' ') - 65);`},
	// Keyed hashes instead of bare SHA-256 (the bare ones are rekeyed in place),
	// names kept folded for the case-insensitive search, and the console's sessions,
	// which replicas share.
	{sql: `CREATE TABLE settings (
		name  TEXT PRIMARY KEY,
		value BLOB NOT NULL
	);
	ALTER TABLE tokens RENAME COLUMN token_sha256 TO token_hash;
	ALTER TABLE service_accounts RENAME COLUMN secret_sha256 TO secret_hash;
	ALTER TABLE oauth_clients RENAME COLUMN secret_sha256 TO secret_hash;
	ALTER TABLE oauth_clients ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
	UPDATE oauth_clients SET name_folded = fold(name);
	ALTER TABLE connectors ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
	UPDATE connectors SET name_folded = fold(name);
	CREATE TABLE console_sessions (
		id_hash    TEXT PRIMARY KEY,
		account_id TEXT NOT NULL REFERENCES accounts(id),
		user_id    TEXT NOT NULL,
		user_name  TEXT NOT NULL,
		expires_at INTEGER NOT NULL
	);
	CREATE INDEX console_sessions_expires_at ON console_sessions(expires_at);`, after: rekeyBareHashes},
}

// postgresSchema is the schema of the last SQLite migration, for PostgreSQL, whose
// support began there. TestSchemasAgree holds the two together; a new SQLite
// migration gets its PostgreSQL twin in postgresMigrations. Text that is sorted or
// compared byte by byte is in the "C" collation, as SQLite compares it.
const postgresSchema = `CREATE TABLE settings (
		name  TEXT PRIMARY KEY,
		value BYTEA NOT NULL
	);
	CREATE TABLE accounts (
		id   TEXT COLLATE "C" PRIMARY KEY,
		name TEXT NOT NULL
	);
	CREATE TABLE tokens (
		token_hash TEXT PRIMARY KEY,
		account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
		user_id    TEXT NOT NULL,
		user_name  TEXT NOT NULL,
		expires_at BIGINT
	);
	CREATE INDEX tokens_expires_at ON tokens(expires_at);
	CREATE TABLE service_accounts (
		client_id   TEXT COLLATE "C" PRIMARY KEY,
		secret_hash TEXT NOT NULL,
		account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
		name        TEXT NOT NULL
	);
	CREATE TABLE connectors (
		id               TEXT COLLATE "C" PRIMARY KEY,
		key              TEXT COLLATE "C" NOT NULL UNIQUE,
		name             TEXT NOT NULL,
		description      TEXT NOT NULL DEFAULT '',
		visibility       TEXT NOT NULL,
		owner_account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
		definitions      TEXT NOT NULL,
		created_at       BIGINT NOT NULL,
		updated_at       BIGINT NOT NULL,
		version          BIGINT NOT NULL,
		name_folded      TEXT COLLATE "C" NOT NULL DEFAULT ''
	);
	CREATE INDEX connectors_owner ON connectors(owner_account_id);
	CREATE TABLE oauth_clients (
		id                    TEXT COLLATE "C" PRIMARY KEY,
		account_id            TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
		name                  TEXT NOT NULL,
		connector_id          TEXT COLLATE "C" NOT NULL REFERENCES connectors(id),
		definition_key        TEXT COLLATE "C" NOT NULL,
		client_id             TEXT NOT NULL,
		secret_hash           TEXT,
		secret_expires_at     TEXT,
		authorization_url     TEXT NOT NULL DEFAULT '',
		token_url             TEXT NOT NULL,
		refresh_url           TEXT NOT NULL DEFAULT '',
		scopes                TEXT NOT NULL DEFAULT '[]',
		prompts               TEXT NOT NULL DEFAULT '[]',
		client_authentication TEXT NOT NULL,
		public                BOOLEAN NOT NULL,
		created_at            BIGINT NOT NULL,
		updated_at            BIGINT NOT NULL,
		version               BIGINT NOT NULL,
		name_folded           TEXT COLLATE "C" NOT NULL DEFAULT ''
	);
	CREATE INDEX oauth_clients_account ON oauth_clients(account_id, created_at);
	CREATE INDEX oauth_clients_connector ON oauth_clients(connector_id, definition_key);
	CREATE TABLE idempotency_keys (
		account_id  TEXT COLLATE "C" NOT NULL,
		key         TEXT COLLATE "C" NOT NULL,
		fingerprint TEXT NOT NULL,
		status      INTEGER NOT NULL,
		etag        TEXT NOT NULL,
		location    TEXT NOT NULL,
		body        BYTEA NOT NULL,
		created_at  BIGINT NOT NULL,
		method      TEXT NOT NULL DEFAULT '',
		path        TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (account_id, key)
	);
	CREATE INDEX idempotency_keys_created_at ON idempotency_keys(created_at);
	CREATE TABLE console_sessions (
		id_hash    TEXT PRIMARY KEY,
		account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
		user_id    TEXT NOT NULL,
		user_name  TEXT NOT NULL,
		expires_at BIGINT NOT NULL
	);
	CREATE INDEX console_sessions_expires_at ON console_sessions(expires_at);`

// postgresMigrations are applied in order; the schema_migrations table records how
// many ran. Append new steps, never edit an applied one.
var postgresMigrations = []migration{{sql: postgresSchema}}

// migration is one step of a schema's history.
type migration struct {
	sql   string
	after func(ctx context.Context, s *store, tx db) error
}

// migrationLock is the key of the advisory lock under which a PostgreSQL schema is
// migrated: replicas starting at once take turns, and the later ones find the
// schema done.
const migrationLock = 0x61707078 // "appx"

// migrate brings the schema up to date and loads the database's hash key.
func (s *store) migrate(ctx context.Context) error {
	steps, version, setVersion := sqliteMigrations, "PRAGMA user_version", "PRAGMA user_version = %d"
	if s.postgres {
		steps, version, setVersion = postgresMigrations, "SELECT coalesce(max(version), 0) FROM schema_migrations", "INSERT INTO schema_migrations (version) VALUES (%d)"
	}
	// One transaction for the whole: on PostgreSQL the advisory lock is held to its end.
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it only reports sql.ErrTxDone
	q := db{q: tx, numbered: s.postgres}
	if s.postgres {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLock)); err != nil {
			return fmt.Errorf("waiting for the schema lock: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
	}
	var current int
	if err := tx.QueryRowContext(ctx, version).Scan(&current); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if current > len(steps) {
		return fmt.Errorf("the database has schema version %d, newer than this sandbox knows (%d)", current, len(steps))
	}
	for i := current; i < len(steps); i++ {
		if _, err := tx.ExecContext(ctx, steps[i].sql); err != nil {
			return fmt.Errorf("applying schema migration %d: %w", i+1, err)
		}
		if steps[i].after != nil {
			if err := steps[i].after(ctx, s, q); err != nil {
				return fmt.Errorf("applying schema migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(setVersion, i+1)); err != nil {
			return fmt.Errorf("recording schema migration %d: %w", i+1, err)
		}
	}
	if s.hashKey == nil {
		if err := s.loadHashKey(ctx, q); err != nil {
			return fmt.Errorf("reading the hash key: %w", err)
		}
	}
	return tx.Commit()
}

// rekeyBareHashes turns the bare SHA-256 of tokens, secrets and request bodies
// that older databases held into keyed hashes.
func rekeyBareHashes(ctx context.Context, s *store, tx db) error {
	if err := s.loadHashKey(ctx, tx); err != nil {
		return err
	}
	for _, c := range []struct{ table, key, column string }{
		{"tokens", "token_hash", "token_hash"},
		{"service_accounts", "client_id", "secret_hash"},
		{"oauth_clients", "id", "secret_hash"},
	} {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s IS NOT NULL", c.key, c.column, c.table, c.column))
		if err != nil {
			return err
		}
		type row struct{ key, digest string }
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.digest); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", c.table, c.column, c.key), s.rekey(r.digest), r.key); err != nil {
				return err
			}
		}
	}
	// A fingerprint is "METHOD PATH SHA256-OF-BODY".
	rows, err := tx.QueryContext(ctx, "SELECT account_id, key, fingerprint FROM idempotency_keys")
	if err != nil {
		return err
	}
	var updates [][3]string
	for rows.Next() {
		var account, key, fp string
		if err := rows.Scan(&account, &key, &fp); err != nil {
			rows.Close()
			return err
		}
		if cut := len(fp) - 64; cut > 0 {
			updates = append(updates, [3]string{fp[:cut] + s.rekey(fp[cut:]), account, key})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range updates {
		if _, err := tx.ExecContext(ctx, "UPDATE idempotency_keys SET fingerprint = ? WHERE account_id = ? AND key = ?", u[0], u[1], u[2]); err != nil {
			return err
		}
	}
	return nil
}
