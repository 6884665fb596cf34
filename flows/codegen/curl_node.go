package codegen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// curl writes the call as a curl command: the keys in headers from the
// environment, the body in single quotes with secrets spliced in from
// the environment.
func (g *gen) curl() string {
	x := &w{unit: "  "}
	x.b.WriteString(g.header("#", Curl))
	if g.emulated || !g.sandbox() {
		x.line("# %s", g.baseComment())
	}
	x.line("curl -sS -X POST %s \\", shellQuote(g.base+g.op.Path))
	x.line("  -H 'Content-Type: application/json' \\")
	x.line(`  -H "PLAID-CLIENT-ID: $PLAID_CLIENT_ID" \`)
	x.line(`  -H "PLAID-SECRET: $PLAID_SECRET" \`)
	body := g.jsonText(g.tree.root, "")
	x.b.WriteString("  -d '" + body + "'\n")
	return x.b.String()
}

// jsonText writes n as indented JSON for a single-quoted shell word:
// single quotes are escaped, secrets read "$VAR" from the environment.
func (g *gen) jsonText(n *node, indent string) string {
	switch n.kind {
	case kNull:
		return "null"
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return n.str
	case kString:
		return strings.ReplaceAll(jsonQuote(n.str), "'", `'\''`)
	case kEnv:
		return `"'"$` + n.str + `"'"`
	case kArray:
		if len(n.items) == 0 {
			return "[]"
		}
		var parts []string
		for _, it := range n.items {
			parts = append(parts, indent+"  "+g.jsonText(it, indent+"  "))
		}
		return "[\n" + strings.Join(parts, ",\n") + "\n" + indent + "]"
	case kObject, kMap:
		if len(n.fields) == 0 {
			return "{}"
		}
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, indent+"  "+strings.ReplaceAll(jsonQuote(f.key), "'", `'\''`)+": "+g.jsonText(f.n, indent+"  "))
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + indent + "}"
	}
	return "null"
}

// shellQuote quotes a word for sh when it needs it.
func shellQuote(s string) string {
	if regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// node writes the call with plaid-node: a Configuration with the keys
// in headers, PlaidApi, and the request as a plain object typed by the
// library's model.
func (g *gen) node() string {
	x := &w{unit: "  "}
	x.b.WriteString(g.header("//", Node))
	x.line("const { Configuration, PlaidApi, PlaidEnvironments } = require('plaid');")
	x.line("")
	x.line("const configuration = new Configuration({")
	x.in()
	if g.sandbox() {
		x.line("basePath: PlaidEnvironments.sandbox,")
	} else {
		x.line("// %s", g.baseComment())
		x.line("basePath: %s,", jsString(g.base))
	}
	x.line("baseOptions: {")
	x.in()
	x.line("headers: {")
	x.in()
	x.line("'PLAID-CLIENT-ID': process.env.PLAID_CLIENT_ID,")
	x.line("'PLAID-SECRET': process.env.PLAID_SECRET,")
	x.out()
	x.line("},")
	x.out()
	x.line("},")
	x.out()
	x.line("});")
	x.line("const client = new PlaidApi(configuration);")
	x.line("")
	x.line("async function main() {")
	x.in()
	if m := g.op.model(); m != "" {
		x.line("/** @type {import('plaid').%s} */", m)
	}
	x.line("const request = %s;", g.jsValue(g.tree.root, x.indent))
	x.line("try {")
	x.in()
	if g.op.File {
		x.line("// The answer is a file (a PDF or a ZIP), not JSON.")
		x.line("const response = await client.%s(request, { responseType: 'arraybuffer' });", g.op.Methods.Node)
		x.line("require('fs').writeFileSync(%s, response.data);", jsString(g.fileName()))
	} else {
		x.line("const response = await client.%s(request);", g.op.Methods.Node)
		x.line("console.log(response.data);")
	}
	x.out()
	x.line("} catch (error) {")
	x.in()
	x.line("// Plaid's error (error_type, error_code, error_message, request_id)")
	x.line("console.error(error.response ? error.response.data : error);")
	x.line("process.exitCode = 1;")
	x.out()
	x.line("}")
	x.out()
	x.line("}")
	x.line("")
	x.line("main();")
	return x.b.String()
}

// jsString is s as a single-quoted JavaScript string.
func jsString(s string) string {
	q := jsonQuote(s)
	inner := q[1 : len(q)-1]
	inner = strings.ReplaceAll(inner, `\"`, `"`)
	inner = strings.ReplaceAll(inner, `'`, `\'`)
	return "'" + inner + "'"
}

func (g *gen) jsValue(n *node, indent string) string {
	switch n.kind {
	case kNull:
		return "null"
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return n.str
	case kString:
		return jsString(n.str)
	case kEnv:
		return "process.env." + n.str
	case kArray:
		if len(n.items) == 0 {
			return "[]"
		}
		flat := true
		var parts []string
		for _, it := range n.items {
			if it.kind == kObject || it.kind == kMap || it.kind == kArray {
				flat = false
			}
			parts = append(parts, g.jsValue(it, indent+"  "))
		}
		if flat {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		return "[\n" + indent + "  " + strings.Join(parts, ",\n"+indent+"  ") + ",\n" + indent + "]"
	case kObject, kMap:
		if len(n.fields) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{\n")
		for _, f := range n.fields {
			k := f.key
			if !jsIdent.MatchString(k) {
				k = jsString(k)
			}
			b.WriteString(indent + "  " + k + ": " + g.jsValue(f.n, indent+"  ") + ",\n")
		}
		b.WriteString(indent + "}")
		return b.String()
	}
	return "null"
}
