package store

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// mdTime is how the Markdown export shows times: UTC, to the millisecond,
// as Link's own timestamps are.
const mdTime = "2006-01-02 15:04:05.000"

// exportMarkdown writes a report for a Plaid support ticket: what was
// exported, the sessions, the Link sessions, the errors, then the log.
func (s *Store) exportMarkdown(ctx context.Context, w *bufio.Writer, f Filter) error {
	n, err := s.Count(ctx, f)
	if err != nil {
		return err
	}
	sessions, err := s.sessionsOf(ctx, f)
	if err != nil {
		return err
	}
	links, err := s.linkSessionsOf(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# linkexplorer session log\n\n")
	fmt.Fprintf(w, "- Exported: %s UTC (all times are UTC)\n", now().Format(mdTime))
	fmt.Fprintf(w, "- Filter: %s\n", describeFilter(f))
	fmt.Fprintf(w, "- Entries: %d, newest first\n", n)
	fmt.Fprintf(w, "- Secrets, access_tokens and public_tokens are masked; bodies are left out.\n")
	writeSessionsMD(w, sessions)
	writeLinkSessionsMD(w, links)
	if err := s.writeErrorsMD(ctx, w, f); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## Log\n\n| Time | Kind | What | Status | request_id | link_session_id | Error |\n|---|---|---|---|---|---|---|\n")
	return s.each(ctx, f, false, func(e Entry) error {
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", mdTimeOf(e.Time()), e.ShownKind(), mdCell(e.Title()),
			mdCell(e.Status()), mdCode(e.RequestID()), mdCode(e.LinkSessionID()), mdError(e))
		return err
	})
}

func writeSessionsMD(w *bufio.Writer, sessions []Session) {
	if len(sessions) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Sessions\n\n| Session | Kind | Mode | Started | Ended | Status | Summary |\n|---|---|---|---|---|---|---|\n")
	for _, s := range sessions {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCode(s.ID), mdCell(s.Kind), mdCell(s.Mode),
			mdTimeOf(s.StartedAt), mdTimeOf(s.EndedAt), mdCell(s.Status), mdCell(redact.Text(s.Summary)))
	}
}

// linkSession summarises one link_session_id of the export.
type linkSession struct {
	id          string
	first, last time.Time
	errorCode   string // the last error met, if any
}

func writeLinkSessionsMD(w *bufio.Writer, links []linkSession) {
	if len(links) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Link sessions\n\n| link_session_id | First event | Last event | Last error |\n|---|---|---|---|\n")
	for _, l := range links {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCode(l.id), mdTimeOf(l.first), mdTimeOf(l.last), mdCode(l.errorCode))
	}
}

// linkSessionsOf returns the link_session_ids of the entries matching f,
// most recent first.
func (s *Store) linkSessionsOf(ctx context.Context, f Filter) ([]linkSession, error) {
	fs, err := s.compile(ctx, f)
	if err != nil {
		return nil, err
	}
	ids, args := fs.and("e.link_session_id IS NOT NULL").ids("", 0)
	rows, err := s.db.QueryContext(ctx, `SELECT e.link_session_id, min(e.time), max(e.time),
		COALESCE((SELECT x.error_code FROM log_entries x WHERE x.link_session_id = e.link_session_id
			AND x.error_code IS NOT NULL ORDER BY x.id DESC LIMIT 1), '')
		FROM log_entries e WHERE e.id IN (`+ids+`) GROUP BY e.link_session_id ORDER BY max(e.id) DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []linkSession
	for rows.Next() {
		var l linkSession
		var first, last string
		if err := rows.Scan(&l.id, &first, &last, &l.errorCode); err != nil {
			return nil, err
		}
		l.first, l.last = parseTime(first), parseTime(last)
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Store) writeErrorsMD(ctx context.Context, w *bufio.Writer, f Filter) error {
	f.Errors = true
	header := false
	return s.each(ctx, f, false, func(e Entry) error {
		if !header {
			fmt.Fprintf(w, "\n## Errors\n\n| Time | What | error_type | error_code | request_id | link_session_id | Message |\n|---|---|---|---|---|---|---|\n")
			header = true
		}
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", mdTimeOf(e.Time()), mdCell(e.Title()),
			mdCode(e.ErrorType()), mdCode(e.ErrorCode()), mdCode(e.RequestID()), mdCode(e.LinkSessionID()),
			mdCell(e.ErrorMessage()))
		return err
	})
}

// describeFilter says in words what an export holds.
func describeFilter(f Filter) string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+" "+mdCode(v))
		}
	}
	add("session", f.SessionID)
	add("request_id", f.RequestID)
	add("link_session_id", f.LinkSessionID)
	add("item_id", f.ItemID)
	add("error_code", f.ErrorCode)
	add("kind", string(f.Kind))
	add("source", f.Source)
	if f.Errors {
		parts = append(parts, "errors only")
	}
	add("text", f.Text)
	if len(parts) == 0 {
		return "none (the whole log)"
	}
	return strings.Join(parts, ", ")
}

func mdError(e Entry) string {
	code := e.ErrorCode()
	if code == "" {
		return ""
	}
	if t := e.ErrorType(); t != "" {
		return mdCode(t + "/" + code)
	}
	return mdCode(code)
}

func mdTimeOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(mdTime)
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdCode shows an identifier as code, so that it copies exactly.
func mdCode(s string) string {
	s = mdCell(s)
	if s == "" || strings.Contains(s, "`") {
		return s
	}
	return "`" + s + "`"
}
