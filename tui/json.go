package tui

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
)

// clean makes text from the network safe to print: control characters
// (escape sequences included) become spaces, except newlines and tabs, and
// invalid UTF-8 becomes U+FFFD.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == unicode.ReplacementChar || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// oneLine is clean text on one line, for table cells.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// prettyJSON indents a JSON body and colours it. A body that is not JSON
// is shown as it is, cleaned.
func prettyJSON(st styles, body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return st.Muted.Render("(empty)")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		return clean(string(body))
	}
	lines := strings.Split(clean(buf.String()), "\n")
	for i, l := range lines {
		lines[i] = colourJSONLine(st, l)
	}
	return strings.Join(lines, "\n")
}

// colourJSONLine colours one line of indented JSON: keys, strings, numbers,
// literals and punctuation each in their own style.
func colourJSONLine(st styles, line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '"':
			end := stringEnd(line, i)
			tok := line[i:end]
			if strings.HasPrefix(strings.TrimLeft(line[end:], " "), ":") {
				b.WriteString(st.JSONKey.Render(tok))
			} else {
				b.WriteString(st.JSONString.Render(tok))
			}
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			end := tokenEnd(line, i)
			b.WriteString(st.JSONNumber.Render(line[i:end]))
			i = end
		case c >= 'a' && c <= 'z':
			end := tokenEnd(line, i)
			b.WriteString(st.JSONLiteral.Render(line[i:end]))
			i = end
		case c == ' ':
			b.WriteByte(c)
			i++
		default:
			b.WriteString(st.JSONPunct.Render(line[i : i+1]))
			i++
		}
	}
	return b.String()
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// tokenEnd returns the index just past a number or literal starting at i.
func tokenEnd(s string, i int) int {
	j := i
	for j < len(s) && !strings.ContainsRune(" ,]}:", rune(s[j])) {
		j++
	}
	return max(j, i+1)
}
