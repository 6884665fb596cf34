package tui

import "github.com/charmbracelet/bubbles/key"

func bind(keys []string, help, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// globalKeys work on every screen.
type globalKeys struct {
	Quit, ForceQuit, Help, Switch, SwitchBack, Back key.Binding
	// Console opens the API console from any screen.
	Console key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:      bind([]string{"q"}, "q", "quit"),
		ForceQuit: bind([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:      bind([]string{"?"}, "?", "help"),
		Switch:    bind([]string{"tab"}, "tab", "next screen"),
		// SwitchBack cycles the other way; screens that use shift+tab
		// inside a form take it first (capturesInput).
		SwitchBack: bind([]string{"shift+tab"}, "shift+tab", "previous screen"),
		Back:       bind([]string{"esc"}, "esc", "back"),
		Console:    bind([]string{"A"}, "A", "API console"),
	}
}

// consoleKeys drive the API console.
type consoleKeys struct {
	Search, Item, Edit, Send, Copy, Code, Back key.Binding
	Up, Down, PageUp, PageDown, Top            key.Binding
	// In the operation search and the Item picker.
	Pick, PrevMatch, NextMatch key.Binding
	// In the editor.
	StopEdit key.Binding
}

func newConsoleKeys() consoleKeys {
	return consoleKeys{
		Search:    bind([]string{"/"}, "/", "choose operation"),
		Item:      bind([]string{"i"}, "i", "choose Item"),
		Edit:      bind([]string{"e"}, "e", "edit body"),
		Send:      bind([]string{"ctrl+s", "enter"}, "enter/ctrl+s", "send"),
		Copy:      bind([]string{"c"}, "c", "copy request_id"),
		Code:      bind([]string{"v"}, "v", "view as code"),
		Back:      bind([]string{"esc"}, "esc", "back"),
		Up:        bind([]string{"up", "k"}, "↑/k", "scroll up"),
		Down:      bind([]string{"down", "j"}, "↓/j", "scroll down"),
		PageUp:    bind([]string{"pgup"}, "pgup", "page up"),
		PageDown:  bind([]string{"pgdown", " "}, "pgdn", "page down"),
		Top:       bind([]string{"home", "g"}, "g/home", "top"),
		Pick:      bind([]string{"enter"}, "enter", "choose"),
		PrevMatch: bind([]string{"up", "ctrl+p"}, "↑", "previous"),
		NextMatch: bind([]string{"down", "ctrl+n"}, "↓", "next"),
		StopEdit:  bind([]string{"esc"}, "esc", "stop editing"),
	}
}

// listKeys move a selection.
type listKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		Up:       bind([]string{"up", "k"}, "↑/k", "up"),
		Down:     bind([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   bind([]string{"pgup"}, "pgup", "page up"),
		PageDown: bind([]string{"pgdown"}, "pgdn", "page down"),
		Top:      bind([]string{"home", "g"}, "g/home", "newest"),
		Bottom:   bind([]string{"end", "G"}, "G/end", "oldest"),
	}
}

// homeKeys drive the Home screen. Items and Flows move the focus between
// the menu and the Items (the right column on a wide terminal).
type homeKeys struct {
	listKeys
	Open, Items, Flows, OpenItem key.Binding
}

func newHomeKeys() homeKeys {
	return homeKeys{
		listKeys: newListKeys(),
		Open:     bind([]string{"enter"}, "enter", "open"),
		Items:    bind([]string{"right", "l", "i"}, "→/i", "items"),
		Flows:    bind([]string{"left", "h", "esc"}, "←/esc", "flows"),
		OpenItem: bind([]string{"enter"}, "enter", "item actions"),
	}
}

// itemKeys drive an Item's screen: an action's own key runs it at once.
type itemKeys struct {
	Up, Down, Run, Back, Copy       key.Binding
	ScrollUp, ScrollDown            key.Binding
	Inspect, Update, Webhook, Reset key.Binding
	Remove, Console                 key.Binding
}

func newItemKeys() itemKeys {
	return itemKeys{
		Up:         bind([]string{"up", "k"}, "↑/k", "up"),
		Down:       bind([]string{"down", "j"}, "↓/j", "down"),
		Run:        bind([]string{"enter"}, "enter", "run action"),
		Back:       bind([]string{"esc"}, "esc", "back"),
		Copy:       bind([]string{"c"}, "c", "copy request_id"),
		ScrollUp:   bind([]string{"pgup"}, "pgup", "scroll up"),
		ScrollDown: bind([]string{"pgdown", " "}, "pgdn", "scroll down"),
		Inspect:    bind([]string{"i"}, "i", "inspect"),
		Update:     bind([]string{"u"}, "u", "use for update mode"),
		Webhook:    bind([]string{"w"}, "w", "fire a webhook"),
		Reset:      bind([]string{"r"}, "r", "reset login"),
		Remove:     bind([]string{"d"}, "d", "remove"),
		Console:    bind([]string{"a"}, "a", "API console"),
	}
}

// flowKeys drive the Flow screen.
type flowKeys struct {
	Run, Edit, Skip, Retry, Back, Copy key.Binding
	PrevStep, NextStep                 key.Binding
	ScrollUp, ScrollDown               key.Binding
	PageUp, PageDown                   key.Binding
	OpenBrowser, CopyURL, Expire       key.Binding
	Mistake                            key.Binding // the oauth flow only
	// Summary opens the run summary; CopyLinkSession copies a
	// link_session_id (flow_summary.go).
	Summary, CopyLinkSession key.Binding
}

func newFlowKeys() flowKeys {
	return flowKeys{
		Run:             bind([]string{"enter"}, "enter", "run step"),
		Edit:            bind([]string{"e"}, "e", "edit request"),
		Skip:            bind([]string{"s"}, "s", "skip"),
		Retry:           bind([]string{"r"}, "r", "retry"),
		Back:            bind([]string{"b"}, "b", "back a step"),
		Copy:            bind([]string{"c"}, "c", "copy request_id"),
		PrevStep:        bind([]string{"left", "h"}, "←/h", "previous step"),
		NextStep:        bind([]string{"right", "l"}, "→/l", "next step"),
		ScrollUp:        bind([]string{"up", "k"}, "↑/k", "scroll up"),
		ScrollDown:      bind([]string{"down", "j"}, "↓/j", "scroll down"),
		PageUp:          bind([]string{"pgup"}, "pgup", "page up"),
		PageDown:        bind([]string{"pgdown", " "}, "pgdn", "page down"),
		OpenBrowser:     bind([]string{"o"}, "o", "reopen browser"),
		CopyURL:         bind([]string{"y"}, "y", "copy page URL"),
		Expire:          bind([]string{"x"}, "x", "expire link_token now"),
		Mistake:         bind([]string{"m"}, "m", "toggle the OAuth mistake"),
		Summary:         bind([]string{"S"}, "S", "run summary"),
		CopyLinkSession: bind([]string{"L"}, "L", "copy link_session_id"),
	}
}

// logKeys drive the session log.
type logKeys struct {
	listKeys
	Filter, Detail, Export, Copy, Clear key.Binding
	// Next and Prev step an open entry's detail to the entry below (older)
	// or above (newer) in the log, as filtered.
	Next, Prev key.Binding
	// CopyLinkSession copies the entry's link_session_id.
	CopyLinkSession key.Binding
}

func newLogKeys() logKeys {
	return logKeys{
		listKeys:        newListKeys(),
		Filter:          bind([]string{"/"}, "/", "filter"),
		Detail:          bind([]string{"enter"}, "enter", "details"),
		Export:          bind([]string{"x"}, "x", "export"),
		Copy:            bind([]string{"c"}, "c", "copy request_id"),
		Clear:           bind([]string{"backspace"}, "⌫", "clear filter"),
		Next:            bind([]string{"n", "]"}, "n", "next entry"),
		Prev:            bind([]string{"p", "["}, "p", "previous entry"),
		CopyLinkSession: bind([]string{"L"}, "L", "copy link_session_id"),
	}
}

// codeKeys drive the code view. Open is the key that opens it, the same
// on the Flow screen and in the log's entry detail (v: view as code).
type codeKeys struct {
	Open, PrevLang, NextLang, Copy, Close key.Binding
	Up, Down, PageUp, PageDown, Top       key.Binding
}

func newCodeKeys() codeKeys {
	return codeKeys{
		Open:     bind([]string{"v"}, "v", "view as code"),
		PrevLang: bind([]string{"left", "h"}, "←/h", "previous language"),
		NextLang: bind([]string{"right", "l"}, "→/l", "next language"),
		Copy:     bind([]string{"c"}, "c", "copy code"),
		Close:    bind([]string{"esc", "v"}, "esc", "close code"),
		Up:       bind([]string{"up", "k"}, "↑/k", "scroll up"),
		Down:     bind([]string{"down", "j"}, "↓/j", "scroll down"),
		PageUp:   bind([]string{"pgup"}, "pgup", "page up"),
		PageDown: bind([]string{"pgdown", " "}, "pgdn", "page down"),
		Top:      bind([]string{"home", "g"}, "g/home", "top"),
	}
}

// exportKeys choose an export format.
type exportKeys struct {
	Markdown, JSON, CSV, Cancel key.Binding
}

func newExportKeys() exportKeys {
	return exportKeys{
		Markdown: bind([]string{"m"}, "m", "Markdown"),
		JSON:     bind([]string{"j"}, "j", "JSON"),
		CSV:      bind([]string{"c"}, "c", "CSV"),
		Cancel:   bind([]string{"esc"}, "esc", "cancel"),
	}
}

// formKeys drive the token request form and the log filter.
type formKeys struct {
	Next, Prev, Save, Cancel key.Binding
}

func newFormKeys() formKeys {
	return formKeys{
		Next:   bind([]string{"tab", "down"}, "tab/↓", "next field"),
		Prev:   bind([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		Save:   bind([]string{"enter", "ctrl+s"}, "enter", "save"),
		Cancel: bind([]string{"esc"}, "esc", "cancel"),
	}
}

// confirmKeys answer a yes/no question.
type confirmKeys struct {
	Yes, No key.Binding
}

func newConfirmKeys() confirmKeys {
	return confirmKeys{
		Yes: bind([]string{"y", "Y"}, "y", "yes"),
		No:  bind([]string{"n", "N", "esc"}, "n/esc", "no"),
	}
}

// demoKeys drive demo mode.
type demoKeys struct {
	Toggle, Pause key.Binding
}

func newDemoKeys() demoKeys {
	return demoKeys{
		Toggle: bind([]string{"D"}, "D", "play the demo / stop it"),
		Pause:  bind([]string{"p", " "}, "p/space", "pause"),
	}
}

// keyMaps is every key map, shared through the context.
type keyMaps struct {
	Global  globalKeys
	Demo    demoKeys
	Home    homeKeys
	Item    itemKeys
	Flow    flowKeys
	Log     logKeys
	Migrate migrateKeys
	Code    codeKeys
	Console consoleKeys
	Export  exportKeys
	Form    formKeys
	Confirm confirmKeys
}

func newKeyMaps() keyMaps {
	return keyMaps{
		Global:  newGlobalKeys(),
		Demo:    newDemoKeys(),
		Home:    newHomeKeys(),
		Item:    newItemKeys(),
		Flow:    newFlowKeys(),
		Log:     newLogKeys(),
		Migrate: newMigrateKeys(),
		Code:    newCodeKeys(),
		Console: newConsoleKeys(),
		Export:  newExportKeys(),
		Form:    newFormKeys(),
		Confirm: newConfirmKeys(),
	}
}
