// Package codegen turns a recorded Plaid API call (the operation, the JSON
// body as sent, the base URL in use) into code a developer can take away:
// curl, and Plaid's official libraries in Node (plaid-node), Python
// (plaid-python), Ruby (plaid-ruby), Java (plaid-java) and Go (plaid-go
// v20), each in the idiom of the library's current major version. It also
// writes the browser code of the Link step (Plaid.create with the
// INVALID_LINK_TOKEN recovery, and React's usePlaidLink).
//
// Names come from Plaid's API schema (the operationId gives each library's
// method, the schema's components its model classes) and from plaid-go's
// own types (property order, required fields, Go names), so any operation
// the schema has can be written, not only the ones the flows call.
//
// Secrets never appear: client_id and secret are read from PLAID_CLIENT_ID
// and PLAID_SECRET, and every token or masked value (access_token,
// public_token, ...) from an environment variable named after its field
// (ACCESS_TOKEN, PUBLIC_TOKEN). The package imports no UI: the terminal
// app, the CLI and the API console all call Generate.
package codegen

import (
	"fmt"
	"strings"
)

// Lang is a language (or tool) a snippet is written in.
type Lang string

// The languages, in the order they are offered.
const (
	Curl   Lang = "curl"
	Node   Lang = "node"
	Python Lang = "python"
	Ruby   Lang = "ruby"
	Java   Lang = "java"
	Go     Lang = "go"
)

// Langs lists the languages of API snippets, in the order they are offered.
var Langs = []Lang{Curl, Node, Python, Ruby, Java, Go}

// Title is the language's name with its library, for tabs and headings.
func (l Lang) Title() string {
	switch l {
	case Curl:
		return "curl"
	case Node:
		return "Node"
	case Python:
		return "Python"
	case Ruby:
		return "Ruby"
	case Java:
		return "Java"
	case Go:
		return "Go"
	case LinkJS:
		return "JavaScript"
	case LinkReact:
		return "React"
	}
	return string(l)
}

// Library is the package the snippet uses and how to install it.
func (l Lang) Library() string {
	switch l {
	case Curl:
		return "curl"
	case Node:
		return "plaid-node (npm install plaid)"
	case Python:
		return "plaid-python (pip install plaid-python)"
	case Ruby:
		return "plaid-ruby (gem install plaid)"
	case Java:
		return "plaid-java (com.plaid:plaid-java)"
	case Go:
		return "plaid-go v20 (go get github.com/plaid/plaid-go/v20)"
	case LinkJS:
		return "Link's script (https://cdn.plaid.com/link/v2/stable/link-initialize.js)"
	case LinkReact:
		return "react-plaid-link (npm install react-plaid-link)"
	}
	return ""
}

// ParseLang reads a language name as the CLI's --code takes it.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "curl", "sh", "shell":
		return Curl, nil
	case "node", "js", "javascript", "nodejs", "ts", "typescript":
		return Node, nil
	case "python", "py":
		return Python, nil
	case "ruby", "rb":
		return Ruby, nil
	case "java":
		return Java, nil
	case "go", "golang":
		return Go, nil
	}
	return "", fmt.Errorf("unknown language %q: use curl, node, python, ruby, java or go", s)
}

// SandboxURL is the base URL of Plaid's Sandbox.
const SandboxURL = "https://sandbox.plaid.com"

// Request is a recorded or prepared API call.
type Request struct {
	// Path is the operation, e.g. /link/token/create.
	Path string
	// Body is the JSON body as sent. It may be masked (the session log's
	// copy): secrets and masked values become environment variables.
	Body []byte
	// BaseURL is the API's base URL in use; "" is Plaid's Sandbox.
	BaseURL string
	// Emulated says BaseURL is linkexplorer's offline emulator.
	Emulated bool
}

// Snippet is one request as code.
type Snippet struct {
	Lang Lang
	// Code is the program or command, ready to paste.
	Code string
	// Env lists the environment variables the code reads, in order.
	Env []string
	// Notes say what to set or know before running it.
	Notes []string
}

// Generate writes req as code in lang.
func Generate(req Request, lang Lang) (Snippet, error) {
	path := "/" + strings.Trim(strings.TrimSpace(req.Path), "/")
	op, err := lookup(path)
	if err != nil {
		return Snippet{}, err
	}
	t, err := buildTree(op, req.Body)
	if err != nil {
		return Snippet{}, err
	}
	base := strings.TrimRight(req.BaseURL, "/")
	if base == "" {
		base = SandboxURL
	}
	g := &gen{op: op, tree: t, base: base, emulated: req.Emulated}
	var code string
	switch lang {
	case Curl:
		code = g.curl()
	case Node:
		code = g.node()
	case Python:
		code = g.python()
	case Ruby:
		code = g.ruby()
	case Java:
		code = g.java()
	case Go:
		code = g.golang()
	default:
		return Snippet{}, fmt.Errorf("no %s snippet for an API call: use curl, node, python, ruby, java or go", lang)
	}
	env := append([]string{"PLAID_CLIENT_ID", "PLAID_SECRET"}, t.env...)
	return Snippet{Lang: lang, Code: code, Env: env, Notes: g.notes()}, nil
}

// GenerateAll writes req in every language of Langs.
func GenerateAll(req Request) ([]Snippet, error) {
	out := make([]Snippet, 0, len(Langs))
	for _, l := range Langs {
		s, err := Generate(req, l)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// gen holds what every language's writer needs.
type gen struct {
	op       *operation
	tree     *tree
	base     string
	emulated bool
}

// fileName is where a snippet saves a file the API answers with.
func (g *gen) fileName() string {
	if strings.Contains(g.op.Path, "download") {
		return strings.ReplaceAll(strings.Trim(g.op.Path, "/"), "/", "_") + ".zip"
	}
	return strings.ReplaceAll(strings.Trim(g.op.Path, "/"), "/", "_") + ".pdf"
}

func (g *gen) sandbox() bool { return g.base == SandboxURL }

// notes explain the environment variables and the base URL.
func (g *gen) notes() []string {
	var n []string
	n = append(n, "Set PLAID_CLIENT_ID and PLAID_SECRET to your keys (https://dashboard.plaid.com/developers/keys).")
	for _, e := range g.tree.env {
		n = append(n, fmt.Sprintf("Set %s: linkexplorer never shows it in full (the session log keeps it masked).", e))
	}
	switch {
	case g.emulated:
		n = append(n, fmt.Sprintf("The base URL %s is linkexplorer's offline emulator of Plaid's Sandbox (served while linkexplorer runs, or by `linkexplorer emulator`); for the real Sandbox use %s.", g.base, SandboxURL))
	case !g.sandbox():
		n = append(n, fmt.Sprintf("The base URL %s is the one in use (PLAID_API_URL); Plaid's Sandbox is %s.", g.base, SandboxURL))
	}
	return n
}

// header is the comment line every snippet starts with.
func (g *gen) header(comment string, l Lang) string {
	h := fmt.Sprintf("%s POST %s with %s", comment, g.op.Path, l.Library())
	if g.op.Summary != "" {
		h += "\n" + comment + " " + g.op.Summary
	}
	return h + "\n"
}

// baseComment is the note on a base URL that is not Plaid's Sandbox.
func (g *gen) baseComment() string {
	if g.emulated {
		return "linkexplorer's offline emulator of the Sandbox; the real one is " + SandboxURL
	}
	return "the API in use; Plaid's Sandbox is " + SandboxURL
}

// w is an indenting line writer.
type w struct {
	b      strings.Builder
	indent string
	unit   string
}

func (x *w) line(format string, args ...any) {
	s := format
	if len(args) > 0 {
		s = fmt.Sprintf(format, args...)
	}
	if s == "" {
		x.b.WriteString("\n")
		return
	}
	x.b.WriteString(x.indent + s + "\n")
}

func (x *w) in()  { x.indent += x.unit }
func (x *w) out() { x.indent = strings.TrimSuffix(x.indent, x.unit) }
