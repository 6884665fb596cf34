package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// findingLines renders findings as "rule file:line subject [good]" lines.
func findingLines(list []Finding) []string {
	out := make([]string, 0, len(list))
	for _, f := range list {
		s := fmt.Sprintf("%s %s %s", f.Rule, f.Location(), f.Subject)
		if f.Good {
			s += " [good]"
		}
		out = append(out, s)
	}
	return out
}

func scan(t *testing.T, dir string) *StaticResult {
	t.Helper()
	res, err := ScanSource(context.Background(), dir)
	if err != nil {
		t.Fatalf("ScanSource(%s): %v", dir, err)
	}
	return res
}

// TestStaticAuditFixtures compares the full finding list of each fixture
// app with the findings a reader of the fixture expects.
func TestStaticAuditFixtures(t *testing.T) {
	cases := []struct {
		dir     string
		files   int
		configs int
		want    []string
	}{
		{
			dir: "legacy", files: 3, configs: 2,
			want: []string{
				"link-legacy-option public/index.html:19 clientName, env, product, countryCodes, webhook, language, apiVersion",
				"link-public-key public/index.html:21 key",
				"invalid-link-token-unhandled public/index.html:45 Plaid.create",
				"link-create-repeated public/index.html:45 Plaid.create",
				"link-legacy-option public/index.html:46 env, product",
				"link-public-key public/index.html:47 key",
				"server-public-key scripts/seed_sandbox.py:14 /institutions/get_by_id",
				"server-public-key scripts/seed_sandbox.py:24 /sandbox/public_token/create",
				"server-public-key server.js:18 Plaid client",
				"update-mode-public-token server.js:42 /item/public_token/create",
				"server-public-key server.js:56 /institutions/search",
			},
		},
		{
			dir: "migrated", files: 4, configs: 1,
			want: []string{
				"invalid-link-token-recovery public/link.js:29 Plaid.create [good]",
				"link-token-config public/link.js:42 token [good]",
				"link-token-create server.js:36 /link/token/create [good]",
				"link-token-create server.js:54 /link/token/create [good]",
				"update-mode-access-token server.js:59 /link/token/create [good]",
				"update-mode-access-token server/plaid.go:39 /link/token/create [good]",
				"link-token-create server/plaid.go:41 /link/token/create [good]",
			},
		},
		{
			dir: "half-migrated", files: 3, configs: 1,
			want: []string{
				"link-token-config public/index.html:21 token [good]",
				"link-legacy-option public/index.html:22 env",
				"invalid-link-token-no-destroy public/index.html:31 Plaid.create",
				"link-token-create server.js:27 /link/token/create [good]",
				"update-mode-public-token server.js:48 /item/public_token/create",
				"server-public-key tools/src/main/java/com/acme/budget/SandboxItems.java:25 /sandbox/public_token/create",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			res := scan(t, filepath.Join("testdata", tc.dir))
			got := findingLines(res.Findings)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings of %s:\ngot:\n  %s\nwant:\n  %s", tc.dir, strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if res.FilesScanned != tc.files || res.LinkConfigs != tc.configs {
				t.Errorf("%s: scanned %d files, %d Link configs; want %d, %d", tc.dir, res.FilesScanned, res.LinkConfigs, tc.files, tc.configs)
			}
			for _, f := range res.Findings {
				if f.Message == "" {
					t.Errorf("%s: finding %s has no message", tc.dir, f.Location())
				}
			}
		})
	}
}

// writeTree creates files (path -> content) under a temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const legacyCreate = "Plaid.create({ key: 'k', env: 'sandbox', product: ['auth'], onSuccess() {} });\n"

func TestWalkSkipsDependenciesBuildOutputAndBigFiles(t *testing.T) {
	big := "// padding\n" + strings.Repeat("var x = 1;\n", MaxFileSize/11+1) + legacyCreate
	minifiedJS := strings.Repeat("var a=1;", 1000) + legacyCreate
	dir := writeTree(t, map[string]string{
		"node_modules/x/index.js": legacyCreate,
		"vendor/x.js":             legacyCreate,
		".git/hooks/x.js":         legacyCreate,
		"dist/app.js":             legacyCreate,
		"build/app.js":            legacyCreate,
		"public/jquery.min.js":    legacyCreate,
		"public/bundle.js":        minifiedJS,
		"public/huge.js":          big,
		"public/binary.js":        "\x00\x01" + legacyCreate,
		"README.md":               legacyCreate,
		"app/link.ts":             legacyCreate,
	})
	res := scan(t, dir)
	if res.FilesScanned != 1 || res.FilesSkipped != 4 {
		t.Errorf("scanned %d, skipped %d; want 1 (app/link.ts) and 4 (jquery.min.js, minified, huge, binary)", res.FilesScanned, res.FilesSkipped)
	}
	reasons := map[string]string{}
	for _, f := range res.Coverage.Skipped {
		reasons[f.File] = f.Reason
	}
	if reasons["public/huge.js"] != SkipTooBig || reasons["public/bundle.js"] != SkipMinified || reasons["public/binary.js"] != SkipBinary {
		t.Errorf("skip reasons: %v", reasons)
	}
	// What was not read is searched: Plaid.create in the bundle and the big file.
	var hits []string
	for _, h := range res.Coverage.UnreadHits {
		hits = append(hits, h.Location()+" "+h.Pattern)
	}
	if !slices.Contains(hits, "public/bundle.js:1 Plaid.create") || !slices.Contains(hits, "public/huge.js:"+strconv.Itoa(MaxFileSize/11+3)+" Plaid.create") {
		t.Errorf("unread hits: %v", hits)
	}
	for _, f := range res.Findings {
		if f.File != "app/link.ts" {
			t.Errorf("finding in a file the audit must skip: %s", f.Location())
		}
	}
	if len(res.Findings) == 0 {
		t.Error("no finding in app/link.ts")
	}
}

func TestScanSourceErrors(t *testing.T) {
	if _, err := ScanSource(context.Background(), filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("missing dir: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f.js")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ScanSource(context.Background(), file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as root: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ScanSource(ctx, "testdata"); err == nil {
		t.Error("a cancelled context did not stop the walk")
	}
}

// scanOne audits one file and returns its finding lines.
func scanOne(t *testing.T, name, src string) []string {
	t.Helper()
	return findingLines(scan(t, writeTree(t, map[string]string{name: src})).Findings)
}

func TestLinkConfigForms(t *testing.T) {
	cases := []struct {
		name, file, src string
		want            []string
	}{
		{
			name: "comments and strings are not code", file: "a.js",
			src: "// Plaid.create({ key: 'x' })\n/* Plaid.create({ env: 'sandbox' }) */\nconst s = \"Plaid.create({ key: 1 })\";\nconst r = /Plaid.create\\(/g;\n",
		},
		{
			name: "regex and template literals do not derail the lexer", file: "a.js",
			src: "const re = /[}{]'\"/g;\nconst t = `a ${ {b: '}'}.b } c`;\nconst h = Plaid.create({\n  token: t,\n  env: 'sandbox',\n  onExit: (e) => {},\n});\n",
			want: []string{
				"invalid-link-token-unhandled a.js:3 Plaid.create",
				"link-token-config a.js:4 token [good]",
				"link-legacy-option a.js:5 env",
			},
		},
		{
			name: "config held in a variable, and spread", file: "a.js",
			src: "const base = {\n  env: 'sandbox',\n  countryCodes: ['US'],\n};\nconst config = { ...base, publicKey: 'k',\n  onSuccess };\nPlaid.create(config);\n",
			want: []string{
				"link-legacy-option a.js:2 env, countryCodes",
				"link-public-key a.js:5 publicKey",
			},
		},
		{
			name: "unknown spread: a missing token is not claimed, the config needs a person", file: "a.js",
			src: "Plaid.create({ ...window.linkConfig, onSuccess() {} });\n",
			want: []string{
				"invalid-link-token-unresolved a.js:1 Plaid.create",
				"link-config-unresolved a.js:1 Plaid.create",
			},
		},
		{
			name: "usePlaidLink handles the token itself", file: "Link.tsx",
			src: "export function Link({ token }: { token: string }) {\n  const onExit = useCallback((err: PlaidLinkError | null) => {\n    if (err?.error_code === 'INVALID_LINK_TOKEN') refetch();\n  }, []);\n  const { open } = usePlaidLink({ token, onSuccess, onExit });\n  return <button onClick={() => open()}>Link</button>;\n}\n",
			want: []string{
				"invalid-link-token-recovery Link.tsx:3 usePlaidLink [good]",
				"link-token-config Link.tsx:5 token [good]",
			},
		},
		{
			name: "legacy react-plaid-link component", file: "Bank.jsx",
			src: "export default () => (\n  <PlaidLink\n    clientName=\"Acme\"\n    env=\"sandbox\"\n    product={['auth', 'transactions']}\n    publicKey={PUBLIC_KEY}\n    onSuccess={handleOnSuccess}\n  >\n    Don't wait: connect\n  </PlaidLink>\n);\n",
			want: []string{
				"link-legacy-option Bank.jsx:3 clientName, env, product",
				"link-public-key Bank.jsx:6 publicKey",
			},
		},
		{
			name: "destroy after the new create still stacks", file: "a.js",
			src: "let h;\nfunction make(t) {\n  return Plaid.create({ token: t, onExit(err) {\n    if (err && err.error_code === 'INVALID_LINK_TOKEN') {\n      const old = h;\n      h = Plaid.create({ token: next() });\n      old.destroy();\n    }\n  } });\n}\n",
			want: []string{
				"link-token-config a.js:3 token [good]",
				"invalid-link-token-no-destroy a.js:4 Plaid.create",
				"invalid-link-token-unhandled a.js:6 Plaid.create",
				"link-token-config a.js:6 token [good]",
			},
		},
		{
			name: "a page template's scripts keep their line numbers", file: "views/link.ejs",
			src: "<html>\n<body>\n<p>It's <%= name %>'s bank</p>\n<script type=\"text/template\">Plaid.create({ key: 1 })</script>\n<script>\n  var h = Plaid.create({ token: '<%= linkToken %>', onExit: function (e) {\n    if (e && e.error_code == 'INVALID_LINK_TOKEN') { location.reload(); }\n  } });\n</script>\n</body>\n</html>\n",
			want: []string{
				"link-token-config views/link.ejs:6 token [good]",
				"invalid-link-token-recovery views/link.ejs:7 Plaid.create [good]",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := scanOne(t, tc.file, tc.src)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestServerRulesInEachLanguage(t *testing.T) {
	cases := []struct {
		name, file, src string
		want            []string
	}{
		{
			name: "Ruby update mode and client", file: "app.rb",
			src: "client = Plaid::Client.new(env: :sandbox,\n                           client_id: ENV['PLAID_CLIENT_ID'],\n                           secret: ENV['PLAID_SECRET'],\n                           public_key: ENV['PLAID_PUBLIC_KEY'])\n\npost '/update' do\n  # client.item.public_token.create in a comment is not code\n  client.item.public_token.create(session[:access_token])\nend\n",
			want: []string{
				"server-public-key app.rb:4 Plaid client",
				"update-mode-public-token app.rb:8 /item/public_token/create",
			},
		},
		{
			name: "Python link token without a user", file: "app.py",
			src:  "def create_link_token():\n    request = LinkTokenCreateRequest(\n        products=[Products('auth')],\n        client_name='Acme',\n    )\n    return client.link_token_create(request)\n\n\ndef other():\n    user = LinkTokenCreateRequestUser(client_user_id='1')\n",
			want: []string{"link-token-create-no-user app.py:6 /link/token/create"},
		},
		{
			name: "Java builder for update mode", file: "Plaid.java",
			src: "class P {\n  LinkTokenCreateRequest update(String userId, String token) {\n    return new LinkTokenCreateRequest()\n        .user(new LinkTokenCreateRequestUser().clientUserId(userId))\n        .accessToken(token);\n  }\n  void send() { plaidApi.linkTokenCreate(update(\"1\", \"t\")); }\n}\n",
			want: []string{
				"update-mode-access-token Plaid.java:5 /link/token/create [good]",
				"link-token-create Plaid.java:7 /link/token/create [good]",
			},
		},
		{
			name: "prose is not a call", file: "notes.py",
			src: "def search(q):\n    \"\"\"Calls /institutions/search; no public_key since the migration.\"\"\"\n    log.info(\"no more /item/public_token/create calls\")\n    return client.institutions_search(q)\n",
		},
		{
			name: "JSON written by hand", file: "Seed.java",
			src:  "class Seed {\n  String body() {\n    String json = \"{\\\"public_key\\\":\\\"\" + key + \"\\\"}\";\n    return post(\"/sandbox/public_token/create\", json);\n  }\n}\n",
			want: []string{"server-public-key Seed.java:3 /sandbox/public_token/create"},
		},
		{
			name: "Go raw string endpoint", file: "main.go",
			src:  "package main\n\nfunc search() {\n\tbody := map[string]string{\"public_key\": key, \"query\": q}\n\thttp.Post(base+`/institutions/search`, \"application/json\", enc(body))\n}\n",
			want: []string{"server-public-key main.go:4 /institutions/search"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := scanOne(t, tc.file, tc.src)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
