package audit

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// MaxFileSize is the largest file the static audit reads; bigger files are
// generated or bundled code, and are skipped.
const MaxFileSize = 1 << 20

// skippedDirs are directories the static audit never enters: dependencies,
// build output and version control.
var skippedDirs = map[string]bool{
	"node_modules": true, "vendor": true, ".git": true, "dist": true, "build": true,
	".hg": true, ".svn": true, ".next": true, ".nuxt": true, "__pycache__": true,
	".venv": true, "venv": true, "bower_components": true, "coverage": true, "target": true,
}

// language is what a file is written in, for the static audit.
type language string

const (
	langJS     language = "js" // JS, TS, JSX, TSX
	langHTML   language = "html"
	langPython language = "python"
	langRuby   language = "ruby"
	langGo     language = "go"
	langJava   language = "java"
	langPHP    language = "php"
)

// extLanguages maps file extensions to languages. Templates are HTML: their
// <script> blocks and their <PlaidLink> tags are read.
var extLanguages = map[string]language{
	".js": langJS, ".mjs": langJS, ".cjs": langJS, ".jsx": langJS,
	".ts": langJS, ".mts": langJS, ".cts": langJS, ".tsx": langJS,
	".html": langHTML, ".htm": langHTML, ".xhtml": langHTML, ".ejs": langHTML, ".hbs": langHTML,
	".handlebars": langHTML, ".mustache": langHTML, ".erb": langHTML, ".vue": langHTML,
	".svelte": langHTML, ".jinja": langHTML, ".jinja2": langHTML, ".j2": langHTML, ".njk": langHTML,
	".twig": langHTML, ".liquid": langHTML, ".tmpl": langHTML, ".gohtml": langHTML, ".tpl": langHTML,
	".ftl": langHTML, ".ftlh": langHTML, ".jsp": langHTML, ".cfm": langHTML, ".astro": langHTML,
	".py": langPython, ".rb": langRuby, ".go": langGo, ".java": langJava,
	".php": langPHP, ".phtml": langPHP,
}

// unreadExts are source files of languages the audit does not read: they
// are reported as skipped, and searched for Plaid's markers.
var unreadExts = map[string]string{
	".cs": "C#", ".cshtml": "Razor", ".razor": "Razor", ".kt": "Kotlin", ".kts": "Kotlin",
	".swift": "Swift", ".dart": "Dart", ".rs": "Rust", ".ex": "Elixir", ".exs": "Elixir",
	".eex": "Elixir template", ".heex": "Elixir template", ".scala": "Scala", ".clj": "Clojure",
	".m": "Objective-C", ".pug": "Pug", ".jade": "Pug", ".slim": "Slim", ".haml": "Haml",
	".coffee": "CoffeeScript", ".elm": "Elm", ".lua": "Lua", ".pl": "Perl", ".pm": "Perl",
	".fs": "F#", ".vb": "Visual Basic", ".aspx": "ASP.NET", ".cfc": "ColdFusion",
	".groovy": "Groovy", ".gsp": "Groovy template", ".hs": "Haskell", ".cr": "Crystal", ".nim": "Nim",
}

// languageOf returns the language of a file name, if the audit reads it.
// Minified files and TypeScript declarations are not read; a Blade view is
// a template.
func languageOf(name string) (language, bool) {
	lower := strings.ToLower(name)
	if strings.Contains(lower, ".min.") || strings.HasSuffix(lower, ".d.ts") {
		return "", false
	}
	if strings.HasSuffix(lower, ".blade.php") {
		return langHTML, true
	}
	l, ok := extLanguages[filepath.Ext(lower)]
	return l, ok
}

// languageName is how coverage names the language of a file name.
func languageName(name string) string {
	lower := strings.ToLower(name)
	switch ext := filepath.Ext(lower); {
	case strings.HasSuffix(lower, ".blade.php"):
		return "Blade"
	case unreadExts[ext] != "":
		return unreadExts[ext]
	case ext == ".ts" || ext == ".tsx" || ext == ".mts" || ext == ".cts":
		return "TypeScript"
	case ext == ".vue":
		return "Vue"
	case ext == ".svelte":
		return "Svelte"
	}
	if l, ok := extLanguages[filepath.Ext(lower)]; ok {
		return map[language]string{langJS: "JavaScript", langHTML: "HTML/template", langPython: "Python",
			langRuby: "Ruby", langGo: "Go", langJava: "Java", langPHP: "PHP"}[l]
	}
	if strings.Contains(lower, ".min.") {
		return "JavaScript"
	}
	return "other"
}

// sourceFile is one file ready for the rules: its tokens (comments
// dropped) and each line's indentation.
type sourceFile struct {
	path   string // slash-separated, relative to the audited root
	lang   language
	tokens []token
	indent []int // indent[i] is line i+1's indentation; -1 for a blank line
	// handlers are the names a template binds to events (@click="open",
	// onclick="open()"): functions a person runs again and again.
	handlers map[string]bool
	tree     *tree // the other files, for names declared elsewhere

	closeOf []int             // bracketMatches(tokens)
	encl    []int             // enclosing(tokens), built on first use
	funcs   map[string]span   // functionNamed's index, built on first use
	objects map[string][]span // objectNamed's index: name -> (name, "{") pairs
	isFunc  map[int]bool      // functionBrace's answers
}

var phpSyntax = syntax{lineComment: "//", hashComment: true, blockComment: true}

// newSourceFile tokenizes text as a file of language lang. An HTML file is
// reduced to its <script> blocks and <PlaidLink> tags, in place, so line
// numbers stay true.
func newSourceFile(path string, lang language, text string) *sourceFile {
	syn := jsSyntax
	var handlers map[string]bool
	switch lang {
	case langHTML:
		handlers = templateHandlers(text)
		text = scriptsOnly(text)
	case langPython:
		syn = pythonSyntax
	case langRuby:
		syn = rubySyntax
	case langGo:
		syn = goSyntax
	case langJava:
		syn = javaSyntax
	case langPHP:
		handlers = templateHandlers(text)
		syn = phpSyntax
	}
	tokens := tokenize(text, syn)
	return &sourceFile{path: path, lang: lang, tokens: tokens, indent: indentation(text), closeOf: bracketMatches(tokens), handlers: handlers}
}

// clientSide reports whether the file can hold Link client code.
func (f *sourceFile) clientSide() bool {
	return f.lang == langJS || f.lang == langHTML || f.lang == langPHP
}

// braces reports whether the file's language delimits blocks with braces.
func (f *sourceFile) braces() bool { return f.lang != langPython && f.lang != langRuby }

// indentation returns each line's leading-space width (a tab counts 4), or
// -1 for a blank line.
func indentation(text string) []int {
	lines := strings.Split(text, "\n")
	out := make([]int, len(lines))
	for i, l := range lines {
		w, blank := 0, true
		for _, c := range l {
			if c == ' ' {
				w++
				continue
			}
			if c == '\t' {
				w += 4
				continue
			}
			blank = c == '\r'
			break
		}
		if blank {
			w = -1
		}
		out[i] = w
	}
	return out
}

// scriptTag finds <script …> and </script> tags.
var (
	scriptOpen  = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	scriptClose = regexp.MustCompile(`(?i)</script\s*>`)
	scriptType  = regexp.MustCompile(`(?i)\btype\s*=\s*["']?([^"'\s>]+)`)
)

// jsScriptTypes are the <script type> values holding JavaScript.
var jsScriptTypes = []string{"text/javascript", "application/javascript", "module", "text/babel", "text/jsx", "text/typescript"}

// plaidLinkTag finds a <PlaidLink …> or <plaid-link …> component tag in a
// template (Vue, Svelte, JSX kept in HTML).
var plaidLinkTag = regexp.MustCompile(`(?s)<(?:PlaidLink|plaid-link)\b[^<>]*>`)

// scriptsOnly blanks everything of an HTML page but its inline JavaScript
// and its <PlaidLink> tags (rewritten as JSX), keeping every newline so that
// line numbers are unchanged.
func scriptsOnly(html string) string {
	out := []byte(html)
	keep := make([]bool, len(out))
	for pos := 0; pos < len(html); {
		m := scriptOpen.FindStringSubmatchIndex(html[pos:])
		if m == nil {
			break
		}
		start := pos + m[1]
		end := len(html)
		if c := scriptClose.FindStringIndex(html[start:]); c != nil {
			end = start + c[0]
		}
		if isJSScript(html[pos+m[2] : pos+m[3]]) {
			for i := start; i < end; i++ {
				keep[i] = true
			}
		}
		pos = end
	}
	var b strings.Builder
	b.Grow(len(out))
	tags := plaidLinkTag.FindAllStringIndex(html, -1)
	for i := 0; i < len(out); i++ {
		if len(tags) > 0 && i == tags[0][0] && !keep[i] {
			b.WriteString(jsxTag(html[tags[0][0]:tags[0][1]])) // newlines kept
			i = tags[0][1] - 1
			tags = tags[1:]
			continue
		}
		for len(tags) > 0 && tags[0][0] <= i {
			tags = tags[1:]
		}
		switch c := out[i]; {
		case keep[i] || c == '\n':
			b.WriteByte(c)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// tagAttr is one attribute of a template tag: a binding prefix (":",
// "v-bind:", "@", "on:"), a name, and a quoted value.
var tagAttr = regexp.MustCompile(`(\s)(:|v-bind:|v-on:|@|on:)?([A-Za-z_][\w-]*)(\s*=\s*)("[^"]*"|'[^']*')?`)

// jsxTag rewrites a template's component tag as JSX, with its newlines:
// <plaid-link :public-key="key" env="sandbox" @exit="onExit"> reads as
// <PlaidLink publicKey={key} env="sandbox" onExit={onExit}>.
func jsxTag(tag string) string {
	tag = strings.Replace(tag, "<plaid-link", "<PlaidLink", 1)
	return tagAttr.ReplaceAllStringFunc(tag, func(a string) string {
		m := tagAttr.FindStringSubmatch(a)
		prefix, name, eq, value := m[2], m[3], m[4], m[5]
		camel := kebabToCamel(name)
		if prefix == "@" || prefix == "v-on:" || prefix == "on:" {
			camel = "on" + strings.ToUpper(camel[:1]) + camel[1:]
		}
		if prefix != "" && len(value) >= 2 {
			value = "{" + value[1:len(value)-1] + "}"
		}
		return m[1] + camel + eq + value
	})
}

// kebabToCamel turns public-key into publicKey.
func kebabToCamel(s string) string {
	parts := strings.Split(s, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// eventBinding finds the functions a template runs on a click or submit.
var eventBinding = regexp.MustCompile(`(?i)(?:@|v-on:|on:|\bon)(?:click|submit|tap)(?:\.[a-z]+)*\s*=\s*["'{]\s*(?:\(\)\s*=>\s*)?(?:this\.)?([A-Za-z_$][\w$]*)`)

// templateHandlers returns the names bound to clicks in a template.
func templateHandlers(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range eventBinding.FindAllStringSubmatch(text, 200) {
		out[m[1]] = true
	}
	return out
}

func isJSScript(attrs string) bool {
	m := scriptType.FindStringSubmatch(attrs)
	return m == nil || slices.Contains(jsScriptTypes, strings.ToLower(m[1]))
}

// indentOf is the indentation of line n (1-based), -1 when blank or out
// of range.
func (f *sourceFile) indentOf(n int) int {
	if n < 1 || n > len(f.indent) {
		return -1
	}
	return f.indent[n-1]
}

// closers start lines that close a block rather than follow it.
var closers = []string{")", "]", "}", "end"}

// block returns the lines [from, to] of the code block around line n, by
// indentation: from the nearest less-indented line above (the block's
// header: a function, a route, a try) to the line before the next line
// indented no deeper than that header, except the header's own closing
// lines (a bracket, "end", "} catch {"), which belong to the block.
// At the top level it is the statement starting at line n. Indentation is
// what every language here shares, so this works the same for all of them.
func (f *sourceFile) block(n int) (from, to int) {
	base := f.indentOf(n)
	from = n
	if base > 0 {
		for l := n - 1; l >= 1; l-- {
			if in := f.indentOf(l); in >= 0 && in < base {
				from, base = l, in
				break
			}
		}
	}
	if from == n {
		base = max(base, 0)
	}
	to = n
	for l := n + 1; l <= len(f.indent); l++ {
		in := f.indentOf(l)
		if in < 0 {
			continue
		}
		if in < base || in == base && !f.startsWithCloser(l) {
			break
		}
		to = l
	}
	return from, to
}

// startsWithCloser reports whether line n's first token closes a block.
func (f *sourceFile) startsWithCloser(n int) bool {
	i, ok := slices.BinarySearchFunc(f.tokens, n, func(t token, line int) int { return t.line - line })
	if !ok {
		return false
	}
	t := f.tokens[i]
	return (t.kind == tokPunct || t.kind == tokIdent) && slices.Contains(closers, t.text)
}

// tokensIn returns the index range [i, j) of the tokens on lines from..to.
func (f *sourceFile) tokensIn(from, to int) (i, j int) {
	i, _ = slices.BinarySearchFunc(f.tokens, from, func(t token, line int) int { return t.line - line })
	j, _ = slices.BinarySearchFunc(f.tokens, to+1, func(t token, line int) int { return t.line - line })
	return i, j
}

// candidate is a file the walk found: one to read, or one to report as
// skipped.
type candidate struct {
	path, rel string
	lang      language
	read      bool   // a language the audit reads
	reason    string // why it is skipped, for an unread language
}

// readSources walks root and returns the files the audit reads, sorted by
// path, and the coverage: what was read and what was skipped, and why.
// Files are read and tokenized on every core.
func readSources(ctx context.Context, root string) ([]*sourceFile, *Coverage, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("the source tree %s cannot be read: %w", root, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("the source tree %s is not a directory: pass the app's root directory to --src", root)
	}
	cov := newCoverage()
	var cands []candidate
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			cov.skip(filepath.ToSlash(rel), languageName(path), SkipUnreadable, nil)
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if d.IsDir() {
			if path != root && skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return nil
		}
		c := candidate{path: path, rel: filepath.ToSlash(rel)}
		lower := strings.ToLower(d.Name())
		switch lang, ok := languageOf(d.Name()); {
		case ok:
			c.lang, c.read = lang, true
		case strings.Contains(lower, ".min.") && (filepath.Ext(lower) == ".js" || filepath.Ext(lower) == ".mjs"):
			c.reason = SkipMinified
		case unreadExts[filepath.Ext(lower)] != "":
			c.reason = SkipLanguage
		default:
			return nil // not source code (images, docs, data)
		}
		cands = append(cands, c)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walking the source tree %s: %w", root, err)
	}
	results := make([]fileResult, len(cands))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = readCandidate(cands[i])
			}
		}()
	}
	for i := range cands {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("walking the source tree %s: %w", root, err)
	}
	var files []*sourceFile
	for i, r := range results {
		if r.file != nil {
			files = append(files, r.file)
			cov.scan(languageName(cands[i].rel))
			continue
		}
		cov.skip(cands[i].rel, languageName(cands[i].rel), r.reason, r.hits)
	}
	slices.SortFunc(files, func(a, b *sourceFile) int { return strings.Compare(a.path, b.path) })
	cov.finish()
	return files, cov, nil
}

// fileResult is a candidate read: a file for the rules, or why it was
// skipped and the Plaid markers found in it.
type fileResult struct {
	file   *sourceFile
	reason string
	hits   []UnreadHit
}

// readCandidate reads one file: too big, binary, minified or in a language
// the audit does not read, it is searched for markers instead.
func readCandidate(c candidate) fileResult {
	info, err := os.Stat(c.path)
	if err != nil {
		return fileResult{reason: SkipUnreadable}
	}
	if info.Size() > MaxFileSize {
		return fileResult{reason: SkipTooBig, hits: searchUnread(c.rel, c.path)}
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		return fileResult{reason: SkipUnreadable}
	}
	switch {
	case bytes.IndexByte(data, 0) >= 0:
		return fileResult{reason: SkipBinary}
	case !c.read:
		return fileResult{reason: c.reason, hits: markerHits(c.rel, data)}
	case minified(data):
		return fileResult{reason: SkipMinified, hits: markerHits(c.rel, data)}
	}
	return fileResult{file: newSourceFile(c.rel, c.lang, string(data))}
}

// minified reports whether data looks like minified code: long lines and
// few of them.
func minified(data []byte) bool {
	if len(data) < 4096 {
		return false
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	return len(data)/lines > 300
}
