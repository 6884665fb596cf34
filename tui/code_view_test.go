package tui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/flows"
	"github.com/linkexplorer/linkexplorer/flows/codegen"
)

// resetLang makes the code view open on its first language, whatever an
// earlier test chose.
func resetLang(t *testing.T) {
	lastLang = ""
	t.Cleanup(func() { lastLang = "" })
}

func TestCodeViewOnTheFlowScreen(t *testing.T) {
	resetLang(t)
	var clip bytes.Buffer
	a := sized(Options{Clipboard: &clip})
	midway(a) // create-link-token ran; the Link step is current
	press(a, "left")
	if !strings.Contains(helpText(a), "v view as code") {
		t.Errorf("the footer does not offer the code view:\n%s", helpText(a))
	}
	press(a, "v")
	if a.flow.code == nil {
		t.Fatal("v did not open the code view")
	}
	view := plain(a.View())
	for _, want := range []string{"POST /link/token/create as sent (request_id ReqTokenCreate1)", "1 curl", "6 Go",
		"curl -sS -X POST http://127.0.0.1:7878/link/token/create", `"PLAID-SECRET: $PLAID_SECRET"`} {
		if !strings.Contains(view, want) {
			t.Errorf("the code view lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "linkexplorer-emulated-client") || strings.Contains(view, "cret") {
		t.Errorf("the recorded client_id or secret shows:\n%s", view)
	}
	if !strings.Contains(helpText(a), "c copy code") || !strings.Contains(helpText(a), "→/l next language") {
		t.Errorf("the footer lacks the code view's keys:\n%s", helpText(a))
	}
	// → five times is Go; the tabs wrap around.
	press(a, "right", "right", "right", "right", "right")
	if s, _ := a.flow.code.current(); s.Lang != codegen.Go || !strings.Contains(plain(a.View()), "cfg := plaid.NewConfiguration()") {
		t.Fatalf("→ did not reach Go:\n%s", plain(a.View()))
	}
	press(a, "right")
	if !strings.Contains(plain(a.View()), "curl -sS") {
		t.Errorf("→ past Go did not wrap to curl")
	}
	press(a, "3")
	if !strings.Contains(plain(a.View()), "from plaid.model.link_token_create_request import") {
		t.Errorf("3 did not show Python:\n%s", plain(a.View()))
	}
	// c copies the whole snippet, unwrapped.
	note := exec[notifiedMsg](t, press(a, "c"))
	want, err := codegen.Generate(codegen.Request{Path: "/link/token/create", Body: createOK().Calls[0].RequestBody,
		BaseURL: flows.DefaultEmulatorURL, Emulated: true}, codegen.Python)
	if err != nil {
		t.Fatal(err)
	}
	if got := clip.String(); got != "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(want.Code))+"\a" {
		t.Errorf("the clipboard got %q", got)
	}
	if !strings.Contains(string(note), "copied the Python code") {
		t.Errorf("notice %q", note)
	}
	// The language sticks for the next code view.
	press(a, "esc")
	if a.flow.code != nil || a.active != screenFlow {
		t.Fatalf("esc did not close the code view (active %v)", a.active)
	}
	press(a, "v")
	if !strings.Contains(plain(a.View()), "from plaid.model.link_token_create_request import") {
		t.Errorf("the code view did not reopen on Python")
	}
	press(a, "v")
	if a.flow.code != nil {
		t.Errorf("v did not close the code view")
	}
}

func TestCodeViewOfTheLinkStep(t *testing.T) {
	resetLang(t)
	a := sized(Options{})
	midway(a)
	press(a, "right", "v") // the Link step
	view := plain(a.View())
	for _, want := range []string{"the Link step in the browser", "1 JavaScript", "2 React", "Plaid.create(", "INVALID_LINK_TOKEN", "handler.destroy();"} {
		if !strings.Contains(view+strings.Join(snippetCodes(a.flow.code), ""), want) {
			t.Errorf("the Link step's code lacks %q:\n%s", want, view)
		}
	}
	press(a, "right")
	if !strings.Contains(plain(a.View()), "usePlaidLink") {
		t.Errorf("→ did not show React:\n%s", plain(a.View()))
	}
}

func TestCodeViewBeforeTheStepRuns(t *testing.T) {
	resetLang(t)
	a := sized(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	a.Update(startedRun(f))
	press(a, "v")
	if a.flow.code == nil || !strings.Contains(plain(a.View()), "as built (not sent yet)") {
		t.Fatalf("v before the token step ran:\n%s", plain(a.View()))
	}
	press(a, "esc", "right", "right") // a step with no code yet
	if cmd := press(a, "v"); a.flow.code != nil || cmd == nil {
		t.Fatalf("v on a step that has not run opened a view")
	} else if note := exec[notifiedMsg](t, cmd); !strings.Contains(string(note), "no code yet") {
		t.Errorf("notice %q", note)
	}
}

func TestCodeViewInTheLogDetail(t *testing.T) {
	resetLang(t)
	a := newTestApp(Options{Env: &flows.Env{Store: logFixture(t)}})
	startScreen(t, a, 100, 30).send(navigatedMsg{to: screenLog}).waitFor("ReqTokenCreate1").
		send(keyMsg("G")).waitFor("▸ 15:04:05").send(keyMsg("enter")).waitFor("v shows it as code").
		send(keyMsg("v")).waitFor("1 curl", "/link/token/create").send(keyMsg("6")).waitFor("cfg := plaid.NewConfiguration()").
		send(keyMsg("esc")).waitFor("RESPONSE").final()
}

func snippetCodes(v *codeView) []string {
	if v == nil {
		return nil
	}
	var out []string
	for _, s := range v.snippets {
		out = append(out, s.Code)
	}
	return out
}

func TestGoldenCodeView80x24(t *testing.T) {
	resetLang(t)
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	goldenSize(t, a, 80, 24, []string{"plaid-go v20 (go get"}, startedRun(f), createFinished(createOK(), 1),
		keyMsg("left"), keyMsg("v"), keyMsg("6"))
}

func TestGoldenCodeView120x35(t *testing.T) {
	resetLang(t)
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	goldenSize(t, a, 120, 35, []string{"Plaid::LinkTokenCreateRequest.new("}, startedRun(f), createFinished(createOK(), 1),
		keyMsg("left"), keyMsg("v"), keyMsg("l"), keyMsg("l"), keyMsg("l"))
}

func TestGoldenCodeViewLink80x24(t *testing.T) {
	resetLang(t)
	a := newTestApp(Options{})
	f := a.home.flows[0]
	onFlow(a, f)
	goldenSize(t, a, 80, 24, []string{"link-initialize.js"}, startedRun(f), createFinished(createOK(), 1), keyMsg("right"), keyMsg("v"))
}

// helpText lists the active screen's footer keys as "key desc" pairs.
func helpText(a *app) string {
	var out []string
	for _, b := range a.screen().ShortHelp() {
		out = append(out, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(out, " · ")
}
