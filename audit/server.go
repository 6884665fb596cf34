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
	// updateModeMarkers start update mode the deprecated way.
	updateModeMarkers = []marker{{
		subject: "/item/public_token/create",
		path:    "/item/public_token/create",
		idents:  []string{"item_public_token_create", "ItemPublicTokenCreate", "itemPublicTokenCreate", "createPublicToken"},
		chains:  [][]string{{"item", "public_token", "create"}},
	}}
	// linkTokenMarkers create a link_token.
	linkTokenMarkers = []marker{{
		subject: "/link/token/create",
		path:    "/link/token/create",
		idents:  []string{"link_token_create", "linkTokenCreate", "LinkTokenCreate"},
		chains:  [][]string{{"linktoken", "create"}, {"link_token", "create"}},
	}}
	// publicKeyMarkers took a public_key before the migration.
	publicKeyMarkers = []marker{
		{
			subject: "/institutions/search", path: "/institutions/search",
			idents: []string{"institutions_search", "institutionsSearch", "InstitutionsSearch", "searchInstitutionsByName"},
			chains: [][]string{{"institutions", "search"}},
		},
		{
			subject: "/institutions/get_by_id", path: "/institutions/get_by_id",
			idents: []string{"institutions_get_by_id", "institutionsGetById", "InstitutionsGetById", "getInstitutionById"},
			chains: [][]string{{"institutions", "get_by_id"}},
		},
		{
			subject: "/sandbox/public_token/create", path: "/sandbox/public_token/create",
			idents: []string{"sandbox_public_token_create", "sandboxPublicTokenCreate", "SandboxPublicTokenCreate"},
			chains: [][]string{{"sandbox", "public_token", "create"}},
		},
		{
			subject: "Plaid client",
			idents:  []string{"PlaidClient"},
			chains:  [][]string{{"plaid", "client"}},
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
		if k < len(chain)-1 && !f.isPunct(j+1, ".", "::") {
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
			return !member // not a read of response.access_token
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
	done := map[string]bool{} // code blocks already checked, per rule
	for i, t := range f.tokens {
		if inConfig[i] {
			continue
		}
		for _, m := range updateModeMarkers {
			if f.matchAt(i, m) {
				out.add(RuleUpdateModePublicToken, t.line, m.subject,
					"update mode starts from %s, deprecated: create a link_token with access_token instead", t.text)
			}
		}
		for _, m := range linkTokenMarkers {
			if f.matchAt(i, m) {
				f.checkLinkTokenCreate(i, done, out)
			}
		}
		for _, m := range publicKeyMarkers {
			if f.matchAt(i, m) {
				f.checkPublicKey(i, m, inConfig, done, out)
			}
		}
	}
}

// firstVisit reports whether the code block around token i is checked for
// the first time by the check named key.
func (f *sourceFile) firstVisit(i int, key string, done map[string]bool) (from, to int, first bool) {
	from, to = f.block(f.tok(i).line)
	k := fmt.Sprint(key, from, to)
	if done[k] {
		return from, to, false
	}
	done[k] = true
	return from, to, true
}

// checkLinkTokenCreate looks around a /link/token/create call for
// client_user_id and access_token, once per code block.
func (f *sourceFile) checkLinkTokenCreate(i int, done map[string]bool, out *findings) {
	line := f.tok(i).line
	from, to, first := f.firstVisit(i, "link-token", done)
	if !first {
		return
	}
	a, b := f.tokensIn(from, to)
	if f.anyIn(a, b, f.isUserID) {
		out.add(RuleLinkTokenCreate, line, "/link/token/create", "the server creates link_tokens (%s) with user.client_user_id", f.tok(i).text)
	} else {
		out.add(RuleLinkTokenCreateNoUser, line, "/link/token/create",
			"%s is called with no client_user_id in sight: user.client_user_id is required", f.tok(i).text)
	}
	for k := a; k < b; k++ {
		if f.isAccessTokenParam(k) {
			out.add(RuleUpdateModeAccessToken, f.tok(k).line, "/link/token/create",
				"update mode: a link_token created with the Item's access_token")
			return
		}
	}
}

// checkPublicKey reports the public keys used in the code block of a call
// to an endpoint (or client) that used to take one.
func (f *sourceFile) checkPublicKey(i int, m marker, inConfig []bool, done map[string]bool, out *findings) {
	from, to, first := f.firstVisit(i, m.subject, done)
	if !first {
		return
	}
	a, b := f.tokensIn(from, to)
	for k := a; k < b; k++ {
		if f.isPublicKeyRef(k) && !inConfig[k] {
			msg := "public_key is sent to " + m.subject + ", which takes client_id and secret now, from the server only"
			if m.path == "" {
				msg = "the Plaid client is given a public_key: it takes client_id and secret only now"
			}
			out.add(RuleServerPublicKey, f.tok(k).line, m.subject, "%s", msg)
		}
	}
}
