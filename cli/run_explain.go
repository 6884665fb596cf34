package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/store"
)

// explainIndent lines up explanations under the text of "      Link: …".
const explainIndent = "            "

// explainLink prints, under a Link report, what the names it carries
// mean: each event, callback, view and exit status the first time the run
// meets it, from flows' table, and the error code's explanation the first
// time it appears.
func (p *printer) explainLink(ev *flows.PageEvent) {
	if ev == nil || ev.Rejected {
		return
	}
	if p.explained == nil {
		p.explained = map[string]bool{}
	}
	terms, ex := flows.ExplainLinkReport(flows.ReportOf(*ev))
	for _, t := range terms {
		if p.explained[t.Label()] {
			continue
		}
		p.explained[t.Label()] = true
		fmt.Fprintf(p.w, "%s%s: %s\n", explainIndent, t.Label(), t.Meaning)
		if t.Kind != flows.TermView {
			fmt.Fprintf(p.w, "%sYour app: %s\n", explainIndent, t.Handler)
		}
	}
	if ex != nil && !p.explained["error "+ex.Code] {
		p.explained["error "+ex.Code] = true
		fmt.Fprintf(p.w, "%s%s: %s\n%sWhat to do: %s\n", explainIndent, ex.Code, ex.Meaning, explainIndent, ex.NextStep)
	}
}

// summaryTimeout bounds reading a run's summary from the session log.
const summaryTimeout = 10 * time.Second

// runSummary prints the run's summary, read back from the session log,
// as `log --summary` prints it in Markdown.
func (p *printer) runSummary(st *store.Store, runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), summaryTimeout)
	defer cancel()
	s, err := flows.LoadSummary(ctx, st, runID)
	if err != nil {
		fmt.Fprintf(p.w, "\n(no run summary: %v)\n", err)
		return
	}
	fmt.Fprintf(p.w, "\n%s", s.Text())
	fmt.Fprintf(p.w, "For a support ticket: linkexplorer log --session %s --summary > summary.md\n", runID)
}

// printSummary writes the Markdown summary of run id.
func printSummary(ctx context.Context, st *store.Store, id string, w io.Writer) error {
	s, err := flows.LoadSummary(ctx, st, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no session %s in the session log: `linkexplorer log` lists the sessions", id)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, s.Markdown())
	return err
}
