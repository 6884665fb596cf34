package audit

import (
	"fmt"
	"strings"
)

// Status is a checklist item's result.
type Status string

// The statuses of checks and checklist steps.
const (
	StatusPass   Status = "pass"
	StatusFail   Status = "fail"
	StatusManual Status = "manual" // a person must confirm it (and may tick it)
)

// Kind is how a check is made.
type Kind string

// The kinds of checks.
const (
	KindStatic Kind = "static" // read from the source tree
	KindLive   Kind = "live"   // by calling the app's token endpoint
	KindManual Kind = "manual" // by a person, with evidence from the emulator
)

// Evidence is one piece of evidence for a check: a place in the source, an
// API request the emulator served, a Link session, or an HTTP call to the
// app.
type Evidence struct {
	// Kind is "file", "request", "link_session" or "http".
	Kind string `json:"kind"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// RequestID is the Plaid request_id (for "request") of the call.
	RequestID string `json:"request_id,omitempty"`
	// Seq is the emulator's request log sequence number.
	Seq           int64  `json:"seq,omitempty"`
	LinkSessionID string `json:"link_session_id,omitempty"`
	// Path is the API path ("/link/token/create") or the app's URL.
	Path string `json:"path,omitempty"`
	// HTTPStatus is the response status, when there was one.
	HTTPStatus int `json:"http_status,omitempty"`
	// Note says what this evidence shows.
	Note string `json:"note,omitempty"`
}

// String renders the evidence on one line, e.g. "server.js:42 (…)" or
// "request_id m8MDnv9okwxFNBV: POST /link/token/create → 200 (…)".
func (e Evidence) String() string {
	var s string
	switch e.Kind {
	case "file":
		s = fmt.Sprintf("%s:%d", e.File, e.Line)
	case "request":
		s = fmt.Sprintf("request_id %s: POST %s", orDash(e.RequestID), e.Path)
		if e.HTTPStatus != 0 {
			s += fmt.Sprintf(" → %d", e.HTTPStatus)
		}
	case "link_session":
		s = "link_session_id " + e.LinkSessionID
	default:
		s = e.Path
		if e.HTTPStatus != 0 {
			s += fmt.Sprintf(" → HTTP %d", e.HTTPStatus)
		}
	}
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Check is one item of the checklist, with its result and evidence.
type Check struct {
	// ID is stable across runs, e.g. "static.update-mode",
	// "live.client-user-id", "manual.invalid-link-token"; --tick takes it.
	ID string `json:"id"`
	// Step is the number of the migration guide's checklist step it
	// belongs to (reference §5.2, 1-6).
	Step  int    `json:"step"`
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Status is pass, fail or manual; a ticked manual check is pass.
	Status Status `json:"status"`
	// Ticked is set when a person confirmed the check.
	Ticked bool `json:"ticked,omitempty"`
	// Detail says what was found.
	Detail   string     `json:"detail"`
	Evidence []Evidence `json:"evidence"`
	// Recommendation is the guide's advice: what to do when the check
	// fails, or how to do a manual check.
	Recommendation string `json:"recommendation,omitempty"`
}

// Tickable reports whether a person may tick the check: it needs a person
// (or was ticked already).
func (c *Check) Tickable() bool { return c.Status == StatusManual || c.Ticked }

// newCheck starts a check; the evidence list is never nil, so JSON shows [].
func newCheck(id string, step int, kind Kind, title string) *Check {
	return &Check{ID: id, Step: step, Kind: kind, Title: title, Evidence: []Evidence{}}
}

func (c *Check) pass(format string, args ...any) *Check {
	c.Status, c.Detail = StatusPass, fmt.Sprintf(format, args...)
	return c
}

func (c *Check) fail(rec, format string, args ...any) *Check {
	c.Status, c.Detail, c.Recommendation = StatusFail, fmt.Sprintf(format, args...), rec
	return c
}

func (c *Check) manual(rec, format string, args ...any) *Check {
	c.Status, c.Detail, c.Recommendation = StatusManual, fmt.Sprintf(format, args...), rec
	return c
}

func (c *Check) with(ev ...Evidence) *Check {
	c.Evidence = append(c.Evidence, ev...)
	return c
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
