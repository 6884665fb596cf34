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
	// too big (over MaxFileSize), minified, binary or unreadable.
	FilesScanned int `json:"files_scanned"`
	FilesSkipped int `json:"files_skipped"`
	// LinkConfigs counts the Link client configs found (Plaid.create,
	// usePlaidLink, <PlaidLink>).
	LinkConfigs int `json:"link_configs"`
	// Findings are sorted by file, line and rule.
	Findings []Finding `json:"findings"`
}

// ScanSource runs the static audit on the app's source tree at root: JS,
// TS, JSX, TSX and HTML pages (their <script> blocks), Python, Ruby, Go
// and Java, skipping dependencies (node_modules, vendor), build output
// (dist, build), .git, minified files and files over MaxFileSize.
func ScanSource(ctx context.Context, root string) (*StaticResult, error) {
	files, skipped, err := readSources(ctx, filepath.Clean(root))
	if err != nil {
		return nil, err
	}
	res := &StaticResult{Root: root, FilesScanned: len(files), FilesSkipped: skipped, Findings: []Finding{}}
	for _, f := range files {
		out := newFindings(f.path)
		var configs []span
		if f.clientSide() {
			for _, c := range f.linkConfigs() {
				res.LinkConfigs++
				f.checkLinkConfig(c, out)
				configs = append(configs, span{c.from, c.to})
			}
		}
		f.checkServer(configs, out)
		res.Findings = append(res.Findings, out.list...)
	}
	sortFindings(res.Findings)
	return res, nil
}
