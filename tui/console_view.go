package tui

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/linkexplorer/linkexplorer/store"
)

// View implements tea.Model.
func (s *consoleScreen) View() string {
	if s.code != nil {
		return s.code.view()
	}
	switch s.mode {
	case consoleSearch:
		return s.searchView()
	case consoleItems:
		return s.itemsView()
	}
	st, w := s.c.styles, max(s.width, 10)
	lines := []string{s.titleLine(w), s.itemLine(w), ""}
	if s.op == nil {
		lines = append(lines, st.Muted.Render(wrap("No operation chosen: press / to search Plaid's 251 operations.", w)))
		return strings.Join(lines, "\n")
	}
	head := st.Section.Render("REQUEST") + st.Muted.Render(" · POST "+s.baseURL()+s.op.Path)
	if s.mode == consoleEdit {
		head += st.Running.Render(" · editing (ctrl+s sends, esc stops)")
	}
	lines = append(lines, truncate(head, w), s.editor.View())
	opt := "Required fields only; optional: none"
	if len(s.op.Optional) > 0 {
		opt = "Required fields only; optional: " + strings.Join(s.op.Optional, ", ")
	}
	lines = append(lines, st.Muted.Render(truncate(opt, w)), truncate(st.Section.Render("RESPONSE")+st.Muted.Render(s.scrollHint()), w), s.response.View())
	return strings.Join(lines, "\n")
}

func (s *consoleScreen) baseURL() string {
	return strings.TrimRight(s.c.codeRequest("/", nil).BaseURL, "/")
}

func (s *consoleScreen) scrollHint() string {
	if s.response.TotalLineCount() <= s.response.Height {
		return ""
	}
	return fmt.Sprintf(" · %d%% · ↑↓ pgup/pgdn scroll", int(s.response.ScrollPercent()*100))
}

func (s *consoleScreen) titleLine(w int) string {
	st := s.c.styles
	t := st.Title.Render("API console")
	if s.op != nil {
		t += st.Muted.Render(" · ") + st.Bold.Render(s.op.Path)
		if s.op.Summary != "" {
			t += st.Muted.Render(" · " + s.op.Summary)
		}
	}
	return truncate(t, w)
}

func (s *consoleScreen) itemLine(w int) string {
	st := s.c.styles
	if s.item == nil {
		return truncate(st.Muted.Render("Item: none · i chooses one (its access_token goes in where the body says "+
			"\""+accessPlaceholderShort+"\")"), w)
	}
	return truncate(st.Text.Render("Item: "+itemLabel(*s.item))+
		st.Muted.Render(" · its access_token is put in when sent, never shown · i changes"), w)
}

const accessPlaceholderShort = "<the Item's access_token>"

func itemLabel(it store.Item) string {
	parts := []string{it.ItemID}
	if n := cmp.Or(it.InstitutionName, it.InstitutionID); n != "" {
		parts = append(parts, n)
	}
	if it.Status != "" && it.Status != store.ItemHealthy {
		parts = append(parts, it.Status)
	}
	return strings.Join(parts, " · ")
}

// responseContent is the response pane: sending, a local refusal, a
// failure with no answer, or the answer with its status, request_id and
// the explanation of an error, then its body.
func (s *consoleScreen) responseContent(w int) string {
	st := s.c.styles
	switch {
	case s.sending != 0:
		return st.Running.Render("Sending POST " + s.op.Path + "…")
	case s.refused:
		return st.ErrorLine.Render(wrap("✗ Not sent: "+s.sendErr.Error(), w))
	case s.result == nil && s.sendErr != nil:
		return errorBlock(st, plaidError{message: s.sendErr.Error(), next: "Check that the API (or the emulator) is reachable, then send again with enter."}, w)
	case s.result == nil:
		return st.Muted.Render(wrap("Not sent yet. e edits the body, enter sends it; v shows it as code.", w))
	}
	r := s.result
	c := r.Call
	var b strings.Builder
	if s.sendErr != nil {
		pe := plaidError{message: s.sendErr.Error(), explanation: r.Explanation, explained: r.Explained,
			next: "Check that the API (or the emulator) is reachable, then send again with enter."}
		b.WriteString(errorBlock(st, pe, w) + "\n")
		return b.String()
	}
	status := statusText(c)
	if r.OK() {
		b.WriteString(st.OK.Render("✓ "+status) + "\n")
	} else {
		b.WriteString(st.Fail.Render("✗ "+status) + "\n")
	}
	if c.ErrorCode != "" {
		pe := plaidError{code: c.ErrorCode, errType: c.ErrorType, message: c.ErrorMessage, requestID: c.RequestID,
			explanation: r.Explanation, explained: r.Explained}
		b.WriteString(errorBlock(st, pe, w) + "\n")
	}
	if len(r.Response) > 0 {
		b.WriteString(prettyJSON(st, r.Response))
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *consoleScreen) searchView() string {
	st, w := s.c.styles, max(s.width, 10)
	h := max(s.height, 6)
	lines := []string{
		s.titleLine(w),
		truncate(st.Muted.Render(fmt.Sprintf("Choose an operation: %d of %d match · ↑↓ move · enter chooses · esc cancels", len(s.matches), len(s.ops))), w),
		s.search.View(),
		"",
	}
	if s.opsErr != nil {
		lines = append(lines, st.ErrorLine.Render(wrap(s.opsErr.Error(), w)))
		return strings.Join(lines, "\n")
	}
	listH := max(h-len(lines)-3, 1)
	top := max(0, s.cursor-listH+1)
	pathW := min(42, w/2)
	for i := top; i < len(s.matches) && i < top+listH; i++ {
		m := s.matches[i].op
		row := pad(truncate(m.Path, pathW), pathW) + "  " + m.Summary
		if i == s.cursor {
			lines = append(lines, st.RowSelected.Render(truncate("▸ "+row, w)))
		} else {
			lines = append(lines, st.Row.Render(truncate("  "+row, w)))
		}
	}
	if len(s.matches) == 0 {
		lines = append(lines, st.Muted.Render("No operation matches. Fewer or shorter words match more."))
	}
	if s.cursor < len(s.matches) {
		if d := s.matches[s.cursor].op.Description; d != "" {
			lines = append(lines, "", st.Muted.Render(truncate(clean(d), w)))
		}
	}
	return strings.Join(lines, "\n")
}

func (s *consoleScreen) itemsView() string {
	st, w := s.c.styles, max(s.width, 10)
	lines := []string{s.titleLine(w), truncate(st.Muted.Render("Choose the Item whose access_token the body uses · ↑↓ move · enter chooses · esc cancels"), w), ""}
	rows := []string{"No Item (write the access_token yourself, or call without one)"}
	for _, it := range s.items {
		label := itemLabel(it)
		if it.AccessTokenMasked != "" {
			label += " · " + it.AccessTokenMasked
		}
		rows = append(rows, label)
	}
	for i, r := range rows {
		if i == s.cursor {
			lines = append(lines, st.RowSelected.Render(truncate("▸ "+r, w)))
		} else {
			lines = append(lines, st.Row.Render(truncate("  "+r, w)))
		}
	}
	switch {
	case s.itemsErr != nil:
		lines = append(lines, "", st.ErrorLine.Render(wrap("Reading the Items: "+s.itemsErr.Error(), w)))
	case len(s.items) == 0:
		lines = append(lines, "", st.Muted.Render(wrap("No Items yet: run a flow (Quickstart) to create one.", w)))
	}
	return strings.Join(lines, "\n")
}
