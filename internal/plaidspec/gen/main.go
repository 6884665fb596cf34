// Command gen compiles Plaid's OpenAPI schema (YAML) into the compact
// spec.json the emulator embeds: every operation's request schema as a
// table of nodes (allOf merged, oneOf/anyOf merged per JSON type, shared
// components shared), and a success response per operation that validates
// against its schema: the spec's example, repaired where it does not match,
// or one synthesized from the schema. Run through `go generate` in
// internal/plaidspec.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
	"github.com/linkexplorer/linkexplorer/internal/plaidspec/synth"
)

func main() {
	in := flag.String("in", "plaid-2020-09-14.yml", "the OpenAPI schema (YAML)")
	out := flag.String("out", "spec.json", "the compact spec to write")
	flag.Parse()
	data, err := Generate(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Generate returns the compact spec for the schema at path.
func Generate(path string) ([]byte, error) {
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", path, err)
	}
	names := map[*openapi3.Schema]string{}
	for name, ref := range doc.Components.Schemas {
		if ref != nil && ref.Value != nil {
			names[ref.Value] = name
		}
	}
	c := &compiler{index: map[*openapi3.Schema]int{}, names: names}
	f := plaidspec.File{Version: doc.Info.Version}
	var problems []string
	for _, path := range doc.Paths.InMatchingOrder() {
		var err error
		item := doc.Paths.Value(path)
		if item == nil || item.Post == nil {
			continue
		}
		op := item.Post
		rb := op.RequestBody
		if rb == nil || rb.Value == nil || rb.Value.Content.Get("application/json") == nil {
			problems = append(problems, path+": no JSON request body")
			continue
		}
		rs := rb.Value.Content.Get("application/json").Schema.Value
		o := plaidspec.Op{Path: path, Summary: op.Summary, Description: firstParagraph(op.Description), Request: c.node(rs)}
		o.Prefill, o.Optional, err = prefill(rs)
		if err != nil {
			problems = append(problems, path+": "+err.Error())
			continue
		}
		if root := &c.nodes[o.Request]; len(root.Props) == 0 && root.Extra != nil && *root.Extra == -1 {
			// A request without properties (e.g. /categories/get) takes
			// only the credentials, not any field.
			root.Extra = nil
		}
		resp := op.Responses.Status(200)
		if resp == nil || resp.Value == nil {
			problems = append(problems, path+": no 200 response")
			continue
		}
		body, ctype, source, err := response(resp.Value)
		if err != nil {
			problems = append(problems, path+": "+err.Error())
			continue
		}
		o.Response, o.ContentType, o.Source = body, ctype, source
		f.Ops = append(f.Ops, o)
	}
	if problems != nil {
		return nil, fmt.Errorf("%d operations could not be compiled:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	slices.SortFunc(f.Ops, func(a, b plaidspec.Op) int { return strings.Compare(a.Path, b.Path) })
	f.Nodes = c.nodes
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// prefill is the request body with the required fields only, from the
// schema's examples where valid (synth.Value), without the credentials
// (the client sends them as headers), and the top-level optional fields.
func prefill(s *openapi3.Schema) (json.RawMessage, []string, error) {
	body, ok := synth.Value(s, synth.Options{}).(map[string]any)
	if !ok {
		body = map[string]any{}
	}
	delete(body, "client_id")
	delete(body, "secret")
	props, _ := synth.Flatten(s)
	var optional []string
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if _, in := body[name]; !in && name != "client_id" && name != "secret" && !props[name].Deprecated {
			optional = append(optional, name)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, nil, err
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), optional, nil
}

// firstParagraph is a description's first paragraph on one line, at most
// 240 characters.
func firstParagraph(d string) string {
	d, _, _ = strings.Cut(strings.TrimSpace(d), "\n\n")
	d = strings.Join(strings.Fields(d), " ")
	if r := []rune(d); len(r) > 240 {
		d = string(r[:239]) + "…"
	}
	return d
}

// response builds the success body of an operation.
func response(r *openapi3.Response) (body json.RawMessage, ctype, source string, err error) {
	if len(r.Content) == 0 {
		return nil, "", "schema", nil // an empty 200
	}
	for ct := range r.Content {
		if ct == "application/json" {
			continue
		}
		// Binary answers (PDFs): the emulator serves a small real document.
		return nil, ct, "schema", nil
	}
	mt := r.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, "", "", fmt.Errorf("no JSON response schema")
	}
	s := mt.Schema.Value
	var v any
	source = "schema"
	ex := mt.Example
	if ex == nil {
		for _, name := range slices.Sorted(maps.Keys(mt.Examples)) {
			if e := mt.Examples[name]; e != nil && e.Value != nil {
				ex = e.Value.Value
				break
			}
		}
	}
	if ex != nil {
		v = synth.Normalize(ex)
		source = "example"
		if !synth.Valid(s, v) {
			v, source = synth.Repair(s, v), "repaired"
		}
	} else {
		v = synth.Value(s, synth.Options{Optional: true})
	}
	if err := s.VisitJSON(v); err != nil {
		return nil, "", "", fmt.Errorf("the %s response does not validate: %v", source, err)
	}
	if m, ok := v.(map[string]any); ok {
		if _, has := m["request_id"]; has || propsHave(s, "request_id") {
			m["request_id"] = plaidspec.RequestIDPlaceholder
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, "", "", err
	}
	return bytes.TrimSpace(buf.Bytes()), "application/json", source, nil
}

func propsHave(s *openapi3.Schema, name string) bool {
	props, _ := synth.Flatten(s)
	_, ok := props[name]
	return ok
}

// compiler turns kin-openapi schemas into compact nodes.
type compiler struct {
	nodes []plaidspec.Node
	index map[*openapi3.Schema]int
	names map[*openapi3.Schema]string
}

func (c *compiler) node(s *openapi3.Schema) int {
	if i, ok := c.index[s]; ok {
		return i
	}
	i := len(c.nodes)
	c.index[s] = i
	c.nodes = append(c.nodes, plaidspec.Node{})
	n := c.build(s)
	n.Name = c.names[s]
	c.nodes[i] = n
	return i
}

// build compiles s, merging allOf and grouping oneOf/anyOf by type.
func (c *compiler) build(s *openapi3.Schema) plaidspec.Node {
	alts := append(slices.Clone(s.OneOf), s.AnyOf...)
	if len(alts) > 0 {
		return c.union(s, alts)
	}
	n := plaidspec.Node{Type: synth.TypeOf(s), Nullable: s.Nullable, Format: s.Format, Min: s.Min, Max: s.Max, MinLen: int(s.MinLength), MinItems: int(s.MinItems)}
	if s.MaxLength != nil {
		m := int(*s.MaxLength)
		n.MaxLen = &m
	}
	if s.MaxItems != nil {
		m := int(*s.MaxItems)
		n.MaxItems = &m
	}
	for _, e := range s.Enum {
		if str, ok := e.(string); ok {
			n.Enum = append(n.Enum, str)
		}
	}
	if len(n.Enum) != len(s.Enum) && !(s.Nullable && len(n.Enum) == len(s.Enum)-1) {
		n.Enum = nil // non-string enums are not checked
	}
	switch n.Type {
	case "object":
		props, required := synth.Flatten(s)
		n.Required = required
		if len(props) > 0 {
			n.Props = map[string]int{}
			for _, name := range slices.Sorted(maps.Keys(props)) {
				n.Props[name] = c.node(props[name])
			}
		}
		// Plaid refuses unknown fields whatever the schema says about
		// additionalProperties; only maps (a schema for extra properties)
		// and free-form objects (no properties at all) take them.
		ap := s.AdditionalProperties
		switch {
		case ap.Schema != nil && ap.Schema.Value != nil:
			x := c.node(ap.Schema.Value)
			n.Extra = &x
		case len(props) == 0 && (ap.Has == nil || *ap.Has):
			x := -1
			n.Extra = &x
		}
	case "array":
		if s.Items != nil && s.Items.Value != nil {
			it := c.node(s.Items.Value)
			n.Items = &it
		}
	}
	return n
}

// union compiles a oneOf/anyOf: members of the same JSON type merge
// (objects: properties united, required only if every member requires it).
func (c *compiler) union(s *openapi3.Schema, alts openapi3.SchemaRefs) plaidspec.Node {
	byType := map[string][]*openapi3.Schema{}
	var order []string
	for _, a := range alts {
		if a == nil || a.Value == nil {
			continue
		}
		t := synth.TypeOf(a.Value)
		if _, seen := byType[t]; !seen {
			order = append(order, t)
		}
		byType[t] = append(byType[t], a.Value)
	}
	nodes := make([]plaidspec.Node, 0, len(order))
	for _, t := range order {
		members := byType[t]
		if len(members) == 1 || t != "object" {
			nodes = append(nodes, c.build(members[0]))
			continue
		}
		merged := plaidspec.Node{Type: "object", Props: map[string]int{}}
		var required []string
		for k, m := range members {
			props, req := synth.Flatten(m)
			for name, p := range props {
				if _, ok := merged.Props[name]; !ok {
					merged.Props[name] = c.node(p)
				}
			}
			if k == 0 {
				required = req
			} else {
				required = slices.DeleteFunc(required, func(r string) bool { return !slices.Contains(req, r) })
			}
		}
		merged.Required = required
		nodes = append(nodes, merged)
	}
	if len(nodes) == 1 {
		n := nodes[0]
		n.Nullable = n.Nullable || s.Nullable
		return n
	}
	n := plaidspec.Node{Nullable: s.Nullable}
	for _, alt := range nodes {
		i := len(c.nodes)
		c.nodes = append(c.nodes, alt)
		n.Alts = append(n.Alts, i)
	}
	return n
}
