package tui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/linkexplorer/linkexplorer/audit"
	"github.com/linkexplorer/linkexplorer/flows"
)

// The stages of an audit, for its errors.
const (
	stageChecklist = "reading the checklist"
	stageSource    = "reading the source tree"
)

// migrateAuditedMsg: an audit finished, or failed at stage.
type migrateAuditedMsg struct {
	id     int
	static *audit.StaticResult
	live   *audit.LiveResult
	// watch follows the emulator from where the audit left it; nil
	// against real Plaid.
	watch     *emulatorWatch
	observed  map[string][]audit.Evidence
	watchErr  error // the emulator could not be read
	state     *audit.State
	statePath string
	stage     string
	err       error
}

// auditMigration runs the audit req asks for: it loads the audit's
// checklist from the state directory, scans the source tree, calls the
// token endpoint and, offline, reads the manual checks' evidence from the
// emulator.
func auditMigration(ctx context.Context, id int, req migrateRequest, workDir, stateDir string, ctl *flows.Control, ownClientID string) tea.Cmd {
	return func() tea.Msg {
		msg := migrateAuditedMsg{id: id}
		src := resolvePath(req.src, workDir)
		msg.statePath, msg.state, msg.err = loadChecklist(stateDir, src, req.endpoint)
		if msg.err != nil {
			msg.stage = stageChecklist
			return msg
		}
		if src != "" {
			if msg.static, msg.err = audit.ScanSource(ctx, src); msg.err != nil {
				msg.stage = stageSource
				return msg
			}
		}
		if req.endpoint != "" {
			msg.live = audit.AuditEndpoint(ctx, req.liveOptions(ctl))
		}
		if ctl != nil {
			// linkexplorer's own flows and demo are not the audited app
			msg.watch = &emulatorWatch{obs: audit.NewObserver(ctl).IgnoreClientIDs(ownClientID)}
			_, msg.observed, msg.watchErr = msg.watch.poll(ctx)
		}
		return msg
	}
}

// resolvePath expands ~ and makes a relative path start at workDir.
func resolvePath(p, workDir string) string {
	switch {
	case p == "":
		return ""
	case p == "~" || strings.HasPrefix(p, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	case !filepath.IsAbs(p) && workDir != "":
		return filepath.Join(workDir, p)
	}
	return p
}

// checklistDir is the state directory's folder of migration checklists.
const checklistDir = "migrate"

// loadChecklist reads the checklist of the app audited: one file per
// source tree (or endpoint), in the state directory. Without a state
// directory the checklist lives in memory only ("" path).
func loadChecklist(stateDir, src, endpoint string) (string, *audit.State, error) {
	if stateDir == "" {
		return "", &audit.State{}, nil
	}
	path, err := checklistPath(stateDir, src, endpoint)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", nil, fmt.Errorf("creating the checklist folder: %w", err)
	}
	st, err := audit.LoadState(path)
	return path, st, err
}

// nameUnsafe matches what a checklist file name leaves out.
var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// checklistPath names an app's checklist file after its source tree (or
// its endpoint's host) and a hash of the full path, so that apps with the
// same folder name keep their own ticks.
func checklistPath(stateDir, src, endpoint string) (string, error) {
	key, name := endpoint, "endpoint"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		name = u.Host
	}
	if src != "" {
		abs, err := filepath.Abs(src)
		if err != nil {
			return "", fmt.Errorf("resolving the source directory %s: %w", src, err)
		}
		key, name = abs, filepath.Base(abs)
	}
	sum := sha256.Sum256([]byte(key))
	name = strings.Trim(nameUnsafe.ReplaceAllString(name, "-"), "-.")
	if name == "" {
		name = "app"
	}
	file := fmt.Sprintf("%s-%s.json", name, hex.EncodeToString(sum[:4]))
	return filepath.Join(stateDir, checklistDir, file), nil
}

// emulatorWatch follows the emulator for the manual checks' evidence. Its
// Observer is used by one command at a time; the lock keeps it so when a
// watch is stopped and restarted while a poll is still out.
type emulatorWatch struct {
	mu  sync.Mutex
	obs *audit.Observer
}

// poll reads what the emulator saw since the last poll, and the evidence
// found so far.
func (w *emulatorWatch) poll(ctx context.Context) ([]audit.Sighting, map[string][]audit.Evidence, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	seen, err := w.obs.Poll(ctx)
	return seen, w.obs.Evidence(), err
}

// emulatorPolledMsg: a poll of the watch id came back.
type emulatorPolledMsg struct {
	id       int
	seen     []audit.Sighting
	evidence map[string][]audit.Evidence
	err      error
}

// pollEmulator polls the emulator after wait, unless ctx ends first (then
// it reports nothing).
func pollEmulator(ctx context.Context, id int, w *emulatorWatch, wait time.Duration) tea.Cmd {
	return func() tea.Msg {
		if wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
		seen, ev, err := w.poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		return emulatorPolledMsg{id: id, seen: seen, evidence: ev, err: err}
	}
}

// checklistSavedMsg: the checklist was written to path (or not, err);
// notice says what changed.
type checklistSavedMsg struct {
	path, notice string
	err          error
}

// saveChecklist writes a copy of the checklist, taken on the UI goroutine,
// to path (mode 0600).
func saveChecklist(path string, st *audit.State, notice string) tea.Cmd {
	snap := *st
	snap.Ticks, snap.Evidence = maps.Clone(st.Ticks), maps.Clone(st.Evidence)
	return func() tea.Msg {
		return checklistSavedMsg{path: path, notice: notice, err: snap.Save(path)}
	}
}

// reportExportedMsg: the report was written to path.
type reportExportedMsg struct{ path string }

// exportMigrationReport writes the report in format f to a new file in
// dir, named by the time, readable by the user only. The report is never
// changed once built, so the command may read it.
func exportMigrationReport(r *audit.Report, dir string, f audit.Format, now time.Time) tea.Cmd {
	return func() tea.Msg {
		path, err := writeMigrationReport(r, dir, f, now)
		if err != nil {
			return failedMsg{reason: "exporting the migration report", err: err}
		}
		return reportExportedMsg{path: path}
	}
}

func writeMigrationReport(r *audit.Report, dir string, f audit.Format, now time.Time) (string, error) {
	abs, err := exportTarget(dir)
	if err != nil {
		return "", err
	}
	base := "linkexplorer-migration-" + now.Format("20060102-150405")
	file, path, err := createNew(abs, base, string(f))
	if err != nil {
		return "", fmt.Errorf("%w (press x again and choose a writable directory, or free some space)", err)
	}
	err = r.Write(file, f)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Join(err, os.Remove(path))
	}
	return path, nil
}

// createNew creates base.ext in dir, or base-2.ext, base-3.ext… when it
// exists, never overwriting a file.
func createNew(dir, base, ext string) (*os.File, string, error) {
	for n := 1; ; n++ {
		name := base + "." + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d.%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && n < 100 {
			continue
		}
		return f, path, err
	}
}
