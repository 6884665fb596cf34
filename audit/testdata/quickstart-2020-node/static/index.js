// Asks the server for a link_token, then opens Link with it.
(async function ($) {
  const fetchLinkToken = async () => {
    const response = await fetch('/api/create_link_token', { method: 'POST' });
    const data = await response.json();
    return data.link_token;
  };
  const handler = Plaid.create({
    token: await fetchLinkToken(),
    onSuccess: async (public_token, metadata) => {
      await fetch('/api/set_access_token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ public_token }),
      });
    },
    onEvent: (eventName, metadata) => {
      console.log('Event:', eventName);
    },
    onExit: (error, metadata) => {
      if (error != null) {
        console.log('Link exited:', error.error_code);
      }
    },
  });
  $('#link-button').on('click', function () {
    handler.open();
  });
})(jQuery);
