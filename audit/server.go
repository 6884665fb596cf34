package audit

import (
	"fmt"
	"slices"
	"strings"
)

// marker is a way code names a Plaid endpoint or client: a path inside a
// string, a client-library method, or a chain such as Item.public_token.create.
type marker struct {
	subject string   // what findings call it, e.g. "/item/public_token/create"
	path    string   // matched inside string literals
	idents  []string // method names of the client libraries
	chains  [][]string
}

var (
	// updateModeMarkers start update mode the deprecated way: the path, or
	// the method of a Plaid library (plaid-node 2.x createPublicToken, its
	// later itemCreatePublicToken, plaid-python, plaid-ruby, plaid-go v1
	// CreatePublicToken and v20 ItemCreatePublicToken, plaid-java).
	updateModeMarkers = []marker{{
		subject: "/item/public_token/create",
		path:    "/item/public_token/create",
		idents: []string{"item_public_token_create", "ItemPublicTokenCreate", "itemPublicTokenCreate", "createPublicToken",
			"CreatePublicToken", "itemCreatePublicToken", "item_create_public_token", "ItemCreatePublicToken"},
		chains: [][]string{{"item", "public_token", "create"}},
	}}
	// linkTokenMethods are the methods that create a link_token, in the
	// Plaid libraries old and new (plaid-node createLinkToken then
	// linkTokenCreate, plaid-go v1 CreateLinkToken then LinkTokenCreate,
	// plaid-python and plaid-ruby link_token_create, plaid-java
	// linkTokenCreate), and chains such as client.LinkToken.create.
	linkTokenMethods = []string{"link_token_create", "linkTokenCreate", "LinkTokenCreate", "createLinkToken", "CreateLinkToken"}
	linkTokenChains  = [][]string{{"linktoken", "create"}, {"link_token", "create"}}
	// publicKeyMarkers took a public_key before the migration.
	publicKeyMarkers = []marker{
		{
			subject: "/institutions/search", path: "/institutions/search",
			idents: []string{"institutions_search", "institutionsSearch", "InstitutionsSearch", "searchInstitutionsByName", "SearchInstitutions"},
			chains: [][]string{{"institutions", "search"}},
		},
		{
			subject: "/institutions/get_by_id", path: "/institutions/get_by_id",
			idents: []string{"institutions_get_by_id", "institutionsGetById", "InstitutionsGetById", "getInstitutionById", "GetInstitutionByID"},
			chains: [][]string{{"institutions", "get_by_id"}},
		},
		{
			subject: "/sandbox/public_token/create", path: "/sandbox/public_token/create",
			idents: []string{"sandbox_public_token_create", "sandboxPublicTokenCreate", "SandboxPublicTokenCreate", "CreateSandboxPublicToken"},
			chains: [][]string{{"sandbox", "public_token", "create"}},
		},
		{
			subject: "Plaid client",
			idents:  []string{"PlaidClient", "ClientOptions"},
			chains:  [][]string{{"plaid", "client"}, {"plaid", "clientoptions"}},
		},
	}
)

// matchAt reports whether token i is where m is named.
func (f *sourceFile) matchAt(i int, m marker) bool {
	t := f.tok(i)
	switch t.kind {
	case tokString: // a URL or path, not prose that mentions one
		return m.path != "" && strings.Contains(t.text, m.path) && !strings.ContainsAny(t.text, " \t\n")
	case tokIdent:
		if slices.Contains(m.idents, t.text) {
			return true
		}
		return slices.ContainsFunc(m.chains, func(chain []string) bool { return f.chainAt(i, chain) })
	}
	return false
}

// chainAt reports whether tokens from i spell chain, joined by "." or "::",
// compared case-insensitively (client.Item.public_token.create,
// Plaid::Client).
func (f *sourceFile) chainAt(i int, chain []string) bool {
	for k, name := range chain {
		j := i + 2*k
		if !f.isIdent(j) || !strings.EqualFold(f.tok(j).text, name) {
			return false
		}
		if k < len(chain)-1 && !f.isPunct(j+1, ".", "::", "->", "?.") {
			return false
		}
	}
	return true
}

// userIDNames name user.client_user_id in the client libraries.
var userIDNames = []string{"client_user_id", "clientUserId", "ClientUserId", "ClientUserID", "NewLinkTokenCreateRequestUser"}

// isUserID reports whether token i names client_user_id.
func (f *sourceFile) isUserID(i int) bool {
	t := f.tok(i)
	return (t.kind == tokIdent || t.kind == tokString) && slices.Contains(userIDNames, t.text)
}

// isAccessTokenParam reports whether token i sets access_token on a
// request: an access_token key, keyword or string, Go's SetAccessToken(…)
// or AccessToken: field, or a builder's .accessToken(…).
func (f *sourceFile) isAccessTokenParam(i int) bool {
	t := f.tok(i)
	switch t.kind {
	case tokString:
		return t.text == "access_token"
	case tokIdent:
		member := f.isMember(i)
		switch t.text {
		case "access_token":
			return !member || f.isPunct(i+1, "=") // not a read of response.access_token
		case "SetAccessToken":
			return true
		case "accessToken": // a Java builder
			return member && f.isPunct(i+1, "(")
		case "AccessToken": // a Go struct field
			return !member && f.isPunct(i+1, ":")
		}
	}
	return false
}

// isPublicKeyRef reports whether token i is a public key: public_key,
// publicKey, PLAID_PUBLIC_KEY and the like, as a name or a string.
func (f *sourceFile) isPublicKeyRef(i int) bool {
	t := f.tok(i)
	if t.kind != tokIdent && t.kind != tokString {
		return false
	}
	lower := strings.ToLower(t.text)
	if t.kind == tokString { // a key, or JSON written by hand; not prose
		return lower == "public_key" || lower == "publickey" ||
			strings.Contains(lower, `"public_key"`) || strings.Contains(lower, `\"public_key\"`)
	}
	return strings.Contains(lower, "public_key") || strings.Contains(lower, "publickey")
}

// maxLinkTokenCalls bounds the /link/token/create calls followed in one
// file: real servers have a few, and each costs up to the size of the file.
const maxLinkTokenCalls = 200

// checkServer applies the rules that hold in any language: update mode,
// /link/token/create, and public_key sent to the server-only endpoints.
// Tokens in skip (Link configs, in file order) are not server calls.
func (f *sourceFile) checkServer(skip []span, out *findings) {
	inConfig := make([]bool, len(f.tokens))
	covered := 0 // configs nest: each token is marked once
	for _, sp := range skip {
		for i := max(sp.from, covered, 0); i < min(sp.to, len(f.tokens)); i++ {
			inConfig[i] = true
		}
		covered = max(covered, sp.to)
	}
	calls := 0
	done := map[string]bool{}
	plaidFile := f.mentionsPlaid()
	pyClient := f.plaidClientName()
	clientMarker := publicKeyMarkers[len(publicKeyMarkers)-1]
	for i, t := range f.tokens {
		if inConfig[i] {
			continue
		}
		for _, m := range updateModeMarkers {
			if f.matchAt(i, m) && f.realCall(i, m.path) {
				what := f.calleeText(i)
				if t.kind == tokString {
					what = m.subject
				}
				out.add(RuleUpdateModePublicToken, t.line, m.subject,
					"update mode starts from %s (%s), deprecated: create a link_token with the Item's access_token instead", what, m.subject)
			}
		}
		if calls < maxLinkTokenCalls {
			if call, ok := f.linkTokenCall(i); ok {
				calls++
				f.checkLinkTokenCreate(i, call, out)
			}
		}
		for _, m := range publicKeyMarkers {
			if f.matchAt(i, m) {
				f.checkPublicKey(i, m, inConfig, done, out)
			}
		}
		if pyClient != "" && f.isIdent(i, pyClient) && f.isPunct(i+1, "(") && !f.isMember(i) {
			f.checkPublicKey(i, clientMarker, inConfig, done, out)
		}
		if plaidFile && f.lang == langPHP && t.kind == tokString && strings.EqualFold(t.text, "public_key") && f.isPunct(i+1, "=>") {
			out.add(RuleServerPublicKey, t.line, "Plaid client", "a Plaid client is configured with a public_key: Plaid's API takes client_id and secret only now")
		}
	}
}

// mentionsPlaid reports whether any name or string of the file says plaid.
func (f *sourceFile) mentionsPlaid() bool {
	for _, t := range f.tokens {
		if (t.kind == tokIdent || t.kind == tokString) && strings.Contains(strings.ToLower(t.text), "plaid") {
			return true
		}
	}
	return false
}

// routeDefiners are receivers whose get/post(path, …) defines a route of
// the app rather than calling Plaid.
var routeDefiners = map[string]bool{"app": true, "router": true, "server": true, "r": true, "e": true, "mux": true,
	"Route": true, "bp": true, "blueprint": true, "routes": true, "api": true, "g": true, "engine": true, "fastify": true}

// realCall reports whether the marker at i is a call into Plaid: a method
// called on a receiver (not the app's own declaration, not a key of a
// table, not a sandbox helper), or Plaid's path passed to an HTTP call.
func (f *sourceFile) realCall(i int, path string) bool {
	t := f.tok(i)
	if t.kind == tokString {
		_, ok := f.pathCall(i, path)
		return ok
	}
	end := i
	for f.isPunct(end+1, ".", "::", "->", "?.") && f.isIdent(end+2) { // a chain: item.public_token.create
		end += 2
	}
	if !f.isPunct(end+1, "(") || !f.isMember(i) && !f.isPunct(i-1, "::", "->") {
		return false
	}
	for k := i - 2; k >= 0 && k > i-8 && f.isIdent(k); k -= 2 { // sandbox.createPublicToken is a sandbox helper
		if strings.Contains(strings.ToLower(f.tok(k).text), "sandbox") {
			return false
		}
		if !f.isPunct(k-1, ".", "->", "::", "?.") {
			break
		}
	}
	return true
}

// pathCall finds the call that Plaid's path at the string i is passed to
// (also through a variable holding the URL), and returns the "(" of its
// arguments.
func (f *sourceFile) pathCall(i int, path string) (int, bool) {
	text := f.tok(i).text
	if !strings.Contains(text, path) || strings.ContainsAny(text, " \t\n") && !strings.Contains(text, "{") {
		return 0, false
	}
	if f.isPunct(i+1, ":", "=>") && !f.isPunct(i-1, "=") { // a key of a table
		return 0, false
	}
	encl := f.enclosing()
	o := encl[i]
	for o >= 0 && f.isPunct(o, "(") && urlWrappers[f.tok(o-1).text] && encl[o] >= 0 { // URI.create(base + path)
		o = encl[o]
	}
	if o >= 0 && f.isPunct(o, "(") && f.isIdent(o-1) && !notCallees[f.tok(o-1).text] {
		if f.isMember(o-1) && routeDefiners[f.tok(o-3).text] || routeDefiners[f.tok(o-1).text] {
			return 0, false // app.post('/link/token/create', handler) serves the path
		}
		return o, true
	}
	// const url = base + '/link/token/create'; http.post(url, body)
	stmt := i
	for stmt > 0 && !f.isPunct(stmt, "=", ":=") && f.tok(stmt-1).line == f.tok(i).line {
		stmt--
	}
	if !f.isPunct(stmt, "=", ":=") || !f.isIdent(stmt-1) {
		return 0, false
	}
	name := f.tok(stmt - 1).text
	from, to := f.scopeOf(i)
	for k := stmt + 1; k < to && k >= from; k++ {
		if f.isIdent(k, name) && !f.isMember(k) {
			if o := encl[k]; o > stmt && f.isPunct(o, "(") && f.isIdent(o-1) && !notCallees[f.tok(o-1).text] {
				return o, true
			}
		}
	}
	return 0, false
}

// urlWrappers build a URL that is then passed to the call that sends it.
var urlWrappers = map[string]bool{"create": true, "URI": true, "URL": true, "url": true, "urljoin": true, "join": true,
	"format": true, "Sprintf": true, "sprintf": true, "parse": true, "Parse": true, "resolve": true, "url_for": true, "URI.join": true}

// linkTokenCall reports whether token i is a real call that creates a
// link_token, and returns the "(" of its arguments.
func (f *sourceFile) linkTokenCall(i int) (int, bool) {
	t := f.tok(i)
	switch t.kind {
	case tokString:
		return f.pathCall(i, "/link/token/create")
	case tokIdent:
	default:
		return 0, false
	}
	last := i
	switch {
	case slices.Contains(linkTokenMethods, t.text):
	case slices.ContainsFunc(linkTokenChains, func(c []string) bool { return f.chainAt(i, c) }):
		last = i + 2
	default:
		return 0, false
	}
	if !f.isPunct(last+1, "(") || !f.isMember(i) && !f.isPunct(i-1, "::", "->") {
		return 0, false // the app's own function, declared or called bare
	}
	if last == i && f.declared(t.text) {
		// The app has a function of that name: a call to it is a call to
		// the app's wrapper, unless it is made inside that very function
		// (plaid-node 2.x: createLinkToken wraps client.createLinkToken)
		// or passes the request itself.
		inside := slices.ContainsFunc(f.function(t.text), func(d declRef) bool { return d.f == f && d.from <= i && i < d.to })
		if !inside && !f.anyIn(last+2, f.matchClose(last+1), f.isUserID) && !f.isPunct(last+2, "{", "[") {
			return 0, false
		}
	}
	return last + 1, true
}

// callRegion returns the arguments of the call whose "(" is at open, with
// those of the calls chained to it (LinkTokenCreate(ctx).
// LinkTokenCreateRequest(req).Execute()), and marks each argument's first
// token as the request itself.
func (f *sourceFile) callRegion(open int) (from, to int, critical map[int]bool) {
	critical = map[int]bool{}
	from, to = open, f.matchClose(open)+1
	for o := open; ; {
		close := f.matchClose(o)
		for k := o + 1; k < close; k = f.valueEnd(k, close) + 1 {
			for f.isPunct(k, "*", "&") {
				k++
			}
			if f.isIdent(k) {
				critical[k] = true
			}
		}
		if !(f.isPunct(close+1, ".") && f.isIdent(close+2) && f.isPunct(close+3, "(")) {
			to = close + 1
			break
		}
		o = close + 3
	}
	return from, min(to, len(f.tokens)), critical
}

// checkLinkTokenCreate follows the request of a /link/token/create call
// through the enclosing function, its variables and the app's own
// builders: good with client_user_id, a problem when the whole request is
// known and has none, a question for a person otherwise.
func (f *sourceFile) checkLinkTokenCreate(i, open int, out *findings) {
	line := f.tok(i).line
	what := f.tok(i).text
	if f.tok(i).kind == tokString {
		what = "a request to /link/token/create"
	}
	from, to, critical := f.callRegion(open)
	scopeFrom, scopeTo := f.scopeOf(i)
	fl := newFollower(func(g *sourceFile, k int) bool { return g.isUserID(k) })
	fl.region(f, from, to, scopeFrom, scopeTo, 0, critical)
	res := fl.res
	switch {
	case res.found >= 0:
		where := ""
		if res.foundIn != f || res.foundIn.tok(res.found).line != line {
			where = fmt.Sprintf(" (set at %s:%d)", res.foundIn.path, res.foundIn.tok(res.found).line)
		}
		out.add(RuleLinkTokenCreate, line, "/link/token/create", "the server creates link_tokens (%s) with user.client_user_id%s", what, where)
	case res.unresolved:
		out.add(RuleLinkTokenCreateUnresolved, line, "/link/token/create",
			"%s: its request comes from code the audit cannot follow (a parameter, an import or a library): check that it sets user.client_user_id", what)
	default:
		out.add(RuleLinkTokenCreateNoUser, line, "/link/token/create",
			"%s builds its request without user.client_user_id, which /link/token/create requires", what)
	}
	if res.access >= 0 {
		if res.accessIn == f {
			line = f.tok(res.access).line
		}
		out.add(RuleUpdateModeAccessToken, line, "/link/token/create",
			"update mode: a link_token created with the Item's access_token")
	}
}

// checkPublicKey reports a public key passed to an endpoint (or client)
// that used to take one: in the call's arguments, the request they name,
// or a Go struct literal (plaid.ClientOptions{PublicKey: …}).
func (f *sourceFile) checkPublicKey(i int, m marker, inConfig []bool, done map[string]bool, out *findings) {
	var from, to int
	var critical map[int]bool
	end := i
	for f.isPunct(end+1, ".", "::", "->") && f.isIdent(end+2) {
		end += 2
	}
	switch {
	case f.tok(i).kind == tokString:
		open, ok := f.pathCall(i, m.path)
		if !ok {
			return
		}
		from, to, critical = f.callRegion(open)
	case f.isPunct(end+1, "("):
		from, to, critical = f.callRegion(end + 1)
	case f.isPunct(end+1, "{"): // a struct literal
		from, to = end+1, f.matchClose(end+1)+1
	default:
		return
	}
	key := fmt.Sprint(m.subject, from)
	if done[key] {
		return
	}
	done[key] = true
	scopeFrom, scopeTo := f.scopeOf(i)
	fl := newFollower(func(g *sourceFile, k int) bool { return g.isPublicKeyRef(k) && !(g == f && inConfig[k]) })
	fl.region(f, from, to, scopeFrom, scopeTo, 0, critical)
	if fl.res.found < 0 {
		return
	}
	msg := "public_key is sent to " + m.subject + ", which takes client_id and secret now, from the server only"
	if m.path == "" {
		msg = "the Plaid client is given a public_key: it takes client_id and secret only now"
	}
	g := fl.res.foundIn
	line := g.tok(fl.res.found).line
	if g != f {
		msg += fmt.Sprintf(" (the key comes from %s:%d)", g.path, line)
		line = f.tok(i).line
	}
	out.add(RuleServerPublicKey, line, m.subject, "%s", msg)
}

// plaidHosts are the hosts of Plaid's API (not cdn.plaid.com, which serves
// Link to pages).
var plaidHosts = []string{"sandbox.plaid.com", "production.plaid.com", "development.plaid.com", ".plaid.com"}

// plaidAPIPaths are API paths only a server calls.
var plaidAPIPaths = []string{"/item/public_token/exchange", "/link/token/create", "/accounts/get", "/transactions/get",
	"/transactions/sync", "/auth/get", "/item/get", "/accounts/balance/get", "/identity/get", "/item/remove"}

// plaidClientChains build a Plaid API client, in each library and era.
var plaidClientChains = [][]string{
	{"plaid", "client"}, {"plaid", "newclient"}, {"plaid", "newapiclient"}, {"plaid", "newconfiguration"},
	{"plaid_api", "plaidapi"}, {"plaid", "configuration"}, {"plaid", "plaidapi"}, {"plaid", "environment"},
	{"plaid", "environments"}, {"plaidclient", "newbuilder"}, {"plaid", "apiclient"},
}

// plaidServer returns where the file's server code talks to Plaid, if it
// does: it builds a Plaid client, names Plaid's API host, or sends a
// request to a Plaid API path.
func (f *sourceFile) plaidServer() (Evidence, bool) {
	if f.lang == langHTML {
		return Evidence{}, false
	}
	client := f.plaidClientName()
	for i, t := range f.tokens {
		note := ""
		switch t.kind {
		case tokIdent:
			switch {
			case slices.ContainsFunc(plaidClientChains, func(c []string) bool { return f.chainAt(i, c) }):
				note = "a Plaid API client is built"
			case (t.text == "PlaidApi" || t.text == "PlaidEnvironments") && !f.isMember(i) && !f.isPunct(i-1, "{", ",") || f.isIdent(i-1, "new") && t.text == "Plaid":
				note = "a Plaid API client is built"
			case client != "" && t.text == client && f.isPunct(i+1, "(") && !f.isMember(i):
				note = "a Plaid API client is built"
			}
		case tokString:
			lower := strings.ToLower(t.text)
			if strings.Contains(lower, "cdn.plaid.com") || strings.ContainsAny(t.text, " \t\n") {
				break
			}
			if slices.ContainsFunc(plaidHosts, func(h string) bool { return strings.Contains(lower, h) }) {
				note = "Plaid's API host"
				break
			}
			for _, p := range plaidAPIPaths {
				if _, ok := f.pathCall(i, p); ok {
					note = "a request to " + p
					break
				}
			}
		}
		if note != "" {
			return Evidence{Kind: "file", File: f.path, Line: t.line, Note: "the server talks to Plaid: " + note}, true
		}
	}
	return Evidence{}, false
}

// plaidClientName is the name plaid-python's Client has in the file (from
// plaid import Client [as Name]), or "".
func (f *sourceFile) plaidClientName() string {
	if f.lang != langPython {
		return ""
	}
	for i := range f.tokens {
		if f.isIdent(i, "from") && f.isIdent(i+1, "plaid") && f.isIdent(i+2, "import") {
			line := f.tok(i).line
			for k := i + 3; k < len(f.tokens) && f.tok(k).line == line; k++ {
				if f.isIdent(k, "Client") {
					if f.isIdent(k+1, "as") && f.isIdent(k+2) {
						return f.tok(k + 2).text
					}
					return "Client"
				}
			}
		}
	}
	return ""
}

// calleeText is the method at i with the chain it starts:
// Item.public_token.create, createPublicToken.
func (f *sourceFile) calleeText(i int) string {
	parts := []string{f.tok(i).text}
	for k := i; f.isPunct(k+1, ".", "::", "->") && f.isIdent(k+2); k += 2 {
		parts = append(parts, f.tok(k+2).text)
	}
	return strings.Join(parts, ".")
}
