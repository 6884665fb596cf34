/*
 * Emulated bank OAuth consent page (offline). Link hands off here at an
 * OAuth institution: in a pop-up window (no redirect_uri on the
 * link_token), or by sending the whole page here (with one). The user logs
 * in with anything and authorizes or declines; the bank then sends the user
 * back to redirect_uri?oauth_state_id=…, or, in a pop-up, tells Link (the
 * window that opened it) and closes.
 */
(function () {
  'use strict';

  var ID = new URLSearchParams(location.search).get('oauth_state_id') || '';
  var TO_LINK = 'emulated-plaid-oauth';
  var pane;

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
      if (c !== null && c !== undefined) {
        el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
      }
    }
    return el;
  }

  function api(path, body) {
    return fetch('/__link/oauth/' + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), cache: 'no-store', credentials: 'same-origin'
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; });
    }).catch(function (err) {
      return { ok: false, body: { error: { error_code: 'INTERNAL_SERVER_ERROR', error_message: 'the emulator could not be reached (' + err + ')' } } };
    });
  }

  function showError(body) {
    var e = (body && body.error) || {};
    pane.replaceChildren(h('h1', { id: 'bank-title', text: 'The bank cannot go on' }),
      h('div', { className: 'error-code', id: 'bank-error', text: (e.error_code || 'ERROR') + ': ' + (e.error_message || 'unexpected answer') }));
  }

  function done(text) {
    pane.replaceChildren(h('h1', { id: 'bank-title', text: text }),
      h('p', { className: 'small', text: 'You can close this window and return to the app.' }));
  }

  // decide sends the user's answer, then goes back as the handoff says.
  function decide(approve) {
    pane.classList.add('busy');
    api('consent', { oauth_state_id: ID, approve: approve }).then(function (r) {
      pane.classList.remove('busy');
      if (!r.ok) {
        showError(r.body);
        return;
      }
      if (r.body.redirect_to) {
        location.assign(r.body.redirect_to); // back to the app's redirect_uri
        return;
      }
      if (window.opener) {
        window.opener.postMessage({ source: TO_LINK, oauth_state_id: ID, status: r.body.status }, location.origin);
      }
      done(approve ? 'Authorized: returning to the app' : 'Declined: returning to the app');
      window.close();
    });
  }

  function render(b) {
    var inst = b.institution || { name: 'the bank' };
    if (b.status !== 'pending') {
      done('This authorization request was already answered (' + b.status + ')');
      return;
    }
    var user = h('input', { type: 'text', id: 'bank-username', autocomplete: 'off' });
    var pass = h('input', { type: 'password', id: 'bank-password', autocomplete: 'off' });
    var logo = h('div', { className: 'logo big', 'aria-hidden': 'true', text: inst.name.charAt(0) });
    if (inst.primary_color) {
      logo.style.background = inst.primary_color;
    }
    pane.replaceChildren(
      h('div', { className: 'head' }, logo, h('p', { className: 'small', text: inst.name })),
      h('h1', { id: 'bank-title', text: 'Log in to ' + inst.name }),
      h('p', { text: (b.client_name || 'An app') + ' wants to access your ' + inst.name + ' accounts through Plaid.' }),
      h('label', {}, 'Username', user), h('label', {}, 'Password', pass),
      h('div', { className: 'grow' }),
      h('button', { type: 'button', id: 'bank-approve', className: 'primary', onclick: function () { decide(true); } }, 'Authorize'),
      h('button', { type: 'button', id: 'bank-decline', className: 'secondary', onclick: function () { decide(false); } }, 'Decline'));
    user.focus();
    if (b.autopilot) {
      pilot(b.autopilot, user, pass);
    }
  }

  function pilot(p, user, pass) {
    document.getElementById('pilot').hidden = false;
    var wait = function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); };
    wait(p.delay_ms).then(function () {
      user.value = p.username;
      pass.value = 'any password';
      return wait(p.delay_ms);
    }).then(function () {
      document.getElementById(p.oauth_decision === 'decline' ? 'bank-decline' : 'bank-approve').click();
    });
  }

  function boot() {
    pane = document.getElementById('pane');
    api('bank', { oauth_state_id: ID }).then(function (r) {
      if (!r.ok) {
        showError(r.body);
        return;
      }
      render(r.body);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }
})();
