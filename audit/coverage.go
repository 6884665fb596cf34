package audit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Why a file was not read.
const (
	SkipTooBig     = "over 1 MiB"
	SkipMinified   = "minified"
	SkipBinary     = "binary"
	SkipUnreadable = "unreadable"
	SkipLanguage   = "language not read"
)

// Coverage says what the static audit read and what it did not, by
// language, and where unread files mention Plaid: a person must read
// those.
type Coverage struct {
	// Scanned counts the files read, by language.
	Scanned map[string]int `json:"scanned"`
	// Skipped lists the files not read, with the reason.
	Skipped []SkippedFile `json:"skipped"`
	// UnreadHits are the places in unread files that mention public_key,
	// /link/token/create or Plaid.create.
	UnreadHits []UnreadHit `json:"unread_hits"`
}

// SkippedFile is a source file the audit did not read.
type SkippedFile struct {
	File     string `json:"file"`
	Language string `json:"language"`
	Reason   string `json:"reason"`
}

// UnreadHit is a line of an unread file that mentions Plaid.
type UnreadHit struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Pattern string `json:"pattern"`
	// Text is the line, trimmed and cut to 120 characters.
	Text string `json:"text"`
}

// Location is "file:line".
func (h UnreadHit) Location() string { return fmt.Sprintf("%s:%d", h.File, h.Line) }

func newCoverage() *Coverage {
	return &Coverage{Scanned: map[string]int{}, Skipped: []SkippedFile{}, UnreadHits: []UnreadHit{}}
}

func (c *Coverage) scan(lang string) { c.Scanned[lang]++ }

func (c *Coverage) skip(file, lang, reason string, hits []UnreadHit) {
	c.Skipped = append(c.Skipped, SkippedFile{File: file, Language: lang, Reason: reason})
	if room := maxUnreadHits - len(c.UnreadHits); room > 0 {
		c.UnreadHits = append(c.UnreadHits, hits[:min(len(hits), room)]...)
	}
}

func (c *Coverage) finish() {
	slices.SortFunc(c.Skipped, func(a, b SkippedFile) int { return strings.Compare(a.File, b.File) })
	slices.SortFunc(c.UnreadHits, func(a, b UnreadHit) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
}

// FilesScanned counts the files read.
func (c *Coverage) FilesScanned() int {
	n := 0
	for _, k := range c.Scanned {
		n += k
	}
	return n
}

// Summary says in one line what was read and skipped, e.g. "12 files read
// (JavaScript 8, Python 4); 2 skipped (1 minified, 1 over 1 MiB)".
func (c *Coverage) Summary() string {
	s := plural(c.FilesScanned(), "file") + " read"
	if by := countsText(c.Scanned); by != "" {
		s += " (" + by + ")"
	}
	if len(c.Skipped) == 0 {
		return s + "; none skipped"
	}
	reasons := map[string]int{}
	for _, f := range c.Skipped {
		reasons[f.Reason]++
	}
	return fmt.Sprintf("%s; %d skipped (%s)", s, len(c.Skipped), countsText(reasons))
}

// SkippedByLanguage counts the skipped files by language and reason.
func (c *Coverage) SkippedByLanguage() map[string]int {
	out := map[string]int{}
	for _, f := range c.Skipped {
		out[f.Language+", "+f.Reason]++
	}
	return out
}

// countsText renders counts as "a 2, b 1", biggest first.
func countsText(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// unreadMarkers are what unread files are searched for.
var unreadMarkers = []string{"public_key", "/link/token/create", "Plaid.create"}

const (
	// maxUnreadHits bounds the hits kept, over all files; maxHitsPerFile
	// those of one file.
	maxUnreadHits  = 50
	maxHitsPerFile = 5
	// maxUnreadSearch bounds the bytes of one unread file searched.
	maxUnreadSearch = 16 << 20
)

// searchUnread searches the first maxUnreadSearch bytes of a big file.
func searchUnread(rel, path string) []UnreadHit {
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	data, _ := io.ReadAll(io.LimitReader(fh, maxUnreadSearch))
	return markerHits(rel, data)
}

// markerHits finds the lines of data that name a marker (at most
// maxHitsPerFile).
func markerHits(rel string, data []byte) []UnreadHit {
	var hits []UnreadHit
	for _, m := range unreadMarkers {
		rest, off := data, 0
		for len(hits) < maxHitsPerFile {
			i := bytes.Index(rest, []byte(m))
			if i < 0 {
				break
			}
			at := off + i
			line := bytes.Count(data[:at], []byte("\n")) + 1
			start := bytes.LastIndexByte(data[:at], '\n') + 1
			end := len(data)
			if e := bytes.IndexByte(data[at:], '\n'); e >= 0 {
				end = at + e
			}
			text := strings.TrimSpace(string(data[max(start, at-60):min(end, at+60)]))
			hits = append(hits, UnreadHit{File: rel, Line: line, Pattern: m, Text: text})
			off = at + len(m)
			rest = data[off:]
		}
	}
	return hits
}
