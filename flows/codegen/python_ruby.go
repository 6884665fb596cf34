package codegen

import (
	"fmt"
	"sort"
	"strings"
)

// pyKeywords are the words plaid-python prefixes with _ as argument names.
var pyKeywords = map[string]bool{
	"and": true, "as": true, "assert": true, "async": true, "await": true, "break": true, "class": true,
	"continue": true, "def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true, "return": true,
	"try": true, "while": true, "with": true, "yield": true, "none": true, "true": true, "false": true,
}

// pyString is s as a single-quoted Python string.
func pyString(s string) string { return jsString(s) }

// python writes the call with plaid-python: plaid.Configuration with the
// keys, plaid_api.PlaidApi, and the request built from the library's model
// classes (enums too: Products('auth'), CountryCode('US')).
func (g *gen) python() string {
	imports := map[string]bool{}
	var dates []string
	body := g.pyValue(g.tree.root, "", imports, &dates)
	x := &w{unit: "    "}
	x.b.WriteString(g.header("#", Python))
	x.line("import os")
	if len(dates) > 0 {
		sort.Strings(dates)
		x.line("from datetime import %s", strings.Join(dedupe(dates), ", "))
	}
	x.line("")
	x.line("import plaid")
	x.line("from plaid.api import plaid_api")
	models := make([]string, 0, len(imports))
	for m := range imports {
		models = append(models, m)
	}
	sort.Slice(models, func(i, j int) bool { return snake(models[i]) < snake(models[j]) })
	for _, m := range models {
		x.line("from %s import %s", PythonModule(m), m)
	}
	x.line("")
	x.line("configuration = plaid.Configuration(")
	x.in()
	if g.sandbox() {
		x.line("host=plaid.Environment.Sandbox,")
	} else {
		x.line("# %s", g.baseComment())
		x.line("host=%s,", pyString(g.base))
	}
	x.line("api_key={")
	x.in()
	x.line("'clientId': os.environ['PLAID_CLIENT_ID'],")
	x.line("'secret': os.environ['PLAID_SECRET'],")
	x.out()
	x.line("},")
	x.out()
	x.line(")")
	x.line("api_client = plaid.ApiClient(configuration)")
	x.line("client = plaid_api.PlaidApi(api_client)")
	x.line("")
	x.line("request = %s", body)
	x.line("try:")
	x.in()
	x.line("response = client.%s(request)", g.op.Methods.Python)
	switch {
	case g.op.File:
		x.line("# The answer is a file (a PDF or a ZIP), not JSON.")
		x.line("with open(%s, 'wb') as f:", pyString(g.fileName()))
		x.line("    f.write(response.read())")
	case g.op.Response == "":
		x.line("print(response)")
	default:
		x.line("print(response.to_dict())")
	}
	x.out()
	x.line("except plaid.ApiException as e:")
	x.in()
	x.line("# Plaid's error (error_type, error_code, error_message, request_id)")
	x.line("print(e.body)")
	x.out()
	return x.b.String()
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func pyArg(key string) string {
	if pyKeywords[strings.ToLower(key)] {
		return "_" + key
	}
	return key
}

func (g *gen) pyValue(n *node, indent string, imports map[string]bool, dates *[]string) string {
	switch n.kind {
	case kNull:
		return "None"
	case kBool:
		if n.b {
			return "True"
		}
		return "False"
	case kNumber:
		return n.str
	case kEnv:
		v := fmt.Sprintf("os.environ['%s']", n.str)
		if n.isEnum() {
			imports[n.model] = true
			return n.model + "(" + v + ")"
		}
		return v
	case kString:
		switch {
		case n.isEnum():
			imports[n.model] = true
			return n.model + "(" + pyString(n.str) + ")"
		case n.format == "date":
			*dates = append(*dates, "date")
			return "date.fromisoformat(" + pyString(n.str) + ")"
		case n.format == "date-time":
			*dates = append(*dates, "datetime")
			return "datetime.fromisoformat(" + pyString(strings.Replace(n.str, "Z", "+00:00", 1)) + ")"
		}
		return pyString(n.str)
	case kArray:
		if len(n.items) == 0 {
			return "[]"
		}
		var parts []string
		flat := true
		for _, it := range n.items {
			if it.kind == kObject || it.kind == kMap || it.kind == kArray {
				flat = false
			}
			parts = append(parts, g.pyValue(it, indent+"    ", imports, dates))
		}
		if flat {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		return "[\n" + indent + "    " + strings.Join(parts, ",\n"+indent+"    ") + ",\n" + indent + "]"
	case kObject:
		imports[n.model] = true
		if len(n.fields) == 0 {
			return n.model + "()"
		}
		var b strings.Builder
		b.WriteString(n.model + "(\n")
		for _, f := range n.fields {
			b.WriteString(indent + "    " + pyArg(f.key) + "=" + g.pyValue(f.n, indent+"    ", imports, dates) + ",\n")
		}
		b.WriteString(indent + ")")
		return b.String()
	case kMap:
		if len(n.fields) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{\n")
		for _, f := range n.fields {
			b.WriteString(indent + "    " + pyString(f.key) + ": " + g.pyValue(f.n, indent+"    ", imports, dates) + ",\n")
		}
		b.WriteString(indent + "}")
		return b.String()
	}
	return "None"
}

// ruby writes the call with plaid-ruby: Plaid::Configuration with the
// keys, Plaid::PlaidApi, and the request built from Plaid:: model classes.
func (g *gen) ruby() string {
	x := &w{unit: "  "}
	x.b.WriteString(g.header("#", Ruby))
	x.line("require 'plaid'")
	x.line("")
	x.line("configuration = Plaid::Configuration.new")
	if g.sandbox() {
		x.line("configuration.server_index = Plaid::Configuration::Environment['sandbox']")
	} else {
		scheme, host, _ := strings.Cut(g.base, "://")
		x.line("# %s", g.baseComment())
		x.line("configuration.server_index = nil")
		x.line("configuration.scheme = %s", pyString(scheme))
		x.line("configuration.host = %s", pyString(host))
	}
	x.line("configuration.api_key['PLAID-CLIENT-ID'] = ENV.fetch('PLAID_CLIENT_ID')")
	x.line("configuration.api_key['PLAID-SECRET'] = ENV.fetch('PLAID_SECRET')")
	x.line("api_client = Plaid::ApiClient.new(configuration)")
	x.line("client = Plaid::PlaidApi.new(api_client)")
	x.line("")
	x.line("request = %s", g.rbValue(g.tree.root, ""))
	x.line("begin")
	x.in()
	x.line("response = client.%s(request)", g.op.Methods.Ruby)
	switch {
	case g.op.File:
		x.line("# The answer is a file (a PDF or a ZIP), not JSON.")
		x.line("File.binwrite(%s, response.read)", pyString(g.fileName()))
	case g.op.Response == "":
		x.line("puts response")
	default:
		x.line("puts response.to_hash")
	}
	x.out()
	x.line("rescue Plaid::ApiError => e")
	x.in()
	x.line("# Plaid's error (error_type, error_code, error_message, request_id)")
	x.line("puts e.response_body")
	x.out()
	x.line("end")
	return x.b.String()
}

func (g *gen) rbValue(n *node, indent string) string {
	switch n.kind {
	case kNull:
		return "nil"
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return n.str
	case kEnv:
		return fmt.Sprintf("ENV.fetch('%s')", n.str)
	case kString:
		return pyString(n.str)
	case kArray:
		if len(n.items) == 0 {
			return "[]"
		}
		var parts []string
		flat := true
		for _, it := range n.items {
			if it.kind == kObject || it.kind == kMap || it.kind == kArray {
				flat = false
			}
			parts = append(parts, g.rbValue(it, indent+"  "))
		}
		if flat {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		return "[\n" + indent + "  " + strings.Join(parts, ",\n"+indent+"  ") + "\n" + indent + "]"
	case kObject:
		if len(n.fields) == 0 {
			return "Plaid::" + n.model + ".new"
		}
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, indent+"  "+f.key+": "+g.rbValue(f.n, indent+"  "))
		}
		return "Plaid::" + n.model + ".new(\n" + strings.Join(parts, ",\n") + "\n" + indent + ")"
	case kMap:
		if len(n.fields) == 0 {
			return "{}"
		}
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, indent+"  "+pyString(f.key)+" => "+g.rbValue(f.n, indent+"  "))
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + indent + "}"
	}
	return "nil"
}
