package store

import (
	"cmp"
	"strconv"
	"time"
)

// Time returns when the entry happened, in UTC.
func (e Entry) Time() time.Time {
	switch {
	case e.Call != nil:
		return e.Call.Time
	case e.Event != nil:
		return e.Event.Time
	case e.Webhook != nil:
		return e.Webhook.Time
	}
	return time.Time{}
}

// SessionID returns the id of the session the entry belongs to.
func (e Entry) SessionID() string {
	return e.pick(func(c *APICall) string { return c.SessionID },
		func(v *LinkEvent) string { return v.SessionID }, func(w *Webhook) string { return w.SessionID })
}

// RequestID returns the entry's Plaid request_id, if it has one.
func (e Entry) RequestID() string {
	return e.pick(func(c *APICall) string { return c.RequestID },
		func(v *LinkEvent) string { return v.RequestID }, func(*Webhook) string { return "" })
}

// LinkSessionID returns the entry's link_session_id, if it has one.
func (e Entry) LinkSessionID() string {
	return e.pick(func(*APICall) string { return "" },
		func(v *LinkEvent) string { return v.LinkSessionID }, func(*Webhook) string { return "" })
}

// ItemID returns the item_id the entry concerns, if known.
func (e Entry) ItemID() string {
	return e.pick(func(c *APICall) string { return c.ItemID },
		func(*LinkEvent) string { return "" }, func(w *Webhook) string { return w.ItemID })
}

// ErrorType returns the entry's Plaid error_type, if any.
func (e Entry) ErrorType() string {
	return e.pick(func(c *APICall) string { return c.ErrorType },
		func(v *LinkEvent) string { return v.ErrorType }, func(w *Webhook) string { return w.ErrorType })
}

// ErrorCode returns the entry's Plaid error_code, if any.
func (e Entry) ErrorCode() string {
	return e.pick(func(c *APICall) string { return c.ErrorCode },
		func(v *LinkEvent) string { return v.ErrorCode }, func(w *Webhook) string { return w.ErrorCode })
}

// ErrorMessage returns the entry's error message, if any.
func (e Entry) ErrorMessage() string {
	return e.pick(func(c *APICall) string { return c.ErrorMessage },
		func(v *LinkEvent) string { return v.ErrorMessage }, func(*Webhook) string { return "" })
}

// Title names what happened: "POST /link/token/create", "TRANSITION_VIEW",
// "onSuccess", "ITEM: WEBHOOK_UPDATE_ACKNOWLEDGED".
func (e Entry) Title() string {
	return e.pick(func(c *APICall) string { return c.Method + " " + c.Endpoint },
		eventTitle, func(w *Webhook) string { return w.WebhookType + ": " + w.WebhookCode })
}

// Status is a short outcome: the HTTP status of a call ("no response" when
// none came), the view or exit status of a Link event, the signature check
// of a webhook (verified, unsigned or invalid).
func (e Entry) Status() string {
	return e.pick(callStatus, func(v *LinkEvent) string { return cmp.Or(v.ExitStatus, v.ViewName) },
		func(w *Webhook) string { return signatureWord(w.Signature) })
}

// Source says who made the entry: SourceApp for calls the emulator saw
// from the user's own app, SourceDemo for what a run of the demo recorded,
// else SourceLinkexplorer.
func (e Entry) Source() string {
	switch {
	case e.Call != nil && (e.Call.Source == SourceApp || e.Call.Source == storedSourceEmulator):
		return SourceApp
	case e.demo:
		return SourceDemo
	}
	return SourceLinkexplorer
}

// ShownKind is the entry's kind as the log shows, filters and exports it:
// KindApp for an API call from the user's own app, else Kind.
func (e Entry) ShownKind() EntryKind {
	if e.Kind == KindCall && e.Source() == SourceApp {
		return KindApp
	}
	return e.Kind
}

func (e Entry) pick(call func(*APICall) string, event func(*LinkEvent) string, webhook func(*Webhook) string) string {
	switch {
	case e.Call != nil:
		return call(e.Call)
	case e.Event != nil:
		return event(e.Event)
	case e.Webhook != nil:
		return webhook(e.Webhook)
	}
	return ""
}

func eventTitle(v *LinkEvent) string {
	switch v.Kind {
	case EventKindSuccess:
		return "onSuccess"
	case EventKindExit:
		return "onExit"
	case EventKindLoad:
		return "onLoad"
	case EventKindPage:
		return "page: " + v.EventName
	case EventKindRejected:
		return "rejected: " + v.EventName
	}
	return v.EventName
}

func callStatus(c *APICall) string {
	if c.HTTPStatus == 0 {
		return "no response"
	}
	return strconv.Itoa(c.HTTPStatus)
}
