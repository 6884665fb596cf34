package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// abandonedSummary is the summary of a session ended by endAbandoned.
const abandonedSummary = "the process ended without closing this session (killed, crashed, or the machine stopped); its entries up to then are kept"

// thisHost names this machine for session_owners; "" when unknown.
func thisHost() string {
	h, _ := os.Hostname()
	return h
}

// endAbandoned ends the running sessions of this host whose process is
// gone, as SessionAbandoned, at the time of their last entry (or their
// start). Sessions of other hosts, sharing the directory, are left alone:
// their processes cannot be seen from here. It runs when the store opens,
// and costs little: session_owners holds only the sessions still running,
// as EndSession removes a session's owner.
func (s *Store) endAbandoned(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT session_id, pid FROM session_owners WHERE host = ?`, thisHost())
	if err != nil {
		return fmt.Errorf("looking for abandoned sessions: %w", err)
	}
	var gone []string
	for rows.Next() {
		var id string
		var pid int
		if err := rows.Scan(&id, &pid); err != nil {
			rows.Close()
			return fmt.Errorf("looking for abandoned sessions: %w", err)
		}
		if !processAlive(pid) {
			gone = append(gone, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("looking for abandoned sessions: %w", err)
	}
	rows.Close()
	if len(gone) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, id := range gone {
			// Only if still running: another process may have ended it since.
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET status = ?, summary = ?,
				ended_at = COALESCE((SELECT MAX(time) FROM log_entries WHERE session_id = ?), started_at)
				WHERE id = ? AND status = ?`, SessionAbandoned, abandonedSummary, id, id, SessionRunning)
			if err != nil {
				return fmt.Errorf("ending abandoned session %s: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM session_owners WHERE session_id = ?`, id); err != nil {
				return fmt.Errorf("ending abandoned session %s: %w", id, err)
			}
		}
		return nil
	})
}
