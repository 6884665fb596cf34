package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"
)

// The state file is a snapshot of the whole state plus a journal beside it
// (<state file>.journal, mode 0600): one JSON line per Item or token that
// changed since, each with a sequence number. A save appends what changed
// and syncs the journal, so its cost grows with what changed, not with the
// number of Items; the snapshot is rewritten (atomically: a temporary file
// renamed over it) only when a change is not tracked per object (a reset,
// product data beyond Items) or when the journal has grown past the
// snapshot's size, which keeps its cost, per change, bounded too.
//
// Crash safety: the snapshot records the last journal record it includes
// (journal_seq), so a crash between writing a snapshot and emptying the
// journal replays nothing twice; a record cut short by a crash is the
// journal's last line, and is dropped (and cut off the file) at load.

// journalSuffix is appended to the state file's name for its journal.
const journalSuffix = ".journal"

// minCompactBytes is the journal size below which the snapshot is never
// rewritten for the journal's sake.
const minCompactBytes = 1 << 20

// journalRecord is one line of the journal.
type journalRecord struct {
	Seq int64  `json:"seq"`
	Op  string `json:"op"` // item, del_item, link_token, del_link_token, public_token, del_public_token, clock
	ID  string `json:"id,omitempty"`

	Item        *item        `json:"item,omitempty"`
	LinkToken   *linkToken   `json:"link_token,omitempty"`
	PublicToken *publicToken `json:"public_token,omitempty"`
	ClockOffset int64        `json:"clock_offset_ns,omitempty"`
}

// dirtySet is what changed since the last save.
type dirtySet struct {
	full         bool // something not tracked per object: rewrite the snapshot
	clock        bool
	items        map[string]bool
	linkTokens   map[string]bool
	publicTokens map[string]bool
}

func (d *dirtySet) empty() bool {
	return !d.full && !d.clock && len(d.items) == 0 && len(d.linkTokens) == 0 && len(d.publicTokens) == 0
}

// tracker holds the dirty set; its lock is a leaf (taken with or without
// e.mu held, never the other way round).
type tracker struct {
	mu    sync.Mutex
	dirty dirtySet
}

// mark records a change and asks for a save soon. With no state file it
// does nothing.
func (e *Emulator) mark(f func(d *dirtySet)) {
	if e.saver == nil {
		return
	}
	e.track.mu.Lock()
	f(&e.track.dirty)
	e.track.mu.Unlock()
	e.saver.poke()
}

func addKey(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

// changedItem records that an Item changed (or was created, or removed).
func (e *Emulator) changedItem(it *item) {
	e.mark(func(d *dirtySet) { addKey(&d.items, it.ID) })
}

// changedLinkToken records that a link_token changed (or was created).
func (e *Emulator) changedLinkToken(token string) {
	e.mark(func(d *dirtySet) { addKey(&d.linkTokens, token) })
}

// changedPublicToken records that a public_token changed (or was created,
// or used up).
func (e *Emulator) changedPublicToken(token string) {
	e.mark(func(d *dirtySet) { addKey(&d.publicTokens, token) })
}

// changedClock records that the virtual clock moved.
func (e *Emulator) changedClock() { e.mark(func(d *dirtySet) { d.clock = true }) }

// journal is the open journal file and what the saver knows of the files.
// Only the saver's goroutine (and New, before it starts) uses it.
type journal struct {
	path      string
	f         *os.File
	seq       int64 // the last record's seq
	size      int64 // bytes in the journal
	snapBytes int64 // the snapshot's size when last written or read
}

func openJournal(statePath string) (*journal, error) {
	j := &journal{path: statePath + journalSuffix}
	if fi, err := os.Stat(statePath); err == nil {
		j.snapBytes = fi.Size()
	}
	return j, nil
}

// persist saves what changed: a journal append, or a new snapshot.
func (e *Emulator) persist() error {
	e.track.mu.Lock()
	d := e.track.dirty
	e.track.dirty = dirtySet{}
	e.track.mu.Unlock()
	j := e.journal
	if d.empty() {
		return nil
	}
	var err error
	if d.full || j.size > max(minCompactBytes, j.snapBytes) {
		err = e.compact()
	} else {
		err = e.appendJournal(d)
	}
	if err != nil {
		// Nothing is lost: the next save writes a whole snapshot.
		e.track.mu.Lock()
		e.track.dirty.full = true
		e.track.mu.Unlock()
	}
	return err
}

// compact writes the whole state as the snapshot and empties the journal.
func (e *Emulator) compact() error {
	j := e.journal
	data, err := e.snapshotJSON(j.seq)
	if err != nil {
		return fmt.Errorf("emulator: rendering state: %w", err)
	}
	if err := writeFileAtomic(e.opts.StateFile, data); err != nil {
		return fmt.Errorf("emulator: saving state to %s: %w; check that its directory exists and is writable", e.opts.StateFile, err)
	}
	j.snapBytes = int64(len(data))
	// The snapshot holds every record so far (journal_seq): a crash before
	// the journal is emptied replays none of them.
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
	if err := os.Remove(j.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("emulator: emptying the state journal %s: %w", j.path, err)
	}
	j.size = 0
	return nil
}

// appendJournal writes a record per changed object and syncs the journal.
func (e *Emulator) appendJournal(d dirtySet) error {
	j := e.journal
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	seq := j.seq
	write := func(r journalRecord) error {
		seq++
		r.Seq = seq
		return enc.Encode(r)
	}
	e.mu.Lock()
	err := func() error {
		if d.clock {
			if err := write(journalRecord{Op: "clock", ClockOffset: int64(e.clock.offsetDuration())}); err != nil {
				return err
			}
		}
		for _, id := range sortedKeys(d.items) {
			r := journalRecord{Op: "del_item", ID: id}
			if it, ok := e.st.items[id]; ok {
				r = journalRecord{Op: "item", Item: it}
			}
			if err := write(r); err != nil {
				return err
			}
		}
		for _, tok := range sortedKeys(d.linkTokens) {
			r := journalRecord{Op: "del_link_token", ID: tok}
			if lt, ok := e.st.linkTokens[tok]; ok {
				r = journalRecord{Op: "link_token", LinkToken: lt}
			}
			if err := write(r); err != nil {
				return err
			}
		}
		for _, tok := range sortedKeys(d.publicTokens) {
			r := journalRecord{Op: "del_public_token", ID: tok}
			if pt, ok := e.st.publicTokens[tok]; ok {
				r = journalRecord{Op: "public_token", PublicToken: pt}
			}
			if err := write(r); err != nil {
				return err
			}
		}
		return nil
	}()
	e.mu.Unlock()
	if err != nil {
		return fmt.Errorf("emulator: rendering state: %w", err)
	}
	if j.f == nil {
		f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("emulator: opening the state journal: %w", err)
		}
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return fmt.Errorf("emulator: opening the state journal: %w", err)
		}
		j.f = f
	}
	if _, err := j.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("emulator: writing the state journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("emulator: syncing the state journal %s: %w", j.path, err)
	}
	j.seq = seq
	j.size += int64(buf.Len())
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// closeJournal closes the journal file.
func (e *Emulator) closeJournal() {
	if e.journal != nil && e.journal.f != nil {
		e.journal.f.Close()
		e.journal.f = nil
	}
}

// replayJournal applies the journal's records newer than the snapshot's
// (e.mu not needed: New has not returned). A last line cut short by a
// crash is dropped and cut off the file.
func (e *Emulator) replayJournal(snapSeq int64) error {
	j := e.journal
	j.seq = snapSeq
	f, err := os.OpenFile(j.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator: reading the state journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var good int64 // bytes of whole, applied lines
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 { // cut short by a crash: never acknowledged
				if err := f.Truncate(good); err != nil {
					return fmt.Errorf("emulator: repairing the state journal %s: %w", j.path, err)
				}
			}
			break
		}
		if err != nil {
			return fmt.Errorf("emulator: reading the state journal: %w", err)
		}
		var rec journalRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("emulator: the state journal %s has a damaged record after byte %d (%v); delete it to go back to the last snapshot", j.path, good, err)
		}
		good += int64(len(line))
		if rec.Seq <= snapSeq {
			continue // already in the snapshot
		}
		if err := e.apply(rec); err != nil {
			return fmt.Errorf("emulator: the state journal %s: %w", j.path, err)
		}
		j.seq = rec.Seq
	}
	j.size = good
	return nil
}

// apply replays one journal record.
func (e *Emulator) apply(rec journalRecord) error {
	s := e.st
	switch rec.Op {
	case "item":
		it := rec.Item
		if it == nil || it.ID == "" || it.AccessToken == "" {
			return fmt.Errorf("record %d holds an Item without item_id or access_token", rec.Seq)
		}
		if old, ok := s.items[it.ID]; ok {
			delete(s.byAccess, old.AccessToken)
		}
		s.addItem(it)
	case "del_item":
		if it, ok := s.items[rec.ID]; ok {
			s.removeItem(it)
		}
	case "link_token":
		if rec.LinkToken != nil && rec.LinkToken.Token != "" {
			s.linkTokens[rec.LinkToken.Token] = rec.LinkToken
		}
	case "del_link_token":
		delete(s.linkTokens, rec.ID)
	case "public_token":
		if rec.PublicToken != nil && rec.PublicToken.Token != "" {
			s.publicTokens[rec.PublicToken.Token] = rec.PublicToken
		}
	case "del_public_token":
		delete(s.publicTokens, rec.ID)
	case "clock":
		e.clock.setOffset(time.Duration(rec.ClockOffset))
	default:
		return fmt.Errorf("record %d has an unknown operation %q", rec.Seq, rec.Op)
	}
	return nil
}
