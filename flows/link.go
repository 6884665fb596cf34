package flows

import (
	"context"
	"errors"
	"fmt"

	"github.com/chromedp/chromedp"

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
	stop := r.showPage(ctx, sess.URL())
	defer stop()
	return r.waitLink(ctx, sess)
}

// showPage gets the page in front of a browser, as the run's BrowserMode
// says, and announces the wait. The returned func closes what it opened.
func (r *Run) showPage(ctx context.Context, url string) (stop func()) {
	waiting := func(msg string) { r.publish(Event{Kind: EventWaiting, URL: url, Message: msg}) }
	pilot := r.autopilot()
	switch {
	case r.env.Browser == BrowserAuto:
		return r.showHeadless(ctx, url, waiting)
	case r.env.Browser == BrowserNone && pilot:
		waiting("Open " + url + " in a browser: the emulated Link's autopilot completes Link there by itself; waiting for Link.")
	case r.env.Browser == BrowserNone:
		waiting("Open " + url + " in a browser to continue; waiting for Link.")
	default:
		waiting(openSystemBrowser(url, pilot))
	}
	return func() {}
}

// openSystemBrowser opens url in the user's browser and says what happens
// next.
func openSystemBrowser(url string, pilot bool) string {
	switch err := browser.Open(url); {
	case err != nil:
		return err.Error() + "; waiting for Link."
	case pilot:
		return "Opened the callback page in your browser: watch the emulated Link's autopilot complete Link there (" + url + ")."
	}
	return "Opened the callback page in your browser: complete Link there (" + url + ")."
}

// showHeadless opens the page in headless Chromium, where the armed
// autopilot completes Link. Without Chromium, the user opens the page and
// the autopilot still does the rest.
func (r *Run) showHeadless(ctx context.Context, url string, waiting func(string)) (stop func()) {
	stop, err := r.env.openHeadless(ctx, url)
	switch {
	case err == nil:
		waiting("Opened the callback page in headless Chromium: the emulated Link's autopilot completes Link (" + url + ").")
		return stop
	case errors.Is(err, headless.ErrNotFound):
		waiting("No Chromium for --browser=auto, but the autopilot is armed: open " + url + " in any browser and Link completes by itself.")
	default:
		waiting(fmt.Sprintf("Headless Chromium failed (%v); the autopilot is armed: open %s in any browser and Link completes by itself.", err, url))
	}
	return func() {}
}

// openHeadless starts headless Chromium on url; stop closes it.
func openHeadless(ctx context.Context, url string) (stop func(), err error) {
	hctx, cancel, err := headless.NewContext(ctx)
	if err != nil {
		return nil, err
	}
	if err := chromedp.Do(hctx, chromedp.Navigate(url)); err != nil {
		cancel()
		return nil, err
	}
	return cancel, nil
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

// onPageEvent records a page report in the store, publishes it and adds
// the moments that matter to the timeline.
func (r *Run) onPageEvent(ev PageEvent) {
	r.env.log.add(linkEventRecord(r.id, ev))
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
