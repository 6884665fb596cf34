package audit

import (
	"slices"
	"strings"
)

// linkConfig is one Link client configuration found in JS or HTML:
// Plaid.create({…}), Plaid.createEmbedded({…}, el), usePlaidLink({…}) or
// <PlaidLink …>.
type linkConfig struct {
	call string // "Plaid.create", "usePlaidLink", "<PlaidLink>", …
	line int
	// from, to is the token range of the config, excluded from the server
	// rules (its key is not a server call's public_key).
	from, to int
	props    []prop
	complete bool // every property is known (no unresolved spread or variable)
}

// prop is one property of a Link config.
type prop struct {
	name     string
	line     int
	from, to int // the value's tokens
}

// maxLinkConfigs bounds the Link configs read in one file: real pages have
// a few, and each costs up to the size of the file.
const maxLinkConfigs = 100

// maxSpreadDepth bounds how deep spreads of named objects are followed.
const maxSpreadDepth = 3

// reactCall reports whether the config belongs to react-plaid-link, which
// destroys the old handler itself when the token changes.
func (c *linkConfig) reactCall() bool { return c.call == "usePlaidLink" || c.call == "<PlaidLink>" }

func (c *linkConfig) prop(name string) (prop, bool) {
	i := slices.IndexFunc(c.props, func(p prop) bool { return p.name == name })
	if i < 0 {
		return prop{}, false
	}
	return c.props[i], true
}

// linkConfigs finds the Link configs of a JS or HTML file.
func (f *sourceFile) linkConfigs() []*linkConfig {
	var out []*linkConfig
	for i := range f.tokens {
		var c *linkConfig
		switch {
		case f.isIdent(i, "Plaid") && f.isPunct(i+1, ".") && f.isIdent(i+2, "create", "createEmbedded") && f.isPunct(i+3, "("):
			c = f.callConfig("Plaid."+f.tok(i+2).text, i, i+3)
		case f.isIdent(i, "usePlaidLink") && f.isPunct(i+1, "("):
			c = f.callConfig("usePlaidLink", i, i+1)
		case f.isPunct(i, "<") && f.isIdent(i+1, "PlaidLink"):
			c = f.jsxConfig(i)
		}
		if c != nil {
			out = append(out, c)
		}
		if len(out) == maxLinkConfigs {
			break
		}
	}
	return out
}

// callConfig reads the config argument of a call whose "(" is at paren.
func (f *sourceFile) callConfig(call string, at, paren int) *linkConfig {
	c := &linkConfig{call: call, line: f.tok(at).line, from: at, to: f.matchClose(paren) + 1}
	arg := paren + 1
	switch {
	case f.isPunct(arg, "{"):
		c.props, c.complete = f.objectProps(arg, 0)
	case f.isIdent(arg) && f.isPunct(arg+1, ")", ","):
		if open, ok := f.objectNamed(f.tok(arg).text, arg); ok {
			c.props, c.complete = f.objectProps(open, 0)
		}
	}
	return c
}

// objectProps reads the properties of the object literal opening at open,
// following spreads of named objects declared in the file.
func (f *sourceFile) objectProps(open, depth int) (props []prop, complete bool) {
	end := f.matchClose(open)
	complete = true
	for i := open + 1; i < end; {
		if f.isPunct(i, "...") {
			name := f.tok(i + 1)
			spread, ok := -1, false
			if name.kind == tokIdent && depth < maxSpreadDepth {
				spread, ok = f.objectNamed(name.text, i)
			}
			if ok && spread != open {
				more, all := f.objectProps(spread, depth+1)
				props, complete = append(props, more...), complete && all
			} else {
				complete = false
			}
			i = f.valueEnd(i+1, end) + 1
			continue
		}
		p, next := f.property(i, end)
		if p.name != "" {
			props = append(props, p)
		}
		i = next
	}
	return props, complete
}

// property reads one property starting at i: key: value, a shorthand key,
// or a method key(…) {…}. It returns the index after the property's ",".
func (f *sourceFile) property(i, end int) (prop, int) {
	if f.isIdent(i, "async", "get", "set") && !f.isPunct(i+1, ":", "(", ",", "}") {
		i++
	}
	if f.isPunct(i, "*") {
		i++
	}
	key := f.tok(i)
	p := prop{line: key.line}
	switch {
	case key.kind == tokIdent || key.kind == tokString || key.kind == tokNumber:
		p.name = key.text
		i++
	case f.isPunct(i, "["): // a computed key: unknown name
		i = f.matchClose(i) + 1
	default:
		return prop{}, f.valueEnd(i, end) + 1
	}
	switch {
	case f.isPunct(i, ":"):
		p.from = i + 1
		p.to = f.valueEnd(i+1, end)
	case f.isPunct(i, "("): // a method
		p.from = i
		_, p.to, _ = f.body(i)
		p.to = max(p.to, i+1)
	default: // shorthand
		p.from, p.to = i-1, i
	}
	return p, f.valueEnd(p.to, end) + 1
}

// jsxConfig reads the attributes of <PlaidLink …> starting at lt.
func (f *sourceFile) jsxConfig(lt int) *linkConfig {
	c := &linkConfig{call: "<PlaidLink>", line: f.tok(lt).line, from: lt, complete: true}
	i := lt + 2
	for i < len(f.tokens) && !f.isPunct(i, ">", "/") {
		switch {
		case f.isPunct(i, "{"): // {...props}
			c.complete = false
			i = f.matchClose(i) + 1
		case f.isIdent(i):
			p := prop{name: f.tok(i).text, line: f.tok(i).line, from: i, to: i + 1}
			i++
			if f.isPunct(i, "=") {
				p.from, p.to, i = i+1, i+2, i+2
				if f.isPunct(p.from, "{") { // the expression inside {…}
					p.to = f.matchClose(p.from)
					p.from++
					i = p.to + 1
				}
			}
			c.props = append(c.props, p)
		default:
			i++
		}
	}
	c.to = i
	return c
}

// checkLinkConfig reports a config's legacy options, token, and
// INVALID_LINK_TOKEN handling.
func (f *sourceFile) checkLinkConfig(c *linkConfig, out *findings) {
	hasKey := false
	for _, p := range c.props {
		switch {
		case slices.Contains(publicKeyOptions, p.name):
			hasKey = true
			out.add(RuleLinkPublicKey, p.line, p.name,
				"%s passes %s: public_key Link stopped working in February 2025", c.call, p.name)
		case legacyOptions[p.name] != "":
			out.add(RuleLinkLegacyOption, p.line, p.name,
				"%s passes the legacy option %s, which is ignored once token is used: %s", c.call, p.name, legacyOptions[p.name])
		}
	}
	tok, hasToken := c.prop("token")
	switch {
	case hasToken && !hasKey:
		out.add(RuleLinkTokenConfig, tok.line, "token", "%s is given a link_token", c.call)
	case !hasToken && c.complete:
		out.add(RuleLinkMissingToken, c.line, c.call, "%s has no token: pass the link_token your server created", c.call)
	}
	f.checkInvalidToken(c, out)
}

// checkInvalidToken follows the config's onExit (and the functions of the
// file it calls) to see whether INVALID_LINK_TOKEN is handled, and whether
// the old handler is destroyed before Link is created again.
func (f *sourceFile) checkInvalidToken(c *linkConfig, out *findings) {
	var steps []exitStep
	if p, ok := c.prop("onExit"); ok {
		from, to := p.from, p.to
		if to == from+1 && f.isIdent(from) { // onExit: handleExit
			if bf, bt, ok := f.functionNamed(f.tok(from).text); ok {
				from, to = bf, bt
			}
		}
		steps = f.exitSteps(from, to, map[string]bool{}, 0)
	}
	invalid := slices.IndexFunc(steps, func(s exitStep) bool { return s.kind == stepInvalid })
	if invalid < 0 {
		out.add(RuleInvalidTokenUnhandled, c.line, c.call,
			"%s: onExit has no INVALID_LINK_TOKEN branch, so an expired or invalidated link_token leaves the user stuck", c.call)
		return
	}
	line := steps[invalid].line
	create := slices.IndexFunc(steps, func(s exitStep) bool { return s.kind == stepCreate })
	destroy := slices.IndexFunc(steps, func(s exitStep) bool { return s.kind == stepDestroy })
	if !c.reactCall() && create >= 0 && (destroy < 0 || destroy > create) {
		out.add(RuleInvalidTokenNoDestroy, line, c.call,
			"onExit handles INVALID_LINK_TOKEN by calling Plaid.create again without destroy() first: each retry stacks another Link iframe")
		return
	}
	out.add(RuleInvalidTokenRecovery, line, c.call, "onExit handles INVALID_LINK_TOKEN%s", recoveryNote(c, destroy >= 0))
}

func recoveryNote(c *linkConfig, destroyed bool) string {
	switch {
	case c.reactCall():
		return " (react-plaid-link destroys the old handler when the token changes)"
	case destroyed:
		return ", destroying the old handler before creating a new one"
	}
	return ""
}

// exitStep is something an onExit handler does, in order.
type exitStep struct {
	kind string
	line int
}

const (
	stepInvalid = "INVALID_LINK_TOKEN"
	stepDestroy = "destroy"
	stepCreate  = "create"
)

// maxCallDepth bounds how deep exitSteps follows calls into the file's own
// functions.
const maxCallDepth = 3

// exitSteps lists, in order, the INVALID_LINK_TOKEN tests, destroy() calls
// and Plaid.create calls of tokens [from, to), following calls to the
// file's own functions (each at most once).
func (f *sourceFile) exitSteps(from, to int, seen map[string]bool, depth int) []exitStep {
	var steps []exitStep
	for i := from; i < to && i < len(f.tokens); i++ {
		t := f.tokens[i]
		switch {
		case strings.Contains(t.text, "INVALID_LINK_TOKEN") && (t.kind == tokString || t.kind == tokIdent):
			steps = append(steps, exitStep{stepInvalid, t.line})
		case f.isIdent(i, "destroy") && f.isMember(i) && f.isPunct(i+1, "("):
			steps = append(steps, exitStep{stepDestroy, t.line})
		case f.isIdent(i, "Plaid") && f.isPunct(i+1, ".") && f.isIdent(i+2, "create", "createEmbedded"):
			steps = append(steps, exitStep{stepCreate, t.line})
		case t.kind == tokIdent && f.isPunct(i+1, "(") && !f.isMember(i) && !seen[t.text] && depth < maxCallDepth:
			seen[t.text] = true
			if bf, bt, ok := f.functionNamed(t.text); ok {
				steps = append(steps, f.exitSteps(bf, bt, seen, depth+1)...)
			}
		}
	}
	return steps
}
