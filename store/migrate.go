package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema versions in order: migrations[i] takes the
// schema from version i to i+1, and PRAGMA user_version holds the version.
// Each one is written to be harmless when run again.
var migrations = []migration{sqlMigration(schemaV1), sqlMigration(schemaV2), schemaV3, sqlMigration(schemaV4), schemaV5, schemaV6, schemaV7}

// migration takes the schema one version up, inside tx.
type migration func(ctx context.Context, tx *sql.Tx) error

// sqlMigration is a migration made of SQL statements only.
func sqlMigration(q string) migration {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q)
		return err
	}
}

// schemaV3: webhooks.signature, the outcome of checking a webhook's
// Plaid-Verification JWT ("verified", "unsigned", or "invalid: why").
func schemaV3(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "webhooks", "signature", "TEXT NOT NULL DEFAULT ''")
}

// schemaV4: session_owners keeps only the owners of running sessions.
// Before, an owner stayed when its session ended, so a store held one per
// session ever run, and opening it read them all (and kept the rows whose
// pid a live process had taken since, or whose host was another). Now
// EndSession and endAbandoned remove a session's owner; this removes those
// left by earlier versions, once. No index on host: the table holds only
// the few sessions running at a time.
const schemaV4 = `
DELETE FROM session_owners WHERE session_id NOT IN (SELECT id FROM sessions WHERE status = 'running');
`

// schemaV5: log_entries.masked, the version of the masking rules an entry
// was masked with when written (see maskRules); 0 for the entries before.
func schemaV5(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "log_entries", "masked", "INTEGER NOT NULL DEFAULT 0")
}

// schemaV6: webhooks.verification, the Plaid-Verification header (a JWT)
// the webhook came with, so that its detail can show the header and its
// decoded claims; empty for the webhooks before, and for unsigned ones.
func schemaV6(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "webhooks", "verification", "TEXT NOT NULL DEFAULT ''")
}

// schemaV7: webhooks.step, the step of the run that caused the webhook
// (the one that last acted on its Item), or StepAfterRun; empty for the
// webhooks before, and for those no run received.
func schemaV7(ctx context.Context, tx *sql.Tx) error {
	return addColumn(ctx, tx, "webhooks", "step", "TEXT NOT NULL DEFAULT ''")
}

// addColumn adds a column unless the table has it already, which SQLite's
// ALTER TABLE cannot say by itself.
func addColumn(ctx context.Context, tx *sql.Tx, table, column, decl string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`, table, column).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, column, decl))
	return err
}

// schemaV1: the log is a spine table, log_entries, holding what every kind
// of entry shares and what the filters need, indexed per filter; each kind
// keeps the rest in its own table keyed by the entry's id. An entry's id is
// its time in UTC nanoseconds made unique, so the primary key is the log's
// order. For the free-text filter, log_entries.words holds an entry's
// words (" w1 w2 … "), and log_words lists them the other way round, word
// then entry. Entries are never deleted.
const schemaV1 = `
CREATE TABLE IF NOT EXISTS sessions (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	mode       TEXT NOT NULL,
	started_at TEXT NOT NULL,
	ended_at   TEXT,
	status     TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_at);

CREATE TABLE IF NOT EXISTS log_entries (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('call', 'event', 'webhook')),
	time            TEXT NOT NULL,
	session_id      TEXT REFERENCES sessions(id) ON DELETE CASCADE,
	request_id      TEXT,
	link_session_id TEXT,
	item_id         TEXT,
	error_type      TEXT,
	error_code      TEXT,
	words           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS log_entries_kind ON log_entries(kind);
CREATE INDEX IF NOT EXISTS log_entries_session ON log_entries(session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log_entries_request ON log_entries(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log_entries_link_session ON log_entries(link_session_id) WHERE link_session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log_entries_item ON log_entries(item_id) WHERE item_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS log_entries_error ON log_entries(error_code) WHERE error_code IS NOT NULL;

CREATE TABLE IF NOT EXISTS api_calls (
	entry_id      INTEGER PRIMARY KEY REFERENCES log_entries(id) ON DELETE CASCADE,
	method        TEXT NOT NULL,
	endpoint      TEXT NOT NULL,
	http_status   INTEGER NOT NULL,
	error_message TEXT NOT NULL DEFAULT '',
	duration_ns   INTEGER NOT NULL,
	source        TEXT NOT NULL,
	request_body  TEXT NOT NULL DEFAULT '',
	response_body TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS link_events (
	entry_id         INTEGER PRIMARY KEY REFERENCES log_entries(id) ON DELETE CASCADE,
	kind             TEXT NOT NULL,
	event_name       TEXT NOT NULL DEFAULT '',
	view_name        TEXT NOT NULL DEFAULT '',
	error_message    TEXT NOT NULL DEFAULT '',
	exit_status      TEXT NOT NULL DEFAULT '',
	institution_id   TEXT NOT NULL DEFAULT '',
	institution_name TEXT NOT NULL DEFAULT '',
	metadata         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS webhooks (
	entry_id     INTEGER PRIMARY KEY REFERENCES log_entries(id) ON DELETE CASCADE,
	webhook_type TEXT NOT NULL DEFAULT '',
	webhook_code TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS log_words (
	word     TEXT NOT NULL,
	entry_id INTEGER NOT NULL REFERENCES log_entries(id),
	PRIMARY KEY (word, entry_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS items (
	item_id          TEXT PRIMARY KEY,
	institution_id   TEXT NOT NULL DEFAULT '',
	institution_name TEXT NOT NULL DEFAULT '',
	mode             TEXT NOT NULL,
	status           TEXT NOT NULL,
	base_url         TEXT NOT NULL DEFAULT '',
	access_token     TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_updated ON items(updated_at);
`

// schemaV2: which process owns a running session (its pid, on which
// host), so that a later process can tell a session whose process died
// (kill -9, a crash, a power cut) from one still running, and end it. A
// session's owner is removed when it ends, so the table stays small.
// A table of its own rather than columns of sessions, so the migration is
// harmless when run again.
const schemaV2 = `
CREATE TABLE IF NOT EXISTS session_owners (
	session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
	host       TEXT NOT NULL,
	pid        INTEGER NOT NULL
);
`

// migrate brings the schema up to date. A store that is already current
// costs one read; otherwise the migrations run in one IMMEDIATE
// transaction, so a second process opening the same new file waits and
// then finds nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if v == len(migrations) {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error { return migrateTx(ctx, tx) })
}

// migrateTx applies the migrations the database lacks, inside tx.
func migrateTx(ctx context.Context, tx *sql.Tx) error {
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("the session log has schema version %d, newer than this linkexplorer knows (%d); upgrade linkexplorer", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		if err := migrations[v](ctx, tx); err != nil {
			return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return fmt.Errorf("recording the schema version: %w", err)
	}
	return nil
}
