/*
 * Emulated Plaid Link web SDK, served by linkexplorer's offline emulator.
 * It stands in for https://cdn.plaid.com/link/v2/stable/link-initialize.js
 * and follows its contract: window.Plaid.create(config) returns a handler
 * with open, exit, destroy and submit; Link renders in an iframe served from
 * the emulator's origin (taken from this script's own src), and talks to
 * this page only through postMessage, with origins checked both ways.
 *
 * Event timing: real Link delivers OPEN in real time and most other events
 * in a batch at the end, together with onSuccess/onExit. This emulation
 * delivers every event in real time, as it happens, which is more useful
 * for learning. Events travel on the same postMessage channel as the final
 * callback, so they always arrive before onSuccess/onExit.
 */
(function () {
  'use strict';

  if (window.Plaid && window.Plaid.isEmulated) {
    return; // loaded twice: keep the first copy and its handlers
  }

  var MISSING = 'Missing Link parameter. Link requires a key or token to be provided.';
  var FROM_UI = 'emulated-plaid-link';
  var TO_UI = 'emulated-plaid-link-sdk';

  function scriptOrigin() {
    var s = document.currentScript;
    if (!s) {
      var all = document.querySelectorAll('script[src*="link-initialize.js"]');
      s = all[all.length - 1];
    }
    return new URL(s ? s.src : location.href, location.href).origin;
  }

  var ORIGIN = scriptOrigin();
  var handlers = {}; // channel -> Link
  var count = 0;

  window.addEventListener('message', function (ev) {
    if (ev.origin !== ORIGIN) {
      return;
    }
    var d = ev.data;
    if (!d || typeof d !== 'object' || d.source !== FROM_UI) {
      return;
    }
    var h = handlers[d.channel];
    if (!h || !h.iframe || ev.source !== h.iframe.contentWindow) {
      return;
    }
    h.receive(d);
  });

  // invoke calls a user callback; an exception in it is reported without
  // breaking Link.
  function invoke(fn, args) {
    if (typeof fn !== 'function') {
      return;
    }
    try {
      fn.apply(null, args);
    } catch (e) {
      setTimeout(function () { throw e; });
    }
  }

  function channelID() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    return String(Date.now()) + '-' + String(Math.random()).slice(2);
  }

  function whenBody(fn) {
    if (document.body) {
      fn();
    } else {
      document.addEventListener('DOMContentLoaded', fn);
    }
  }

  var OVERLAY = 'position:fixed;top:0;left:0;width:100%;height:100%;border:0;margin:0;padding:0;' +
    'z-index:2147483647;background:transparent;color-scheme:normal;display:none;';
  var INLINE = 'width:100%;height:100%;border:0;margin:0;padding:0;display:block;background:transparent;';

  function Link(config, target) {
    if (!config || typeof config !== 'object' || (!config.token && !config.key)) {
      throw new Error(MISSING);
    }
    if (!config.token) {
      console.error('Emulated Link: public_key mode ("key") stopped working in February 2025. ' +
        'Create a link_token with /link/token/create and pass it as "token".');
    }
    count += 1;
    this.config = config;
    this.channel = channelID();
    this.embedded = !!target;
    this.loaded = false;
    this.pendingOpen = this.embedded;
    this.isOpen = false;
    this.destroyed = false;

    var q = new URLSearchParams({
      token: String(config.token || ''),
      channel: this.channel,
      origin: location.origin
    });
    if (this.embedded) {
      q.set('embedded', 'true');
    }
    if (config.receivedRedirectUri) {
      // Re-initializing after an OAuth redirect (reference §4.9).
      q.set('received_redirect_uri', String(config.receivedRedirectUri));
    }
    var f = document.createElement('iframe');
    f.id = 'plaid-link-iframe-' + count;
    f.name = f.id;
    f.title = 'Plaid Link (emulated, offline)';
    f.setAttribute('data-emulated-link', 'true');
    f.style.cssText = this.embedded ? INLINE : OVERLAY;
    f.src = ORIGIN + '/link/v2/stable/link.html?' + q.toString();
    this.iframe = f;
    handlers[this.channel] = this;

    var self = this;
    whenBody(function () {
      if (!self.destroyed) {
        (target || document.body).appendChild(f);
      }
    });
  }

  Link.prototype.post = function (msg) {
    if (this.iframe && this.iframe.contentWindow) {
      msg.source = TO_UI;
      msg.channel = this.channel;
      this.iframe.contentWindow.postMessage(msg, ORIGIN);
    }
  };

  Link.prototype.receive = function (d) {
    var c = this.config;
    switch (d.type) {
      case 'ready':
        if (this.loaded) {
          return;
        }
        this.loaded = true;
        invoke(c.onLoad, []);
        if (this.pendingOpen) {
          this.pendingOpen = false;
          this.open();
        }
        break;
      case 'event':
        invoke(c.onEvent, [d.eventName, d.metadata]);
        break;
      case 'success':
        this.hide();
        invoke(c.onSuccess, [d.publicToken, d.metadata]);
        break;
      case 'exit':
        this.hide();
        invoke(c.onExit, [d.error, d.metadata]);
        break;
      case 'oauth_redirect':
        // OAuth with a redirect_uri: the whole page goes to the bank, which
        // sends the user back to redirect_uri?oauth_state_id=…. Only the
        // emulator's own bank page is a valid target.
        if (typeof d.url === 'string' && new URL(d.url, ORIGIN).origin === ORIGIN) {
          window.location.assign(d.url);
        }
        break;
    }
  };

  Link.prototype.hide = function () {
    this.isOpen = false;
    if (this.iframe && !this.embedded) {
      this.iframe.style.display = 'none';
    }
  };

  // open shows Link; before onLoad the call is queued.
  Link.prototype.open = function () {
    if (this.destroyed) {
      console.warn('Emulated Link: open() called after destroy(); create a new handler with Plaid.create.');
      return;
    }
    if (!this.loaded) {
      this.pendingOpen = true;
      return;
    }
    if (this.isOpen) {
      return;
    }
    this.isOpen = true;
    if (!this.embedded) {
      this.iframe.style.display = 'block';
    }
    this.iframe.focus();
    this.post({ type: 'open' });
  };

  // exit closes Link: {force: true} at once, otherwise Link may first ask
  // the user to confirm. onExit (or onSuccess, once linking finished) follows.
  Link.prototype.exit = function (opts) {
    var force = !!(opts && opts.force);
    this.pendingOpen = false;
    if (!this.loaded || !this.isOpen) {
      return;
    }
    if (force && !this.embedded) {
      this.iframe.style.display = 'none';
    }
    this.post({ type: 'exit', force: force });
  };

  // destroy removes the iframe and forgets the handler. It does not call
  // onExit.
  Link.prototype.destroy = function () {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    this.isOpen = false;
    delete handlers[this.channel];
    if (this.iframe && this.iframe.parentNode) {
      this.iframe.parentNode.removeChild(this.iframe);
    }
    this.iframe = null;
  };

  function handler(link, methods) {
    var h = {};
    methods.forEach(function (m) {
      h[m] = function () {
        return Link.prototype[m].apply(link, arguments);
      };
    });
    return h;
  }

  window.Plaid = {
    isEmulated: true,
    version: 'emulated',
    create: function (config) {
      var link = new Link(config, null);
      var h = handler(link, ['open', 'exit', 'destroy']);
      h.submit = function () {
        console.info('Emulated Link: submit() is for Layer, which the emulated Link does not implement.');
      };
      return h;
    },
    // createEmbedded renders Link inside target and opens it at once; the
    // handler has only destroy.
    createEmbedded: function (config, target) {
      if (!target || typeof target.appendChild !== 'function') {
        throw new Error('Plaid.createEmbedded needs a DOM element to render Link into.');
      }
      return handler(new Link(config, target), ['destroy']);
    }
  };
})();
