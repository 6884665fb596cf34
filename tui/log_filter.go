package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/linkexplorer/linkexplorer/store"
)

// filterHelp explains the filter syntax on the filter line.
const filterHelp = "words, or field:value with session, request_id, link_session_id, item, code, kind (call/app/event/webhook), source (linkexplorer/app/demo), and is:error"

// parseFilter reads the log filter typed after /: field:value terms set
// the matching field, is:error keeps entries with an error, and the other
// words (including name:value with an unknown name) search the log's text
// by word prefix, case-insensitively.
func parseFilter(s string) (store.Filter, error) {
	var f store.Filter
	var words []string
	for _, tok := range strings.Fields(s) {
		name, val, ok := strings.Cut(tok, ":")
		if !ok || val == "" {
			words = append(words, tok)
			continue
		}
		known, err := setFilterField(&f, strings.ToLower(name), val)
		if err != nil {
			return store.Filter{}, err
		}
		if !known {
			words = append(words, tok) // a URL, or text with a colon
		}
	}
	f.Text = strings.Join(words, " ")
	return f, nil
}

// setFilterField sets the field called name; known is false for a name
// that is not a field.
func setFilterField(f *store.Filter, name, val string) (known bool, err error) {
	switch name {
	case "session", "session_id":
		f.SessionID = val
	case "request_id", "req", "rid":
		f.RequestID = val
	case "link_session_id", "lsid", "link":
		f.LinkSessionID = val
	case "item", "item_id":
		f.ItemID = val
	case "code", "error_code", "error":
		f.ErrorCode = strings.ToUpper(val)
	case "kind":
		k := store.EntryKind(strings.ToLower(val))
		if !slices.Contains(store.Kinds, k) {
			return true, fmt.Errorf("kind:%s is not a kind of entry; use kind:call (linkexplorer's API calls), kind:app (your app's), kind:event or kind:webhook", val)
		}
		f.Kind = k
	case "source", "src", "from":
		src := strings.ToLower(val)
		if !slices.Contains(store.Sources, src) {
			return true, fmt.Errorf("source:%s is not a source; use source:linkexplorer, source:app (your own app) or source:demo", val)
		}
		f.Source = src
	case "is":
		if !strings.EqualFold(val, "error") {
			return true, fmt.Errorf("is:%s is not a filter; use is:error for entries with an error", val)
		}
		f.Errors = true
	default:
		return false, nil
	}
	return true, nil
}
