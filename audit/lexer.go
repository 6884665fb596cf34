package audit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind uint8

const (
	tokIdent  tokenKind = iota + 1 // identifiers and keywords
	tokString                      // string, template and character literals
	tokNumber
	tokPunct // operators and brackets; "=>" "..." "::" are one token
	tokRegex // a JS regular expression literal
)

// token is one lexical token; comments and whitespace are dropped.
type token struct {
	kind tokenKind
	text string // a string's contents without its quotes; the literal text otherwise
	line int    // 1-based line of the token's first character
}

// syntax is what the lexer needs to know about a language.
type syntax struct {
	lineComment  string // "//" or "#"
	hashComment  bool   // "#" also starts a line comment (PHP)
	blockComment bool   // /* */
	rubyBlock    bool   // =begin … =end at the start of a line
	triple       bool   // ''' and """ strings (Python; Java text blocks)
	backtick     byte   // 'T' JS template literal, 'R' Go raw string, 0 none
	regex        bool   // JS regular expression literals
}

var (
	jsSyntax     = syntax{lineComment: "//", blockComment: true, backtick: 'T', regex: true}
	goSyntax     = syntax{lineComment: "//", blockComment: true, backtick: 'R'}
	javaSyntax   = syntax{lineComment: "//", blockComment: true, triple: true}
	pythonSyntax = syntax{lineComment: "#", triple: true}
	rubySyntax   = syntax{lineComment: "#", rubyBlock: true}
)

// lexer splits source text into tokens. It never fails: an unterminated
// string or comment runs to the end of its line (or of the text), so one
// odd construct costs at most a line of tokens.
type lexer struct {
	src  string
	pos  int
	line int
	syn  syntax
	out  []token
}

// tokenize returns the tokens of src.
func tokenize(src string, syn syntax) []token {
	lx := &lexer{src: src, line: 1, syn: syn}
	for lx.pos < len(lx.src) {
		lx.next()
	}
	return lx.out
}

// punct3 and punct2 are the multi-character operators kept whole.
var (
	punct3 = []string{"...", "===", "!==", "??=", "||=", "&&="}
	punct2 = []string{"=>", "??", "::", "==", "!=", "&&", "||", "?.", "<=", ">=", ":=", "->"}
)

func (lx *lexer) next() {
	c := lx.src[lx.pos]
	switch {
	case c == '\n':
		lx.line++
		lx.pos++
	case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
		lx.pos++
	case lx.comment():
	case c == '"' || c == '\'':
		lx.quoted(c)
	case c == '`' && lx.syn.backtick != 0:
		lx.backtick()
	case c == '/' && lx.syn.regex && lx.regexAllowed():
		lx.regexLiteral()
	case isIdentStart(c) || c >= utf8.RuneSelf && lx.letterAt():
		lx.ident()
	case c >= '0' && c <= '9':
		lx.number()
	default:
		lx.punct()
	}
}

// comment skips a comment at pos, reporting whether there was one.
func (lx *lexer) comment() bool {
	rest := lx.src[lx.pos:]
	switch {
	case strings.HasPrefix(rest, lx.syn.lineComment) || lx.syn.hashComment && rest[0] == '#' && !strings.HasPrefix(rest, "#["):
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
		}
		lx.pos += end
	case lx.syn.blockComment && strings.HasPrefix(rest, "/*"):
		end := strings.Index(rest[2:], "*/")
		if end < 0 {
			end = len(rest) - 4
		}
		lx.skip(end + 4)
	case lx.syn.rubyBlock && strings.HasPrefix(rest, "=begin") && lx.atLineStart():
		end := strings.Index(rest, "\n=end")
		if end < 0 {
			end = len(rest) - 5
		}
		lx.skip(end + 5)
	default:
		return false
	}
	return true
}

func (lx *lexer) atLineStart() bool {
	return lx.pos == 0 || lx.src[lx.pos-1] == '\n'
}

// skip advances n bytes (bounded by the text), counting lines.
func (lx *lexer) skip(n int) {
	end := min(lx.pos+n, len(lx.src))
	lx.line += strings.Count(lx.src[lx.pos:end], "\n")
	lx.pos = end
}

func (lx *lexer) emit(kind tokenKind, text string, line int) {
	lx.out = append(lx.out, token{kind: kind, text: text, line: line})
}

// quoted reads a '…' or "…" literal, or a triple-quoted one where the
// language has them. Single-quoted kinds stop at an unescaped newline.
func (lx *lexer) quoted(q byte) {
	line := lx.line
	if lx.syn.triple && strings.HasPrefix(lx.src[lx.pos:], strings.Repeat(string(q), 3)) {
		delim := strings.Repeat(string(q), 3)
		body := lx.src[lx.pos+3:]
		end := strings.Index(body, delim)
		if end < 0 {
			end = len(body)
		}
		lx.emit(tokString, body[:end], line)
		lx.skip(3 + end + 3)
		return
	}
	start := lx.pos + 1
	i := start
	for i < len(lx.src) && lx.src[i] != q && lx.src[i] != '\n' {
		if lx.src[i] == '\\' && i+1 < len(lx.src) && lx.src[i+1] != '\n' {
			i++
		}
		i++
	}
	lx.emit(tokString, lx.src[start:i], line)
	if i < len(lx.src) && lx.src[i] == q {
		i++
	}
	lx.pos = i
}

// backtick reads a Go raw string or a JS template literal; a template's
// ${…} parts stay in the text (nested templates and braces included).
func (lx *lexer) backtick() {
	line := lx.line
	start := lx.pos + 1
	i := start
	depth := 0
	for i < len(lx.src) {
		c := lx.src[i]
		switch {
		case c == '\\' && lx.syn.backtick == 'T':
			i++
		case c == '$' && lx.syn.backtick == 'T' && i+1 < len(lx.src) && lx.src[i+1] == '{':
			depth++
			i++
		case c == '}' && depth > 0:
			depth--
		case c == '`' && depth == 0:
			lx.emit(tokString, lx.src[start:i], line)
			lx.skip(i + 1 - lx.pos)
			return
		}
		i++
	}
	lx.emit(tokString, lx.src[start:], line)
	lx.skip(len(lx.src) - lx.pos)
}

// regexKeywords are the JS keywords after which "/" starts a regex.
var regexKeywords = map[string]bool{
	"return": true, "typeof": true, "case": true, "do": true, "else": true, "in": true, "of": true,
	"new": true, "delete": true, "void": true, "throw": true, "yield": true, "await": true, "instanceof": true,
}

// regexAllowed reports whether "/" at pos starts a regex rather than a
// division: that is, where an expression is expected.
func (lx *lexer) regexAllowed() bool {
	if strings.HasPrefix(lx.src[lx.pos:], "/=") && len(lx.out) > 0 && lx.out[len(lx.out)-1].kind != tokPunct {
		return false
	}
	if len(lx.out) == 0 {
		return true
	}
	prev := lx.out[len(lx.out)-1]
	switch prev.kind {
	case tokIdent:
		return regexKeywords[prev.text]
	case tokPunct:
		return prev.text != ")" && prev.text != "]" && prev.text != "}"
	}
	return false
}

// regexLiteral reads /…/flags; without a closing "/" on the line, the "/"
// is an operator after all.
func (lx *lexer) regexLiteral() {
	i, inClass := lx.pos+1, false
	for ; i < len(lx.src) && lx.src[i] != '\n'; i++ {
		c := lx.src[i]
		switch {
		case c == '\\':
			i++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			j := i + 1
			for j < len(lx.src) && isIdentPart(lx.src[j]) {
				j++
			}
			lx.emit(tokRegex, lx.src[lx.pos:j], lx.line)
			lx.pos = j
			return
		}
	}
	lx.punct()
}

func (lx *lexer) ident() {
	i := lx.pos
	for i < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[i:])
		if !(r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
		i += size
	}
	lx.emit(tokIdent, lx.src[lx.pos:i], lx.line)
	lx.pos = i
}

func (lx *lexer) number() {
	i := lx.pos
	for i < len(lx.src) && (isIdentPart(lx.src[i]) || lx.src[i] == '.') {
		i++
	}
	lx.emit(tokNumber, lx.src[lx.pos:i], lx.line)
	lx.pos = i
}

func (lx *lexer) punct() {
	rest := lx.src[lx.pos:]
	for _, set := range [][]string{punct3, punct2} {
		for _, p := range set {
			if strings.HasPrefix(rest, p) {
				lx.emit(tokPunct, p, lx.line)
				lx.pos += len(p)
				return
			}
		}
	}
	_, size := utf8.DecodeRuneInString(rest)
	lx.emit(tokPunct, rest[:size], lx.line)
	lx.pos += size
}

// letterAt reports whether the (non-ASCII) rune at pos is a letter.
func (lx *lexer) letterAt() bool {
	r, _ := utf8.DecodeRuneInString(lx.src[lx.pos:])
	return unicode.IsLetter(r)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}
