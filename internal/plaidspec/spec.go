// Package plaidspec is Plaid's API schema (plaid-2020-09-14.yml, the version
// plaid-go v20.1.0 was generated from) in the compact form the emulator
// needs at run time: every operation's request schema, compiled into
// validators, and a success response for it, built from the spec's own
// example (repaired where the example does not match its schema) or
// synthesized from the schema where there is none.
//
// spec.json is generated from the YAML by `go generate` (see gen/); a test
// checks it is current. Load decodes it once.
package plaidspec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./gen -in plaid-2020-09-14.yml -out spec.json

//go:embed spec.json
var specJSON []byte

// File is the compact form as stored in spec.json.
type File struct {
	Version string `json:"version"`
	Nodes   []Node `json:"nodes"`
	Ops     []Op   `json:"ops"`
}

// Node is one request schema in the compact form. Indexes refer to
// File.Nodes. allOf is merged, oneOf/anyOf are merged per JSON type.
type Node struct {
	// Type is object, array, string, integer, number or boolean; empty
	// means any value.
	Type     string `json:"t,omitempty"`
	Name     string `json:"name,omitempty"` // the component's name, if any
	Nullable bool   `json:"n,omitempty"`
	// Props are an object's properties; Required the required ones.
	Props    map[string]int `json:"p,omitempty"`
	Required []string       `json:"r,omitempty"`
	// Extra is the schema of properties beyond Props: absent means none
	// are allowed, -1 means any value is.
	Extra    *int     `json:"x,omitempty"`
	Items    *int     `json:"i,omitempty"`
	Enum     []string `json:"e,omitempty"`
	Format   string   `json:"f,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	MinLen   int      `json:"minlen,omitempty"`
	MaxLen   *int     `json:"maxlen,omitempty"`
	MinItems int      `json:"minitems,omitempty"`
	MaxItems *int     `json:"maxitems,omitempty"`
	// Alts are the alternatives of a oneOf/anyOf whose members have
	// different JSON types, one per type.
	Alts []int `json:"o,omitempty"`
}

// Op is one operation (every Plaid operation is a POST).
type Op struct {
	Path    string `json:"path"`
	Summary string `json:"summary,omitempty"`
	// Description is the first paragraph of the operation's description.
	Description string `json:"desc,omitempty"`
	Request     int    `json:"req"`
	// Prefill is a request body with the required fields only (client_id
	// and secret left out), the schema's examples where it has valid ones:
	// what the API console starts from.
	Prefill json.RawMessage `json:"prefill,omitempty"`
	// Optional names the top-level fields Prefill leaves out, sorted.
	Optional []string `json:"opt,omitempty"`
	// ContentType is the success response's media type.
	ContentType string `json:"content_type"`
	// Response is the success response body (JSON), its request_id, if
	// any, set to RequestIDPlaceholder.
	Response json.RawMessage `json:"resp,omitempty"`
	// Source says where Response came from: "example" (the spec's
	// example), "repaired" (the spec's example with the parts that do not
	// match the schema replaced) or "schema" (synthesized).
	Source string `json:"source"`
}

// RequestIDPlaceholder stands for a fresh request_id in Op.Response.
const RequestIDPlaceholder = "{{request_id}}"

// Kind is a JSON type a Schema accepts.
type Kind uint8

const (
	Any Kind = iota
	Object
	Array
	String
	Integer
	Number
	Boolean
)

var kinds = map[string]Kind{"": Any, "object": Object, "array": Array, "string": String, "integer": Integer, "number": Number, "boolean": Boolean}

// Schema is a compiled request schema.
type Schema struct {
	Kind     Kind
	Name     string
	Nullable bool
	Props    map[string]*Schema
	Required []string
	// reqBit gives each required property its bit in a seen-mask.
	reqBit   map[string]uint64
	Closed   bool    // properties beyond Props are refused
	Extra    *Schema // schema of extra properties when not Closed (nil: any)
	Items    *Schema
	Enum     map[string]bool
	EnumList []string
	Format   string
	Min, Max *float64
	MinLen   int
	MaxLen   int // -1: none
	MinItems int
	MaxItems int // -1: none
	Alts     []*Schema
}

// Operation is a compiled operation.
type Operation struct {
	Path        string
	Summary     string
	Description string
	// Prefill is a request body with the required fields only; Optional
	// names the top-level fields it leaves out.
	Prefill     json.RawMessage
	Optional    []string
	Request     *Schema
	ContentType string
	Source      string
	// Response is the success body split around its request_id value:
	// Before + `"<id>"` + After. NoRequestID is set when it has none.
	Before, After []byte
	NoRequestID   bool
	Body          []byte // the whole body, request_id placeholder included
}

// TakesAccessToken reports whether the request has an access_token field.
func (o *Operation) TakesAccessToken() bool {
	_, ok := o.Request.Props["access_token"]
	return ok
}

// Spec is the compiled schema.
type Spec struct {
	Version string
	ops     map[string]*Operation
	paths   []string
}

// Op returns the operation at path.
func (s *Spec) Op(path string) (*Operation, bool) {
	op, ok := s.ops[path]
	return op, ok
}

// Paths lists every operation's path, sorted.
func (s *Spec) Paths() []string { return s.paths }

// Load returns the embedded spec, decoded and compiled once per process.
var Load = sync.OnceValues(func() (*Spec, error) { return Compile(specJSON) })

// Compile decodes and links a compact spec.
func Compile(data []byte) (*Spec, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("plaidspec: decoding the compact spec: %w", err)
	}
	nodes := make([]Schema, len(f.Nodes))
	at := func(i int) (*Schema, error) {
		if i < 0 || i >= len(nodes) {
			return nil, fmt.Errorf("plaidspec: node index %d out of range", i)
		}
		return &nodes[i], nil
	}
	for i, n := range f.Nodes {
		s := &nodes[i]
		k, ok := kinds[n.Type]
		if !ok {
			return nil, fmt.Errorf("plaidspec: node %d has unknown type %q", i, n.Type)
		}
		*s = Schema{Kind: k, Name: n.Name, Nullable: n.Nullable, Required: n.Required, Format: n.Format,
			Min: n.Min, Max: n.Max, MinLen: n.MinLen, MaxLen: -1, MinItems: n.MinItems, MaxItems: -1, EnumList: n.Enum}
		if n.MaxLen != nil {
			s.MaxLen = *n.MaxLen
		}
		if n.MaxItems != nil {
			s.MaxItems = *n.MaxItems
		}
		if len(n.Props) > 0 {
			s.Props = make(map[string]*Schema, len(n.Props))
			for name, j := range n.Props {
				p, err := at(j)
				if err != nil {
					return nil, err
				}
				s.Props[name] = p
			}
		}
		if len(n.Required) > 0 && len(n.Required) <= 64 {
			s.reqBit = make(map[string]uint64, len(n.Required))
			for b, name := range n.Required {
				s.reqBit[name] = 1 << b
			}
		}
		if k == Object {
			s.Closed = n.Extra == nil
			if n.Extra != nil && *n.Extra >= 0 {
				x, err := at(*n.Extra)
				if err != nil {
					return nil, err
				}
				s.Extra = x
			}
		}
		if n.Items != nil {
			it, err := at(*n.Items)
			if err != nil {
				return nil, err
			}
			s.Items = it
		}
		if len(n.Enum) > 0 {
			s.Enum = make(map[string]bool, len(n.Enum))
			for _, v := range n.Enum {
				s.Enum[v] = true
			}
		}
		for _, j := range n.Alts {
			a, err := at(j)
			if err != nil {
				return nil, err
			}
			s.Alts = append(s.Alts, a)
		}
	}
	spec := &Spec{Version: f.Version, ops: make(map[string]*Operation, len(f.Ops))}
	for _, o := range f.Ops {
		req, err := at(o.Request)
		if err != nil {
			return nil, err
		}
		op := &Operation{Path: o.Path, Summary: o.Summary, Description: o.Description, Prefill: o.Prefill, Optional: o.Optional, Request: req, ContentType: o.ContentType, Source: o.Source, Body: o.Response}
		placeholder := []byte(`"` + RequestIDPlaceholder + `"`)
		if i := bytes.Index(o.Response, placeholder); i >= 0 {
			op.Before, op.After = o.Response[:i], o.Response[i+len(placeholder):]
		} else {
			op.NoRequestID = true
		}
		spec.ops[o.Path] = op
		spec.paths = append(spec.paths, o.Path)
	}
	sort.Strings(spec.paths)
	return spec, nil
}

// AllowEnum adds values to the enum of the field at the dotted path field
// of the request of the operation at path: values newer than the schema
// that the emulator serves on purpose. Call it before serving.
func (s *Spec) AllowEnum(path, field string, values ...string) error {
	op, ok := s.ops[path]
	if !ok {
		return fmt.Errorf("plaidspec: no operation %s", path)
	}
	node := op.Request
	for _, name := range strings.Split(field, ".") {
		next, ok := node.Props[name]
		if !ok {
			return fmt.Errorf("plaidspec: %s has no field %s", path, field)
		}
		node = next
	}
	if node.Enum == nil {
		return fmt.Errorf("plaidspec: %s %s has no enum", path, field)
	}
	for _, v := range values {
		if !node.Enum[v] {
			node.Enum[v] = true
			node.EnumList = append(node.EnumList, v)
		}
	}
	return nil
}
