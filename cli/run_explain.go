package cli

import (
	"fmt"

	"github.com/linkexplorer/linkexplorer/flows"
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
