package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkScanSource audits the three fixture apps (11 files).
func BenchmarkScanSource(b *testing.B) {
	for b.Loop() {
		for _, dir := range []string{"legacy", "migrated", "half-migrated"} {
			if _, err := ScanSource(context.Background(), filepath.Join("testdata", dir)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRulesLargeFile runs every rule on one 1 MiB JS file of Link
// configs and server routes, the largest file the audit reads.
func BenchmarkRulesLargeFile(b *testing.B) {
	unit := "app.post('/api/t', async (req, res) => {\n  const r = await client.linkTokenCreate({ user: { client_user_id: id } });\n});\n" +
		"const h = Plaid.create({ token, env: 'sandbox', onExit(e) { if (e.error_code === 'INVALID_LINK_TOKEN') { h.destroy(); make(); } } });\n"
	src := strings.Repeat(unit, MaxFileSize/len(unit))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		f := newSourceFile("big.js", langJS, src)
		out := newFindings(f.path)
		var skip []span
		for _, c := range f.linkConfigs() {
			f.checkLinkConfig(c, out)
			skip = append(skip, span{c.from, c.to})
		}
		f.checkServer(skip, out)
	}
}
