package codegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	plaid "github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// operation is what the generators know of one operation: its names in
// each library, and the request and response models.
type operation struct {
	Path     string
	Methods  Methods
	Request  reflect.Type // plaid-go's request model (a map for a free-form body)
	Builder  string       // the request builder's method taking it
	Response string       // the response model's name; "" for a file or a map
	// File says the answer is a file (a PDF or a ZIP), not JSON.
	File bool
	// NoBody says the answer has no body (plaid-go's Execute returns only
	// the HTTP response).
	NoBody  bool
	Schema  *plaidspec.Schema
	Summary string
}

var (
	apiType    = reflect.TypeOf(&plaid.PlaidApiService{})
	opsMu      sync.Mutex
	opsByPath  = map[string]*operation{}
	timeType   = reflect.TypeOf(time.Time{})
	plaidPkg   = reflect.TypeOf(plaid.Products("")).PkgPath()
	errUnknown = fmt.Errorf("unknown operation")
)

// lookup finds the operation at path in the schema and in plaid-go.
func lookup(path string) (*operation, error) {
	opsMu.Lock()
	defer opsMu.Unlock()
	if op, ok := opsByPath[path]; ok {
		return op, nil
	}
	spec, err := plaidspec.Load()
	if err != nil {
		return nil, err
	}
	sop, ok := spec.Op(path)
	if !ok {
		return nil, fmt.Errorf("%w %s: Plaid's API schema (%s) has no such endpoint", errUnknown, path, spec.Version)
	}
	op := &operation{Path: path, Methods: MethodNames(path), Schema: sop.Request, Summary: sop.Summary}
	m, ok := apiType.MethodByName(op.Methods.Go)
	if !ok {
		return nil, fmt.Errorf("plaid-go has no method %s for %s", op.Methods.Go, path)
	}
	builder := m.Type.Out(0) // ApiLinkTokenCreateRequest
	for i := 0; i < builder.NumMethod(); i++ {
		bm := builder.Method(i)
		switch {
		case bm.Name == "Execute" && bm.Type.NumOut() == 2:
			op.NoBody = true
		case bm.Name == "Execute":
			out := bm.Type.Out(0)
			op.Response = out.Name()
			op.File = out.Kind() == reflect.Pointer && out.Elem().Name() == "File"
		case bm.Type.NumIn() == 2 && (bm.Type.In(1).Kind() == reflect.Struct || bm.Type.In(1).Kind() == reflect.Map):
			op.Request, op.Builder = bm.Type.In(1), bm.Name
		}
	}
	if op.Request == nil {
		return nil, fmt.Errorf("plaid-go's %s has no request or response model", op.Methods.Go)
	}
	opsByPath[path] = op
	return op, nil
}

// kind is the JSON kind of a value in the request tree.
type kind int

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kObject // a model
	kMap    // a free-form object
	kArray
	kEnv // a secret: read from an environment variable
)

// node is one value of the request, typed by plaid-go and the schema.
type node struct {
	kind   kind
	model  string // kObject: the model; kString and kEnv: the enum type, if an enum
	format string // kString: date or date-time
	float  bool   // kNumber: the field is floating-point
	str    string // kString, kNumber (its literal), kEnv (the variable)
	b      bool
	fields []*field // kObject, kMap
	items  []*node  // kArray
	elem   reflect.Type
	gotype reflect.Type // plaid-go's type (pointers and Nullable unwrapped); nil if unknown
}

// field is one property of an object.
type field struct {
	key      string
	goName   string // plaid-go's field; "" when plaid-go's model has none
	required bool
	nullable bool
	n        *node
}

// tree is the request as a typed tree, with the environment variables
// its secrets come from.
type tree struct {
	root *node
	env  []string
	seen map[string]int
}

// credentialKeys travel as headers in every snippet, never in the body.
var credentialKeys = map[string]bool{"client_id": true, "secret": true}

func buildTree(op *operation, body []byte) (*tree, error) {
	t := &tree{seen: map[string]int{}}
	var v any = map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("the request body of %s is not JSON: %w", op.Path, err)
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the request body of %s is not a JSON object", op.Path)
	}
	for k := range credentialKeys {
		delete(m, k)
	}
	t.root = t.build(m, op.Request, op.Schema, "")
	return t, nil
}

// envFor names the environment variable a secret under key comes from:
// ACCESS_TOKEN for access_token; a second one gets _2.
func (t *tree) envFor(key string) string {
	name := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(key))
	if name == "" {
		name = "SECRET_VALUE"
	}
	name = strings.TrimSuffix(name, "S") // access_tokens[] items are ACCESS_TOKEN
	t.seen[name]++
	if n := t.seen[name]; n > 1 {
		name = fmt.Sprintf("%s_%d", name, n)
	}
	t.env = append(t.env, name)
	return name
}

// unwrap strips pointers and plaid-go's Nullable wrappers.
func unwrap(rt reflect.Type) (reflect.Type, bool) {
	nullable := false
	for rt != nil {
		switch {
		case rt.Kind() == reflect.Pointer:
			rt = rt.Elem()
		case strings.HasPrefix(rt.Name(), "Nullable") && rt.PkgPath() == plaidPkg:
			get, ok := rt.MethodByName("Get")
			if !ok || get.Type.NumOut() != 1 {
				return rt, nullable
			}
			rt, nullable = get.Type.Out(0), true
		default:
			return rt, nullable
		}
	}
	return nil, nullable
}

func secretString(key, s string) bool {
	return redact.IsSecretKey(key) || redact.IsMasked(s) || redact.Text(s) != s
}

func (t *tree) build(v any, rt reflect.Type, s *plaidspec.Schema, key string) *node {
	rt, _ = unwrap(rt)
	n := &node{gotype: rt}
	if s != nil && len(s.Alts) > 0 {
		s = pickAlt(s, v)
	}
	switch x := v.(type) {
	case nil:
		n.kind = kNull
	case string:
		n.kind, n.str = kString, x
		if s != nil {
			n.format = s.Format
		}
		if rt == timeType {
			n.format = "date-time"
		}
		if rt != nil && rt.Kind() == reflect.String && rt.PkgPath() == plaidPkg {
			n.model = rt.Name()
		}
		if secretString(key, x) {
			n.kind, n.str = kEnv, t.envFor(key)
		}
	case json.Number:
		n.kind, n.str = kNumber, x.String()
		n.float = rt != nil && (rt.Kind() == reflect.Float32 || rt.Kind() == reflect.Float64)
		if rt == nil && s != nil && s.Kind == plaidspec.Number {
			n.float = true
		}
	case bool:
		n.kind, n.b = kBool, x
	case []any:
		n.kind = kArray
		var et reflect.Type
		if rt != nil && rt.Kind() == reflect.Slice {
			et = rt.Elem()
		}
		n.elem = et
		var es *plaidspec.Schema
		if s != nil {
			es = s.Items
		}
		for _, it := range x {
			n.items = append(n.items, t.build(it, et, es, key))
		}
	case map[string]any:
		if rt != nil && rt.Kind() == reflect.Struct && rt.PkgPath() == plaidPkg {
			n.kind, n.model = kObject, rt.Name()
			n.fields = t.structFields(x, rt, s)
			return n
		}
		n.kind = kMap
		var vt reflect.Type
		if rt != nil && rt.Kind() == reflect.Map {
			vt = rt.Elem()
		}
		for _, k := range sortedKeys(x) {
			var ps *plaidspec.Schema
			if s != nil {
				ps = s.Props[k]
				if ps == nil {
					ps = s.Extra
				}
			}
			n.fields = append(n.fields, &field{key: k, n: t.build(x[k], vt, ps, k)})
		}
	}
	return n
}

// structFields orders an object's properties as plaid-go's model declares
// them (the schema's order: required ones first, as Plaid's docs list
// them), properties the model lacks last.
func (t *tree) structFields(m map[string]any, rt reflect.Type, s *plaidspec.Schema) []*field {
	var out []*field
	done := map[string]bool{}
	for i := 0; i < rt.NumField(); i++ {
		sf := rt.Field(i)
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		v, ok := m[name]
		if !ok {
			continue
		}
		done[name] = true
		_, nullable := unwrap(sf.Type)
		// plaid-go's constructor takes every field without omitempty.
		required := !strings.Contains(opts, "omitempty")
		var ps *plaidspec.Schema
		if s != nil {
			ps = s.Props[name]
		}
		out = append(out, &field{key: name, goName: sf.Name, required: required, nullable: nullable, n: t.build(v, sf.Type, ps, name)})
	}
	for _, k := range sortedKeys(m) {
		if done[k] {
			continue
		}
		var ps *plaidspec.Schema
		if s != nil {
			ps = s.Props[k]
		}
		out = append(out, &field{key: k, n: t.build(m[k], nil, ps, k)})
	}
	return out
}

// pickAlt chooses the alternative of a oneOf/anyOf matching v's JSON type.
func pickAlt(s *plaidspec.Schema, v any) *plaidspec.Schema {
	want := plaidspec.Any
	switch v.(type) {
	case string:
		want = plaidspec.String
	case json.Number:
		want = plaidspec.Number
	case bool:
		want = plaidspec.Boolean
	case []any:
		want = plaidspec.Array
	case map[string]any:
		want = plaidspec.Object
	}
	for _, a := range s.Alts {
		if a.Kind == want || (want == plaidspec.Number && a.Kind == plaidspec.Integer) {
			return a
		}
	}
	return s
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// model is the request's model name, "" for a free-form body.
func (op *operation) model() string {
	if op.Request.Kind() == reflect.Struct {
		return op.Request.Name()
	}
	return ""
}

// isEnum reports whether a string node is one of plaid's enum types.
func (n *node) isEnum() bool { return n.model != "" && (n.kind == kString || n.kind == kEnv) }

// simple reports whether an object can be written inline: no nested
// objects or arrays of objects.
func (n *node) hasNested() bool {
	for _, f := range n.fields {
		switch f.n.kind {
		case kObject:
			return true
		case kArray:
			for _, it := range f.n.items {
				if it.kind == kObject {
					return true
				}
			}
		}
	}
	return false
}
