package tui

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/flowstest"
	"github.com/linkexplorer/linkexplorer/internal/testwait"
)

// TestOpenKeyWithBrowserNone: with --browser none, o opens no browser: it
// prints the page's URL again and copies it to the clipboard, and the help
// says so.
func TestOpenKeyWithBrowserNone(t *testing.T) {
	env := flowstest.New(t, flowstest.Options{Browser: flows.BrowserNone}).Env
	clip := &strings.Builder{}
	a := sized(Options{Env: env, Flows: flows.Flows(), Clipboard: clip})
	f := a.home.flows[0]
	a.Update(flowStartConfirmedMsg{flow: f})
	started := exec[runStartedMsg](t, startRun(context.Background(), env, f, flows.RunOptions{}))
	a.Update(started)
	t.Cleanup(func() { started.run.Close() })
	a.Update(exec[stepFinishedMsg](t, press(a, "enter")))

	// The Link step waits for a person to open the page.
	ctx, cancel := context.WithCancel(testwait.Context(t))
	defer cancel()
	go started.run.Next(ctx)
	testwait.Until(t, "the Link page to open", func() (bool, string) { return started.run.PageURL() != "", "" })
	a.flow.busy = true
	a.Update(runMovedMsg{runID: started.runID, snap: started.run.snapshot()})
	url := a.flow.snap.pageURL

	var help []string
	for _, b := range a.flow.ShortHelp() {
		help = append(help, b.Help().Key+" "+b.Help().Desc)
	}
	if !strings.Contains(strings.Join(help, " · "), "o show & copy page URL") {
		t.Errorf("the help for o with --browser none: %q", help)
	}
	note := string(exec[notifiedMsg](t, press(a, "o")))
	for _, want := range []string{"--browser none", url, "copied to the clipboard"} {
		if !strings.Contains(note, want) {
			t.Errorf("o said %q, want it to say %q", note, want)
		}
	}
	if !strings.Contains(clip.String(), base64.StdEncoding.EncodeToString([]byte(url))) {
		t.Errorf("the clipboard got %q, want the URL %s (OSC 52)", clip.String(), url)
	}
}

// TestStartingChromiumIsShown: while headless Chromium starts for a Link
// step, the status line says so; once the page is open it says that.
func TestStartingChromiumIsShown(t *testing.T) {
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	a.Update(createFinished(createOK(), 1))
	msgs := linkOpened("open-link", 4)
	starting := msgs[1].(runEventMsg)
	starting.ev.Message = "starting headless Chromium…"
	a.Update(msgs[0])
	a.Update(starting)
	if v := plain(a.View()); !strings.Contains(v, "starting headless Chromium…") {
		t.Errorf("while Chromium starts the screen does not say so:\n%s", v)
	}
	a.Update(msgs[1])
	if v := plain(a.View()); strings.Contains(v, "starting headless Chromium") {
		t.Errorf("the starting message stays once the page is open:\n%s", v)
	}
}
