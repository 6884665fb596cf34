// Package synth builds JSON values from OpenAPI schemas (kin-openapi):
// minimal valid values, and repairs of examples that do not match their
// schema. The spec generator uses it for responses; the emulator's tests
// use it for minimal valid requests. It is not linked into the emulator.
package synth

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Options tune a synthesized value.
type Options struct {
	// Override, when it returns ok, gives the value of the property name
	// (its schema s) instead of a synthesized one.
	Override func(name string, s *openapi3.Schema) (any, bool)
	// Optional also fills optional properties (up to MaxDepth).
	Optional bool
}

// maxDepth bounds recursion through self-referencing schemas.
const maxDepth = 12

// Flatten merges s and its allOf members into one object view: its
// properties and required names. Other keywords come from s itself.
func Flatten(s *openapi3.Schema) (props map[string]*openapi3.Schema, required []string) {
	props = map[string]*openapi3.Schema{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for name, p := range s.Properties {
			if p != nil && p.Value != nil {
				props[name] = p.Value
			}
		}
		required = append(required, s.Required...)
		for _, a := range s.AllOf {
			if a != nil && a.Value != nil {
				walk(a.Value)
			}
		}
	}
	walk(s)
	slices.Sort(required)
	return props, slices.Compact(required)
}

// IsObject reports whether s (with its allOf) describes an object.
func IsObject(s *openapi3.Schema) bool {
	if s.Type.Is("object") || len(s.Properties) > 0 {
		return true
	}
	for _, a := range s.AllOf {
		if a != nil && a.Value != nil && IsObject(a.Value) {
			return true
		}
	}
	return false
}

// TypeOf returns s's JSON type, looking through allOf; "" when unknown.
func TypeOf(s *openapi3.Schema) string {
	if t := s.Type.Slice(); len(t) > 0 {
		return t[0]
	}
	if IsObject(s) {
		return "object"
	}
	for _, a := range s.AllOf {
		if a != nil && a.Value != nil {
			if t := TypeOf(a.Value); t != "" {
				return t
			}
		}
	}
	return ""
}

// Valid reports whether v matches s.
func Valid(s *openapi3.Schema, v any) bool {
	return s.VisitJSON(v) == nil
}

// Normalize round-trips v through JSON, so it holds only the types
// encoding/json produces (what kin-openapi validates).
func Normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

// Value synthesizes a value for s: required properties only unless
// opts.Optional, the schema's own example where it is valid, enums' first
// value, formats honoured.
func Value(s *openapi3.Schema, opts Options) any {
	return value(s, opts, 0)
}

func value(s *openapi3.Schema, opts Options, depth int) any {
	if s.Example != nil {
		if ex := Normalize(s.Example); ex != nil && Valid(s, ex) && !(opts.Override != nil && TypeOf(s) == "object") {
			return ex
		}
	}
	if len(s.OneOf) > 0 && s.OneOf[0].Value != nil {
		return value(s.OneOf[0].Value, opts, depth)
	}
	if len(s.AnyOf) > 0 && s.AnyOf[0].Value != nil {
		return value(s.AnyOf[0].Value, opts, depth)
	}
	for _, e := range s.Enum {
		if e != nil {
			return e
		}
	}
	switch TypeOf(s) {
	case "object":
		if depth > maxDepth {
			if s.Nullable {
				return nil
			}
			return map[string]any{}
		}
		props, required := Flatten(s)
		out := map[string]any{}
		names := slices.Sorted(maps.Keys(props))
		for _, name := range names {
			p := props[name]
			if !slices.Contains(required, name) && (!opts.Optional || depth > 3 || p.Deprecated) {
				continue
			}
			if opts.Override != nil {
				if v, ok := opts.Override(name, p); ok {
					out[name] = v
					continue
				}
			}
			out[name] = value(p, opts, depth+1)
		}
		return out
	case "array":
		n := int(s.MinItems)
		if n == 0 && opts.Optional && depth <= 3 {
			n = 1
		}
		out := make([]any, 0, n)
		if s.Items != nil && s.Items.Value != nil {
			for range n {
				out = append(out, value(s.Items.Value, opts, depth+1))
			}
		}
		return out
	case "string":
		return stringValue(s)
	case "integer", "number":
		n := 1.0
		if s.Min != nil && *s.Min > n {
			n = *s.Min
		}
		if s.Max != nil && *s.Max < n {
			n = *s.Max
		}
		return n
	case "boolean":
		return false
	}
	if s.Nullable {
		return nil
	}
	return "string"
}

func stringValue(s *openapi3.Schema) string {
	var v string
	switch s.Format {
	case "date":
		v = "2024-01-15"
	case "date-time":
		v = "2024-01-15T10:00:00Z"
	case "email":
		v = "user@example.com"
	case "uri", "url":
		v = "https://example.com/path"
	case "uuid":
		v = "3d3a9f8e-6b5c-4c1e-9a0b-2f4d5e6a7b8c"
	case "byte":
		v = "c3RyaW5n"
	case "ipv4":
		v = "192.0.2.1"
	default:
		v = "string"
	}
	if n := int(s.MinLength); len(v) < n {
		v += strings.Repeat("x", n-len(v))
	}
	if s.MaxLength != nil && len(v) > int(*s.MaxLength) {
		v = v[:*s.MaxLength]
	}
	return v
}

// Repair returns v with every part that does not match s replaced: valid
// parts are kept, invalid scalars and missing required properties are
// synthesized, properties s does not allow are dropped. It returns v itself
// when v is valid.
func Repair(s *openapi3.Schema, v any) any {
	return repair(s, v, 0)
}

func repair(s *openapi3.Schema, v any, depth int) any {
	if Valid(s, v) {
		return v
	}
	if depth > maxDepth {
		return value(s, Options{}, depth)
	}
	switch TypeOf(s) {
	case "object":
		m, ok := v.(map[string]any)
		if !ok || len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
			break
		}
		props, required := Flatten(s)
		out := map[string]any{}
		for name, p := range props {
			if pv, ok := m[name]; ok {
				out[name] = repair(p, pv, depth+1)
			} else if slices.Contains(required, name) {
				out[name] = value(p, Options{}, depth+1)
			}
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil {
			for name, pv := range m {
				if _, known := props[name]; !known {
					out[name] = pv
				}
			}
		}
		if Valid(s, out) {
			return out
		}
	case "array":
		a, ok := v.([]any)
		if !ok || s.Items == nil || s.Items.Value == nil {
			break
		}
		out := make([]any, len(a))
		for i, item := range a {
			out[i] = repair(s.Items.Value, item, depth+1)
		}
		if Valid(s, out) {
			return out
		}
	}
	return value(s, Options{}, depth)
}
