package audit

import (
	"fmt"
	"slices"
	"strings"
)

// tree is the audited source tree: every file read, and the functions and
// objects they declare, so that a name used in one file is found where it
// is declared (an imported builder, a config module).
type tree struct {
	files []*sourceFile
	funcs map[string][]declRef // top-level and method declarations, by name
	objs  map[string]declRef   // the first object literal assigned to a name, by name (built on first use)
}

// declRef is a declaration: the body (or value) of a name in a file.
type declRef struct {
	f        *sourceFile
	from, to int
}

func newTree(files []*sourceFile) *tree {
	t := &tree{files: files, funcs: map[string][]declRef{}}
	for _, f := range files {
		f.tree = t
		f.functionNamed("") // builds the file's index
		for name, sp := range f.funcs {
			t.funcs[name] = append(t.funcs[name], declRef{f, sp.from, sp.to})
		}
	}
	return t
}

// function finds the declarations of name: in f first, else in the other
// files of the tree.
func (f *sourceFile) function(name string) []declRef {
	if from, to, ok := f.functionNamed(name); ok {
		return []declRef{{f, from, to}}
	}
	if f.tree == nil {
		return nil
	}
	return f.tree.funcs[name]
}

// declared reports whether the app itself declares a function name.
func (f *sourceFile) declared(name string) bool { return len(f.function(name)) > 0 }

// object finds the object literal assigned to name (its "{"): in f, else
// in the other files.
func (f *sourceFile) object(name string, before int) (*sourceFile, int, bool) {
	if open, ok := f.objectNamed(name, before); ok {
		return f, open, true
	}
	if f.tree == nil {
		return nil, 0, false
	}
	if f.tree.objs == nil {
		f.tree.objs = map[string]declRef{}
		for _, g := range f.tree.files {
			g.objectNamed("", 0) // builds the file's index
			for n, list := range g.objects {
				if _, ok := f.tree.objs[n]; !ok && len(list) > 0 {
					f.tree.objs[n] = declRef{g, list[0].to, 0}
				}
			}
		}
	}
	if d, ok := f.tree.objs[name]; ok && d.f != f {
		return d.f, d.from, true
	}
	return nil, 0, false
}

// enclosing returns, for each token, the index of the innermost bracket
// still open at it (-1 at the top level).
func (f *sourceFile) enclosing() []int {
	if f.encl != nil {
		return f.encl
	}
	encl := make([]int, len(f.tokens))
	var stack []int
	for i := range f.tokens {
		for len(stack) > 0 && f.closeOf[stack[len(stack)-1]] < i {
			stack = stack[:len(stack)-1]
		}
		encl[i] = -1
		if len(stack) > 0 {
			encl[i] = stack[len(stack)-1]
		}
		if f.closeOf[i] >= 0 {
			stack = append(stack, i)
		}
	}
	f.encl = encl
	return encl
}

// openOf returns the opening bracket of the closing one at i, or -1.
func (f *sourceFile) openOf(i int) int {
	if i < 0 || i >= len(f.tokens) || !f.isPunct(i, ")", "]", "}") {
		return -1
	}
	if o := f.enclosing()[i]; o >= 0 && f.closeOf[o] == i {
		return o
	}
	return -1
}

// blockKeywords introduce a block that is not a function.
var blockKeywords = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "catch": true, "with": true, "foreach": true,
	"elseif": true, "synchronized": true, "using": true, "lock": true, "else": true, "try": true, "finally": true,
	"do": true, "return": true, "go": true, "defer": true, "select": true, "range": true, "class": true,
	"interface": true, "struct": true, "enum": true, "extends": true, "implements": true, "new": true,
}

// functionBrace reports whether the "{" at j opens a function's body: after
// "=>", or after a parameter list and maybe a return type, where the list
// does not belong to if, for, while, switch or catch.
func (f *sourceFile) functionBrace(j int) bool {
	if v, ok := f.isFunc[j]; ok {
		return v
	}
	ans := false
	if f.isPunct(j-1, "=>") {
		ans = true
	} else {
		for k, n := j-1, 0; k >= 0 && n < 24; k, n = k-1, n+1 {
			t := f.tok(k)
			if t.kind == tokPunct && t.text == ")" {
				open := f.openOf(k)
				ans = open > 0 && !(f.isIdent(open-1) && blockKeywords[f.tok(open-1).text])
				break
			}
			typeish := t.kind == tokIdent && !blockKeywords[t.text] ||
				t.kind == tokPunct && slices.Contains([]string{".", "*", "[", "]", "<", ">", ":", "?", "|", "&", "->"}, t.text)
			if !typeish {
				break
			}
		}
	}
	if f.isFunc == nil {
		f.isFunc = map[int]bool{}
	}
	f.isFunc[j] = ans
	return ans
}

// scopeOf returns the token range of the function enclosing token i: its
// body in brace languages, its indented block after def in Python and
// Ruby; the whole file at the top level.
func (f *sourceFile) scopeOf(i int) (from, to int) {
	if !f.braces() {
		return f.indentScope(i)
	}
	encl := f.enclosing()
	for j := encl[min(max(i, 0), len(encl)-1)]; j >= 0; j = encl[j] {
		if f.isPunct(j, "{") && f.functionBrace(j) {
			return j, min(f.closeOf[j]+1, len(f.tokens))
		}
	}
	return 0, len(f.tokens)
}

// indentScope finds the def (or Ruby do-block) whose indented body holds
// token i.
func (f *sourceFile) indentScope(i int) (from, to int) {
	if len(f.tokens) == 0 {
		return 0, 0
	}
	line := f.tok(min(max(i, 0), len(f.tokens)-1)).line
	base := f.indentOf(line)
	for l := line - 1; l >= 1 && base > 0; l-- {
		in := f.indentOf(l)
		if in < 0 || in >= base {
			continue
		}
		base = in
		a, b := f.tokensIn(l, l)
		if a < b && (f.isIdent(a, "def") || f.isIdent(a, "async") && f.isIdent(a+1, "def") ||
			f.anyIn(a, b, func(k int) bool { return f.isIdent(k, "do") })) {
			end := l
			for m := l + 1; m <= len(f.indent); m++ {
				if in := f.indentOf(m); in >= 0 && in <= base && !f.startsWithCloser(m) {
					break
				}
				end = m
			}
			_, to := f.tokensIn(l, end)
			return a, to
		}
	}
	return 0, len(f.tokens)
}

// statementEnd returns the end of the statement that starts at i: a ";"
// or an unmatched closing bracket, or the end of the line where the next
// line does not continue it.
func (f *sourceFile) statementEnd(i, limit int) int {
	j := i
	for n := 0; j < limit && n < 4000; n++ {
		switch {
		case f.isPunct(j, "(", "[", "{"):
			j = f.matchClose(j) + 1
			continue
		case f.isPunct(j, ";", ")", "]", "}"):
			return j
		}
		if j > i && f.tok(j).line > f.tok(j-1).line && !f.continues(j) {
			return j
		}
		j++
	}
	return min(j, limit)
}

// continues reports whether token j, first on its line, continues the
// statement of the line before (a method chain, an operator).
func (f *sourceFile) continues(j int) bool {
	if f.isPunct(j, ".", "?.", "->", "+", "&&", "||", "?", ":", "=", "=>", ")", "]", "}") {
		return true
	}
	return f.isPunct(j-1, "=", "+", ",", "(", "[", "{", ".", "&&", "||", "?", ":", "=>", "->", ":=", "\\")
}

// isParam reports whether name is a parameter of the function whose body
// is [from, to).
func (f *sourceFile) isParam(name string, from int) bool {
	close := from - 1
	for close >= 0 && !f.isPunct(close, ")") && from-close < 24 {
		close--
	}
	open := f.openOf(close)
	for k := open + 1; open >= 0 && k < close; k++ {
		if f.isIdent(k, name) {
			return true
		}
	}
	return false
}

// regionResult is what following a request found.
type regionResult struct {
	found      int // index of a matching token, -1 if none
	foundIn    *sourceFile
	unresolved bool // a part of the request could not be followed
	access     int  // index of an access_token parameter, -1 if none
	accessIn   *sourceFile
}

// follower follows a request through variables and the app's own
// functions, looking for tokens that match.
type follower struct {
	match   func(f *sourceFile, k int) bool
	visited map[string]bool
	res     regionResult
	budget  int // regions still to visit
}

func newFollower(match func(f *sourceFile, k int) bool) *follower {
	return &follower{match: match, visited: map[string]bool{}, res: regionResult{found: -1, access: -1}, budget: 64}
}

// maxFollowDepth bounds how deep variables and functions are followed.
const maxFollowDepth = 4

// keywords are identifiers that are never variables.
var keywords = map[string]bool{
	"const": true, "let": true, "var": true, "new": true, "return": true, "await": true, "async": true,
	"function": true, "true": true, "false": true, "null": true, "nil": true, "None": true, "True": true,
	"False": true, "undefined": true, "this": true, "self": true, "def": true, "end": true, "do": true,
	"if": true, "else": true, "try": true, "catch": true, "typeof": true, "in": true, "of": true, "and": true,
	"or": true, "not": true, "is": true, "lambda": true, "func": true, "map": true, "string": true, "interface": true,
	"public": true, "private": true, "static": true, "final": true, "String": true, "as": true, "type": true,
	"$this": true, "array": true, "fn": true, "use": true, "ctx": true, "context": true, "err": true,
}

// region visits tokens [from, to) of f; scope is the function they are in,
// where variables are looked up. critical marks the token indexes whose
// value is the request itself (a direct argument, a spread, a user value).
func (fl *follower) region(f *sourceFile, from, to, scopeFrom, scopeTo, depth int, critical map[int]bool) {
	key := fmt.Sprint(f.path, ":", from, ":", to)
	if fl.visited[key] || fl.budget <= 0 || from >= to {
		return
	}
	fl.visited[key] = true
	fl.budget--
	for k := from; k < to && k < len(f.tokens); k++ {
		if fl.res.found < 0 && fl.match(f, k) {
			fl.res.found, fl.res.foundIn = k, f
		}
		if fl.res.access < 0 && f.isAccessTokenParam(k) {
			fl.res.access, fl.res.accessIn = k, f
		}
	}
	if fl.res.found >= 0 {
		return
	}
	for k := from; k < to && k < len(f.tokens); k++ {
		t := f.tok(k)
		if t.kind != tokIdent || f.isMember(k) || keywords[t.text] || (f.isPunct(k+1, ":", "=>") || f.kwarg(k)) && !critical[k] {
			continue // a key, not a value
		}
		crit := critical[k] || f.isPunct(k-1, "...", "**") || f.userValue(k)
		if f.isPunct(k+1, "(") {
			decls := f.function(t.text)
			if len(decls) == 0 {
				if crit && !sdkConstructor(t.text) {
					fl.res.unresolved = true
				}
				continue
			}
			if depth < maxFollowDepth {
				for _, d := range decls {
					fl.region(d.f, d.from, d.to, d.from, d.to, depth+1, nil)
				}
			}
			continue
		}
		if depth >= maxFollowDepth {
			if crit {
				fl.res.unresolved = true
			}
			continue
		}
		if !fl.variable(f, t.text, k, scopeFrom, scopeTo, depth) && crit {
			fl.res.unresolved = true
		}
		if fl.res.found >= 0 {
			return
		}
	}
}

// variable follows the assignments of name in the scope, the file, and the
// tree's top-level objects; false when it finds none.
func (fl *follower) variable(f *sourceFile, name string, at, scopeFrom, scopeTo, depth int) bool {
	found := false
	for _, sc := range [][2]int{{scopeFrom, scopeTo}, {0, len(f.tokens)}} {
		for _, k := range f.assignments(name, sc[0], sc[1]) {
			if k == at && !f.isPunct(k+1, ".", "[", "->") {
				continue
			}
			found = true
			end := f.statementEnd(k, len(f.tokens))
			crit := map[int]bool{}
			if v := f.assignedValue(k, end); v >= 0 {
				crit[v] = true
			}
			fl.region(f, k+1, end, scopeFrom, scopeTo, depth+1, crit)
		}
		if found {
			return true
		}
		if scopeFrom == 0 && scopeTo == len(f.tokens) {
			break
		}
	}
	if g, open, ok := f.object(name, at); ok && g != f {
		fl.region(g, open, g.matchClose(open)+1, 0, len(g.tokens), depth+1, nil)
		return true
	}
	return false
}

// assignments lists the tokens in [from, to) where name is assigned or
// changed: name = …, name := …, Type name = …, name.user = …, name[…] = ….
func (f *sourceFile) assignments(name string, from, to int) []int {
	var out []int
	for k := from; k < to && k < len(f.tokens) && len(out) < 16; k++ {
		if !f.isIdent(k, name) || f.isMember(k) || f.kwarg(k) {
			continue
		}
		switch {
		case f.isPunct(k+1, "=", ":=", "+=", "||=", "??="):
			out = append(out, k)
		case f.isPunct(k+1, ":") && f.isIdent(k-1, "const", "let", "var"): // TS: const name: Type = …
			out = append(out, k)
		case f.isPunct(k+1, ".", "[", "->"):
			end := f.statementEnd(k, to)
			for j := k + 1; j < end; j++ {
				if f.isPunct(j, "=") || f.isIdent(j) && f.isPunct(j+1, "(") && strings.HasPrefix(strings.ToLower(f.tok(j).text), "set") {
					out = append(out, k)
					break
				}
				if f.isPunct(j, "(", "[", "{") {
					j = f.matchClose(j)
				}
			}
		}
	}
	return out
}

// assignedValue returns the first token of the value assigned at k, or -1
// for a change (name.user = …).
func (f *sourceFile) assignedValue(k, end int) int {
	for j := k + 1; j < end && j < k+16; j++ {
		if f.isPunct(j, "=", ":=") {
			return j + 1
		}
		if f.isPunct(j, ".", "[", "->") {
			return -1
		}
	}
	return -1
}

// userValue reports whether token k is the value of a request's user:
// user: x, 'user' => x, user=x, User: x, .user(x), SetUser(x).
func (f *sourceFile) userValue(k int) bool {
	isUser := func(i int) bool {
		t := f.tok(i)
		return (t.kind == tokIdent || t.kind == tokString) && strings.EqualFold(strings.TrimLeft(t.text, ":"), "user")
	}
	switch {
	case f.isPunct(k-1, ":", "=", "=>") && isUser(k-2):
		return true
	case f.isPunct(k-1, "(") && (isUser(k-2) || f.isIdent(k-2, "SetUser")):
		return true
	case f.isPunct(k-1, "&", "*") && f.isPunct(k-2, ":", "=") && isUser(k-3):
		return true
	}
	return false
}

// sdkConstructor reports whether name builds a request or user object of a
// Plaid library (its arguments are in the request already).
func sdkConstructor(name string) bool {
	lower := strings.ToLower(name)
	return strings.Contains(lower, "linktoken") || strings.Contains(lower, "request") ||
		strings.HasPrefix(name, "New") || slices.Contains([]string{"dict", "Hash", "array", "compact", "json", "JSON", "stringify", "Map", "Object", "list", "String", "str", "int", "Products", "CountryCode", "append", "make", "Ptr", "PtrString", "PtrBool", "strconv", "fmt", "env", "getenv", "config"}, name)
}

// kwarg reports whether token k names a keyword argument: name=value
// inside a call's parentheses (Python, Ruby, PHP named arguments).
func (f *sourceFile) kwarg(k int) bool {
	if !f.isPunct(k+1, "=") {
		return false
	}
	o := f.enclosing()[k]
	return o >= 0 && f.isPunct(o, "(")
}
