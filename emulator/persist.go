package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	// stateVersion is the version of the state file format.
	stateVersion = 1
	// saveDelay debounces state file writes after a mutation.
	saveDelay = 200 * time.Millisecond
)

// snapshot is the state file's content.
type snapshot struct {
	Version       int            `json:"version"`
	SavedAt       time.Time      `json:"saved_at"`
	ClockOffsetNS int64          `json:"clock_offset_ns"`
	Items         []*item        `json:"items"`
	LinkTokens    []*linkToken   `json:"link_tokens"`
	PublicTokens  []*publicToken `json:"public_tokens"`
	WebhookKey    *persistedKey  `json:"webhook_key,omitempty"` // absent in files of older versions: a new key is made
	Products      *productState  `json:"products,omitempty"`    // asset reports, transfers, users...
	// JournalSeq is the last journal record the snapshot includes (see
	// journal.go): later ones are replayed on top of it at load.
	JournalSeq int64 `json:"journal_seq,omitempty"`
}

// snapshotJSON renders the state for the state file, as including the
// journal's records up to journalSeq.
func (e *Emulator) snapshotJSON(journalSeq int64) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	key, err := e.whKey.persisted()
	if err != nil {
		return nil, fmt.Errorf("emulator: saving the webhook key: %w", err)
	}
	snap := snapshot{
		WebhookKey:    key,
		Version:       stateVersion,
		SavedAt:       e.Now(),
		ClockOffsetNS: int64(e.clock.offsetDuration()),
		Items:         sortedValues(e.st.items, func(it *item) string { return it.ID }),
		LinkTokens:    sortedValues(e.st.linkTokens, func(t *linkToken) string { return t.Token }),
		PublicTokens:  sortedValues(e.st.publicTokens, func(t *publicToken) string { return t.Token }),
		Products:      e.st.prod,
		JournalSeq:    journalSeq,
	}
	return json.Marshal(snap)
}

// sortedValues returns m's values ordered by key(v), for stable files.
func sortedValues[V any](m map[string]V, key func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// ErrStateNotWritable is, for errors.Is, the error of New when the state
// file cannot be written: a bad --state path fails at start-up, not at
// the first save after work was done.
var ErrStateNotWritable = errors.New("state file not writable")

type stateFileError struct{ msg string }

func (e *stateFileError) Error() string        { return e.msg }
func (e *stateFileError) Is(target error) bool { return target == ErrStateNotWritable }

// checkWritable checks that the state file can be written as the saver
// writes it: a temporary file beside it, renamed over it.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &stateFileError{fmt.Sprintf("the state file %s is a directory; name a file, e.g. --state %s", path, filepath.Join(path, "emulator.json"))}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &stateFileError{fmt.Sprintf("cannot write the state file %s (%v in %s); pass a --state path in a directory you can write", path, err, filepath.Dir(path))}
	}
	f.Close()
	return os.Remove(f.Name())
}

// load reads the state file at path into e, then replays its journal. A
// missing file is an empty state; the file is created on the first save.
func (e *Emulator) load(path string) error {
	e.journal, _ = openJournal(path)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// No snapshot yet: what a journal holds is replayed, and the
		// first save writes a snapshot.
		e.track.dirty.full = true
		if err := e.replayJournal(0); err != nil {
			return err
		}
		e.st.requeue()
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator: reading state file: %w", err)
	}
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("emulator: state file %s is not a linkexplorer emulator state (%v); fix it, or delete it to start empty", path, err)
	}
	if snap.Version != stateVersion {
		return fmt.Errorf("emulator: state file %s has format version %d, this linkexplorer reads version %d; delete it to start empty", path, snap.Version, stateVersion)
	}
	for _, it := range snap.Items {
		if it == nil || it.ID == "" || it.AccessToken == "" {
			return fmt.Errorf("emulator: state file %s holds an Item without item_id or access_token; fix it, or delete it to start empty", path)
		}
		e.st.addItem(it)
	}
	for _, t := range snap.LinkTokens {
		if t != nil && t.Token != "" {
			e.st.linkTokens[t.Token] = t
		}
	}
	for _, t := range snap.PublicTokens {
		if t != nil && t.Token != "" {
			e.st.publicTokens[t.Token] = t
		}
	}
	if snap.WebhookKey != nil {
		key, err := snap.WebhookKey.key()
		if err != nil {
			return fmt.Errorf("emulator: state file %s holds an unreadable webhook key (%v); fix it, or delete it to start empty", path, err)
		}
		e.whKey = key
	}
	if snap.WebhookKey == nil {
		e.track.dirty.full = true // save the new key
	}
	e.st.prod = snap.Products
	e.clock.setOffset(time.Duration(snap.ClockOffsetNS))
	if err := e.replayJournal(snap.JournalSeq); err != nil {
		return err
	}
	e.st.requeue()
	return nil
}

// saver writes the state file in the background, debounced, and once more
// when closed.
type saver struct {
	save    func() error
	log     *slog.Logger
	poked   chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

func newSaver(save func() error, log *slog.Logger) *saver {
	s := &saver{
		save:    save,
		log:     log,
		poked:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go s.loop()
	return s
}

// poke asks for a save soon.
func (s *saver) poke() {
	select {
	case s.poked <- struct{}{}:
	default:
	}
}

func (s *saver) loop() {
	defer close(s.stopped)
	for {
		select {
		case <-s.poked:
		case <-s.done:
			return
		}
		timer := time.NewTimer(saveDelay)
		select {
		case <-timer.C:
		case <-s.done:
			timer.Stop()
			return
		}
		if err := s.save(); err != nil {
			s.log.Error("saving emulator state failed", "err", err)
		}
	}
}

// close stops the background saves and saves one last time.
func (s *saver) close() error {
	close(s.done)
	<-s.stopped
	return s.save()
}

// writeFileAtomic replaces path with data, mode 0600: it writes a temporary
// file beside it and renames it over path, so readers never see half a file.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
