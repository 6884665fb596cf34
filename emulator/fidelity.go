package emulator

import (
	"fmt"
	"strings"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
)

// operationsTable renders, as Markdown, which of the schema's operations
// the emulator serves with state and which answer with the schema's
// example (emulator/README.md embeds it; a test keeps it current).
func operationsTable(spec *plaidspec.Spec) string {
	var stateful, example int
	var rows strings.Builder
	for _, p := range spec.Paths() {
		op, _ := spec.Op(p)
		fidelity, how := fidelityExample, ""
		if _, ok := apiRoutes[p]; ok {
			fidelity, how = fidelityStateful, "emulator state"
			stateful++
		} else {
			example++
			switch {
			case op.ContentType == "application/pdf":
				how = "a small real PDF"
			case op.ContentType == "application/zip":
				how = "a ZIP of a small PDF"
			case op.ContentType == "":
				how = "an empty 200, as the schema says"
			case op.Source == "example":
				how = "the schema's example"
			case op.Source == "repaired":
				how = "the schema's example, repaired to match its schema"
			default:
				how = "synthesized from the schema (it has no example)"
			}
		}
		token := ""
		if op.TakesAccessToken() {
			token = "yes"
		}
		fmt.Fprintf(&rows, "| `%s` | %s | %s | %s | %s |\n", p, fidelity, how, token, strings.ReplaceAll(op.Summary, "|", "\\|"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d operations (schema %s): %d stateful, %d answered with examples.\n\n", stateful+example, spec.Version, stateful, example)
	b.WriteString("| operation | `Plaid-Emulator-Fidelity` | response | checks access_token | summary |\n|---|---|---|---|---|\n")
	b.WriteString(rows.String())
	return b.String()
}
