package audit

import (
	"context"
	"fmt"
	"os"
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
		runRules("big.js", langJS, src)
	}
}

// writeRepo writes a repository of n files under dir: a mix of Express
// routes, React components, Flask and Go handlers and HTML pages, shaped
// like the fixture apps, each about 3-6 KiB.
func writeRepo(b testing.TB, dir string, n int) {
	units := map[string]string{
		".ts": "import { plaidClient, buildTokenRequest } from './config';\nconst counts = { linkTokenCreate: 0 };\n" +
			"export async function route%d(req, res) {\n  const request = buildTokenRequest(req.user.id);\n  if (req.query.item) { request.access_token = await find(req.query.item); }\n  try {\n    const r = await plaidClient.linkTokenCreate(request);\n    res.json(r.data);\n  } catch (e) { res.status(500).end(); }\n}\n",
		".tsx": "export function Link%d({ token }) {\n  const onExit = useCallback((err) => { if (err?.error_code === 'INVALID_LINK_TOKEN') { refetch(); } }, []);\n" +
			"  const config = useMemo(() => ({ token, onSuccess, onExit }), [token]);\n  const { open } = usePlaidLink(config);\n  return <button onClick={() => open()}>Link</button>;\n}\n",
		".py":   "def route_%d():\n    user = LinkTokenCreateRequestUser(client_user_id=str(current_user.id))\n    request = LinkTokenCreateRequest(user=user, client_name='A', language='en')\n    return client.link_token_create(request)\n\n",
		".go":   "func handler%d(w http.ResponseWriter, r *http.Request) {\n\tuser := plaid.LinkTokenCreateRequestUser{ClientUserId: id(r)}\n\treq := plaid.NewLinkTokenCreateRequest(\"A\", \"en\", nil, user)\n\tresp, _, err := client.PlaidApi.LinkTokenCreate(r.Context()).LinkTokenCreateRequest(*req).Execute()\n\t_, _ = resp, err\n}\n",
		".html": "<p>page %d</p>\n<script>\nvar h = Plaid.create({ token: t, onExit: function (e) { if (e && e.error_code === 'INVALID_LINK_TOKEN') { h.destroy(); again(); } } });\ndocument.getElementById('b').addEventListener('click', function () { h.open(); });\n</script>\n",
	}
	exts := []string{".ts", ".tsx", ".py", ".go", ".html"}
	for i := range n {
		ext := exts[i%len(exts)]
		var sb strings.Builder
		if ext == ".go" {
			sb.WriteString("package app\n\n")
		}
		for k := 0; sb.Len() < 3000+i%3*1000; k++ {
			sb.WriteString(strings.ReplaceAll(units[ext], "%d", fmt.Sprint(i*100+k)))
		}
		p := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("file%04d%s", i, ext))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanRepo1000 audits a 1,000-file repository (about 4 MiB);
// BenchmarkScanRepo100 is its baseline in the same run: the ratio shows
// the audit grows linearly with the tree (bench/README.md).
func BenchmarkScanRepo1000(b *testing.B) { benchRepo(b, 1000) }
func BenchmarkScanRepo100(b *testing.B)  { benchRepo(b, 100) }

func benchRepo(b *testing.B, n int) {
	dir := b.TempDir()
	writeRepo(b, dir, n)
	b.ResetTimer()
	for b.Loop() {
		res, err := ScanSource(context.Background(), dir)
		if err != nil || res.FilesScanned != n {
			b.Fatalf("%v, %d files", err, res.FilesScanned)
		}
	}
}

// Pathological inputs: each must take seconds at most (fuzz seeds hold
// the same shapes). The 1 MiB large-file benchmark is their baseline.
func BenchmarkManyCallsOneFunction(b *testing.B) {
	src := "async function f(req, res) {\n  const request = { user: { client_user_id: req.user.id } };\n" +
		strings.Repeat("  await client.linkTokenCreate(request);\n", 20000) + "}\n"
	benchRules(b, src)
}

func BenchmarkNestedBrackets(b *testing.B) {
	src := "Plaid.create(" + strings.Repeat("{a:[(", 10000) + strings.Repeat(")]}", 10000) + ");\nclient.linkTokenCreate(" + strings.Repeat("(", 30000) + strings.Repeat(")", 30000) + ");\n"
	benchRules(b, src)
}

func BenchmarkUnclosedBrackets(b *testing.B) {
	benchRules(b, "function f() { client.linkTokenCreate(req);\n"+strings.Repeat("if (x) { Plaid.create({ onExit: () => { ", 10000))
}

func benchRules(b *testing.B, src string) {
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		runRules("big.js", langJS, src)
	}
}

// runRules runs every rule on one file, as ScanSource does.
func runRules(name string, lang language, src string) *findings {
	f := newSourceFile(name, lang, src)
	newTree([]*sourceFile{f})
	out := newFindings(f.path)
	var skip []span
	legacy := map[int]bool{}
	if f.clientSide() {
		for _, c := range f.linkConfigs() {
			if f.checkLinkConfig(c, out) {
				legacy[c.from] = true
			}
			skip = append(skip, span{c.from, c.to})
		}
		f.checkRepeatedCreate(legacy, out)
	}
	f.checkServer(skip, out)
	f.plaidServer()
	return out
}
