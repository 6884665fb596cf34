<#import "layout.ftl" as layout>
<@layout.page title="Connect">
<button id="link-button">Connect your bank</button>
<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"></script>
<script>
  var plaidHandler = null;
  function createLink(token) {
    plaidHandler = Plaid.create({
      token: token,
      onSuccess: function (publicToken) {
        document.getElementById('public-token').value = publicToken;
      },
      onExit: function (error) {
        if (error != null && error.error_code === 'INVALID_LINK_TOKEN') {
          plaidHandler.destroy();
          fetch('/api/link-token', { method: 'POST' })
            .then(function (r) { return r.json(); })
            .then(function (body) { createLink(body.link_token); });
        }
      }
    });
  }
  createLink('${linkToken}');
  document.getElementById('link-button').onclick = function () { plaidHandler.open(); };
</script>
</@layout.page>
