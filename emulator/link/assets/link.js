/*
 * Emulated Link (offline): the Link UI that runs in the iframe created by
 * link-initialize.js. It drives a Link session through the emulator's
 * session API (/__link/...), reports events and the final onSuccess/onExit
 * to the parent page with postMessage, and runs the autopilot when one was
 * armed for its link_token. Opened on its own (not in an iframe), it starts
 * Link at once and shows the callbacks on the page.
 */
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var TOKEN = params.get('token') || '';
  var CHANNEL = params.get('channel') || '';
  var PARENT = params.get('origin') || '';
  var EMBEDDED = params.get('embedded') === 'true';
  // receivedRedirectUri, when the page re-initialized Link after an OAuth
  // redirect.
  var RECEIVED = params.get('received_redirect_uri') || '';
  var FROM_BANK = 'emulated-plaid-oauth';
  var STANDALONE = window.parent === window;
  var FROM_SDK = 'emulated-plaid-link-sdk';
  var TO_SDK = 'emulated-plaid-link';

  // Every event's metadata has all these keys, null when absent (§4.5).
  var KEYS = ['error_type', 'error_code', 'error_message', 'exit_status', 'institution_id',
    'institution_name', 'institution_search_query', 'is_update_mode', 'match_reason', 'mfa_type',
    'view_name', 'selection', 'routing_number', 'account_number_mask', 'request_id',
    'link_session_id', 'timestamp'];

  var MFA_STATUS = {
    device: 'choose_device', code: 'requires_code',
    questions: 'requires_questions', selections: 'requires_selections'
  };

  var $ = function (id) { return document.getElementById(id); };
  var pane, S = null, gen = 0, searchTimer = null, searchSeq = 0;

  // ---- DOM helpers (text only: nothing from the server is parsed as HTML) ----

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) {
        return;
      }
      if (k === 'text') {
        el.textContent = v;
      } else if (k.slice(0, 2) === 'on') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'className') {
        el.className = v;
      } else {
        el.setAttribute(k, v === true ? '' : v);
      }
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      (Array.isArray(c) ? c : [c]).forEach(function (x) {
        if (x !== null && x !== undefined && x !== false) {
          el.appendChild(typeof x === 'string' ? document.createTextNode(x) : x);
        }
      });
    }
    return el;
  }

  function button(id, label, onclick, secondary) {
    return h('button', { type: 'button', id: id, className: secondary ? 'secondary' : 'primary', onclick: onclick }, label);
  }

  function logo(inst, big) {
    var el = h('div', { className: 'logo' + (big ? ' big' : ''), 'aria-hidden': 'true' });
    if (inst && inst.primary_color) {
      el.style.background = inst.primary_color;
    }
    if (inst && inst.logo) {
      el.appendChild(h('img', { src: inst.logo, alt: '' }));
    } else {
      el.textContent = ((inst && inst.name) || '?').charAt(0);
    }
    return el;
  }

  function hint() {
    return h('div', { className: 'hint' }, Array.prototype.map.call(arguments, function (x) {
      return typeof x === 'string' && x.charAt(0) === '`' ? h('code', { text: x.slice(1) }) : x;
    }));
  }

  // ---- talking to the parent page ----

  function post(msg) {
    if (STANDALONE) {
      return standalone(msg);
    }
    msg.source = TO_SDK;
    msg.channel = CHANNEL;
    window.parent.postMessage(msg, PARENT);
  }

  window.addEventListener('message', function (ev) {
    var d = ev.data;
    if (STANDALONE || ev.source !== window.parent || ev.origin !== PARENT ||
        !d || typeof d !== 'object' || d.source !== FROM_SDK || d.channel !== CHANNEL) {
      return;
    }
    if (d.type === 'open' && !S) {
      startSession();
    } else if (d.type === 'exit') {
      requestClose(!!d.force);
    }
  });

  // ---- the session API ----

  function api(path, body, keepalive) {
    return fetch('/__link/' + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), cache: 'no-store', credentials: 'same-origin', keepalive: !!keepalive
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).catch(function (err) {
      return {
        ok: false,
        body: {
          exit: true,
          error: {
            error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', display_message: null,
            error_message: 'the emulator could not be reached (' + err + '); is linkexplorer still running?'
          }
        }
      };
    });
  }

  // call runs one session step. It resolves to the response body, or to
  // null when the step failed (the failure is then already handled) or the
  // session moved on meanwhile.
  function call(path, body) {
    var sess = S, step = path !== 'institutions/search';
    if (step && sess.inflight) {
      return Promise.resolve(null); // a double submit
    }
    sess.inflight = step;
    body.link_session_id = sess.id;
    pane.classList.add('busy');
    return api(path, body).then(function (r) {
      if (step) {
        sess.inflight = false;
      }
      if (S !== sess || sess.finishing) {
        return null;
      }
      pane.classList.remove('busy');
      if (r.body && r.body.request_id) {
        sess.requestId = r.body.request_id;
      }
      if (r.ok) {
        return r.body;
      }
      fail(r.body || {});
      return null;
    });
  }

  // ---- events ----

  function timestamp() {
    return new Date(Date.now() + (S ? S.clockOffset : 0)).toISOString();
  }

  function errorFields(err) {
    return err ? { error_type: err.error_type, error_code: err.error_code, error_message: err.error_message } : {};
  }

  function emit(name, extra) {
    var sess = S, m = {};
    KEYS.forEach(function (k) { m[k] = null; });
    m.link_session_id = sess.id;
    m.request_id = sess.requestId;
    m.timestamp = timestamp();
    if (sess.institution) {
      m.institution_id = sess.institution.institution_id;
      m.institution_name = sess.institution.name;
    }
    Object.keys(extra || {}).forEach(function (k) {
      m[k] = extra[k] === undefined ? null : extra[k];
    });
    post({ type: 'event', eventName: name, metadata: m });
    sess.queue.push({ event_name: name, metadata: m });
    if (!sess.flushTimer) {
      sess.flushTimer = setTimeout(function () { flush(sess); }, FLUSH_MS);
    }
  }

  // Events are recorded with the emulator in batches, as Link's own
  // analytics are: FLUSH_MS after the first one not sent yet, and at once
  // when Link ends (onSuccess and onExit wait for it), before the page
  // goes to a bank, and (a beacon) when the page goes away.
  var FLUSH_MS = 250;

  // flush records the queued events with the emulator, in order. The
  // request outlives the page (keepalive): Link's page may go away next.
  function flush(sess) {
    clearTimeout(sess.flushTimer);
    sess.flushTimer = null;
    sess.flushing = sess.flushing.then(function () {
      if (!sess.id || sess.queue.length === 0) {
        return null;
      }
      var batch = sess.queue.splice(0, 100);
      return api('events', { link_session_id: sess.id, events: batch }, true);
    });
    return sess.flushing;
  }

  // ---- panes ----

  // show renders a pane and fires TRANSITION_VIEW. status is the onExit
  // status while this pane is shown (undefined keeps the current one).
  function show(view, status, nodes, extra) {
    gen += 1;
    S.view = view;
    if (status !== undefined) {
      S.status = status;
    }
    S.saved = null;
    pane.classList.remove('busy');
    pane.replaceChildren.apply(pane, nodes.filter(Boolean));
    $('back').hidden = !S.back;
    var first = pane.querySelector('input, button.primary');
    if (first) {
      first.focus();
    }
    if (view) {
      emit('TRANSITION_VIEW', Object.assign({ view_name: view }, extra || {}));
    }
    pilot(view);
  }

  function title(text) {
    return h('h1', { id: 'pane-title', text: text });
  }

  function showLoadingSession() {
    gen += 1;
    pane.replaceChildren(h('div', { className: 'spinner', role: 'status', 'aria-label': 'Loading' }));
  }

  function showConsent() {
    S.back = null;
    show('CONSENT', null, [
      title(S.clientName + ' uses Plaid to connect your account'),
      h('ul', { className: 'points' },
        h('li', {}, h('span', { className: 'dot' }), h('div', {}, h('b', { text: 'Connect effortlessly' }),
          h('span', { className: 'small', text: 'This emulation links a Sandbox bank account in seconds.' }))),
        h('li', {}, h('span', { className: 'dot' }), h('div', {}, h('b', { text: 'Nothing leaves this machine' }),
          h('span', { className: 'small', text: 'Offline: the banks, accounts and tokens are the emulator\'s Sandbox data.' })))),
      h('div', { className: 'grow' }),
      h('p', { className: 'small', text: 'By selecting "Continue" you agree to the emulated Plaid End User Privacy Policy.' }),
      button('consent-continue', 'Continue', showInstitutions)
    ]);
  }

  function showInstitutions() {
    S.back = showConsent;
    var list = h('div', { className: 'list', id: 'institutions', role: 'list' });
    var search = h('input', {
      type: 'search', id: 'search', placeholder: 'Search for your bank', autocomplete: 'off',
      'aria-label': 'Search institutions', oninput: function () {
        clearTimeout(searchTimer);
        var q = search.value, g = gen;
        searchTimer = setTimeout(function () {
          if (g === gen) {
            runSearch(q, true);
          }
        }, 300);
      }
    });
    show('SELECT_INSTITUTION', 'institution_not_found', [title('Select your bank'), search, list]);
    runSearch('', false);
  }

  // runSearch lists the institutions matching q; a user's search (report)
  // fires SEARCH_INSTITUTION.
  function runSearch(q, report) {
    var g = gen, seq = ++searchSeq;
    if (report && q.trim() !== '') {
      emit('SEARCH_INSTITUTION', { institution_search_query: q });
    }
    return call('institutions/search', { query: q }).then(function (r) {
      if (!r || g !== gen || seq !== searchSeq) {
        return;
      }
      var rows = r.institutions.map(function (inst) {
        return h('button', {
          type: 'button', className: 'row', role: 'listitem', 'data-institution-id': inst.institution_id,
          onclick: function () { chooseInstitution(inst); }
        }, logo(inst), h('span', { className: 'name' }, inst.name,
          inst.health && inst.health !== 'HEALTHY' ? h('span', { className: 'meta', text: 'Status: ' + inst.health }) : null));
      });
      if (rows.length === 0) {
        rows = [h('p', { className: 'small', text: 'No institutions match "' + q + '" for this link_token\'s countries and products.' })];
      }
      $('institutions').replaceChildren.apply($('institutions'), rows);
      $('institutions').dataset.query = q; // which search the list shows
    });
  }

  function chooseInstitution(inst) {
    S.institution = { name: inst.name, institution_id: inst.institution_id };
    S.inst = inst;
    if (inst.health === 'DEGRADED') {
      emit('SELECT_DEGRADED_INSTITUTION');
    } else if (inst.health === 'DOWN') {
      emit('SELECT_DOWN_INSTITUTION');
    }
    call('institution', { institution_id: inst.institution_id }).then(function (r) {
      if (!r) {
        return;
      }
      S.inst = r.institution;
      emit('SELECT_INSTITUTION');
      if (r.next === 'oauth') {
        showOAuth();
      } else if (r.next === 'not_supported') {
        showNotSupported();
      } else {
        showCredentials();
      }
    });
  }

  function institutionHead() {
    return h('div', { className: 'head' },
      logo(S.inst, true), h('p', { className: 'small', text: S.inst ? S.inst.name : '' }));
  }

  function showCredentials() {
    S.back = S.updateMode ? null : showInstitutions;
    var user = h('input', { type: 'text', id: 'username', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' });
    var pass = h('input', { type: 'password', id: 'password', autocomplete: 'off' });
    var submit = function () {
      if (!user.value) {
        user.focus();
        return;
      }
      emit('SUBMIT_CREDENTIALS');
      call('credentials', { username: user.value, password: pass.value }).then(afterLogin);
    };
    var form = h('form', { className: 'list', onsubmit: function (e) { e.preventDefault(); submit(); } },
      h('label', {}, 'Username', user), h('label', {}, 'Password', pass),
      h('button', { type: 'submit', id: 'submit-credentials', className: 'primary' }, 'Submit'));
    show('CREDENTIAL', 'requires_credentials', [
      institutionHead(),
      title(S.updateMode ? 'Log in again to ' + S.inst.name : 'Enter your credentials'),
      S.inst && S.inst.health === 'DEGRADED' ? h('div', { className: 'warn', text: S.inst.name + ' is having connection issues right now (DEGRADED).' }) : null,
      form,
      hint('Sandbox: ', '`user_good', ' / ', '`pass_good', '; ', '`mfa_device', ', ', '`mfa_questions_1_1',
        ', ', '`error_ITEM_LOCKED', ' or ', '`user_custom', ' with JSON work too.')
    ]);
  }

  // afterLogin moves on from a successful credentials, MFA or OAuth step.
  function afterLogin(r) {
    if (!r) {
      return;
    }
    if (r.next === 'mfa') {
      showMFA(r.mfa);
    } else {
      showLoadingThenAccounts(r);
    }
  }

  // showOAuth is the OAUTH pane: Link is about to send the user to the
  // bank. note says what happened at the bank last time (declined, closed).
  function showOAuth(note) {
    S.back = S.updateMode ? null : showInstitutions;
    S.oauthNote = note || null;
    show('OAUTH', 'requires_oauth', [
      institutionHead(),
      title('You will be sent to ' + S.inst.name + ' to log in'),
      note ? h('div', { className: 'warn', id: 'oauth-note', text: note }) : null,
      h('p', { text: S.inst.name + ' uses OAuth: you log in and authorize on the bank\'s own page, and the bank sends you back to Link.' }),
      h('div', { className: 'grow' }),
      button('oauth-continue', note ? 'Try again' : 'Continue to ' + S.inst.name, startHandoff),
      note ? button('oauth-exit', 'Exit', function () { finishExit(); }, true) : null
    ]);
  }

  // startHandoff hands off to the bank: a pop-up window, or (when the
  // link_token has a redirect_uri) the whole page goes to the bank.
  function startHandoff() {
    var popup = null;
    var sess = S;
    call('oauth', {}).then(function (r) {
      if (!r) {
        return;
      }
      sess.oauth = { id: r.oauth_state_id, mode: r.mode, settled: false };
      var url = location.origin + r.bank_url;
      emit('OPEN_OAUTH');
      if (r.mode === 'redirect') {
        sess.redirecting = true;
        flush(sess);
        showHandoff('Taking you to ' + sess.inst.name + '…', 'The page goes to the bank and comes back to the app\'s redirect_uri.');
        if (STANDALONE) {
          location.assign(url);
        } else {
          post({ type: 'oauth_redirect', url: url });
        }
        return;
      }
      popup = window.open(url, 'plaid-oauth-' + r.oauth_state_id, 'popup,width=480,height=680');
      sess.oauth.window = popup;
      showPopupWaiting(url);
      watchPopup(sess);
    });
  }

  function showHandoff(text, detail) {
    gen += 1;
    pane.replaceChildren(h('div', { className: 'spinner', role: 'status' }),
      h('p', { className: 'center', id: 'handoff', text: text }),
      detail ? h('p', { className: 'small center', text: detail }) : null);
    $('back').hidden = true;
  }

  // showPopupWaiting is shown while the bank's pop-up is open; a blocked
  // pop-up gets a button to open it with a real click.
  function showPopupWaiting(url) {
    var sess = S;
    gen += 1;
    var blocked = !sess.oauth.window;
    pane.replaceChildren(institutionHead(),
      title(blocked ? 'Your browser blocked the pop-up' : 'Continue in the ' + sess.inst.name + ' window'),
      h('p', { id: 'popup-wait', text: blocked ? 'Open the bank\'s page to log in and authorize.' : 'Log in and authorize in the pop-up window; Link goes on when you are back.' }),
      h('div', { className: 'grow' }),
      button('oauth-reopen', blocked ? 'Open ' + sess.inst.name : 'Show the ' + sess.inst.name + ' window', function () {
        var w = window.open(url, 'plaid-oauth-' + sess.oauth.id, 'popup,width=480,height=680');
        if (w) {
          sess.oauth.window = w;
          w.focus();
        }
      }));
    $('back').hidden = true;
  }

  // watchPopup waits for the bank's answer (a message from the pop-up) or
  // for the pop-up to close, then asks the emulator what happened.
  function watchPopup(sess) {
    var timer = setInterval(function () {
      if (S !== sess || sess.finishing || !sess.oauth || sess.oauth.settled) {
        clearInterval(timer);
        return;
      }
      if (sess.oauth.window && sess.oauth.window.closed) {
        clearInterval(timer);
        settleHandoff(sess);
      }
    }, 200);
  }

  window.addEventListener('message', function (ev) {
    var d = ev.data;
    if (ev.origin !== location.origin || !d || typeof d !== 'object' || d.source !== FROM_BANK || !S || !S.oauth ||
        d.oauth_state_id !== S.oauth.id) {
      return;
    }
    settleHandoff(S);
  });

  function settleHandoff(sess) {
    if (sess.oauth.settled || S !== sess) {
      return;
    }
    sess.oauth.settled = true;
    call('oauth/complete', { oauth_state_id: sess.oauth.id }).then(afterBank);
  }

  // afterBank goes on from the bank's answer: the accounts, or the OAUTH
  // pane again when the user declined or closed the bank's page.
  function afterBank(r) {
    if (!r) {
      return;
    }
    if (r.next === 'oauth_declined') {
      emit('FAIL_OAUTH');
      showOAuth('You did not authorize ' + S.inst.name + ' to share your accounts. Try again, or exit.');
    } else if (r.next === 'oauth_closed') {
      emit('CLOSE_OAUTH');
      showOAuth('The ' + S.inst.name + ' page was closed before you authorized. Try again, or exit.');
    } else {
      afterLogin(r);
    }
  }

  function showNotSupported() {
    S.back = showInstitutions;
    show('ERROR', 'institution_not_supported', [
      institutionHead(),
      title(S.inst.name + ' is not supported'),
      h('p', { text: 'Link cannot connect to this institution. Choose another one.' }),
      h('div', { className: 'grow' }),
      button('choose-another', 'Choose another institution', showInstitutions),
      button('error-exit', 'Exit', function () { finishExit(); }, true)
    ]);
  }

  function showMFA(mfa) {
    S.back = null;
    S.mfa = mfa;
    var fields = [], answers;
    if (mfa.type === 'device') {
      fields = mfa.devices.map(function (d, i) {
        return h('label', { className: 'row' }, h('input', { type: 'radio', name: 'device', value: d, checked: i === 0 }), h('span', { className: 'name', text: d }));
      });
      answers = function () {
        var c = pane.querySelector('input[name=device]:checked');
        return c ? [c.value] : [];
      };
    } else if (mfa.type === 'code') {
      fields = [h('label', {}, 'Verification code', h('input', { type: 'text', id: 'mfa-code', inputmode: 'numeric', autocomplete: 'one-time-code' }))];
      answers = function () { return [$('mfa-code').value]; };
    } else if (mfa.type === 'selections') {
      fields = mfa.questions.map(function (q, i) {
        return h('fieldset', { className: 'list', 'data-question': i }, h('legend', { text: q }),
          (mfa.options[i] || []).map(function (o) {
            return h('label', { className: 'row' }, h('input', { type: 'radio', name: 'q' + i, value: o }), h('span', { className: 'name', text: o }));
          }));
      });
      answers = function () {
        return mfa.questions.map(function (q, i) {
          var c = pane.querySelector('input[name=q' + i + ']:checked');
          return c ? c.value : '';
        });
      };
    } else {
      fields = mfa.questions.map(function (q) {
        return h('label', {}, q, h('input', { type: 'text', className: 'mfa-answer', autocomplete: 'off' }));
      });
      answers = function () {
        return Array.prototype.map.call(pane.querySelectorAll('.mfa-answer'), function (i) { return i.value; });
      };
    }
    var submit = function () {
      emit('SUBMIT_MFA', { mfa_type: mfa.type });
      call('mfa', { answers: answers() }).then(afterLogin);
    };
    show('MFA', MFA_STATUS[mfa.type] || 'requires_questions', [
      institutionHead(), title(mfa.prompt || 'Verify your identity'),
      h('form', { className: 'list', onsubmit: function (e) { e.preventDefault(); submit(); } }, fields,
        h('button', { type: 'submit', id: 'submit-mfa', className: 'primary' }, mfa.type === 'device' ? 'Send code' : 'Submit')),
      mfa.hint ? h('div', { className: 'hint', text: mfa.hint }) : null
    ], { mfa_type: mfa.type });
  }

  function showLoadingThenAccounts(r) {
    S.back = null;
    S.pendingAccounts = r;
    show('LOADING', undefined, [
      h('div', { className: 'spinner', role: 'status' }),
      h('p', { className: 'center', text: 'Connecting to ' + (S.inst ? S.inst.name : 'your bank') + '…' })
    ]);
    var g = gen;
    setTimeout(function () {
      if (g === gen) {
        showAccounts(r);
      }
    }, S.pilot ? S.pilot.delay_ms : 600);
  }

  function money(a) {
    if (a.balance === null || a.balance === undefined) {
      return '';
    }
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: a.currency || 'USD' }).format(a.balance);
    } catch (e) {
      return String(a.balance);
    }
  }

  function showAccounts(r) {
    S.back = null;
    var rows = r.accounts.map(function (a) {
      var meta = [a.subtype || a.type, a.mask ? '•••• ' + a.mask : '', money(a)].filter(Boolean).join(' · ');
      return h('label', { className: 'row' },
        r.selectable ? h('input', { type: 'checkbox', name: 'account', value: a.id, checked: true, onchange: sync }) : null,
        h('span', { className: 'name' }, a.name, a['new'] ? h('span', { className: 'badge', text: 'New' }) : null,
          h('span', { className: 'meta', text: meta })));
    });
    var cont = h('button', { type: 'button', id: 'accounts-continue', className: 'primary sticky', onclick: function () {
      var ids = r.selectable ? Array.prototype.map.call(pane.querySelectorAll('input[name=account]:checked'), function (c) { return c.value; })
        : r.accounts.map(function (a) { return a.id; });
      call('accounts', { account_ids: ids }).then(function (done) {
        if (done) {
          showConnected(done);
        }
      });
    } }, 'Continue');
    function sync() {
      cont.disabled = !pane.querySelector('input[name=account]:checked');
    }
    S.accountSelection = !!r.account_selection;
    show('SELECT_ACCOUNT', 'requires_account_selection', [
      title(r.account_selection ? 'Choose the accounts ' + S.clientName + ' can keep using'
        : S.updateMode ? 'These accounts stay connected to ' + S.clientName : 'Select the accounts to share with ' + S.clientName),
      h('div', { className: 'list', id: 'accounts' }, rows), cont
    ]);
  }

  function showConnected(done) {
    S.back = null;
    S.done = done;
    show('CONNECTED', undefined, [
      h('div', { className: 'check', 'aria-hidden': 'true' }, '✓'),
      h('h1', { id: 'pane-title', className: 'center', text: 'Success' }),
      h('p', { className: 'center', text: !S.updateMode ? 'Your account is connected to ' + S.clientName + '.'
        : S.accountSelection ? 'Your account choices for ' + S.clientName + ' are updated.'
          : 'Your connection to ' + S.inst.name + ' is repaired.' }),
      h('div', { className: 'grow' }),
      button('connected-continue', 'Continue', handoff)
    ]);
  }

  function showError(err, retry) {
    S.back = null;
    var again = retry === 'institution' ? showInstitutions : retry === 'credentials' ? (S.inst && S.inst.oauth ? function () { showOAuth(); } : showCredentials) : null;
    show('ERROR', undefined, [
      S.inst ? institutionHead() : null,
      title(err.display_message || 'Something went wrong'),
      h('div', { className: 'error-code', text: err.error_type + ' / ' + err.error_code + ': ' + err.error_message }),
      h('div', { className: 'grow' }),
      again ? button('error-retry', 'Try again', again) : null,
      button('error-exit', 'Exit', function () { finishExit(); }, !!again)
    ]);
  }

  function showExitConfirm() {
    var saved = { nodes: Array.prototype.slice.call(pane.childNodes), view: S.view, back: S.back };
    gen += 1;
    pane.replaceChildren(
      title('Are you sure you want to exit?'),
      h('p', { text: 'Your progress will be lost, and you will need to start again.' }),
      h('div', { className: 'grow' }),
      button('exit-confirm', 'Yes, exit', function () { finishExit(); }),
      button('exit-cancel', 'Continue setup', function () {
        S.view = saved.view;
        S.back = saved.back;
        gen += 1;
        pane.replaceChildren.apply(pane, saved.nodes);
        $('back').hidden = !S.back;
        emit('TRANSITION_VIEW', { view_name: saved.view, mfa_type: saved.view === 'MFA' ? S.mfa.type : null });
        if (saved.view === 'LOADING') {
          showAccounts(S.pendingAccounts);
        } else {
          pilot(saved.view);
        }
      }, true));
    $('back').hidden = true;
    S.view = 'EXIT';
    emit('TRANSITION_VIEW', { view_name: 'EXIT' });
  }

  // ---- fail, exit, succeed ----

  function fail(body) {
    var err = body.error || {
      error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR',
      error_message: 'the emulator gave an unexpected answer', display_message: null
    };
    S.lastError = err;
    emit('ERROR', errorFields(err));
    if (body.exit && S.status === 'institution_not_found') {
      // Link ended itself (an expired token, say) while the institution
      // list was shown: the user did not fail to find their bank, so the
      // exit has no status, as when the token fails at initialization.
      S.status = null;
    }
    if (body.exit) {
      finishExit();
    } else {
      showError(err, body.retry);
    }
  }

  // requestClose is the close button, Escape and handler.exit(): at the
  // start panes (or forced) Link exits at once; later it asks to confirm.
  // Once linked, closing hands off to onSuccess.
  function requestClose(force) {
    if (!S || S.finishing) {
      return;
    }
    if (S.done) {
      handoff();
    } else if (force || !S.id || ['CONSENT', 'SELECT_INSTITUTION', 'ERROR', 'EXIT'].indexOf(S.view) >= 0) {
      finishExit();
    } else {
      showExitConfirm();
    }
  }

  function institutionOf(sess) {
    return sess.institution ? { name: sess.institution.name, institution_id: sess.institution.institution_id } : null;
  }

  function finishExit() {
    var sess = S;
    if (sess.finishing) {
      return;
    }
    sess.finishing = true;
    var status = sess.status === undefined ? null : sess.status;
    var done = sess.id ? api('exit', { link_session_id: sess.id, status: status }) : Promise.resolve({ ok: false, body: {} });
    done.then(function (r) {
      var err = r.ok ? r.body.error : sess.lastError || null;
      if (r.body && r.body.request_id) {
        sess.requestId = r.body.request_id;
      }
      emit('EXIT', Object.assign({ exit_status: status }, errorFields(err)));
      return flush(sess).then(function () {
        close(sess);
        post({
          type: 'exit', error: err || null,
          metadata: { institution: institutionOf(sess), status: status, link_session_id: sess.id, request_id: sess.requestId }
        });
      });
    });
  }

  function handoff() {
    var sess = S;
    if (sess.finishing) {
      return;
    }
    sess.finishing = true;
    emit('HANDOFF');
    flush(sess).then(function () {
      close(sess);
      post({ type: 'success', publicToken: sess.done.public_token, metadata: sess.done.metadata });
    });
  }

  function close(sess) {
    if (S === sess) {
      S = null;
      gen += 1;
      pane.replaceChildren();
      $('backdrop').hidden = !EMBEDDED;
    }
  }

  // ---- starting a session ----

  function startSession() {
    var sess = S = {
      id: null, requestId: null, queue: [], flushing: Promise.resolve(), clockOffset: 0,
      institution: null, inst: null, status: null, view: null, back: null, pilot: null
    };
    $('backdrop').hidden = false;
    $('pilot').hidden = true;
    showLoadingSession();
    var start = { link_token: TOKEN };
    if (RECEIVED) {
      start.received_redirect_uri = RECEIVED;
    }
    api('session', start).then(function (r) {
      if (S !== sess || sess.finishing) {
        return;
      }
      var b = r.body || {};
      sess.id = b.link_session_id || null;
      sess.requestId = b.request_id || null;
      if (!r.ok) {
        fail(b);
        return;
      }
      sess.clientName = b.client_name;
      sess.updateMode = b.is_update_mode;
      sess.clockOffset = Date.parse(b.now) - Date.now() || 0;
      sess.pilot = b.autopilot || null;
      $('pilot').hidden = !sess.pilot;
      if (b.institution) {
        sess.inst = b.institution;
        sess.institution = { name: b.institution.name, institution_id: b.institution.institution_id };
      }
      emit('OPEN', { is_update_mode: String(!!b.is_update_mode) });
      if (b.resumed) {
        afterBank(b.resumed); // back from the bank after the redirect
      } else if (!sess.updateMode) {
        showConsent();
      } else if (sess.inst.oauth) {
        showOAuth();
      } else {
        showCredentials();
      }
    });
  }

  // ---- autopilot: drives the real UI, at delay_ms per action ----

  var STOP = {};

  function pilot(key) {
    var sess = S;
    if (!sess || !sess.pilot || !PILOT[key]) {
      return;
    }
    var g = gen, delay = sess.pilot.delay_ms;
    // At delay_ms 0 nothing waits for a timer: the next action runs as a
    // microtask, once the view that called pilot has been drawn.
    var wait = function (ms) {
      var p = ms > 0 ? new Promise(function (resolve) { setTimeout(resolve, ms); }) : Promise.resolve();
      return p.then(function () {
        if (S !== sess || g !== gen || sess.finishing) {
          throw STOP;
        }
      });
    };
    var ctl = {
      pilot: sess.pilot,
      wait: wait,
      click: function (el) {
        el.classList.add('pilot-target');
        return wait(delay).then(function () { el.classList.remove('pilot-target'); el.click(); });
      },
      type: function (el, text) {
        el.focus();
        el.value = '';
        el.classList.add('pilot-target');
        var chars = Array.from(text), i = 0;
        if (delay === 0) { // no one watches: fill the field at once
          el.value = text;
          el.classList.remove('pilot-target');
          return wait(0);
        }
        var next = function () {
          if (i >= chars.length) {
            el.classList.remove('pilot-target');
            return wait(0);
          }
          el.value += chars[i++];
          return wait(chars.length > 24 ? 0 : Math.round(delay / 8)).then(next);
        };
        return next();
      }
    };
    PILOT[key](ctl).catch(function (e) {
      if (e !== STOP) {
        note('Autopilot stopped: ' + (e && e.message ? e.message : e));
      }
    });
  }

  function note(text) {
    $('pilot').textContent = text;
    $('pilot').hidden = false;
  }

  function need(id) {
    var el = $(id);
    if (!el) {
      throw new Error('#' + id + ' is not on the page');
    }
    return el;
  }

  var PILOT = {
    CONSENT: function (p) { return p.click(need('consent-continue')); },
    SELECT_INSTITUTION: function (p) {
      var search = need('search'), name = p.pilot.institution_name;
      return p.wait(0).then(function () { return p.type(search, name); }).then(function () {
        clearTimeout(searchTimer);
        return runSearch(name, true);
      }).then(function () {
        var row = pane.querySelector('[data-institution-id="' + p.pilot.institution_id + '"]');
        if (!row) {
          throw new Error(name + ' (' + p.pilot.institution_id + ') is not offered for this link_token\'s countries and products');
        }
        return p.click(row);
      });
    },
    CREDENTIAL: function (p) {
      return p.type(need('username'), p.pilot.username)
        .then(function () { return p.type(need('password'), p.pilot.password); })
        .then(function () { return p.click(need('submit-credentials')); });
    },
    // After a decline the autopilot exits rather than loop.
    OAUTH: function (p) { return p.click(need(S.oauthNote ? 'oauth-exit' : 'oauth-continue')); },
    MFA: function (p) {
      var mfa = S.mfa, steps = Promise.resolve();
      if (mfa.type === 'code') {
        steps = p.type(need('mfa-code'), p.pilot.mfa);
      } else if (mfa.type === 'device') {
        steps = p.click(pane.querySelector('input[name=device]'));
      } else if (mfa.type === 'selections') {
        pane.querySelectorAll('fieldset').forEach(function (fs) {
          steps = steps.then(function () { return p.click(fs.querySelector('input')); });
        });
      } else {
        pane.querySelectorAll('.mfa-answer').forEach(function (input, j) {
          steps = steps.then(function () { return p.type(input, 'answer_' + mfa.round + '_' + j); });
        });
      }
      return steps.then(function () { return p.click(need('submit-mfa')); });
    },
    SELECT_ACCOUNT: function (p) { return p.click(need('accounts-continue')); },
    CONNECTED: function (p) { return p.click(need('connected-continue')); },
    ERROR: function (p) { return p.click(need('error-exit')); }
  };

  // ---- opened on its own: show the callbacks on the page ----

  function standalone(msg) {
    if (msg.type === 'event') {
      console.info('onEvent', msg.eventName, msg.metadata);
      return;
    }
    $('backdrop').hidden = false;
    var shown = msg.type === 'success'
      ? { onSuccess: { public_token: maskToken(msg.publicToken), metadata: msg.metadata } }
      : { onExit: { error: msg.error, metadata: msg.metadata } };
    pane.replaceChildren(title(msg.type === 'success' ? 'onSuccess was called' : 'onExit was called'),
      h('p', { className: 'small', text: 'Opened outside an app, Link shows its callback here. The public_token is masked.' }),
      h('pre', { className: 'result', text: JSON.stringify(shown, null, 2) }),
      button('restart', 'Open Link again', startSession));
  }

  function maskToken(t) {
    var m = /^([a-z]+-[a-z]+-)(.*)$/.exec(t || '');
    return m ? m[1] + '…' + m[2].slice(-4) : '…';
  }

  // ---- boot ----

  function boot() {
    pane = $('pane');
    if (EMBEDDED) {
      document.documentElement.classList.add('embedded');
    }
    $('close').addEventListener('click', function () { requestClose(false); });
    $('back').addEventListener('click', function () {
      if (S && S.back && !S.finishing) {
        S.back();
      }
    });
    // A page that destroys Link (or navigates away) mid-session gets no
    // onExit; tell the emulator, so its session record says so.
    window.addEventListener('pagehide', function () {
      if (!S || !S.id || !navigator.sendBeacon) {
        return;
      }
      if (S.flushTimer && S.queue.length) { // events not sent yet
        clearTimeout(S.flushTimer);
        S.flushTimer = null;
        navigator.sendBeacon('/__link/events', new Blob([JSON.stringify({ link_session_id: S.id, events: S.queue.splice(0, 100) })], { type: 'application/json' }));
      }
      if (!S.finishing && !S.redirecting) {
        navigator.sendBeacon('/__link/abandon', new Blob([JSON.stringify({ link_session_id: S.id })], { type: 'application/json' }));
      }
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !EMBEDDED) {
        requestClose(false);
      }
    });
    if (STANDALONE) {
      startSession();
      return;
    }
    if (!/^https?:\/\/[^/]+$/.test(PARENT)) {
      $('backdrop').hidden = false;
      pane.replaceChildren(title('Link cannot start'), h('p', {
        text: 'The page that opened Link has no usable origin (' + (PARENT || 'none') + '). Serve it over http://127.0.0.1 or http://localhost, not from a file.'
      }));
      return;
    }
    post({ type: 'ready' });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }
})();
