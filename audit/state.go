package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateVersion is the version of the checklist file's format.
const stateVersion = 1

// State is what a checklist file keeps across runs: the checks a person
// ticked, and the evidence the emulator showed for the manual checks.
type State struct {
	Version int `json:"version"`
	// Ticks maps a check id to when it was ticked.
	Ticks map[string]time.Time `json:"ticks"`
	// Evidence maps a manual check id to the evidence last observed.
	Evidence map[string][]Evidence `json:"evidence"`
}

// LoadState reads a checklist file; a missing file is an empty State.
func LoadState(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Version: stateVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the checklist file: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("the checklist file %s is not a linkexplorer checklist (%v): fix it, or pass another --checklist", path, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("the checklist file %s has version %d; this linkexplorer reads version %d", path, s.Version, stateVersion)
	}
	return &s, nil
}

// Save writes the State to path atomically, readable by its owner only.
func (s *State) Save(path string) error {
	s.Version = stateVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the checklist: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checklist-*.json") // mode 0600
	if err != nil {
		return fmt.Errorf("saving the checklist: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the checklist: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the checklist: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving the checklist: %w", err)
	}
	return nil
}

// Tick records that a person confirmed the check id at t. The id must be
// one of CheckIDs.
func (s *State) Tick(id string, t time.Time) error {
	if !slices.Contains(CheckIDs(), id) {
		return fmt.Errorf("unknown check %q: the manual checks are %s, %s, %s and %s", id,
			ManualUserGood, ManualInvalidToken, ManualUpdateMode, ManualDashboardKeys)
	}
	if s.Ticks == nil {
		s.Ticks = map[string]time.Time{}
	}
	s.Ticks[id] = t.UTC()
	return nil
}

// Untick removes a tick.
func (s *State) Untick(id string) { delete(s.Ticks, id) }

// Ticked reports whether the check id is ticked.
func (s *State) Ticked(id string) bool {
	_, ok := s.Ticks[id]
	return ok
}

func (s *State) setEvidence(id string, ev []Evidence) {
	if s.Evidence == nil {
		s.Evidence = map[string][]Evidence{}
	}
	s.Evidence[id] = ev
}
