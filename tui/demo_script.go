package tui

import (
	"fmt"
	"strings"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The demo's script: what the presenter says, as data. The narration lives
// here, beside the demo that speaks it, rather than in flows: it is the
// voice of a presentation (short, spoken, in order), where a Step's Explain
// is reference text to read at leisure. Lines are keyed by the flows' and
// steps' stable names; a step the script does not know is announced by its
// title. No line carries an id or a token: the same demo says the same
// thing every time, and nothing secret can reach the screen through it.

// demoBeatKind is what a beat of the demo does.
type demoBeatKind int

// The beats.
const (
	beatSay   demoBeatKind = iota // narrate, nothing else
	beatStart                     // narrate the flow's intro and start a run of it
	beatRun                       // run a step (enter) and wait for it to end
	beatEnd                       // narrate the flow's outro once it finished
)

// demoBeat is one moment of the demo's timeline.
type demoBeat struct {
	kind  demoBeatKind
	flow  *flows.Flow // nil for the demo's own first and last words
	step  int         // beatSay before a step, beatRun
	say   string      // shown when the beat plays
	after string      // beatRun: shown when the step succeeded
}

// flowScript is the presenter's lines for one flow.
type flowScript struct {
	intro, outro string
	steps        map[string]stepScript // by step name
	events       map[string]string     // Link events this flow narrates its own way
}

// stepScript is said before a step runs and once it succeeded.
type stepScript struct{ before, after string }

// demoScripts are the flows' scripts, by flow name.
var demoScripts = map[string]flowScript{
	"quickstart": {
		intro: "Quickstart: the integration every Plaid app starts with. We link a new Item through Link, then read its accounts.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server asks Plaid for a link_token: POST /link/token/create with products, country codes, language and a client_user_id.",
				"Plaid answers with a link_token, good for 4 hours. Tokens only ever appear masked here.",
			},
			"open-link": {
				"Your page opens Link with that token. Watch the browser: the emulated Link's autopilot plays the user.",
				"The page now holds a one-time public_token, valid for 30 minutes, and sends it to your server.",
			},
			"exchange-public-token": {
				"Your server swaps the public_token for an access_token: POST /item/public_token/exchange.",
				"The access_token does not expire: it stays on your server, never in the browser.",
			},
			"get-accounts": {
				"With the access_token your server reads the accounts: POST /accounts/get.",
				"The accounts the user shared, with their masks, types and balances.",
			},
			"get-auth": {
				"And the account and routing numbers for ACH transfers: POST /auth/get.",
				"Account numbers show only their last four digits.",
			},
		},
		outro: "Quickstart done: a new Item, linked through Link and read with two API calls.",
	},
	"update-mode": {
		intro: "Update mode: an Item whose login stopped working is repaired in place, without linking a new one.",
		steps: map[string]stepScript{
			"pick-item": {
				"First an Item to break, made without Link: /sandbox/public_token/create, then the exchange.",
				"A healthy Item, with its own access_token.",
			},
			"reset-login": {
				"Now we break it as a password change at the bank would: POST /sandbox/item/reset_login.",
				"The Item needs its user to log in again: ITEM_LOGIN_REQUIRED.",
			},
			"item-get-error": {
				"/item/get still answers for a broken Item, and shows the problem in item.error.",
				"item.error says ITEM_LOGIN_REQUIRED: time to send the user through update mode.",
			},
			"accounts-get-error": {
				"Meanwhile every data call fails. /accounts/get should answer HTTP 400.",
				"HTTP 400, ITEM_LOGIN_REQUIRED: what your app sees until the user is back.",
			},
			"create-update-token": {
				"Your server creates an update-mode link_token: the Item's access_token and no products.",
				"An update-mode link_token, good for 30 minutes.",
			},
			"open-link-update": {
				"Link opens in update mode: straight to the bank's login, no institution list.",
				"The Item is repaired in place: your app keeps the access_token it had.",
			},
			"verify-item": {
				"Check: /item/get once more.",
				"item.error is null, and it is the same item_id.",
			},
			"verify-accounts": {
				"And /accounts/get, with the access_token we had all along.",
				"HTTP 200: the same access_token works again.",
			},
		},
		events: map[string]string{
			"OPEN":    "Link opens in update mode (is_update_mode): it goes straight to the login.",
			"success": "onSuccess: update mode is done, and there is nothing to exchange.",
		},
		outro: "Update mode done: the same Item and the same access_token, with the login repaired.",
	},
	"invalid-token": {
		intro: "Invalid link_token recovery: what your page must do when Link reports INVALID_LINK_TOKEN.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server creates link_token #1. The autopilot will log in as user_custom, whose password forces INVALID_LINK_TOKEN.",
				"link_token #1 is ready, and doomed.",
			},
			"open-link-recover": {
				"Link opens with token #1. Keep an eye on the recovery timeline.",
				"Recovered: two link_tokens, two Link sessions, one onSuccess.",
			},
			"exchange-public-token": {
				"The public_token of the second Link session is exchanged as usual.",
				"A new Item, linked in spite of the invalid token.",
			},
		},
		outro: "Recovery done: onExit with INVALID_LINK_TOKEN, destroy(), a new token, Plaid.create again.",
	},
	"oauth": {
		intro: "OAuth with a redirect_uri: the page goes to the bank and comes back, and Link must pick up where it left off.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server creates a link_token whose redirect_uri is the callback page's own /oauth-return.",
				"The link_token carries the redirect_uri; the page keeps the token in sessionStorage.",
			},
			"open-link-oauth": {
				"Link opens; the user picks Platypus OAuth Bank, and the whole page goes to the bank.",
				"Back at /oauth-return: the same link_token and receivedRedirectUri resumed the same Link session.",
			},
			"exchange-public-token": {
				"The public_token is exchanged as usual: OAuth changes nothing on your server.",
				"A new Item at Platypus OAuth Bank.",
			},
			"get-accounts": {
				"/accounts/get shows the accounts the user shared at the bank.",
				"The Item is at the OAuth bank, with the accounts the user shared.",
			},
		},
		outro: "OAuth round trip done: the bank, /oauth-return?oauth_state_id=…, Plaid.create with receivedRedirectUri, onSuccess.",
	},
	"oauth-popup": {
		intro: "OAuth without a redirect_uri: on desktop web Link opens the bank in a pop-up window.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server creates a link_token with no redirect_uri.",
				"The link_token is ready.",
			},
			"open-link-oauth": {
				"Link opens; the user picks Platypus OAuth Bank, and the bank opens in a pop-up.",
				"The user authorized in the pop-up; Link went on to the accounts and onSuccess.",
			},
			"exchange-public-token": {
				"The public_token is exchanged as usual.",
				"A new Item at Platypus OAuth Bank.",
			},
			"get-accounts": {
				"/accounts/get shows the accounts the user shared at the bank.",
				"The Item is at the OAuth bank.",
			},
		},
		outro: "Pop-up OAuth done: OPEN_OAUTH, the bank's consent, then the accounts and HANDOFF.",
	},
	"transactions": {
		intro: "Transactions: Plaid pulls an Item's history in the background, says so with signed webhooks, and your app syncs with a cursor.",
		steps: map[string]stepScript{
			"create-link-token": {
				"Your server creates a link_token with products transactions and a webhook: where Plaid will tell it about new data.",
				"The link_token carries the webhook; it becomes the Item's.",
			},
			"open-link": {
				"Link opens and the autopilot links an Item. Plaid starts pulling its transactions at once.",
				"onSuccess: a public_token, and Plaid is already at work on the history.",
			},
			"exchange-public-token": {
				"The public_token is exchanged as usual.",
				"The Item's access_token stays on your server.",
			},
			"wait-webhooks": {
				"Now we wait for Plaid's TRANSACTIONS webhooks, and check each one's Plaid-Verification signature.",
				"INITIAL_UPDATE and HISTORICAL_UPDATE arrived, both signatures verified with the key for their kid.",
			},
			"sync-initial": {
				"Your server pages /transactions/sync from an empty cursor, a few transactions per page, until has_more is false.",
				"The whole history came as added. The last next_cursor is saved: the next sync starts there. SYNC_UPDATES_AVAILABLE followed.",
			},
			"change-transactions": {
				"The bank's data changes: two new transactions, one modified, one removed.",
				"Plaid announces it: DEFAULT_UPDATE, TRANSACTIONS_REMOVED and SYNC_UPDATES_AVAILABLE, all verified.",
			},
			"sync-changes": {
				"On SYNC_UPDATES_AVAILABLE your server syncs again, from the saved cursor.",
				"Exactly the changes: two added, one modified, one removed. The new cursor is saved.",
			},
		},
		outro: "Transactions done: webhooks verified, a cursor saved and synced from, and only the changes fetched.",
	},
	"update-new-accounts": updateNewAccountsScript,
	"update-expiring":     updateExpiringScript,
}

// demoEventLines narrate the notable reports of the Link page, keyed by
// eventKey.
var demoEventLines = map[string]string{
	"token_fetched":           "The page fetched its link_token from your server and calls Plaid.create.",
	"OPEN":                    "Link opens. The autopilot plays the user, one click at a time.",
	"SUBMIT_CREDENTIALS":      "The user submits their bank login.",
	"SUBMIT_MFA":              "…and answers the bank's security question.",
	"exit:INVALID_LINK_TOKEN": "Link reports INVALID_LINK_TOKEN: the page destroys the handler and fetches a new token.",
	"destroyed":               "handler.destroy() is done: your server creates a new link_token, and the page calls Plaid.create again.",
	"exit":                    "The user closed Link: onExit, without an error.",
	"success":                 "onSuccess: Link hands the page a one-time public_token.",
	"OPEN_OAUTH":              "Link hands off to the bank's own page (OPEN_OAUTH): the user logs in and consents there.",
	"oauth_return":            "Back from the bank: the page re-creates Link with the same link_token and receivedRedirectUri.",
	"oauth_restarted":         "Link started over: receivedRedirectUri was missing. The page destroys it and re-creates it properly.",
}

// eventKey names a page report for the script: the onEvent name for
// Link's events, exit:CODE for an exit with an error, else the report's
// kind.
func eventKey(ev flows.PageEvent) string {
	switch {
	case ev.Kind == "event":
		return ev.EventName
	case ev.Kind == "exit" && ev.ErrorCode != "":
		return "exit:" + ev.ErrorCode
	}
	return ev.Kind
}

// eventLine is what the presenter says about a page report of a flow, or
// "" for one not worth a word.
func eventLine(flow string, ev flows.PageEvent) string {
	k := eventKey(ev)
	if s, ok := demoScripts[flow].events[k]; ok {
		return s
	}
	if s, ok := demoEventLines[k]; ok {
		return s
	}
	switch {
	case k == "SELECT_INSTITUTION" && ev.InstitutionName != "":
		return "The user picks " + oneLine(ev.InstitutionName) + "."
	case strings.HasPrefix(k, "exit:"):
		return "Link exits with " + oneLine(ev.ErrorCode) + ": onExit carries the error to your page."
	}
	return ""
}

// demoBeats is the demo's timeline for the given flows: a word of welcome;
// for each flow its intro (and the run's start), then for each step a line
// before it and the step itself; the flow's outro; and a last word.
func demoBeats(fl []*flows.Flow) []demoBeat {
	beats := []demoBeat{{kind: beatSay, say: demoWelcome(fl)}}
	for _, f := range fl {
		sc := demoScripts[f.Name]
		beats = append(beats, demoBeat{kind: beatStart, flow: f, say: orDefault(sc.intro, f.Title+": "+oneLine(f.Summary))})
		for i, s := range f.Steps {
			lines := sc.steps[s.Name]
			beats = append(beats,
				demoBeat{kind: beatSay, flow: f, step: i, say: orDefault(lines.before, "Next: "+s.Title+".")},
				demoBeat{kind: beatRun, flow: f, step: i, after: lines.after})
		}
		beats = append(beats, demoBeat{kind: beatEnd, flow: f, say: orDefault(sc.outro, f.Title+" done.")})
	}
	return append(beats, demoBeat{kind: beatSay, say: "That's the demo. Every call, Link event and webhook is in the session log (tab)."})
}

// demoWelcome is the demo's first line.
func demoWelcome(fl []*flows.Flow) string {
	titles := make([]string, len(fl))
	for i, f := range fl {
		titles[i] = f.Title
	}
	what := "This demo plays " + strings.Join(titles, ", ")
	if len(fl) > 1 {
		what = fmt.Sprintf("This demo plays %d flows (%s)", len(fl), strings.Join(titles, ", "))
	}
	return what + " by itself, offline against the emulated Sandbox. p pauses it; D stops it."
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
