package tui

import (
	"strings"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// This file shows what Link's events mean, from flows' one table: in the
// Link-live pane (the newest event's meaning under the table, and a
// glossary of every event, view and exit status the step met) and in the
// log's entry detail.

// reportOfEntry is the LinkReport of a stored Link event.
func reportOfEntry(v *store.LinkEvent) flows.LinkReport {
	return flows.LinkReport{Kind: v.Kind, EventName: v.EventName, ViewName: v.ViewName, ExitStatus: v.ExitStatus, ErrorCode: v.ErrorCode}
}

// linkTermView renders one term: its label in bold, what it means, and
// what an app's handler does with it.
func linkTermView(st styles, t flows.LinkTerm, w int) string {
	head := st.Bold.Render(oneLine(t.Label()))
	if t.Kind == flows.TermEvent {
		if t.Stable {
			head += st.Muted.Render(" · stable: safe for program logic")
		} else {
			head += st.Muted.Render(" · informational")
		}
	}
	return truncate(head, w) + "\n" +
		wrap(st.Text.Render(t.Meaning), w) + "\n" +
		wrap(st.Muted.Render("Your app: ")+st.Advice.Render(t.Handler), w)
}

// linkTermsView renders terms one after another.
func linkTermsView(st styles, terms []flows.LinkTerm, w int) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		parts = append(parts, linkTermView(st, t, w))
	}
	return strings.Join(parts, "\n")
}

// latestMeaning is one line under the Link-live table: what the newest
// report from Link means.
func (l *linkLive) latestMeaning(st styles, w int) string {
	for i := len(l.lines) - 1; i >= 0; i-- {
		ln := l.lines[i]
		if ln.call != "" || ln.report.Kind == "" {
			continue
		}
		m := flows.LinkReportMeaning(ln.report)
		if m == "" {
			return ""
		}
		return wrap(st.Muted.Render("↳ "+ln.event+": ")+st.Text.Render(m), w)
	}
	return ""
}

// terms lists every event, view and exit status the step's reports
// named, each once, in the order they first appeared.
func (l *linkLive) terms() []flows.LinkTerm {
	seen := map[string]bool{}
	var out []flows.LinkTerm
	for _, ln := range l.lines {
		if ln.call != "" || ln.report.Kind == "" {
			continue
		}
		terms, _ := flows.ExplainLinkReport(ln.report)
		for _, t := range terms {
			if k := t.Label(); !seen[k] {
				seen[k] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// glossary explains what the step's Link events mean, under a heading;
// "" before Link reported anything.
func (l *linkLive) glossary(st styles, w int) string {
	if l == nil {
		return ""
	}
	terms := l.terms()
	if len(terms) == 0 {
		return ""
	}
	return sectionTitle(st, "What these Link events mean", w) + "\n" + linkTermsView(st, terms, w)
}

// linkEntryExplanation explains a stored Link event for the log's detail:
// the event, its view and exit status, then the metadata fields it set.
// Error codes are explained by the error block.
func linkEntryExplanation(st styles, v *store.LinkEvent, w int) string {
	terms, _ := flows.ExplainLinkReport(reportOfEntry(v))
	var parts []string
	if len(terms) > 0 {
		parts = append(parts, sectionTitle(st, "What it means", w)+"\n"+linkTermsView(st, terms, w))
	}
	if fields := flows.ExplainMetadataFields(v.Metadata); len(fields) > 0 {
		var lines []string
		for _, f := range fields {
			lines = append(lines, wrap(st.Bold.Render(f.Name)+st.Muted.Render(": ")+st.Text.Render(f.Meaning), w))
		}
		parts = append(parts, sectionTitle(st, "Metadata fields", w)+"\n"+strings.Join(lines, "\n"))
	}
	return strings.Join(parts, "\n\n")
}
