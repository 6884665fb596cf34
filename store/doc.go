// Package store is linkexplorer's session log: a SQLite database (through
// the pure-Go modernc.org/sqlite, no cgo) in the user's state directory,
// holding the sessions, the Plaid API calls, the Link events, the webhooks
// and the Items that linkexplorer made.
//
// # Where
//
// DefaultDir is $LINKEXPLORER_HOME, else $XDG_STATE_HOME/linkexplorer,
// else ~/.local/state/linkexplorer; main lets --state-dir override it. Open
// creates the directory with mode 0700 and linkexplorer.db with mode 0600
// (SQLite gives its -wal and -shm files the same mode).
//
// # Secrets
//
// Callers record bodies already masked, and the store masks them again
// before writing: the values of secret, access_token, new_access_token and
// public_token (anywhere in a JSON document, or in text that is not JSON),
// and anything shaped like an access or public token, keep only their
// prefix and last 4 characters. The one place a full access_token is kept
// is the items table, for use against the Sandbox through AccessToken;
// Items and every export show it masked.
//
// # Durability and concurrency
//
// The database runs in WAL mode with synchronous=FULL, a busy timeout and
// foreign keys on. Every write is one IMMEDIATE transaction (a batch given
// to Add is one too), so a crash, kill -9 included, loses at most the write
// in flight and never corrupts the file; FULL (rather than NORMAL) makes a
// committed write survive a power loss as well. Several processes may write
// at once: SQLite serialises them, and a write that still finds the
// database locked after the busy timeout is tried again. Within a process a
// Store is safe for concurrent use; its writers queue on a mutex rather than
// spin on SQLite's lock.
//
// Each session records which process owns it (session_owners: host and
// pid). Opening the store ends, as SessionAbandoned, the running sessions
// of this host whose process is gone, at the time of their last entry, so
// a killed run does not stay "running" for ever.
//
// Migrations are numbered and recorded in PRAGMA user_version. They run in
// one IMMEDIATE transaction, so two processes opening a new file at once
// cannot both apply them, and each is written to be harmless if run again.
//
// # The log
//
// Calls, Link events and webhooks form one log, read newest first as
// Entries. A spine table, log_entries, holds what they share and what the
// filters need (session, request_id, link_session_id, item_id, error code),
// each with its own index; api_calls, link_events and webhooks hold the
// rest of each kind. An entry's id is its time in UTC nanoseconds, bumped by
// a nanosecond when taken, so the primary key is the log's order and doubles
// as the time+id cursor of keyset paging: a page costs the same at the
// start of a log of a million entries as at its end. Free text is matched
// against each entry's words, which log_words indexes word by word, so a
// text search pages by id too (see search.go).
package store
