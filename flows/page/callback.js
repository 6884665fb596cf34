// linkexplorer callback page: the integration Plaid's guides recommend.
// It gets a link_token from "your app's server" (linkexplorer), opens Link
// with Plaid.create, reports every callback and event back to linkexplorer,
// and recovers from INVALID_LINK_TOKEN by destroying the handler, fetching a
// new token and creating Link again. The exchange is not the page's job.
'use strict';
(function () {
  var root = document.getElementById('lx');
  var cfg = {
    session: root.dataset.session,
    state: root.dataset.state,
    script: root.dataset.linkScript,
    returning: root.dataset.oauthReturn === 'true',
    mistake: root.dataset.oauthMistake === 'true'
  };
  // OAuth with a redirect_uri: Link sends the whole page to the bank, and
  // the bank back to /oauth-return?oauth_state_id=…. The page keeps what it
  // needs for that (its session, state token and the link_token) in
  // sessionStorage, as Plaid's guide recommends, and re-initializes Link
  // with the SAME link_token and receivedRedirectUri: window.location.href.
  var KEEP = 'linkexplorer-oauth';
  var restarted = false;
  var MAX_RECOVERIES = 3;
  var recoveries = 0;
  var handler = null;
  var reports = Promise.resolve();
  // Every report carries this page load's random id and its number, seq
  // (1, 2, 3…), so linkexplorer records each one once and in order; the
  // page loaded again on the OAuth return is a new load with a new id.
  var pageLoad = randomId();
  var seq = 0;
  // unsent holds the reports not sent yet: while a request is in flight the
  // reports made meanwhile wait, and go together, in order, as one batch,
  // when it is answered. When the page goes away (Link's full-page
  // redirect to an OAuth bank leaves right after OPEN_OAUTH) the ones in
  // flight and all unsent ones are sent, in order, as ONE keepalive
  // request, which outlives the page: linkexplorer drops the copies of
  // those in flight it gets twice.
  var unsent = [];
  var inFlight = [];
  // KEEPALIVE_QUOTA is the browser's limit on the bodies of all keepalive
  // requests in flight at once (and linkexplorer's body limit).
  var KEEPALIVE_QUOTA = 65536;

  function randomId() {
    var b = new Uint8Array(12);
    try {
      window.crypto.getRandomValues(b);
    } catch (e) {
      for (var i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  function byteLength(s) {
    return new TextEncoder().encode(s).length;
  }

  // ---- status area -------------------------------------------------------

  function setStatus(kind, text, detail) {
    var box = document.getElementById('status');
    box.className = 'status ' + kind;
    document.getElementById('status-text').textContent = text;
    var d = document.getElementById('status-detail');
    d.textContent = detail || '';
    d.hidden = !detail;
  }

  function step(text, kind) {
    var li = document.createElement('li');
    li.className = kind || '';
    var t = document.createElement('time');
    t.textContent = new Date().toLocaleTimeString();
    var s = document.createElement('span');
    s.textContent = text;
    li.appendChild(t);
    li.appendChild(s);
    var list = document.getElementById('steps');
    list.appendChild(li);
    list.scrollTop = list.scrollHeight; // keep the latest step in view
  }

  // ---- reporting ---------------------------------------------------------

  // report sends one report to linkexplorer. Requests go one after
  // another, so linkexplorer receives the reports in the order they
  // happened; those made while a request is in flight go in the next one,
  // together. The promise it returns settles once this report is answered.
  function report(kind, fields) {
    var n = ++seq;
    var id = { page: pageLoad, seq: n };
    var body;
    try {
      body = JSON.stringify(Object.assign({ state: cfg.state, kind: kind }, fields || {}, id));
    } catch (e) {
      body = JSON.stringify(Object.assign({ state: cfg.state, kind: 'script_error', message: 'could not encode a ' + kind + ' report: ' + e.message }, id));
    }
    unsent.push({ body: body });
    reports = reports.then(function () {
      if (unsent.length === 0) return { ok: true }; // sent with an earlier one, or when the page went away
      var items = takeBatch();
      inFlight = items;
      var done = function () { if (inFlight === items) inFlight = []; };
      return sendReport(items.length === 1 ? items[0].body : batch(items)).then(function (res) { done(); return res; }, function (err) { done(); throw err; });
    }).then(function (res) {
      if (res.ok) return;
      return res.json().catch(function () { return {}; }).then(function (j) {
        throw new Error(j.error || 'HTTP ' + res.status);
      });
    }).catch(function (err) {
      setStatus('error', 'Could not report to linkexplorer', err.message + ' — is linkexplorer still running?');
    });
    return reports;
  }

  // takeBatch takes the first unsent reports, as many as fit in one
  // request (KEEPALIVE_QUOTA), at least one. Each report queued a turn of
  // the chain, so those left go in a later turn.
  function takeBatch() {
    var size = 2;
    var n = 0;
    while (n < unsent.length) {
      size += byteLength(unsent[n].body) + 1;
      if (n > 0 && size > KEEPALIVE_QUOTA) break;
      n++;
    }
    return unsent.splice(0, n);
  }

  function sendReport(body) {
    return fetch('/link/' + cfg.session + '/report', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body,
      cache: 'no-store',
      credentials: 'same-origin',
      keepalive: true
    });
  }

  function batch(items) {
    return '[' + items.map(function (item) { return item.body; }).join(',') + ']';
  }

  // sendLeft sends, when the page goes away, the reports in flight (if
  // any) and the unsent ones, in order, as one keepalive batch. Those in
  // flight still count against the keepalive quota, so if the batch is too
  // big it goes without them (their own request is still on the way); if
  // the unsent ones alone are too big, they go in as few batches as fit,
  // in order.
  function sendLeft(first, left) {
    var quota = KEEPALIVE_QUOTA - (first.length ? byteLength(first.length === 1 ? first[0].body : batch(first)) : 0);
    if (first.length) {
      var all = batch(first.concat(left));
      if (byteLength(all) <= quota) {
        sendReport(all).catch(function () {});
        return;
      }
    }
    var chunk = [];
    var size = 2;
    left.forEach(function (item) {
      var n = byteLength(item.body) + 1;
      if (chunk.length && size + n > quota) {
        sendReport(batch(chunk)).catch(function () {});
        quota -= size;
        chunk = [];
        size = 2;
      }
      chunk.push(item);
      size += n;
    });
    if (chunk.length) sendReport(batch(chunk)).catch(function () {});
  }

  window.addEventListener('pagehide', function () {
    var left = unsent;
    var first = inFlight;
    unsent = [];
    inFlight = [];
    // Nothing queued: the request in flight, if any, finishes on its own.
    if (left.length) sendLeft(first, left);
  });

  // linkError keeps the fields of a Link or Plaid error object.
  function linkError(e) {
    if (!e) return null;
    var out = {};
    ['error_type', 'error_code', 'error_message', 'display_message', 'request_id'].forEach(function (k) {
      out[k] = typeof e[k] === 'string' ? e[k] : null;
    });
    return out;
  }

  function describe(e) {
    var parts = [];
    if (e.error_code) parts.push(e.error_code);
    if (e.error_type) parts.push('(' + e.error_type + ')');
    var text = parts.join(' ');
    if (e.error_message) text += (text ? ': ' : '') + e.error_message;
    if (e.request_id) text += ' — request_id ' + e.request_id;
    return text;
  }

  // ---- the link_token ----------------------------------------------------

  function fetchToken() {
    return fetch('/create_link_token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: cfg.session, state: cfg.state }),
      cache: 'no-store',
      credentials: 'same-origin'
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (res.ok && typeof j.link_token === 'string' && j.link_token) return j.link_token;
        var e = linkError(j.error) || { error_message: j.error || 'HTTP ' + res.status };
        var err = new Error(e.error_message || 'no link_token in the response');
        err.plaid = e;
        throw err;
      });
    });
  }

  // openLink fetches a link_token (or takes the one asked for as the page
  // loaded: fetching), then creates and opens Link with it.
  function openLink(fetching) {
    setStatus('wait', 'Fetching a link_token from your app\'s server…');
    return (fetching || fetchToken()).then(function (token) {
      report('token_fetched', { link_token_last4: token.slice(-4) });
      step('link_token fetched (…' + token.slice(-4) + ')');
      create(token);
    }, function (err) {
      var e = err.plaid || linkError({ error_message: err.message });
      report('token_error', { error: e });
      step('Unable to fetch link_token', 'bad');
      setStatus('error', 'Unable to fetch link_token', describe(e));
    });
  }

  // ---- Link --------------------------------------------------------------

  function keep(token) {
    try {
      sessionStorage.setItem(KEEP, JSON.stringify({ session: cfg.session, state: cfg.state, token: token, mistake: cfg.mistake }));
    } catch (e) { /* storage disabled: an OAuth redirect would lose the token */ }
  }

  function create(token, receivedRedirectUri) {
    var h = null;
    var loaded = false;
    if (!cfg.returning) keep(token);
    var config = {
        token: token,
        onLoad: function () {
          report('load');
          loaded = true;
          if (h) openHandler(h);
        },
        onEvent: function (eventName, metadata) {
          report('event', { event_name: eventName, metadata: metadata || {} });
          var view = metadata && metadata.view_name ? ' · ' + metadata.view_name : '';
          step(eventName + view, eventName === 'ERROR' ? 'bad' : 'event');
          if (cfg.returning && !receivedRedirectUri && !restarted && eventName === 'TRANSITION_VIEW' && view === ' · CONSENT') {
            restarted = true;
            restartedOver(h, token);
          }
        },
        onSuccess: function (publicToken, metadata) {
          report('success', { public_token: publicToken, metadata: metadata || {} });
          step('onSuccess', 'good');
          setStatus('good', 'Link reported success — return to your terminal', 'linkexplorer exchanges the public_token next; this page is done.');
        },
        onExit: function (error, metadata) {
          report('exit', { error: linkError(error), metadata: metadata || {} });
          if (error && error.error_code === 'INVALID_LINK_TOKEN') {
            step('onExit: INVALID_LINK_TOKEN', 'bad');
            recover(h);
            return;
          }
          if (error) {
            step('onExit: ' + error.error_code, 'bad');
            setStatus('error', 'Link exited with an error — return to your terminal', describe(linkError(error)));
            return;
          }
          var status = metadata && metadata.status ? metadata.status : 'no status';
          step('onExit (' + status + ')');
          setStatus('done', 'Link was closed (' + status + ') — return to your terminal');
        }
      };
    if (receivedRedirectUri) config.receivedRedirectUri = receivedRedirectUri;
    try {
      h = window.Plaid.create(config);
    } catch (e) {
      report('script_error', { message: 'Plaid.create failed: ' + e.message });
      setStatus('error', 'Link could not be created', e.message);
      return;
    }
    handler = h;
    report('created');
    step('Plaid.create');
    if (loaded) openHandler(h);
  }

  function openHandler(h) {
    h.open();
    step('Link opened');
    setStatus('wait', 'Link opened', 'Complete Link in the Link window; this page reports what happens.');
  }

  // recover follows Plaid's guide for INVALID_LINK_TOKEN: destroy the
  // handler (so iframes do not stack), fetch a new token, create Link again.
  function recover(h) {
    h.destroy();
    if (handler === h) handler = null;
    var reported = report('destroyed');
    step('handler.destroy()');
    recoveries++;
    if (recoveries > MAX_RECOVERIES) {
      var e = linkError({ error_message: 'gave up after ' + MAX_RECOVERIES + ' INVALID_LINK_TOKEN recoveries' });
      report('token_error', { error: e });
      setStatus('error', 'Link keeps reporting INVALID_LINK_TOKEN', e.error_message);
      return;
    }
    setStatus('wait', 'The link_token was invalid: getting a new one', 'As Plaid\'s guide says: destroy(), new token, Plaid.create again.');
    // Ask for the new token once linkexplorer has the exit and destroy
    // reports, so its timeline reads exit, destroy, new token.
    reported.then(openLink);
  }

  // ---- OAuth redirect --------------------------------------------------

  // resumeLink runs on /oauth-return: back from the bank, it re-creates
  // Link with the kept link_token and receivedRedirectUri.
  function resumeLink() {
    var kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(KEEP) || 'null');
    } catch (e) { kept = null; }
    if (!kept || !kept.token || !kept.session) {
      step('No link_token kept across the redirect', 'bad');
      setStatus('error', 'The link_token was lost across the OAuth redirect',
        'This page keeps it in sessionStorage before Link sends the page to the bank; open this page in the tab that started Link. Start the step again in linkexplorer.');
      return;
    }
    cfg.session = kept.session;
    cfg.state = kept.state;
    cfg.mistake = !!kept.mistake;
    var id = new URLSearchParams(location.search).get('oauth_state_id') || '';
    report('oauth_return', { oauth_state_id: id.slice(0, 64) });
    step('Back from the bank (oauth_state_id …' + id.slice(-4) + ')');
    if (cfg.mistake) {
      step('Deliberate mistake: Plaid.create without receivedRedirectUri', 'bad');
      setStatus('wait', 'Re-initializing Link WITHOUT receivedRedirectUri (the deliberate mistake)', 'Watch Link start over at its first pane.');
      create(kept.token, null);
    } else {
      setStatus('wait', 'Re-initializing Link with the same link_token and receivedRedirectUri');
      create(kept.token, window.location.href);
    }
  }

  // restartedOver is the recovery from the mistake: Link started over at
  // Consent, so destroy it and re-create it the right way.
  function restartedOver(h, token) {
    report('oauth_restarted');
    step('Link started over at Consent: receivedRedirectUri was missing', 'bad');
    setStatus('wait', 'Recovering: destroy(), then Plaid.create with receivedRedirectUri');
    setTimeout(function () {
      h.destroy();
      if (handler === h) handler = null;
      report('destroyed');
      step('handler.destroy()');
      create(token, window.location.href);
    }, 0);
  }

  // ---- start: load the Link script ---------------------------------------

  function scriptError(message) {
    report('script_error', { message: message });
    step('Link script failed', 'bad');
    setStatus('error', 'The Link script did not load', message);
  }

  // The first link_token is asked for while the Link script loads, as an
  // app does on page load; it is used (and reported) once Link's script
  // has loaded. The page back from an OAuth bank reuses its token.
  var firstToken = cfg.returning ? null : fetchToken();
  if (firstToken) firstToken.catch(function () { /* reported by openLink */ });

  var s = document.createElement('script');
  s.src = cfg.script;
  s.async = true;
  s.onload = function () {
    if (!window.Plaid || typeof window.Plaid.create !== 'function') {
      scriptError('the script at ' + cfg.script + ' did not define Plaid.create');
      return;
    }
    step('Link script loaded');
    if (cfg.returning) {
      resumeLink();
    } else {
      openLink(firstToken);
      firstToken = null;
    }
  };
  s.onerror = function () {
    scriptError('could not load ' + cfg.script + ' (offline? blocked? is the emulator running?)');
  };
  document.head.appendChild(s);
})();
