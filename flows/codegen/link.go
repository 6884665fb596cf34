package codegen

import (
	"fmt"
	"strings"
)

// The languages of the Link step's browser code.
const (
	LinkJS    Lang = "js"
	LinkReact Lang = "react"
)

// LinkLangs lists the languages of the Link step's code, in order.
var LinkLangs = []Lang{LinkJS, LinkReact}

// LinkOptions describe the app whose Link step is written.
type LinkOptions struct {
	// TokenEndpoint is the app's server route that calls
	// /link/token/create and returns {link_token}; "" is
	// /api/create_link_token, as Plaid's quickstart names it.
	TokenEndpoint string
	// ExchangeEndpoint is the route that exchanges the public_token; ""
	// is /api/exchange_public_token.
	ExchangeEndpoint string
	// Update says the token is an update-mode token (created with an
	// access_token): onSuccess then exchanges nothing.
	Update bool
	// RedirectURI is the token's redirect_uri, if any: the page at it
	// re-opens Link with receivedRedirectUri for OAuth banks.
	RedirectURI string
}

func (o LinkOptions) endpoints() (token, exchange string) {
	token, exchange = o.TokenEndpoint, o.ExchangeEndpoint
	if token == "" {
		token = "/api/create_link_token"
	}
	if exchange == "" {
		exchange = "/api/exchange_public_token"
	}
	return token, exchange
}

// ParseLinkLang reads the name of a Link snippet language.
func ParseLinkLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "js", "javascript", "html", "web", "node":
		return LinkJS, nil
	case "react", "jsx", "tsx":
		return LinkReact, nil
	}
	return "", fmt.Errorf("unknown language %q for the Link step: use js or react", s)
}

// GenerateLink writes the browser code of the Link step: Plaid.create with
// token, onSuccess, onExit (with the INVALID_LINK_TOKEN recovery from
// Plaid's guide: destroy(), a new token, Plaid.create again) and onEvent;
// or the same with react-plaid-link's usePlaidLink.
func GenerateLink(o LinkOptions, lang Lang) (Snippet, error) {
	var code string
	switch lang {
	case LinkJS:
		code = linkJS(o)
	case LinkReact:
		code = linkReact(o)
	default:
		return Snippet{}, fmt.Errorf("no %s snippet for the Link step: use js or react", lang)
	}
	notes := []string{
		"Your server creates the link_token (/link/token/create, see that step's code) and exchanges the public_token; the browser never sees your keys.",
		"On INVALID_LINK_TOKEN (expired, or too many failed logins) the handler is destroyed and Link is created again with a fresh token.",
	}
	if o.Update {
		notes = append(notes, "Update mode: the public_token from onSuccess is not exchanged; the Item keeps its access_token.")
	}
	if o.RedirectURI != "" {
		notes = append(notes, "OAuth: the page at "+o.RedirectURI+" re-creates Link with the same link_token and receivedRedirectUri: window.location.href.")
	}
	return Snippet{Lang: lang, Code: code, Notes: notes}, nil
}

func onSuccessBody(o LinkOptions, exchange, indent string) []string {
	if o.Update {
		return []string{
			"// Update mode: the Item is repaired. Do not exchange this public_token;",
			"// keep using the Item's access_token.",
			"console.log('Item repaired', metadata.institution, metadata.link_session_id);",
		}
	}
	return []string{
		"// Send the one-time public_token to your server, which exchanges it",
		"// (/item/public_token/exchange) within 30 minutes and keeps the access_token.",
		fmt.Sprintf("await fetch(%s, {", jsString(exchange)),
		"  method: 'POST',",
		"  headers: { 'Content-Type': 'application/json' },",
		"  body: JSON.stringify({ public_token, institution: metadata.institution }),",
		"});",
	}
}

func linkJS(o LinkOptions) string {
	tokenURL, exchange := o.endpoints()
	x := &w{unit: "  "}
	x.line("<!-- The Link step in the browser, with %s -->", LinkJS.Library())
	x.line(`<button id="link-button" disabled>Connect a bank account</button>`)
	x.line(`<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"></script>`)
	x.line("<script>")
	x.line("// Your server calls /link/token/create and returns { link_token }.")
	x.line("async function createLinkToken() {")
	x.in()
	x.line("const res = await fetch(%s, { method: 'POST' });", jsString(tokenURL))
	x.line("const { link_token } = await res.json();")
	if o.RedirectURI != "" {
		x.line("// The OAuth redirect page (%s) re-opens Link with the same token.", o.RedirectURI)
		x.line("localStorage.setItem('link_token', link_token);")
	}
	x.line("return link_token;")
	x.out()
	x.line("}")
	x.line("")
	x.line("let handler = null;")
	x.line("")
	x.line("function linkConfig(token) {")
	x.in()
	x.line("return {")
	x.in()
	x.line("token,")
	x.line("onSuccess: async (public_token, metadata) => {")
	x.in()
	for _, l := range onSuccessBody(o, exchange, x.indent) {
		x.line("%s", l)
	}
	x.out()
	x.line("},")
	x.line("onExit: async (error, metadata) => {")
	x.in()
	x.line("if (error != null && error.error_code === 'INVALID_LINK_TOKEN') {")
	x.in()
	x.line("// The link_token expired or was invalidated: destroy this handler")
	x.line("// (so iframes do not stack), get a fresh token, create Link again.")
	x.line("handler.destroy();")
	x.line("handler = Plaid.create(linkConfig(await createLinkToken()));")
	x.line("// open() again when the user is ready (e.g. on the next click)")
	x.line("return;")
	x.out()
	x.line("}")
	x.line("// error is null when the user just closed Link; metadata.status says where.")
	x.line("// Keep link_session_id and request_id for Plaid support.")
	x.line("console.log('Link exited', error, metadata.status, metadata.link_session_id, metadata.request_id);")
	x.out()
	x.line("},")
	x.line("onEvent: (eventName, metadata) => {")
	x.in()
	x.line("// For analytics: most events arrive together at the end of the session.")
	x.line("console.log(eventName, metadata.view_name, metadata.link_session_id);")
	x.out()
	x.line("},")
	x.out()
	x.line("};")
	x.out()
	x.line("}")
	x.line("")
	x.line("(async () => {")
	x.in()
	x.line("handler = Plaid.create(linkConfig(await createLinkToken()));")
	x.line("const button = document.getElementById('link-button');")
	x.line("button.onclick = () => handler.open();")
	x.line("button.disabled = false;")
	x.out()
	x.line("})();")
	x.line("</script>")
	if o.RedirectURI != "" {
		x.line("")
		x.line("<!-- At %s, where the bank sends the user back (OAuth): -->", o.RedirectURI)
		x.line("<script>")
		x.line("const oauthHandler = Plaid.create({")
		x.line("  ...linkConfig(localStorage.getItem('link_token')),")
		x.line("  receivedRedirectUri: window.location.href,")
		x.line("});")
		x.line("oauthHandler.open();")
		x.line("</script>")
	}
	return x.b.String()
}

func linkReact(o LinkOptions) string {
	tokenURL, exchange := o.endpoints()
	x := &w{unit: "  "}
	x.line("// The Link step in React, with %s", LinkReact.Library())
	x.line("import { useCallback, useEffect, useState } from 'react';")
	x.line("import { usePlaidLink } from 'react-plaid-link';")
	x.line("")
	x.line("export default function LinkButton() {")
	x.in()
	x.line("const [token, setToken] = useState(null);")
	x.line("")
	x.line("// Your server calls /link/token/create and returns { link_token }.")
	x.line("const createLinkToken = useCallback(async () => {")
	x.in()
	x.line("const res = await fetch(%s, { method: 'POST' });", jsString(tokenURL))
	x.line("const { link_token } = await res.json();")
	x.line("setToken(link_token);")
	x.out()
	x.line("}, []);")
	x.line("")
	x.line("useEffect(() => {")
	x.line("  createLinkToken();")
	x.line("}, [createLinkToken]);")
	x.line("")
	x.line("const onSuccess = useCallback(async (public_token, metadata) => {")
	x.in()
	for _, l := range onSuccessBody(o, exchange, x.indent) {
		x.line("%s", l)
	}
	x.out()
	x.line("}, []);")
	x.line("")
	x.line("const onExit = useCallback((error, metadata) => {")
	x.in()
	x.line("if (error != null && error.error_code === 'INVALID_LINK_TOKEN') {")
	x.in()
	x.line("// usePlaidLink destroys the old handler when the token changes:")
	x.line("// fetch a fresh token and Link is created again with it.")
	x.line("setToken(null);")
	x.line("createLinkToken();")
	x.line("return;")
	x.out()
	x.line("}")
	x.line("console.log('Link exited', error, metadata.status, metadata.link_session_id, metadata.request_id);")
	x.out()
	x.line("}, [createLinkToken]);")
	x.line("")
	x.line("const onEvent = useCallback((eventName, metadata) => {")
	x.line("  console.log(eventName, metadata.view_name, metadata.link_session_id);")
	x.line("}, []);")
	x.line("")
	cfg := "{ token, onSuccess, onExit, onEvent }"
	if o.RedirectURI != "" {
		x.line("// On the OAuth redirect page (%s), pass the same token (saved before", o.RedirectURI)
		x.line("// opening) and receivedRedirectUri: window.location.href.")
	}
	x.line("const { open, ready } = usePlaidLink(%s);", cfg)
	x.line("")
	x.line("return (")
	x.line("  <button onClick={() => open()} disabled={!ready}>")
	x.line("    Connect a bank account")
	x.line("  </button>")
	x.line(");")
	x.out()
	x.line("}")
	return x.b.String()
}
