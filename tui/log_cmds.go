package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// storeTimeout bounds one read of the session log.
const storeTimeout = 5 * time.Second

// itemsLoadedMsg: the Items known to the store.
type itemsLoadedMsg struct{ items []store.Item }

// logSummaryLoadedMsg: how big the log is, and its newest entry.
type logSummaryLoadedMsg struct {
	count  int
	latest *store.Entry
}

func loadItems(s *store.Store) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		items, err := s.Items(ctx)
		if err != nil {
			return failedMsg{reason: "reading the Items", err: err}
		}
		return itemsLoadedMsg{items: items}
	}
}

func loadLogSummary(s *store.Store) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		n, err := s.Count(ctx, store.Filter{})
		if err != nil {
			return failedMsg{reason: "reading the session log", err: err}
		}
		page, err := s.Entries(ctx, store.Query{Limit: 1})
		if err != nil {
			return failedMsg{reason: "reading the session log", err: err}
		}
		msg := logSummaryLoadedMsg{count: n}
		if len(page.Entries) > 0 {
			msg.latest = &page.Entries[0]
		}
		return msg
	}
}

// logWindow says which page of the log to show: the newest (top 0), the
// page starting at entry id top or the first older one, that page moved
// up by above entries, or the oldest page.
type logWindow struct {
	top    int64
	above  int
	oldest bool
}

// logPageLoadedMsg: one screenful of the log, newest first.
type logPageLoadedMsg struct {
	seq     int
	entries []store.Entry
	older   bool // more entries below the page
	newer   bool // more entries above the page
}

// loadLogPage reads one screenful of the log: its cost depends on rows,
// not on the size of the log.
func loadLogPage(s *store.Store, seq int, f store.Filter, w logWindow, rows int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		msg, err := readLogPage(ctx, s, f, w, rows)
		if err != nil {
			return failedMsg{reason: "reading the session log", err: err}
		}
		msg.seq = seq
		return msg
	}
}

func readLogPage(ctx context.Context, s *store.Store, f store.Filter, w logWindow, rows int) (logPageLoadedMsg, error) {
	if w.oldest {
		return pageAfter(ctx, s, f, 1, rows)
	}
	if w.above > 0 && w.top != 0 {
		p, err := s.Entries(ctx, store.Query{Filter: f, After: w.top, Limit: w.above})
		if err != nil {
			return logPageLoadedMsg{}, err
		}
		w.top = 0 // fewer than above entries are newer: the newest page
		if p.More && len(p.Entries) > 0 {
			w.top = p.Entries[0].ID
		}
	}
	msg, err := pageFrom(ctx, s, f, w.top, rows)
	if err == nil && w.top != 0 && !msg.older && len(msg.entries) < rows {
		return pageAfter(ctx, s, f, 1, rows) // near the end: the oldest full page
	}
	return msg, err
}

// pageFrom reads the page starting at the entry top (the newest page when
// top is 0), newest first.
func pageFrom(ctx context.Context, s *store.Store, f store.Filter, top int64, rows int) (logPageLoadedMsg, error) {
	q := store.Query{Filter: f, Limit: rows}
	if top != 0 {
		q.Before = top + 1
	}
	page, err := s.Entries(ctx, q)
	if err != nil {
		return logPageLoadedMsg{}, err
	}
	msg := logPageLoadedMsg{entries: page.Entries, older: page.More}
	if len(page.Entries) > 0 && top != 0 {
		msg.newer, err = hasNewer(ctx, s, f, page.Entries[0].ID)
	}
	return msg, err
}

// pageAfter reads the page of entries just newer than id, newest first.
func pageAfter(ctx context.Context, s *store.Store, f store.Filter, id int64, rows int) (logPageLoadedMsg, error) {
	page, err := s.Entries(ctx, store.Query{Filter: f, After: id, Limit: rows})
	if err != nil || len(page.Entries) == 0 {
		return logPageLoadedMsg{}, err
	}
	older, err := hasOlder(ctx, s, f, page.Entries[len(page.Entries)-1].ID)
	return logPageLoadedMsg{entries: page.Entries, newer: page.More, older: older}, err
}

func hasNewer(ctx context.Context, s *store.Store, f store.Filter, id int64) (bool, error) {
	p, err := s.Entries(ctx, store.Query{Filter: f, After: id, Limit: 1})
	return len(p.Entries) > 0, err
}

func hasOlder(ctx context.Context, s *store.Store, f store.Filter, id int64) (bool, error) {
	p, err := s.Entries(ctx, store.Query{Filter: f, Before: id, Limit: 1})
	return len(p.Entries) > 0, err
}

// logCountedMsg: how many entries match the filter.
type logCountedMsg struct {
	seq int
	n   int
}

func countLog(s *store.Store, seq int, f store.Filter) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		n, err := s.Count(ctx, f)
		if err != nil {
			return failedMsg{reason: "counting the session log", err: err}
		}
		return logCountedMsg{seq: seq, n: n}
	}
}

// entryLoadedMsg: one entry of the log, with its bodies.
type entryLoadedMsg struct{ entry store.Entry }

func loadEntry(s *store.Store, id int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		e, err := s.Entry(ctx, id)
		if err != nil {
			return failedMsg{reason: "reading the log entry", err: err}
		}
		return entryLoadedMsg{entry: e}
	}
}

// loadAdjacentEntry reads, with its bodies, the entry next to the entry
// id in the log as filtered by f: the older one (below it in the table)
// or the newer one.
func loadAdjacentEntry(s *store.Store, f store.Filter, id int64, older bool) tea.Cmd {
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		q := store.Query{Filter: f, Limit: 1, Bodies: true, After: id}
		edge := "this is the newest entry"
		if older {
			q.After, q.Before, edge = 0, id, "this is the oldest entry"
		}
		if f != (store.Filter{}) {
			edge += " the filter shows"
		}
		page, err := s.Entries(ctx, q)
		if err != nil {
			return failedMsg{reason: "reading the log entry", err: err}
		}
		if len(page.Entries) == 0 {
			return notifiedMsg(edge)
		}
		return entryLoadedMsg{entry: page.Entries[0]}
	}
}

// exportedMsg: the log was written to path.
type exportedMsg struct{ path string }

// exportLog writes the entries matching f to a new file in dir, named by
// the time and format, readable by the user only.
func exportLog(s *store.Store, dir string, format store.Format, f store.Filter, now time.Time) tea.Cmd {
	return func() tea.Msg {
		path, err := writeExport(s, dir, format, f, now)
		if err != nil {
			return failedMsg{reason: "exporting the session log", err: err}
		}
		return exportedMsg{path: path}
	}
}

func writeExport(s *store.Store, dir string, format store.Format, f store.Filter, now time.Time) (string, error) {
	abs, err := exportTarget(dir)
	if err != nil {
		return "", err
	}
	file, path, err := createNew(abs, "linkexplorer-log-"+now.Format("20060102-150405"), string(format))
	if err != nil {
		return "", fmt.Errorf("%w (press x again and choose a writable directory, or free some space)", err)
	}
	err = s.Export(context.Background(), file, format, f)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Join(err, os.Remove(path))
	}
	return path, nil
}

// ownRequestsPolledMsg: requests from the user's own app were recorded.
type ownRequestsPolledMsg struct {
	added int
	since int64
	more  bool // more requests are already waiting: poll again at once
	err   error
}

const (
	// ownRequestBatch bounds the requests recorded per poll: one GET of
	// the emulator's request log with their bodies, one transaction of the
	// store. A burst is read page after page, each poll as soon as the
	// last is written (the store's pace is the backpressure), so no poll
	// has more than a page of work to do.
	ownRequestBatch = 500
	// ownRequestTimeout bounds one poll: a page read and written. A page
	// takes well under a second; the bound only catches a stuck emulator
	// or store, and a poll that hits it is retried from the same place.
	ownRequestTimeout = 30 * time.Second
)

// pollOwnRequests records in the store the Plaid requests the emulator
// served to apps other than linkexplorer since the sequence number since.
// Requests made with ownClientID are linkexplorer's own, already logged.
func pollOwnRequests(c *flows.Control, s *store.Store, sessionID, ownClientID string, since int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), ownRequestTimeout)
		defer cancel()
		added, next, more, err := recordOwnRequests(ctx, c, s, sessionID, ownClientID, since)
		return ownRequestsPolledMsg{added: added, since: next, more: more, err: err}
	}
}

// recordOwnRequests records one page of the user's app's requests after
// since, in one transaction; it returns how many it added, the since of
// the next page and whether that page is already waiting.
func recordOwnRequests(ctx context.Context, c *flows.Control, s *store.Store, sessionID, ownClientID string, since int64) (int, int64, bool, error) {
	page, err := c.RequestsWithBodies(ctx, since, ownRequestBatch, ownClientID)
	if err != nil {
		return 0, since, false, err
	}
	recs := make([]store.Record, 0, len(page.Requests))
	for _, r := range page.Requests {
		if r.ClientID == ownClientID {
			continue // linkexplorer's own call, already in the log
		}
		recs = append(recs, ownCall(sessionID, r))
	}
	if len(recs) > 0 {
		if _, err := s.Add(ctx, recs...); err != nil {
			return 0, since, false, err
		}
	}
	return len(recs), page.NextSince, page.More, nil
}

// ownCall turns an observed request, with its bodies, into a log entry.
func ownCall(sessionID string, r flows.ObservedRequestDetail) store.APICall {
	return store.APICall{
		SessionID: sessionID, Time: r.Time, Method: r.Method, Endpoint: r.Path, HTTPStatus: r.Status,
		RequestID: r.RequestID, ErrorType: r.ErrorType, ErrorCode: r.ErrorCode,
		Duration: time.Duration(r.DurationMS * float64(time.Millisecond)), Source: store.SourceApp,
		RequestBody: r.RequestBody, ResponseBody: r.ResponseBody,
	}
}
