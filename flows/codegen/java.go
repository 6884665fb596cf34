package codegen

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// javaGen collects a Java snippet's declarations and imports.
type javaGen struct {
	decls   []string
	imports map[string]bool
	names   map[string]int
}

// java writes the call with plaid-java: ApiClient with the keys,
// PlaidApi from createService, each model built with its fluent setters,
// and the Retrofit call executed.
func (g *gen) java() string {
	j := &javaGen{imports: map[string]bool{}, names: map[string]int{}}
	j.names["request"] = 1
	req := j.value(g.tree.root, "", "    ")
	resp := g.op.Response
	switch {
	case g.op.File:
		resp = "ResponseBody"
		j.imports["okhttp3.ResponseBody"] = true
		j.imports["java.nio.file.Files"] = true
		j.imports["java.nio.file.Paths"] = true
	case g.op.NoBody:
		resp = "Void"
	case resp == "":
		resp = "Map<String, Object>"
		j.imports["java.util.Map"] = true
	default:
		j.imports["com.plaid.client.model."+resp] = true
	}
	x := &w{unit: "  "}
	x.b.WriteString(g.header("//", Java))
	imports := []string{"com.plaid.client.ApiClient", "com.plaid.client.request.PlaidApi", "java.util.HashMap", "retrofit2.Response"}
	for i := range j.imports {
		imports = append(imports, i)
	}
	sort.Strings(imports)
	for _, i := range dedupe(imports) {
		x.line("import %s;", i)
	}
	x.line("")
	x.line("public class %sExample {", upperFirst(g.op.Methods.Java))
	x.in()
	x.line("public static void main(String[] args) throws Exception {")
	x.in()
	x.line("HashMap<String, String> apiKeys = new HashMap<>();")
	x.line(`apiKeys.put("clientId", System.getenv("PLAID_CLIENT_ID"));`)
	x.line(`apiKeys.put("secret", System.getenv("PLAID_SECRET"));`)
	x.line("ApiClient apiClient = new ApiClient(apiKeys);")
	if g.sandbox() {
		x.line("apiClient.setPlaidAdapter(ApiClient.Sandbox);")
	} else {
		x.line("// %s", g.baseComment())
		x.line("apiClient.setPlaidAdapter(%s);", jsonQuote(g.base+"/"))
	}
	x.line("PlaidApi plaidClient = apiClient.createService(PlaidApi.class);")
	x.line("")
	for _, d := range j.decls {
		x.b.WriteString(d)
	}
	if req != "request" { // a free-form body: no declaration was made
		x.line("Map<String, Object> request = %s;", req)
	}
	x.line("")
	x.line("Response<%s> response = plaidClient.%s(request).execute();", resp, g.op.Methods.Java)
	x.line("if (response.isSuccessful()) {")
	if g.op.File {
		x.line("  // The answer is a file (a PDF or a ZIP), not JSON.")
		x.line("  Files.write(Paths.get(%s), response.body().bytes());", jsonQuote(g.fileName()))
	} else {
		x.line("  System.out.println(response.body());")
	}
	x.line("} else {")
	x.line("  // Plaid's error (error_type, error_code, error_message, request_id)")
	x.line("  System.out.println(response.errorBody().string());")
	x.line("}")
	x.out()
	x.line("}")
	x.out()
	x.line("}")
	return x.b.String()
}

// varName is a fresh local variable named after a field.
func (j *javaGen) varName(key string) string {
	n := lowerFirst(camel(key))
	if n == "" || javaReserved[n] {
		n += "Value"
	}
	j.names[n]++
	if c := j.names[n]; c > 1 {
		n = fmt.Sprintf("%s%d", n, c)
	}
	return n
}

var javaReserved = map[string]bool{"default": true, "class": true, "new": true, "public": true, "private": true, "static": true,
	"int": true, "long": true, "double": true, "float": true, "boolean": true, "char": true, "final": true, "package": true, "import": true,
	"return": true, "switch": true, "case": true, "this": true, "super": true, "interface": true, "enum": true, "for": true, "while": true,
	"do": true, "if": true, "else": true, "try": true, "catch": true, "throw": true, "throws": true, "void": true, "null": true,
	"true": true, "false": true, "apiKeys": true, "apiClient": true, "plaidClient": true, "response": true, "args": true}

// value is n as a Java expression; objects are declared first (in decls)
// and referred to by name.
func (j *javaGen) value(n *node, key, indent string) string {
	switch n.kind {
	case kNull:
		return "null"
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return javaNumber(n)
	case kEnv:
		v := fmt.Sprintf("System.getenv(%s)", jsonQuote(n.str))
		if n.isEnum() {
			j.imports["com.plaid.client.model."+n.model] = true
			return n.model + ".fromValue(" + v + ")"
		}
		return v
	case kString:
		switch {
		case n.isEnum():
			j.imports["com.plaid.client.model."+n.model] = true
			if c, ok := javaEnumConst(n.str); ok {
				return n.model + "." + c
			}
			return n.model + ".fromValue(" + jsonQuote(n.str) + ")"
		case n.format == "date":
			j.imports["java.time.LocalDate"] = true
			return "LocalDate.parse(" + jsonQuote(n.str) + ")"
		case n.format == "date-time":
			j.imports["java.time.OffsetDateTime"] = true
			return "OffsetDateTime.parse(" + jsonQuote(n.str) + ")"
		}
		return jsonQuote(n.str)
	case kArray:
		j.imports["java.util.Arrays"] = true
		var parts []string
		for _, it := range n.items {
			parts = append(parts, j.value(it, key, indent))
		}
		return "Arrays.asList(" + strings.Join(parts, ", ") + ")"
	case kMap:
		j.imports["java.util.Map"] = true
		if len(n.fields) == 0 {
			return "Map.of()"
		}
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, "Map.entry("+jsonQuote(f.key)+", "+j.value(f.n, f.key, indent)+")")
		}
		return "Map.ofEntries(" + strings.Join(parts, ", ") + ")"
	case kObject:
		j.imports["com.plaid.client.model."+n.model] = true
		var setters []string
		for _, f := range n.fields {
			setters = append(setters, "."+lowerFirst(camel(f.key))+"("+j.value(f.n, f.key, indent)+")")
		}
		name := "request"
		if key != "" {
			name = j.varName(key)
		}
		d := indent + n.model + " " + name + " = new " + n.model + "()"
		for _, s := range setters {
			d += "\n" + indent + "  " + s
		}
		j.decls = append(j.decls, d+";\n")
		return name
	}
	return "null"
}

// javaNumber writes a number for the Java type plaid-go's type stands for:
// Double and Float need a decimal point, Long an L.
func javaNumber(n *node) string {
	s := n.str
	if n.gotype == nil {
		return s
	}
	switch n.gotype.Kind() {
	case reflect.Float64:
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
	case reflect.Float32:
		s += "f"
	case reflect.Int64:
		s += "L"
	}
	return s
}

// javaEnumConst is plaid-java's constant for an enum value when the rule
// is certain: a value in one case, of letters, digits and underscores
// (auth is AUTH, US is US, identity_match is IDENTITY_MATCH). Other values
// go through the enum's fromValue.
func javaEnumConst(v string) (string, bool) {
	c, ok := enumConst(v)
	if !ok || (v != strings.ToLower(v) && v != strings.ToUpper(v)) {
		return "", false
	}
	return c, true
}
