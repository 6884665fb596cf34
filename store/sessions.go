package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// StartSession records the start of a session of the given kind ("app",
// "flow:quickstart", "demo:quickstart", …) and mode, now, with status SessionRunning.
func (s *Store) StartSession(ctx context.Context, kind, mode string) (Session, error) {
	if kind == "" || mode == "" {
		return Session{}, errors.New("starting a session: its kind and mode are required")
	}
	sess := Session{Kind: kind, Mode: mode, StartedAt: now(), Status: SessionRunning}
	err := s.write(ctx, func(tx *sql.Tx) error {
		sess.ID = newSessionID(sess.StartedAt)
		return insertSession(ctx, tx, sess, thisHost(), os.Getpid())
	})
	if err != nil {
		return Session{}, fmt.Errorf("starting a session: %w", err)
	}
	return sess, nil
}

// insertSession records a running session and its owner, the process
// that will end it (see endAbandoned).
func insertSession(ctx context.Context, tx *sql.Tx, sess Session, host string, pid int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, kind, mode, started_at, status) VALUES (?, ?, ?, ?, ?)`,
		sess.ID, sess.Kind, sess.Mode, formatTime(sess.StartedAt), sess.Status)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO session_owners (session_id, host, pid) VALUES (?, ?, ?)`, sess.ID, host, pid)
	return err
}

// EndSession records that a session ended, now, with its final status and
// a one-line summary.
func (s *Store) EndSession(ctx context.Context, id, status, summary string) error {
	if status == "" {
		return errors.New("ending a session: its status is required")
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return endSession(ctx, tx, id, status, redact.Text(summary), now()) })
	if err != nil {
		return fmt.Errorf("ending session %s: %w", id, err)
	}
	return nil
}

// endSession records the end of a session and removes its owner: owners
// are kept only while sessions run, so that opening the store reads only
// those (see endAbandoned).
func endSession(ctx context.Context, tx *sql.Tx, id, status, summary string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?, status = ?, summary = ? WHERE id = ?`,
		formatTime(at), status, summary, id)
	if err != nil {
		return err
	}
	if err := mustHaveChanged(res, "session", id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM session_owners WHERE session_id = ?`, id)
	return err
}

const sessionColumns = `id, kind, mode, started_at, COALESCE(ended_at, ''), status, summary`

// Session returns the session with the given id, or ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)
	sess, err := scanSession(row)
	if err != nil {
		return Session{}, fmt.Errorf("reading session %s: %w", id, err)
	}
	return sess, nil
}

// LastSession returns the most recently started session, or ErrNotFound
// when there is none.
func (s *Store) LastSession(ctx context.Context) (Session, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1`)
	sess, err := scanSession(row)
	if err != nil {
		return Session{}, fmt.Errorf("reading the last session: %w", err)
	}
	return sess, nil
}

// LastRun returns the most recently started session that is worth
// reporting: one that has log entries, or a flow run (kind "flow:…", or
// "demo:…" when the demo played it) even
// if it recorded nothing. The empty "app" session every launch of the
// terminal app opens is skipped, so `log --last` prints the run the user
// just did. ErrNotFound when there is none.
func (s *Store) LastRun(ctx context.Context) (Session, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions s
		WHERE s.kind LIKE 'flow:%' OR s.kind LIKE 'demo:%' OR EXISTS (SELECT 1 FROM log_entries e WHERE e.session_id = s.id)
		ORDER BY started_at DESC, id DESC LIMIT 1`)
	sess, err := scanSession(row)
	if err != nil {
		return Session{}, fmt.Errorf("reading the last run: %w", err)
	}
	return sess, nil
}

// Sessions returns up to limit sessions (all when limit <= 0), most
// recently started first.
func (s *Store) Sessions(ctx context.Context, limit int) ([]Session, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("listing sessions: %w", err)
		}
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	return out, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanSession(sc scanner) (Session, error) {
	var sess Session
	var started, ended string
	err := sc.Scan(&sess.ID, &sess.Kind, &sess.Mode, &started, &ended, &sess.Status, &sess.Summary)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	sess.StartedAt, sess.EndedAt = parseTime(started), parseTime(ended)
	return sess, err
}

// mustHaveChanged turns an UPDATE that matched no row into ErrNotFound.
func mustHaveChanged(res sql.Result, what, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s %q: %w", what, id, ErrNotFound)
	}
	return nil
}

// crockford is Crockford's base32 alphabet, in lower case.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// newSessionID returns a 16-character id: 10 characters of milliseconds
// since the epoch, so ids sort by start time, then 6 random characters.
func newSessionID(t time.Time) string {
	var b strings.Builder
	ms := uint64(t.UnixMilli())
	for i := 9; i >= 0; i-- {
		b.WriteByte(crockford[(ms>>(5*uint(i)))&31])
	}
	random := make([]byte, 6)
	rand.Read(random)
	for _, r := range random {
		b.WriteByte(crockford[r&31])
	}
	return b.String()
}
