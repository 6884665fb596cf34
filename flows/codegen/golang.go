package codegen

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// goGen collects a Go snippet's declarations and imports.
type goGen struct {
	decls   []string
	imports map[string]bool
	names   map[string]int
}

// golang writes the call with plaid-go v20: a Configuration with the keys
// as default headers, the request from its New constructor (the required
// fields, in plaid-go's order) and setters, and the builder's Execute.
func (g *gen) golang() string {
	gg := &goGen{imports: map[string]bool{}, names: map[string]int{"request": 1, "client": 1, "cfg": 1, "ctx": 1, "resp": 1, "err": 1}}
	deref := "*"
	if g.op.Request.Kind() == reflect.Struct {
		gg.object(g.tree.root, g.op.Request, "")
	} else {
		deref = ""
		gg.decls = append(gg.decls, "request := "+gg.value(g.tree.root, g.op.Request, "")+"\n")
	}
	x := &w{unit: "\t"}
	x.b.WriteString(g.header("//", Go))
	x.line("package main")
	x.line("")
	x.line("import (")
	x.in()
	std := []string{"context", "encoding/json", "fmt", "log", "os"}
	if g.op.File || g.op.NoBody {
		std = []string{"context", "fmt", "log", "os"}
	}
	if gg.imports["time"] {
		std = append(std, "time")
	}
	for _, s := range std {
		x.line("%q", s)
	}
	x.line("")
	x.line(`plaid "github.com/plaid/plaid-go/v20/plaid"`)
	x.out()
	x.line(")")
	x.line("")
	x.line("func main() {")
	x.in()
	x.line("cfg := plaid.NewConfiguration()")
	x.line(`cfg.AddDefaultHeader("PLAID-CLIENT-ID", os.Getenv("PLAID_CLIENT_ID"))`)
	x.line(`cfg.AddDefaultHeader("PLAID-SECRET", os.Getenv("PLAID_SECRET"))`)
	if g.sandbox() {
		x.line("cfg.UseEnvironment(plaid.Sandbox)")
	} else {
		x.line("// %s", g.baseComment())
		x.line("cfg.UseEnvironment(plaid.Environment(%q))", g.base)
	}
	x.line("client := plaid.NewAPIClient(cfg)")
	x.line("ctx := context.Background()")
	x.line("")
	for _, d := range gg.decls {
		for _, l := range strings.Split(strings.TrimRight(d, "\n"), "\n") {
			x.line("%s", l)
		}
	}
	x.line("")
	if g.op.NoBody {
		x.line("_, err := client.PlaidApi.%s(ctx).%s(%srequest).Execute()", g.op.Methods.Go, g.op.Builder, deref)
	} else {
		x.line("resp, _, err := client.PlaidApi.%s(ctx).%s(%srequest).Execute()", g.op.Methods.Go, g.op.Builder, deref)
	}
	x.line("if err != nil {")
	x.in()
	x.line("// Plaid's error (error_type, error_code, error_message, request_id)")
	x.line("if plaidErr, convErr := plaid.ToPlaidError(err); convErr == nil {")
	x.line("%s", "\tlog.Fatalf(\"%s %s: %s (request_id %s)\", plaidErr.GetErrorType(), plaidErr.GetErrorCode(), plaidErr.GetErrorMessage(), plaidErr.GetRequestId())")
	x.line("}")
	x.line("log.Fatal(err)")
	x.out()
	x.line("}")
	switch {
	case g.op.NoBody:
		x.line(`fmt.Println("done: the answer has no body")`)
	case g.op.File:
		x.line("// The answer is a file (a PDF or a ZIP), not JSON: plaid-go saved it here.")
		x.line(`fmt.Println("saved to", resp.Name())`)
	default:
		x.line(`out, _ := json.MarshalIndent(resp, "", "  ")`)
		x.line("fmt.Println(string(out))")
	}
	x.out()
	x.line("}")
	return x.b.String()
}

func (gg *goGen) varName(key string) string {
	n := lowerFirst(camel(key))
	if n == "" || goReserved[n] {
		n += "Value"
	}
	gg.names[n]++
	if c := gg.names[n]; c > 1 {
		n = fmt.Sprintf("%s%d", n, c)
	}
	return n
}

var goReserved = map[string]bool{"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true, "if": true,
	"import": true, "interface": true, "map": true, "package": true, "range": true, "return": true, "select": true,
	"struct": true, "switch": true, "type": true, "var": true, "plaid": true, "json": true, "fmt": true, "log": true,
	"os": true, "time": true, "context": true, "out": true, "request": true, "client": true, "cfg": true, "ctx": true, "resp": true, "err": true}

// object declares a model (key "" is the request) and returns its
// variable, a pointer.
func (gg *goGen) object(n *node, rt reflect.Type, key string) string {
	name := "request"
	if key != "" {
		name = gg.varName(key)
	}
	byKey := map[string]*field{}
	for _, f := range n.fields {
		byKey[f.key] = f
	}
	// The constructor takes the required fields, in the model's order.
	var args []string
	for i := 0; i < rt.NumField(); i++ {
		sf := rt.Field(i)
		jname, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if jname == "" || jname == "-" {
			continue
		}
		if strings.Contains(opts, "omitempty") {
			continue
		}
		inner, nullable := unwrap(sf.Type)
		f, ok := byKey[jname]
		switch {
		case !ok || (nullable && f.n.kind == kNull):
			args = append(args, goZero(sf.Type))
		case nullable:
			args = append(args, "*plaid.New"+sf.Type.Name()+"("+gg.pointer(f.n, inner, jname)+")")
		default:
			args = append(args, gg.value(f.n, sf.Type, jname))
		}
	}
	var lines []string
	call := "plaid.New" + rt.Name() + "(" + strings.Join(args, ", ") + ")"
	if len(args) > 2 {
		call = "plaid.New" + rt.Name() + "(\n\t" + strings.Join(args, ",\n\t") + ",\n)"
	}
	lines = append(lines, name+" := "+call)
	pt := reflect.PointerTo(rt)
	for _, f := range n.fields {
		if f.required {
			continue
		}
		if f.goName == "" {
			lines = append(lines, fmt.Sprintf("// %q is not a field of plaid-go's %s: it cannot be sent with plaid-go", f.key, rt.Name()))
			continue
		}
		if f.n.kind == kNull {
			if _, ok := pt.MethodByName("Set" + f.goName + "Nil"); ok {
				lines = append(lines, fmt.Sprintf("%s.Set%sNil()", name, f.goName))
			}
			continue
		}
		set, ok := pt.MethodByName("Set" + f.goName)
		if !ok || set.Type.NumIn() != 2 {
			lines = append(lines, fmt.Sprintf("// plaid-go's %s has no setter for %q", rt.Name(), f.key))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s.Set%s(%s)", name, f.goName, gg.value(f.n, set.Type.In(1), f.key)))
	}
	gg.decls = append(gg.decls, strings.Join(lines, "\n")+"\n")
	return name
}

var osFile = reflect.TypeOf(os.File{})

// pointer is n as a pointer to rt: a model's variable, plaid-go's Ptr
// helpers, or os.Open for a file to upload.
func (gg *goGen) pointer(n *node, rt reflect.Type, key string) string {
	switch {
	case rt == osFile:
		name := gg.varName(key)
		gg.decls = append(gg.decls, fmt.Sprintf("%s, err := os.Open(%s)\nif err != nil {\n\tlog.Fatal(err)\n}\ndefer %s.Close()\n", name, strconv.Quote(n.str), name))
		return name
	case n.kind == kObject && rt.Kind() == reflect.Struct:
		return gg.object(n, rt, key)
	}
	v := gg.value(n, rt, key)
	switch rt.Kind() {
	case reflect.String:
		if rt.PkgPath() == plaidPkg {
			return "plaid." + rt.Name() + "(" + v + ").Ptr()"
		}
		return "plaid.PtrString(" + v + ")"
	case reflect.Bool:
		return "plaid.PtrBool(" + v + ")"
	case reflect.Int32:
		return "plaid.PtrInt32(" + v + ")"
	case reflect.Int64:
		return "plaid.PtrInt64(" + v + ")"
	case reflect.Int:
		return "plaid.PtrInt(" + v + ")"
	case reflect.Float32:
		return "plaid.PtrFloat32(" + v + ")"
	case reflect.Float64:
		return "plaid.PtrFloat64(" + v + ")"
	}
	if rt == timeType {
		return "plaid.PtrTime(" + v + ")"
	}
	name := gg.varName(key)
	gg.decls = append(gg.decls, name+" := "+v+"\n")
	return "&" + name
}

// fits reports whether a JSON value can be held by rt.
func fits(n *node, rt reflect.Type) bool {
	if n.kind == kNull {
		return true
	}
	switch rt.Kind() {
	case reflect.String:
		return n.kind == kString || n.kind == kEnv
	case reflect.Bool:
		return n.kind == kBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return n.kind == kNumber && !strings.ContainsAny(n.str, ".eE")
	case reflect.Float32, reflect.Float64:
		return n.kind == kNumber
	case reflect.Slice:
		return n.kind == kArray
	case reflect.Map:
		return n.kind == kMap || n.kind == kObject
	case reflect.Struct:
		if rt == timeType {
			return n.kind == kString
		}
		return n.kind == kObject
	}
	return true
}

// goZero is the zero value of a type, as an argument.
func goZero(rt reflect.Type) string {
	switch rt.Kind() {
	case reflect.String:
		if rt.PkgPath() == plaidPkg {
			return "plaid." + rt.Name() + `("")`
		}
		return `""`
	case reflect.Bool:
		return "false"
	case reflect.Slice, reflect.Map, reflect.Interface, reflect.Pointer:
		return "nil"
	case reflect.Struct:
		return goType(rt) + "{}"
	}
	return "0"
}

// goType is a type as written in the snippet.
func goType(rt reflect.Type) string {
	switch {
	case rt == timeType:
		return "time.Time"
	case rt.Kind() == reflect.Slice:
		return "[]" + goType(rt.Elem())
	case rt.Kind() == reflect.Map:
		return "map[" + goType(rt.Key()) + "]" + goType(rt.Elem())
	case rt.Kind() == reflect.Pointer:
		return "*" + goType(rt.Elem())
	case rt.Kind() == reflect.Interface:
		return "interface{}"
	case rt.PkgPath() == plaidPkg:
		return "plaid." + rt.Name()
	}
	return rt.String()
}

// value is n as a Go expression of type rt.
func (gg *goGen) value(n *node, rt reflect.Type, key string) string {
	if rt == nil || rt.Kind() == reflect.Interface {
		return gg.anyValue(n)
	}
	if rt.Kind() == reflect.Pointer {
		return gg.pointer(n, rt.Elem(), key)
	}
	if !fits(n, rt) {
		return goZero(rt) + fmt.Sprintf(" /* plaid-go v20 types %s as %s: the value in the body cannot be sent with it */", key, goType(rt))
	}
	switch n.kind {
	case kNull:
		return goZero(rt)
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return n.str
	case kEnv:
		v := fmt.Sprintf("os.Getenv(%q)", n.str)
		if rt.Kind() == reflect.String && rt.PkgPath() == plaidPkg {
			return "plaid." + rt.Name() + "(" + v + ")"
		}
		return v
	case kString:
		if rt == timeType {
			gg.imports["time"] = true
			return goTime(n.str)
		}
		if rt.Kind() == reflect.String && rt.PkgPath() == plaidPkg {
			if c, ok := goEnumConsts[rt.Name()+"/"+n.str]; ok {
				return "plaid." + c
			}
			return "plaid." + rt.Name() + "(" + strconv.Quote(n.str) + ")"
		}
		return strconv.Quote(n.str)
	case kArray:
		if rt.Kind() != reflect.Slice {
			return gg.anyValue(n)
		}
		var parts []string
		for _, it := range n.items {
			parts = append(parts, gg.value(it, rt.Elem(), key))
		}
		return goType(rt) + "{" + strings.Join(parts, ", ") + "}"
	case kMap:
		if rt.Kind() != reflect.Map {
			return gg.anyValue(n)
		}
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, strconv.Quote(f.key)+": "+gg.value(f.n, rt.Elem(), f.key))
		}
		return goType(rt) + "{" + strings.Join(parts, ", ") + "}"
	case kObject:
		if rt.Kind() != reflect.Struct {
			return gg.anyValue(n)
		}
		return "*" + gg.object(n, rt, key)
	}
	return goZero(rt)
}

// anyValue is n as an untyped Go value (for interface{} and maps of it).
func (gg *goGen) anyValue(n *node) string {
	switch n.kind {
	case kNull:
		return "nil"
	case kBool:
		return fmt.Sprint(n.b)
	case kNumber:
		return n.str
	case kEnv:
		return fmt.Sprintf("os.Getenv(%q)", n.str)
	case kString:
		return strconv.Quote(n.str)
	case kArray:
		var parts []string
		for _, it := range n.items {
			parts = append(parts, gg.anyValue(it))
		}
		return "[]interface{}{" + strings.Join(parts, ", ") + "}"
	case kObject, kMap:
		var parts []string
		for _, f := range n.fields {
			parts = append(parts, strconv.Quote(f.key)+": "+gg.anyValue(f.n))
		}
		return "map[string]interface{}{" + strings.Join(parts, ", ") + "}"
	}
	return "nil"
}

// goTime writes an RFC 3339 time as a time.Date call.
func goTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Sprintf("time.Time{} /* %q is not an RFC 3339 time */", s)
	}
	t = t.UTC()
	return fmt.Sprintf("time.Date(%d, %d, %d, %d, %d, %d, %d, time.UTC)", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond())
}
