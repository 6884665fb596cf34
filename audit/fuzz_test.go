package audit

import (
	"strings"
	"testing"
)

// FuzzSourceRules runs every rule on arbitrary text in every language: no
// input may panic, hang, or yield a finding outside the file's lines.
func FuzzSourceRules(f *testing.F) {
	for _, seed := range []string{
		legacyCreate,
		"Plaid.create({ token, onExit: (e) => { if (e.error_code === 'INVALID_LINK_TOKEN') { h.destroy(); h = Plaid.create({token}) } } })",
		"<PlaidLink {...p} token={t} onExit={x}>",
		"usePlaidLink(cfg",
		"const a = { ...a }; Plaid.create(a);",
		"function f() { f(); } Plaid.create({ onExit: f });",
		"`${`${'}'}`}` /[/]/ /* x",
		"'''\ndef f():\n    client.link_token_create(\n",
		"<script>Plaid.create({</script><script>",
		"=begin\nx\n=end\nclient.item.public_token.create(t)",
		"\x00\xff\xfe",
		"Plaid.create({ [k]: 1, async *m() {}, get x() { return 1 }, 'key': 2, 3: 4 })",
		// Pathological shapes, a tenth of the benchmarked sizes
		// (bench_test.go, bench/audit.sh: 20,000 calls in one function,
		// 30,000 nested brackets), whose ratios show the rules stay
		// linear: at full size the seeds alone took over 10 minutes of a
		// -race run on a loaded 2-core machine.
		"async function f(req) {\n const r = { user: { client_user_id: 1 } };\n" + strings.Repeat(" await client.linkTokenCreate(r);\n", 2000) + "}\n",
		"client.linkTokenCreate(" + strings.Repeat("(", 3000) + strings.Repeat(")", 3000) + ")",
		"Plaid.create(" + strings.Repeat("{a:[(", 1000),
		strings.Repeat("if (x) { Plaid.create({ onExit: () => { ", 500),
		"def f():\n" + strings.Repeat("    x = client.link_token_create(y)\n", 500),
		// Shapes of the fixture apps, cut short.
		"<plaid-link :public-key=\"k\" @exit=\"onExit\" env=\"sandbox\">",
		"$r = Http::post($this->url('/link/token/create'), ['user' => ['client_user_id' => $u]]);",
		"const c = useMemo(() => ({ token, onExit }), []); usePlaidLink(c);",
		"onExit: function (e) { if (e.error_code !== 'INVALID_LINK_TOKEN') return; this.x(); h.destroy(); Plaid?.create({...o, token}) }",
		"x.addEventListener('click', function () { this.plaid.create({ token: t }).open() })",
	} {
		f.Add(seed)
	}
	langs := []struct {
		name string
		lang language
	}{{"a.js", langJS}, {"a.vue", langHTML}, {"a.py", langPython}, {"a.rb", langRuby}, {"a.go", langGo}, {"a.java", langJava}, {"a.php", langPHP}}
	f.Fuzz(func(t *testing.T, src string) {
		lines := len(indentation(src))
		for _, l := range langs {
			out := runRules(l.name, l.lang, src)
			for _, fd := range out.list {
				if fd.Line < 1 || fd.Line > lines {
					t.Fatalf("%s: finding %s at line %d of a %d-line text", l.name, fd.Rule, fd.Line, lines)
				}
			}
		}
	})
}
