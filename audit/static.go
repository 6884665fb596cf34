package audit

import (
	"context"
	"path/filepath"
)

// StaticResult is what the static audit found in a source tree.
type StaticResult struct {
	// Root is the audited directory, as given.
	Root string `json:"root"`
	// FilesScanned counts the files read; FilesSkipped those left out as
	// too big (over MaxFileSize), minified, binary, unreadable or in a
	// language the audit does not read (Coverage says which and why).
	FilesScanned int `json:"files_scanned"`
	FilesSkipped int `json:"files_skipped"`
	// LinkConfigs counts the Link client configs found (Plaid.create,
	// usePlaidLink, <PlaidLink>); LegacyConfigs those in public_key mode
	// (a key and no token).
	LinkConfigs   int `json:"link_configs"`
	LegacyConfigs int `json:"legacy_configs"`
	// PlaidServer is where server code talks to Plaid (a Plaid client
	// built, Plaid's API host, a Plaid API path): the server is in the
	// tree.
	PlaidServer []Evidence `json:"plaid_server"`
	// Findings are sorted by file, line and rule.
	Findings []Finding `json:"findings"`
	// Coverage lists what was read and what was not.
	Coverage *Coverage `json:"coverage"`
}

// ScanSource runs the static audit on the app's source tree at root: JS,
// TS, JSX, TSX, PHP and HTML pages and templates (their <script> blocks
// and <PlaidLink> tags: EJS, Handlebars, Jinja, ERB, Blade, Go and
// FreeMarker templates, Vue and Svelte files), Python, Ruby, Go and Java,
// skipping dependencies (node_modules, vendor), build output (dist,
// build) and .git. Files it cannot read (minified, over MaxFileSize, other
// languages) are listed in Coverage, with the lines that mention Plaid.
func ScanSource(ctx context.Context, root string) (*StaticResult, error) {
	files, cov, err := readSources(ctx, filepath.Clean(root))
	if err != nil {
		return nil, err
	}
	t := newTree(files)
	res := &StaticResult{Root: root, FilesScanned: len(files), FilesSkipped: len(cov.Skipped),
		Findings: []Finding{}, PlaidServer: []Evidence{}, Coverage: cov}
	for _, f := range t.files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out := newFindings(f.path)
		var configs []span
		if f.clientSide() {
			legacy := map[int]bool{}
			for _, c := range f.linkConfigs() {
				res.LinkConfigs++
				if f.checkLinkConfig(c, out) {
					res.LegacyConfigs++
					legacy[c.from] = true
				}
				configs = append(configs, span{c.from, c.to})
			}
			f.checkRepeatedCreate(legacy, out)
		}
		f.checkServer(configs, out)
		if ev, ok := f.plaidServer(); ok && len(res.PlaidServer) < 5 {
			res.PlaidServer = append(res.PlaidServer, ev)
		}
		res.Findings = append(res.Findings, out.list...)
	}
	sortFindings(res.Findings)
	return res, nil
}
