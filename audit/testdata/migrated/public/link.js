// Link, token-based: every handler gets a fresh link_token from our server.
let handler = null;

async function fetchLinkToken(path = '/api/create_link_token', body = {}) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`Unable to fetch link_token: HTTP ${res.status}`);
  }
  const { link_token } = await res.json();
  return link_token;
}

async function onSuccess(public_token, metadata) {
  await fetch('/api/set_access_token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ public_token, institution: metadata.institution }),
  });
  document.getElementById('status').textContent = 'Connected!';
}

// The token expired or was invalidated: destroy the old handler, get a new
// token, and create Link again.
async function handleExit(error, metadata) {
  if (error && error.error_code === 'INVALID_LINK_TOKEN') {
    handler.destroy();
    handler = await createLink(await fetchLinkToken());
    handler.open();
    return;
  }
  if (error) {
    document.getElementById('status').textContent = error.display_message || 'Something went wrong.';
  }
}

async function createLink(token) {
  return Plaid.create({
    token,
    onSuccess,
    onExit: handleExit,
    onEvent: (eventName, metadata) => console.debug('Link event', eventName, metadata.link_session_id),
  });
}

// Update mode: the same Link, with a token created for the Item.
async function openUpdateMode(itemId) {
  if (handler) {
    handler.destroy();
  }
  handler = await createLink(await fetchLinkToken('/api/create_link_token_for_update', { item_id: itemId }));
  handler.open();
}

window.addEventListener('DOMContentLoaded', async () => {
  handler = await createLink(await fetchLinkToken());
  const button = document.getElementById('link-button');
  button.disabled = false;
  button.addEventListener('click', () => handler.open());
  window.openUpdateMode = openUpdateMode;
});
