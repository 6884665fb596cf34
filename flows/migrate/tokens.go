package migrate

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
// len(tokens) when it is never closed.
func (f *sourceFile) matchClose(open int) int {
	var stack []string
	for i := open; i < len(f.tokens); i++ {
		t := f.tokens[i]
		if t.kind != tokPunct {
			continue
		}
		if c, ok := closing[t.text]; ok {
			stack = append(stack, c)
			continue
		}
		if len(stack) > 0 && t.text == stack[len(stack)-1] {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i
			}
		}
	}
	return len(f.tokens)
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

// functionNamed finds the body of the function or method called name
// declared in the file: function name(…) {…}, name = (…) => …,
// name = function (…) {…}, or a method name(…) {…}. It returns the token
// range [from, to) of the body.
func (f *sourceFile) functionNamed(name string) (from, to int, ok bool) {
	if notCallees[name] {
		return 0, 0, false
	}
	for i := range f.tokens {
		if !f.isIdent(i, name) || f.isMember(i) {
			continue
		}
		switch {
		case f.isIdent(i-1, "function") && f.isPunct(i+1, "("):
			return f.body(i + 1)
		case f.isPunct(i+1, "=", ":"):
			if from, to, ok := f.functionValue(i + 2); ok {
				return from, to, true
			}
		case f.isPunct(i+1, "(") && f.isPunct(f.matchClose(i+1)+1, "{") && !f.isPunct(i-1, "=", "(", ",", "&&", "||", "!", "?", ":"):
			return f.body(i + 1)
		}
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

// valueEndBefore skips tokens from i up to the first stop token at depth 0.
func (f *sourceFile) valueEndBefore(i int, stop string) int {
	for i < len(f.tokens) && !f.isPunct(i, stop, ";") {
		if f.isPunct(i, "(", "[", "{") {
			i = f.matchClose(i)
		}
		i++
	}
	return i
}

// body returns the braces of a function whose parameter list opens at i.
func (f *sourceFile) body(paren int) (from, to int, ok bool) {
	i := f.matchClose(paren) + 1
	for i < len(f.tokens) && !f.isPunct(i, "{", ";") { // a TypeScript return type
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
	found := -1
	for i := range f.tokens {
		if !f.isIdent(i, name) || f.isMember(i) {
			continue
		}
		j := i + 1
		for k := 0; k < 12 && j < len(f.tokens) && !f.isPunct(j, "=", ";", "(", ")", "{", "}", ","); k++ {
			j++
		}
		if !f.isPunct(j, "=") || !f.isPunct(j+1, "{") {
			continue
		}
		if found < 0 || i < before {
			found = j + 1
		}
		if i > before {
			break
		}
	}
	return found, found >= 0
}
