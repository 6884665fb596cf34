package audit

import "slices"

// Helpers over a file's token slice. Every index may be out of range: the
// helpers then answer false or the end of the slice, so no rule can panic
// on odd input.

func (f *sourceFile) tok(i int) token {
	if i < 0 || i >= len(f.tokens) {
		return token{}
	}
	return f.tokens[i]
}

func (f *sourceFile) isPunct(i int, texts ...string) bool {
	t := f.tok(i)
	return t.kind == tokPunct && slices.Contains(texts, t.text)
}

func (f *sourceFile) isIdent(i int, texts ...string) bool {
	t := f.tok(i)
	return t.kind == tokIdent && (len(texts) == 0 || slices.Contains(texts, t.text))
}

// isMember reports whether token i follows "." or "?." (a property).
func (f *sourceFile) isMember(i int) bool { return f.isPunct(i-1, ".", "?.") }

// closing maps each opening bracket to its closing one.
var closing = map[string]string{"(": ")", "[": "]", "{": "}"}

// matchClose returns the index of the bracket closing the one at open, or
// len(tokens) when it is never closed (or open is no opening bracket).
func (f *sourceFile) matchClose(open int) int {
	if open < 0 || open >= len(f.closeOf) || f.closeOf[open] < 0 {
		return len(f.tokens)
	}
	return f.closeOf[open]
}

// bracketMatches pairs the brackets of tokens: closeOf[i] is the index of
// the bracket closing tokens[i], len(tokens) if it is never closed, and -1
// for tokens that open nothing. A closing bracket that does not match the
// innermost open one is ignored.
func bracketMatches(tokens []token) []int {
	closeOf := make([]int, len(tokens))
	type open struct {
		at    int
		close string
	}
	var stack []open
	for i, t := range tokens {
		closeOf[i] = -1
		if t.kind != tokPunct {
			continue
		}
		if c, ok := closing[t.text]; ok {
			closeOf[i] = len(tokens)
			stack = append(stack, open{i, c})
			continue
		}
		if n := len(stack); n > 0 && t.text == stack[n-1].close {
			closeOf[stack[n-1].at] = i
			stack = stack[:n-1]
		}
	}
	return closeOf
}

// valueEnd returns the index of the "," or closing bracket that ends the
// expression starting at i, at bracket depth 0, or end.
func (f *sourceFile) valueEnd(i, end int) int {
	for i < end {
		switch {
		case f.isPunct(i, "(", "[", "{"):
			i = f.matchClose(i) + 1
		case f.isPunct(i, ",", ")", "]", "}", ";"):
			return i
		default:
			i++
		}
	}
	return end
}

// anyIn reports whether pred holds for a token index in [a, b).
func (f *sourceFile) anyIn(a, b int, pred func(int) bool) bool {
	for i := a; i < b && i < len(f.tokens); i++ {
		if pred(i) {
			return true
		}
	}
	return false
}

// notCallees are keywords that look like calls before "(".
var notCallees = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "catch": true, "function": true,
	"return": true, "typeof": true, "await": true, "new": true, "super": true, "import": true,
}

// span is a token range [from, to).
type span struct{ from, to int }

// functionNamed finds the body of the function or method called name
// declared in the file: function name(…) {…}, name = (…) => …,
// name = function (…) {…}, or a method name(…) {…}. It returns the token
// range [from, to) of the body. The first declaration wins.
func (f *sourceFile) functionNamed(name string) (from, to int, ok bool) {
	if f.funcs == nil {
		f.funcs = map[string]span{}
		for i, t := range f.tokens {
			if _, seen := f.funcs[t.text]; seen || t.kind != tokIdent || f.isMember(i) || notCallees[t.text] {
				continue
			}
			if from, to, ok := f.declaredFunction(i); ok {
				f.funcs[t.text] = span{from, to}
			}
		}
	}
	sp, ok := f.funcs[name]
	return sp.from, sp.to, ok
}

// declaredFunction returns the body of the function declared by the name
// at token i, if it declares one.
func (f *sourceFile) declaredFunction(i int) (from, to int, ok bool) {
	switch {
	case f.isIdent(i-1, "function") && f.isPunct(i+1, "("):
		return f.body(i + 1)
	case f.isPunct(i+1, "=", ":"):
		return f.functionValue(i + 2)
	case f.isPunct(i+1, "(") && f.isPunct(f.matchClose(i+1)+1, "{") && !f.isPunct(i-1, "=", "(", ",", "&&", "||", "!", "?", ":"):
		return f.body(i + 1)
	}
	return 0, 0, false
}

// functionValue returns the body of a function expression starting at i:
// [async] function [name] (…) {…}, [async] (…) => …, or [async] x => ….
func (f *sourceFile) functionValue(i int) (from, to int, ok bool) {
	if f.isIdent(i, "useCallback") && f.isPunct(i+1, "(") { // a React callback
		i += 2
	}
	if f.isIdent(i, "async") {
		i++
	}
	if f.isIdent(i, "function") {
		i++
		if f.isIdent(i) {
			i++
		}
		return f.body(i)
	}
	if f.isIdent(i) && f.isPunct(i+1, "=>") {
		return f.arrowBody(i + 2)
	}
	if f.isPunct(i, "(") {
		after := f.matchClose(i) + 1
		for f.isPunct(after, ":") { // a TypeScript return type
			after = f.valueEndBefore(after+1, "=>")
		}
		if f.isPunct(after, "=>") {
			return f.arrowBody(after + 1)
		}
	}
	return 0, 0, false
}

// maxTypeTokens bounds how far a TypeScript return type is skipped.
const maxTypeTokens = 64

// valueEndBefore skips tokens from i up to the first stop token at depth 0
// (at most maxTypeTokens of them).
func (f *sourceFile) valueEndBefore(i int, stop string) int {
	for limit := i + maxTypeTokens; i < len(f.tokens) && i < limit && !f.isPunct(i, stop, ";"); {
		if f.isPunct(i, "(", "[", "{") {
			i = f.matchClose(i)
		}
		i++
	}
	return i
}

// body returns the braces of a function whose parameter list opens at i.
func (f *sourceFile) body(paren int) (from, to int, ok bool) {
	if !f.isPunct(paren, "(") {
		return 0, 0, false
	}
	i := f.matchClose(paren) + 1
	for limit := i + maxTypeTokens; i < len(f.tokens) && i < limit && !f.isPunct(i, "{", ";"); { // a TypeScript return type
		i++
	}
	if !f.isPunct(i, "{") {
		return 0, 0, false
	}
	return i, f.matchClose(i) + 1, true
}

// arrowBody returns an arrow function's body starting at i: a block, or an
// expression up to the end of the value.
func (f *sourceFile) arrowBody(i int) (from, to int, ok bool) {
	if f.isPunct(i, "{") {
		return i, f.matchClose(i) + 1, true
	}
	return i, f.valueEnd(i, len(f.tokens)), i < len(f.tokens)
}

// objectNamed finds the object literal assigned to name (const name = {…},
// name: Type = {…}, name = {…}) and returns the index of its "{". The last
// assignment before index before wins; else the first one after it.
func (f *sourceFile) objectNamed(name string, before int) (int, bool) {
	if f.objects == nil {
		f.objects = map[string][]span{}
		for i, t := range f.tokens {
			if t.kind == tokIdent && !f.isMember(i) {
				if open, ok := f.assignedObject(i); ok {
					f.objects[t.text] = append(f.objects[t.text], span{i, open})
				}
			}
		}
	}
	found := -1
	for _, a := range f.objects[name] { // in file order
		if found < 0 || a.from < before {
			found = a.to
		}
		if a.from > before {
			break
		}
	}
	return found, found >= 0
}

// assignedObject returns the "{" of the object literal assigned to the
// name at token i, skipping a short type annotation.
func (f *sourceFile) assignedObject(i int) (int, bool) {
	j := i + 1
	for k := 0; k < 12 && j < len(f.tokens) && !f.isPunct(j, "=", ";", "(", ")", "{", "}", ","); k++ {
		j++
	}
	return j + 1, f.isPunct(j, "=") && f.isPunct(j+1, "{")
}
