package flows

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/linkexplorer/linkexplorer/internal/browser"
	"github.com/linkexplorer/linkexplorer/internal/headless"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// openLink opens the callback page for the run's link_token, waits for
// Link's onSuccess and keeps its public_token (and institution). INVALID_LINK_TOKEN
// exits are not failures: the page recovers with a new token, which
// pageToken creates. Any other exit ends the step with a *LinkExitError.
func (r *Run) openLink(ctx context.Context, purpose string) (PageEvent, error) {
	r.mu.Lock()
	tok, armed := r.st.linkToken, r.st.armedFor
	r.mu.Unlock()
	if tok == "" {
		return PageEvent{}, errNoLinkToken
	}
	if armed != tok {
		// The token's autopilot was used by an earlier page: arm it again.
		if err := r.armAutopilot(ctx, tok, nil); err != nil {
			return PageEvent{}, err
		}
	}
	sess := r.env.Callback.NewSession(purpose)
	r.mu.Lock()
	r.st.page, r.st.pageCalls = sess, 0
	sess.SetOAuthMistake(r.st.oauthMistake)
	r.mu.Unlock()
	defer func() {
		sess.Close()
		r.mu.Lock()
		if r.st.page == sess {
			r.st.page = nil
		}
		r.st.armedFor = ""
		r.mu.Unlock()
	}()
	r.fact("page", sess.URL())
	r.showPage(ctx, sess.URL())
	defer r.closeTab()
	return r.waitLink(ctx, sess)
}

// closeTab closes the page's headless tab, if it has one, in the
// background: nothing waits for it, and the exchange that follows Link
// must not.
func (r *Run) closeTab() {
	r.mu.Lock()
	stop := r.st.closeTab
	r.st.closeTab = nil
	r.mu.Unlock()
	if stop != nil {
		go stop()
	}
}

// setTab keeps the closer of the tab showing the page, closing the one it
// replaces.
func (r *Run) setTab(stop func()) {
	r.closeTab()
	r.mu.Lock()
	r.st.closeTab = stop
	r.mu.Unlock()
}

// showPage gets the page in front of a browser, as the run's BrowserMode
// says, and announces the wait.
func (r *Run) showPage(ctx context.Context, url string) {
	waiting := func(msg string) { r.publish(Event{Kind: EventWaiting, URL: url, Message: msg}) }
	pilot := r.autopilot()
	switch {
	case r.env.Browser == BrowserAuto:
		r.showHeadless(ctx, url, waiting)
	case r.env.Browser == BrowserNone && pilot:
		waiting("Open " + url + " in a browser: the emulated Link's autopilot completes Link there by itself; waiting for Link.")
	case r.env.Browser == BrowserNone:
		waiting("Open " + url + " in a browser to continue; waiting for Link.")
	default:
		waiting(openSystemBrowser(url, pilot))
	}
}

// openSystemBrowser opens url in the user's browser and says what happens
// next.
func openSystemBrowser(url string, pilot bool) string {
	switch err := systemBrowser(url); {
	case err != nil:
		return err.Error() + "; waiting for Link."
	case pilot:
		return "Opened the callback page in your browser: watch the emulated Link's autopilot complete Link there (" + url + ")."
	}
	return "Opened the callback page in your browser: complete Link there (" + url + ")."
}

// systemBrowser opens url with the system's opener. When that fails on a
// machine with no display, the error says so and offers --browser auto.
func systemBrowser(url string) error {
	err := browser.Open(url)
	if err != nil && !browser.HasDisplay(os.Getenv) {
		return fmt.Errorf("no display for --browser system (DISPLAY and WAYLAND_DISPLAY are unset, and the opener failed): open %s in a browser by hand, or run linkexplorer with --browser auto, where headless Chromium and the emulated Link's autopilot complete Link with no display", url)
	}
	return err
}

// startingChromium is what a Link step says while headless Chromium starts.
const startingChromium = "starting headless Chromium…"

// showHeadless opens the page in headless Chromium, where the armed
// autopilot completes Link. Without Chromium, the user opens the page and
// the autopilot still does the rest.
func (r *Run) showHeadless(ctx context.Context, url string, waiting func(string)) {
	if r.env.openHeadless == nil && !r.env.headless.running() {
		waiting(startingChromium)
	}
	stop, err := r.env.headlessTab(ctx, url)
	switch {
	case err == nil:
		r.setTab(stop)
		waiting("Opened the callback page in headless Chromium: the emulated Link's autopilot completes Link (" + url + ").")
	case ctx.Err() != nil:
		// The step was cancelled (the user quit): nothing to say.
	case errors.Is(err, headless.ErrNotFound):
		waiting("No Chromium for --browser=auto, but the autopilot is armed: open " + url + " in any browser and Link completes by itself.")
	default:
		waiting(fmt.Sprintf("Headless Chromium failed (%v); the autopilot is armed: open %s in any browser and Link completes by itself.", err, url))
	}
}

// headlessTab opens url in a tab of the Env's headless Chromium, launching
// it when it is not running; stop closes the tab.
func (e *Env) headlessTab(ctx context.Context, url string) (stop func(), err error) {
	if e.openHeadless != nil {
		return e.openHeadless(ctx, url)
	}
	return e.headless.open(ctx, url)
}

// OpenPage opens the current Link page again (the o key), as the Env's
// BrowserMode says: auto opens it in a new tab of headless Chromium,
// relaunching Chromium if it is not running, with the autopilot armed
// again; system opens the system browser; none opens nothing. It returns
// what it did, for the user.
func (r *Run) OpenPage(ctx context.Context) (string, error) {
	url := r.PageURL()
	if url == "" {
		return "", errors.New("no Link page is open: run the step that opens Link first")
	}
	switch r.env.Browser {
	case BrowserNone:
		return "--browser none opens no browser: open " + url + " in a browser yourself", nil
	case BrowserAuto:
		return r.reopenHeadless(ctx, url)
	}
	if err := systemBrowser(url); err != nil {
		return "", err
	}
	return "opened the Link page in your browser", nil
}

// reopenHeadless opens the page in a new headless tab, which replaces the
// step's tab.
func (r *Run) reopenHeadless(ctx context.Context, url string) (string, error) {
	r.mu.Lock()
	tok := r.st.linkToken
	r.mu.Unlock()
	if tok != "" && r.autopilot() {
		if err := r.armAutopilot(ctx, tok, nil); err != nil {
			return "", err
		}
	}
	relaunch := r.env.openHeadless == nil && !r.env.headless.running()
	if relaunch {
		r.publish(Event{Kind: EventWaiting, URL: url, Message: startingChromium})
	}
	stop, err := r.env.headlessTab(ctx, url)
	if err != nil {
		if errors.Is(err, headless.ErrNotFound) {
			return "", fmt.Errorf("%w; or open %s in any browser", err, url)
		}
		return "", fmt.Errorf("opening the Link page in headless Chromium: %w; open %s in any browser instead", err, url)
	}
	if r.PageURL() != url { // Link ended while the tab opened
		go stop()
		return "the Link page closed meanwhile: nothing to reopen", nil
	}
	r.setTab(stop)
	msg := "Reopened the callback page in a new headless Chromium tab: the emulated Link's autopilot completes Link (" + url + ")."
	if relaunch {
		msg = "Relaunched headless Chromium and reopened the callback page: the emulated Link's autopilot completes Link (" + url + ")."
	}
	r.publish(Event{Kind: EventWaiting, URL: url, Message: msg})
	if relaunch {
		return "relaunched headless Chromium on the Link page", nil
	}
	return "reopened the Link page in headless Chromium", nil
}

// waitLink records every report of the page until Link succeeds or ends
// otherwise.
func (r *Run) waitLink(ctx context.Context, sess *LinkSession) (PageEvent, error) {
	var failure error
	ev, err := sess.Wait(ctx, func(ev PageEvent) bool {
		r.onPageEvent(ev)
		switch ev.Kind {
		case "success":
			return true
		case "exit":
			if ev.ErrorCode == "INVALID_LINK_TOKEN" {
				return false // the page destroys the handler and recovers
			}
			failure = linkExit(ev)
			return true
		case "token_error", "script_error":
			failure = linkExit(ev)
			return true
		}
		return false
	})
	if err != nil {
		return PageEvent{}, err
	}
	if failure != nil {
		return PageEvent{}, failure
	}
	r.mu.Lock()
	r.st.publicToken = ev.PublicToken
	r.st.institutionID, r.st.institutionName = ev.InstitutionID, ev.InstitutionName
	r.mu.Unlock()
	r.fact("public_token", redact.Value(ev.PublicToken))
	if ev.InstitutionName != "" {
		r.fact("institution", ev.InstitutionName+" ("+ev.InstitutionID+")")
	}
	r.fact("link_session_id", ev.LinkSessionID)
	return ev, nil
}

func linkExit(ev PageEvent) *LinkExitError {
	return &LinkExitError{
		Kind: ev.Kind, Type: ev.ErrorType, Code: ev.ErrorCode, Message: ev.ErrorMessage,
		ExitStatus: ev.ExitStatus, LinkSessionID: ev.LinkSessionID, RequestID: ev.RequestID,
	}
}

// onPageEvent publishes a page report (the callback server had it
// recorded before acknowledging it: Env.onReport) and adds the moments
// that matter to the timeline.
func (r *Run) onPageEvent(ev PageEvent) {
	r.publishLink(ev)
	r.mu.Lock()
	newSession := ev.LinkSessionID != "" && !r.st.linkSessions[ev.LinkSessionID]
	if newSession {
		r.st.linkSessions[ev.LinkSessionID] = true
	}
	if ev.Kind == "exit" && ev.ErrorCode == "INVALID_LINK_TOKEN" {
		r.st.invalidExits++
		r.st.recovering = true
	}
	oauthWhat := r.onOAuthReportLocked(ev)
	r.recordSeenLocked(ev)
	r.mu.Unlock()
	if newSession {
		r.addTimeline(TimelineEntry{Time: ev.Time, What: "Link session started", LinkSessionID: ev.LinkSessionID, RequestID: ev.RequestID})
	}
	if oauthWhat != "" {
		r.addTimeline(TimelineEntry{Time: ev.Time, What: oauthWhat, LinkSessionID: ev.LinkSessionID, RequestID: ev.RequestID})
	} else if what := timelineWhat(ev); what != "" {
		r.addTimeline(TimelineEntry{Time: ev.Time, What: what, LinkSessionID: ev.LinkSessionID, RequestID: ev.RequestID, ErrorCode: ev.ErrorCode})
	}
}

// timelineWhat names the page reports worth a timeline entry.
func timelineWhat(ev PageEvent) string {
	switch ev.Kind {
	case "success":
		return "onSuccess"
	case "exit":
		if ev.ErrorCode == "" {
			return "onExit (closed, status " + orNone(ev.ExitStatus) + ")"
		}
		return "onExit " + ev.ErrorCode
	case "destroyed":
		return "page: handler.destroy(), then a new link_token"
	case "token_error":
		return "page: could not get a link_token"
	}
	return ""
}

// pageToken answers the page's POST /create_link_token: the first call
// gets the link_token the flow created. After an INVALID_LINK_TOKEN exit,
// the page is recovering: it gets a new token, created and recorded in the
// running step. Otherwise the page was reloaded or opened again: it gets
// the current token again, as nothing went wrong with it.
func (r *Run) pageToken(ctx context.Context, s *LinkSession) (string, error) {
	r.mu.Lock()
	if r.st.page != s {
		r.mu.Unlock()
		return "", errors.New("this Link page is no longer open in linkexplorer: start the step again")
	}
	r.st.pageCalls++
	first, tok, update, cc := r.st.pageCalls == 1, r.st.linkToken, r.st.updateToken, r.capture
	recovering := r.st.recovering
	r.st.recovering = false
	r.mu.Unlock()
	if first && tok != "" {
		return tok, nil
	}
	if !recovering && tok != "" {
		r.note("the Link page was loaded again (a reload, or o): it gets the current link_token again; no new token is needed")
		return tok, nil
	}
	ctx = withRun(ctx, r)
	if cc != nil {
		ctx = context.WithValue(ctx, captureKey{}, cc)
	}
	if recovering {
		r.note("the page asked your app's server for a new link_token after INVALID_LINK_TOKEN: calling /link/token/create")
	}
	return r.createToken(ctx, update)
}
