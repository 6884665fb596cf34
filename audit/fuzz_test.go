package audit

import (
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
	} {
		f.Add(seed)
	}
	langs := []struct {
		name string
		lang language
	}{{"a.js", langJS}, {"a.html", langHTML}, {"a.py", langPython}, {"a.rb", langRuby}, {"a.go", langGo}, {"a.java", langJava}}
	f.Fuzz(func(t *testing.T, src string) {
		lines := len(indentation(src))
		for _, l := range langs {
			sf := newSourceFile(l.name, l.lang, src)
			out := newFindings(l.name)
			var skip []span
			if sf.clientSide() {
				for _, c := range sf.linkConfigs() {
					sf.checkLinkConfig(c, out)
					skip = append(skip, span{c.from, c.to})
				}
			}
			sf.checkServer(skip, out)
			for _, fd := range out.list {
				if fd.Line < 1 || fd.Line > lines {
					t.Fatalf("%s: finding %s at line %d of a %d-line text", l.name, fd.Rule, fd.Line, lines)
				}
			}
		}
	})
}
