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
	known    bool // the config object itself was found
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

// plaidCreateAt reports whether token i starts Plaid.create( or
// Plaid.createEmbedded( in any of its spellings: window.Plaid.create,
// Plaid?.create, this.plaid.create (a Vue wrapper's copy of window.Plaid),
// this.$plaid.create. It returns the method name and the "(" index.
func (f *sourceFile) plaidCreateAt(i int) (string, int, bool) {
	t := f.tok(i)
	if t.kind != tokIdent || !strings.EqualFold(strings.TrimLeft(t.text, "$_"), "plaid") {
		return "", 0, false
	}
	if t.text != "Plaid" && !f.isMember(i) { // a lower-case plaid must be a property: this.plaid
		return "", 0, false
	}
	if !f.isPunct(i+1, ".", "?.") || !f.isIdent(i+2, "create", "createEmbedded") {
		return "", 0, false
	}
	paren := i + 3
	if f.isPunct(paren, "?.") { // Plaid.create?.(…)
		paren++
	}
	if !f.isPunct(paren, "(") {
		return "", 0, false
	}
	return "Plaid." + f.tok(i+2).text, paren, true
}

// linkConfigs finds the Link configs of a JS or HTML file.
func (f *sourceFile) linkConfigs() []*linkConfig {
	var out []*linkConfig
	for i := range f.tokens {
		var c *linkConfig
		if call, paren, ok := f.plaidCreateAt(i); ok {
			c = f.callConfig(call, i, paren)
		} else {
			switch {
			case f.isIdent(i, "usePlaidLink") && f.isPunct(i+1, "(") && !f.isIdent(i-1, "function") && !f.isPunct(i+2, ")"):
				c = f.callConfig("usePlaidLink", i, i+1)
			case f.isPunct(i, "<") && f.isIdent(i+1, "PlaidLink") && !f.isPunct(i+2, ",", "."):
				c = f.jsxConfig(i)
			}
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

// callConfig reads the config argument of a call whose "(" is at paren: an
// object literal, or a name bound to one (in the file or imported), to
// useMemo(() => ({…})), computed(…), or reactive({…}).
func (f *sourceFile) callConfig(call string, at, paren int) *linkConfig {
	c := &linkConfig{call: call, line: f.tok(at).line, from: at, to: f.matchClose(paren) + 1}
	arg := paren + 1
	switch {
	case f.isPunct(arg, "{"):
		c.props, c.complete = f.objectProps(arg, 0)
		c.known = true
	case f.isIdent(arg) && f.isPunct(arg+1, ")", ","):
		if g, open, ok := f.configObject(f.tok(arg).text, arg); ok {
			c.props, c.complete = g.objectProps(open, 0)
			c.known = true
			if g != f {
				c.props = nil // the config lives in another file: read its options there
				c.complete = false
				c.known = false
			}
		}
	}
	return c
}

// configObject finds the object literal behind a config name: assigned
// directly, or returned by useMemo, useCallback, computed or reactive.
func (f *sourceFile) configObject(name string, before int) (*sourceFile, int, bool) {
	for k := range f.tokens {
		if !f.isIdent(k, name) || f.isMember(k) || !f.isPunct(k+1, "=", ":") {
			continue
		}
		j := k + 2
		if f.isPunct(k+1, ":") { // a type annotation
			for n := 0; n < 12 && j < len(f.tokens) && !f.isPunct(j, "=", ";"); n++ {
				j++
			}
			if !f.isPunct(j, "=") {
				continue
			}
			j++
		}
		if f.isIdent(j, "useMemo", "useCallback", "computed", "reactive", "ref", "readonly") && f.isPunct(j+1, "(") {
			if open, ok := f.returnedObject(j+2, f.matchClose(j+1)); ok {
				return f, open, true
			}
		}
	}
	return f.object(name, before)
}

// returnedObject finds the object a callback returns, within [i, end):
// () => ({…}), () => { …; return {…} }, or an object passed as is.
func (f *sourceFile) returnedObject(i, end int) (int, bool) {
	if f.isPunct(i, "{") {
		return i, true
	}
	for k := i; k < end; k++ {
		if f.isPunct(k, "=>") {
			switch {
			case f.isPunct(k+1, "(") && f.isPunct(k+2, "{"):
				return k + 2, true
			case f.isPunct(k+1, "{"):
				for r := k + 2; r < f.matchClose(k+1); r++ {
					if f.isIdent(r, "return") && f.isPunct(r+1, "{") {
						return r + 1, true
					}
					if f.isIdent(r, "return") && f.isIdent(r+1) {
						if open, ok := f.objectNamed(f.tok(r+1).text, r); ok {
							return open, true
						}
					}
				}
			}
			return 0, false
		}
	}
	return 0, false
}

// objectProps reads the properties of the object literal opening at open,
// following spreads of named objects declared in the file.
func (f *sourceFile) objectProps(open, depth int) (props []prop, complete bool) {
	end := f.matchClose(open)
	complete = true
	for i := open + 1; i < end; {
		if f.isPunct(i, "...") {
			name := f.tok(i + 1)
			spread, ok, g := -1, false, f
			if name.kind == tokIdent && !f.isPunct(i+2, ".", "(", "[") && depth < maxSpreadDepth {
				g, spread, ok = f.object(name.text, i)
			}
			if ok && (spread != open || g != f) {
				more, all := g.objectProps(spread, depth+1)
				if g != f { // another file's options: their lines are not this file's
					more = slices.DeleteFunc(more, func(p prop) bool { return true })
					all = false
				}
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
	c := &linkConfig{call: "<PlaidLink>", line: f.tok(lt).line, from: lt, complete: true, known: true}
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
// INVALID_LINK_TOKEN handling. It returns true for a public_key config (a
// key and no token), which INVALID_LINK_TOKEN does not concern yet.
func (f *sourceFile) checkLinkConfig(c *linkConfig, out *findings) (legacy bool) {
	var keyProp *prop
	var legacyNames []string
	legacyLine := 0
	for i, p := range c.props {
		switch {
		case slices.Contains(publicKeyOptions, p.name):
			keyProp = &c.props[i]
		case legacyOptions[p.name] != "":
			legacyNames = append(legacyNames, p.name)
			if legacyLine == 0 {
				legacyLine = p.line
			}
		}
	}
	tok, hasToken := c.prop("token")
	switch {
	case keyProp != nil && !hasToken:
		out.add(RuleLinkPublicKey, keyProp.line, keyProp.name,
			"%s opens Link with a public_key (%s) and no token; Plaid turned public_key Link off in February 2025, so pass the link_token your server creates as token", c.call, keyProp.name)
	case keyProp != nil:
		out.add(RuleLinkPublicKey, keyProp.line, keyProp.name,
			"%s still passes a public_key (%s) next to token: remove it", c.call, keyProp.name)
	case hasToken:
		out.add(RuleLinkTokenConfig, tok.line, "token", "%s is given a link_token", c.call)
	case c.complete:
		out.add(RuleLinkMissingToken, c.line, c.call, "%s has no token: pass the link_token your server created", c.call)
	default:
		out.add(RuleLinkConfigUnresolved, c.line, c.call,
			"%s gets its config from code the audit cannot follow: check that it passes token and no key", c.call)
	}
	if len(legacyNames) > 0 {
		advice := make([]string, len(legacyNames))
		for i, n := range legacyNames {
			advice[i] = n + ": " + legacyOptions[n]
		}
		out.add(RuleLinkLegacyOption, legacyLine, strings.Join(legacyNames, ", "),
			"%s passes public_key-era options, ignored once token is used (%s)", c.call, strings.Join(advice, "; "))
	}
	if keyProp != nil && !hasToken { // public_key Link: INVALID_LINK_TOKEN does not concern it yet
		return true
	}
	f.checkInvalidToken(c, out)
	return false
}

// checkInvalidToken follows the config's onExit (and the functions it
// calls) to see whether INVALID_LINK_TOKEN is handled: recovery is a new
// link_token and Link created again after destroy() (react-plaid-link
// re-creates Link itself when its token changes), or a page reload.
func (f *sourceFile) checkInvalidToken(c *linkConfig, out *findings) {
	p, ok := c.prop("onExit")
	if !ok {
		if !c.complete {
			out.add(RuleInvalidTokenUnresolved, c.line, c.call,
				"%s: onExit is not in the part of the config the audit can read: check that it recovers from INVALID_LINK_TOKEN", c.call)
			return
		}
		out.add(RuleInvalidTokenUnhandled, c.line, c.call,
			"%s has no onExit, so an expired or invalidated link_token (INVALID_LINK_TOKEN) leaves the user stuck", c.call)
		return
	}
	fn, from, to := f, p.from, p.to
	if name, ok := f.handlerName(p); ok { // onExit: handleExit, this.onExit, onExit (shorthand)
		decls := f.function(name)
		if len(decls) == 0 {
			out.add(RuleInvalidTokenUnresolved, p.line, c.call,
				"%s: onExit is %s, defined where the audit cannot follow it (a prop or an import): check that it recovers from INVALID_LINK_TOKEN", c.call, name)
			return
		}
		fn, from, to = decls[0].f, decls[0].from, decls[0].to
	}
	f.checkExitThis(c, p, out)
	branch, line, found := fn.invalidBranch(from, to, map[string]bool{}, 0)
	if !found && fn.passesErrorOn(from, to) {
		out.add(RuleInvalidTokenUnresolved, p.line, c.call,
			"%s: onExit hands the error to code the audit cannot follow (a prop or an import): check that INVALID_LINK_TOKEN is recovered from there", c.call)
		return
	}
	if !found {
		out.add(RuleInvalidTokenUnhandled, c.line, c.call,
			"%s: onExit has no INVALID_LINK_TOKEN branch, so an expired or invalidated link_token leaves the user stuck", c.call)
		return
	}
	create := slices.IndexFunc(branch, func(s exitStep) bool { return s.kind == stepCreate })
	destroy := slices.IndexFunc(branch, func(s exitStep) bool { return s.kind == stepDestroy })
	fetch := slices.IndexFunc(branch, func(s exitStep) bool { return s.kind == stepFetch })
	reload := slices.IndexFunc(branch, func(s exitStep) bool { return s.kind == stepReload })
	switch {
	case reload >= 0:
		out.add(RuleInvalidTokenRecovery, line, c.call, "onExit handles INVALID_LINK_TOKEN by reloading the page, which creates a new link_token and Link")
	case c.reactCall() && (fetch >= 0 || create >= 0):
		out.add(RuleInvalidTokenRecovery, line, c.call, "onExit handles INVALID_LINK_TOKEN with a new link_token (react-plaid-link destroys the old handler when the token changes)")
	case c.reactCall():
		out.add(RuleInvalidTokenNoRecovery, line, c.call,
			"onExit tests INVALID_LINK_TOKEN but only tells the user: it must fetch a new link_token so that Link is created again")
	case create >= 0 && (destroy < 0 || destroy > create):
		out.add(RuleInvalidTokenNoDestroy, line, c.call,
			"onExit handles INVALID_LINK_TOKEN by creating Link again without destroy() first: each retry stacks another Link iframe")
	case create >= 0:
		out.add(RuleInvalidTokenRecovery, line, c.call, "onExit handles INVALID_LINK_TOKEN: destroy(), a new link_token, Link created again")
	case fetch >= 0:
		out.add(RuleInvalidTokenUnresolved, line, c.call,
			"onExit fetches a new link_token on INVALID_LINK_TOKEN, but the audit does not see Link created again with it (after destroy()): check it")
	default:
		out.add(RuleInvalidTokenNoRecovery, line, c.call,
			"onExit tests INVALID_LINK_TOKEN but only tells the user (no new link_token, no new Link): destroy() the handler, fetch a new link_token and create Link again")
	}
}

// handlerName returns the function a property names: onExit: handleExit,
// onExit: this.handleExit, onExit: this.handleExit.bind(this), or the
// shorthand onExit.
func (f *sourceFile) handlerName(p prop) (string, bool) {
	from, to := p.from, p.to
	for f.isIdent(from, "this", "self", "vm", "props") && f.isPunct(from+1, ".", "?.") {
		from += 2
	}
	if !f.isIdent(from) || f.isIdent(from, "function", "async") {
		return "", false
	}
	end := from + 1
	if f.isPunct(end, ".") && f.isIdent(end+1, "bind") {
		end = f.matchClose(end+2) + 1
	}
	if end != to {
		return "", false
	}
	return f.tok(from).text, true
}

// exitStep is something an onExit handler does, in order.
type exitStep struct {
	kind string
	line int
}

const (
	stepDestroy = "destroy"
	stepCreate  = "create"
	stepFetch   = "fetch"  // a new link_token asked for, or a token change
	stepReload  = "reload" // the page reloads: a new token and a new Link
)

// maxCallDepth bounds how deep exit steps follow calls into the app's own
// functions.
const maxCallDepth = 3

// invalidBranch finds the INVALID_LINK_TOKEN test in tokens [from, to)
// (following the app's functions it calls) and returns the steps of the
// code that runs when it holds.
func (f *sourceFile) invalidBranch(from, to int, seen map[string]bool, depth int) ([]exitStep, int, bool) {
	for i := from; i < to && i < len(f.tokens); i++ {
		t := f.tokens[i]
		if strings.Contains(t.text, "INVALID_LINK_TOKEN") && (t.kind == tokString || t.kind == tokIdent) {
			a, b := f.branchOf(i, to)
			return f.exitSteps(a, b, map[string]bool{}, 0), t.line, true
		}
		if t.kind == tokIdent && f.isPunct(i+1, "(") && !seen[t.text] && depth < maxCallDepth {
			seen[t.text] = true
			for _, d := range f.function(t.text) {
				if steps, line, ok := d.f.invalidBranch(d.from, d.to, seen, depth+1); ok {
					return steps, line, true
				}
			}
		}
	}
	return nil, 0, false
}

// branchOf returns the tokens that run when the INVALID_LINK_TOKEN test
// at i holds: the body of its if (or the rest of the block after an
// "if (code !== 'INVALID_LINK_TOKEN') return"), its case, or the rest of
// the block.
func (f *sourceFile) branchOf(i, limit int) (int, int) {
	encl := f.enclosing()
	negated := f.isPunct(i-1, "!==", "!=")
	for o := encl[i]; o >= 0; o = encl[o] {
		if f.isPunct(o, "(") && f.isIdent(o-1, "if") {
			close := f.matchClose(o)
			if negated { // the rest of the enclosing block after the if
				end := f.statementEnd(close+1, limit)
				if f.isPunct(close+1, "{") {
					end = f.matchClose(close + 1)
				}
				blockEnd := limit
				if b := encl[o-1]; b >= 0 {
					blockEnd = min(limit, f.matchClose(b))
				}
				return end + 1, blockEnd
			}
			if f.isPunct(close+1, "{") {
				return close + 1, f.matchClose(close+1) + 1
			}
			return close + 1, f.statementEnd(close+1, limit) + 1
		}
		if f.isPunct(o, "{") {
			break
		}
	}
	if f.isIdent(i-1, "case") { // case 'INVALID_LINK_TOKEN': … until the next case
		end := limit
		if b := encl[i]; b >= 0 {
			end = min(limit, f.matchClose(b))
		}
		for k := i + 1; k < end; k++ {
			if f.isPunct(k, "(", "[", "{") {
				k = f.matchClose(k)
				continue
			}
			if f.isIdent(k, "case", "default") {
				return i + 1, k
			}
		}
		return i + 1, end
	}
	end := limit
	if b := encl[i]; b >= 0 {
		end = min(limit, f.matchClose(b))
		if f.isPunct(b, "(") { // err && err.error_code === 'INVALID_LINK_TOKEN' && retry()
			return i + 1, end
		}
	}
	return i + 1, end
}

// fetchCallees are calls that ask a server for something.
var fetchCallees = map[string]bool{"fetch": true, "axios": true, "post": true, "get": true, "ajax": true,
	"getJSON": true, "request": true, "refetch": true, "mutate": true, "invalidateQueries": true, "$fetch": true, "useFetch": true}

// exitSteps lists, in order, the destroy() calls, Link creations, token
// fetches and reloads of tokens [from, to), following calls to the app's
// own functions (each at most once).
func (f *sourceFile) exitSteps(from, to int, seen map[string]bool, depth int) []exitStep {
	var steps []exitStep
	for i := from; i < to && i < len(f.tokens); i++ {
		t := f.tokens[i]
		if _, _, ok := f.plaidCreateAt(i); ok {
			steps = append(steps, exitStep{stepCreate, t.line})
			continue
		}
		if t.kind != tokIdent {
			continue
		}
		lower := strings.ToLower(t.text)
		call := f.isPunct(i+1, "(")
		switch {
		case t.text == "destroy" && f.isMember(i) && call:
			steps = append(steps, exitStep{stepDestroy, t.line})
		case t.text == "reload" && f.isMember(i) && call, t.text == "href" && f.isMember(i) && f.isPunct(i+1, "="),
			t.text == "assign" && f.isMember(i) && f.isIdent(i-2, "location"):
			steps = append(steps, exitStep{stepReload, t.line})
		case call && (fetchCallees[t.text] || strings.Contains(lower, "token") && !strings.Contains(lower, "exchange")):
			steps = append(steps, exitStep{stepFetch, t.line})
		}
		passed := !call && !f.isMember(i) && f.isPunct(i-1, "(", ",") && f.isPunct(i+1, ")", ",") // .then(openLink)
		if (call || passed) && !f.isMember(i) && !seen[t.text] && depth < maxCallDepth {
			seen[t.text] = true
			for _, d := range f.function(t.text) {
				steps = append(steps, d.f.exitSteps(d.from, d.to, seen, depth+1)...)
			}
		}
		if call && f.isMember(i) && f.isIdent(i-2, "this", "self", "vm") && !seen[t.text] && depth < maxCallDepth { // a component's method
			seen[t.text] = true
			if from, to, ok := f.functionNamed(t.text); ok {
				steps = append(steps, f.exitSteps(from, to, seen, depth+1)...)
			}
		}
	}
	return steps
}

// checkExitThis warns when onExit is a plain function that uses this: Link
// calls it without the component as this, so the code throws (or changes
// the wrong object) exactly when it should recover.
func (f *sourceFile) checkExitThis(c *linkConfig, p prop, out *findings) {
	i := p.from
	if f.isIdent(i, "async") {
		i++
	}
	if !f.isIdent(i, "function") && !(p.from == p.to-1 || f.isPunct(i, "(")) {
		return
	}
	var from, to int
	switch {
	case f.isIdent(i, "function"):
		if f.isIdent(i + 1) {
			i++
		}
		var ok bool
		if from, to, ok = f.body(i + 1); !ok {
			return
		}
		if f.isPunct(to, ".") && f.isIdent(to+1, "bind") {
			return
		}
	case f.isPunct(i, "(") && f.isPunct(f.matchClose(i)+1, "{"): // a method onExit(err) {…}
		from, to = f.matchClose(i)+1, f.matchClose(f.matchClose(i)+1)+1
	default:
		return
	}
	for k := from; k < to; k++ {
		if f.isIdent(k, "this") && f.isPunct(k+1, ".") && f.component() {
			out.add(RuleExitThis, f.tok(k).line, "onExit",
				"%s: onExit is a plain function that uses this; Link calls it without your component as this, so the recovery throws: use an arrow function or bind it", c.call)
			return
		}
	}
}

// component reports whether the file defines a component whose methods
// use this: a class, a Vue component, an Angular or Svelte one.
func (f *sourceFile) component() bool {
	if strings.HasSuffix(f.path, ".vue") || strings.HasSuffix(f.path, ".svelte") {
		return true
	}
	for i := range f.tokens {
		if f.isIdent(i, "class", "methods", "Component", "defineComponent") {
			return true
		}
	}
	return false
}

// checkRepeatedCreate flags Plaid.create run from a click handler without
// destroy() of the previous handler (or a guard): each click adds an
// iframe. Creating Link inside onExit is checkInvalidToken's business.
func (f *sourceFile) checkRepeatedCreate(legacy map[int]bool, out *findings) {
	handlers := f.eventHandlers()
	encl := f.enclosing()
	for i := range f.tokens {
		call, paren, ok := f.plaidCreateAt(i)
		if !ok || legacy[i] {
			continue
		}
		for j := encl[i]; j >= 0; j = encl[j] {
			if !f.isPunct(j, "{") || !f.functionBrace(j) {
				continue
			}
			if f.insideOnExit(j) {
				break
			}
			name, isHandler := f.handlerFunction(j, handlers)
			if !isHandler {
				continue // an outer function may be the handler
			}
			if f.guarded(j+1, i) || f.anyIn(j, f.matchClose(j), func(k int) bool { return f.isIdent(k, "destroy") && f.isMember(k) }) {
				break
			}
			out.add(RuleLinkCreateRepeated, f.tok(i).line, call,
				"%s runs on every %s without destroy() of the previous handler: each click stacks another Link iframe; create Link once per link_token and call open() on click (or destroy() first)", call, name)
			_ = paren
			break
		}
	}
}

// insideOnExit reports whether the function body at j is an onExit
// callback (its recovery is judged by checkInvalidToken).
func (f *sourceFile) insideOnExit(j int) bool {
	for k := j - 1; k >= 0 && k > j-40; k-- {
		if f.isIdent(k, "onExit") && f.isPunct(k+1, ":", "(", "=") {
			return true
		}
		if f.isPunct(k, ";", "}") {
			return false
		}
	}
	return false
}

// eventHandlers returns the names the file binds to clicks:
// addEventListener('click', name), $(…).on('click', name), .click(name),
// onClick={name}, el.onclick = name, and the template's @click="name".
func (f *sourceFile) eventHandlers() map[string]bool {
	out := map[string]bool{}
	for k := range f.handlers {
		out[k] = true
	}
	for i := range f.tokens {
		if !f.isPunct(i+1, "(") && !f.isPunct(i+1, "=") {
			continue
		}
		switch t := f.tok(i); {
		case f.isPunct(i+1, "(") && (t.text == "addEventListener" || t.text == "on") && f.isMember(i):
			if a := f.valueEnd(i+2, len(f.tokens)); f.isPunct(a, ",") && f.isIdent(a+1) && f.isPunct(a+2, ")") {
				out[f.tok(a+1).text] = true
			}
		case f.isPunct(i+1, "(") && (t.text == "click" || t.text == "submit") && f.isMember(i) && f.isIdent(i+2) && f.isPunct(i+3, ")"):
			out[f.tok(i+2).text] = true
		case f.isPunct(i+1, "=") && strings.HasPrefix(strings.ToLower(t.text), "onclick"):
			k := i + 2
			if f.isPunct(k, "{") {
				k++
			}
			for f.isIdent(k, "this") && f.isPunct(k+1, ".") {
				k += 2
			}
			if f.isIdent(k) {
				out[f.tok(k).text] = true
			}
		}
	}
	return out
}

// handlerFunction reports whether the function body at j runs on a click:
// a function passed to addEventListener/on/click, or assigned to onclick,
// or a function (or method) whose name is bound to a click.
func (f *sourceFile) handlerFunction(j int, handlers map[string]bool) (string, bool) {
	// The function's header starts before its parameter list.
	k := j - 1
	if f.isPunct(k, "=>") {
		k--
	}
	for n := 0; n < 16 && !f.isPunct(k, ")") && !f.isPunct(k+1, "=>") && (f.isIdent(k) || f.isPunct(k, ":", ".", "<", ">", "[", "]", "|")); n++ {
		if f.isPunct(k, ":") && f.isPunct(k-1, ")") { // a TypeScript return type
			k--
			break
		}
		k--
	}
	if f.isPunct(k, ")") {
		k = f.openOf(k) - 1
	} else if f.isIdent(k) && f.isPunct(k+1, "=>") {
		k--
	}
	for f.isIdent(k, "function", "async") || f.isIdent(k) && f.isIdent(k-1, "function") {
		if f.isIdent(k-1, "function") {
			k--
		}
		if f.isIdent(k, "function", "async") {
			k--
		} else {
			break
		}
	}
	switch {
	case f.isIdent(k) && !f.isPunct(k-1, ".") && handlers[f.tok(k).text]: // function open() / open() { … }
		return f.tok(k).text + " click", true
	case f.isIdent(k) && f.isIdent(k-1, "function") && handlers[f.tok(k).text]:
		return f.tok(k).text + " click", true
	case f.isPunct(k, "=", ":") && f.isIdent(k-1) && handlers[f.tok(k-1).text]:
		return f.tok(k-1).text + " click", true
	case f.isPunct(k, "=") && f.isIdent(k-1) && strings.HasPrefix(strings.ToLower(f.tok(k-1).text), "onclick"):
		return "click", true
	case f.isPunct(k, ","), f.isPunct(k, "("):
		o := f.enclosing()[k+1]
		if f.isPunct(k, "(") {
			o = k
		}
		if o >= 0 && f.isPunct(o, "(") && f.isIdent(o-1, "addEventListener", "on", "click", "submit", "onClick") && f.isMember(o-1) {
			return "click", true
		}
	case f.isPunct(k, "{") && f.isPunct(k-1, "=") && f.isIdent(k-2) && strings.HasPrefix(f.tok(k-2).text, "on"):
		return "click", true // JSX onClick={() => …}
	}
	return "", false
}

// guarded reports whether tokens [from, at) test that no handler exists
// yet before creating one: if (!handler), if (handler == null), ??=.
func (f *sourceFile) guarded(from, at int) bool {
	for k := from; k < at; k++ {
		if f.isIdent(k, "if") && f.isPunct(k+1, "(") && f.isPunct(k+2, "!") {
			return true
		}
		if f.isPunct(k, "??=", "||=") || f.isIdent(k, "null", "undefined") && f.isPunct(k-1, "==", "===") {
			return true
		}
	}
	return false
}

// passesErrorOn reports whether the onExit function [from, to) passes its
// error parameter to a function the audit cannot follow: a prop
// (this.onExit(err), props.onExit(err)) or an import.
func (f *sourceFile) passesErrorOn(from, to int) bool {
	// The error parameter is the first name of the parameter list before
	// the body.
	param := ""
	if !f.isPunct(from, "{") { // a function expression: its parameters follow
		for k := from; k < to && k < from+4; k++ {
			if f.isPunct(k, "(") && f.isIdent(k+1) {
				param = f.tok(k + 1).text
				break
			}
			if f.isIdent(k) && f.isPunct(k+1, "=>") {
				param = f.tok(k).text
				break
			}
		}
	}
	for k := from - 1; param == "" && k >= 0 && k > from-24; k-- {
		if f.isPunct(k, ")") {
			if o := f.openOf(k); o >= 0 && f.isIdent(o+1) {
				param = f.tok(o + 1).text
			}
			break
		}
	}
	if param == "" {
		return false
	}
	for k := from; k < to; k++ {
		if !f.isIdent(k, param) || !f.isPunct(k-1, "(", ",") || !f.isPunct(k+1, ",", ")") {
			continue // not the error itself as an argument
		}
		o := f.enclosing()[k]
		if o < 1 || !f.isPunct(o, "(") || !f.isIdent(o-1) {
			continue
		}
		name := f.tok(o - 1).text
		if notCallees[name] || slices.Contains([]string{"log", "warn", "error", "info", "debug", "alert", "stringify", "push",
			"captureException", "setStatus", "setError", "String", "JSON", "emit"}, name) {
			continue
		}
		if f.isMember(o-1) || len(f.function(name)) == 0 {
			return true
		}
	}
	return false
}
