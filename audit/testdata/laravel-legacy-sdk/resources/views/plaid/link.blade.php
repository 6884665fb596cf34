<button id="link">Link your bank</button>
<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"></script>
<script>
  var linkHandler = Plaid.create({
    env: '{{ config('plaid.environment') }}',
    clientName: '{{ config('app.name') }}',
    key: '{{ config('plaid.public_key') }}',
    product: ['auth'],
    @if (isset($publicToken))
    token: '{{ $publicToken }}',
    @endif
    onSuccess: function (public_token, metadata) {
      document.getElementById('public_token').value = public_token;
      document.getElementById('exchange-form').submit();
    }
  });
  document.getElementById('link').onclick = function () { linkHandler.open(); };
</script>
