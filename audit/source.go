package audit

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
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
)

// extLanguages maps file extensions to languages. Templates are HTML: only
// their <script> blocks are read.
var extLanguages = map[string]language{
	".js": langJS, ".mjs": langJS, ".cjs": langJS, ".jsx": langJS,
	".ts": langJS, ".mts": langJS, ".cts": langJS, ".tsx": langJS,
	".html": langHTML, ".htm": langHTML, ".ejs": langHTML, ".hbs": langHTML,
	".erb": langHTML, ".vue": langHTML, ".svelte": langHTML, ".jinja": langHTML, ".j2": langHTML,
	".py": langPython, ".rb": langRuby, ".go": langGo, ".java": langJava,
}

// languageOf returns the language of a file name, if the audit reads it.
func languageOf(name string) (language, bool) {
	lower := strings.ToLower(name)
	if strings.Contains(lower, ".min.") || strings.HasSuffix(lower, ".d.ts") {
		return "", false
	}
	l, ok := extLanguages[filepath.Ext(lower)]
	return l, ok
}

// sourceFile is one file ready for the rules: its tokens (comments
// dropped) and each line's indentation.
type sourceFile struct {
	path   string // slash-separated, relative to the audited root
	lang   language
	tokens []token
	indent []int // indent[i] is line i+1's indentation; -1 for a blank line

	closeOf []int             // bracketMatches(tokens)
	funcs   map[string]span   // functionNamed's index, built on first use
	objects map[string][]span // objectNamed's index: name -> (name, "{") pairs
}

// newSourceFile tokenizes text as a file of language lang. An HTML file is
// reduced to its <script> blocks, in place, so line numbers stay true.
func newSourceFile(path string, lang language, text string) *sourceFile {
	syn := jsSyntax
	switch lang {
	case langHTML:
		text = scriptsOnly(text)
	case langPython:
		syn = pythonSyntax
	case langRuby:
		syn = rubySyntax
	case langGo:
		syn = goSyntax
	case langJava:
		syn = javaSyntax
	}
	tokens := tokenize(text, syn)
	return &sourceFile{path: path, lang: lang, tokens: tokens, indent: indentation(text), closeOf: bracketMatches(tokens)}
}

// clientSide reports whether the file can hold Link client code.
func (f *sourceFile) clientSide() bool { return f.lang == langJS || f.lang == langHTML }

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

// scriptsOnly blanks everything of an HTML page but its inline JavaScript,
// keeping every newline so that line numbers are unchanged.
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
	for i, c := range out {
		if !keep[i] && c != '\n' {
			out[i] = ' '
		}
	}
	return string(out)
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

// readSources walks root and returns the files the audit reads, sorted by
// path, and how many it skipped as too big, minified or binary.
func readSources(ctx context.Context, root string) ([]*sourceFile, int, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, 0, fmt.Errorf("the source tree %s cannot be read: %w", root, err)
	}
	if !info.IsDir() {
		return nil, 0, fmt.Errorf("the source tree %s is not a directory: pass the app's root directory to --src", root)
	}
	var files []*sourceFile
	skipped := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root {
				return err
			}
			skipped++ // an unreadable entry is reported as skipped, not fatal
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
		lang, ok := languageOf(d.Name())
		if !ok || !d.Type().IsRegular() {
			return nil
		}
		if f, err := readSource(root, path, lang); err == nil && f != nil {
			files = append(files, f)
		} else {
			skipped++ // unreadable, too big, binary or minified
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("walking the source tree %s: %w", root, err)
	}
	slices.SortFunc(files, func(a, b *sourceFile) int { return strings.Compare(a.path, b.path) })
	return files, skipped, nil
}

// readSource reads one file; nil (no error) means it is too big, binary or
// minified.
func readSource(root, path string, lang language) (*sourceFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxFileSize {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data, 0) >= 0 || minified(data) {
		return nil, nil
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, err
	}
	return newSourceFile(filepath.ToSlash(rel), lang, string(data)), nil
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
