'use strict';

// Acme Budget: the server side of the Plaid integration (plaid-node 4.x).
const express = require('express');
const bodyParser = require('body-parser');
const fetch = require('node-fetch');
const plaid = require('plaid');

const PLAID_CLIENT_ID = process.env.PLAID_CLIENT_ID;
const PLAID_SECRET = process.env.PLAID_SECRET;
const PLAID_PUBLIC_KEY = process.env.PLAID_PUBLIC_KEY;
const PLAID_ENV = process.env.PLAID_ENV || 'sandbox';
const PLAID_HOST = 'https://' + PLAID_ENV + '.plaid.com';

const client = new plaid.Client(
  PLAID_CLIENT_ID,
  PLAID_SECRET,
  PLAID_PUBLIC_KEY,
  plaid.environments[PLAID_ENV],
  { version: '2019-05-29' }
);

let ACCESS_TOKEN = null;

const app = express();
app.use(express.static('public'));
app.use(bodyParser.json());

// Link hands us a public_token; trade it for an access_token.
app.post('/get_access_token', (req, res) => {
  client.exchangePublicToken(req.body.public_token, (err, tokenResponse) => {
    if (err != null) {
      return res.status(500).json({ error: err.error_code });
    }
    ACCESS_TOKEN = tokenResponse.access_token;
    res.json({ ok: true });
  });
});

// Update mode: Link is opened with a public_token for the existing Item.
app.post('/api/update_public_token', (req, res) => {
  client.createPublicToken(ACCESS_TOKEN, (err, result) => {
    if (err != null) {
      return res.status(500).json({ error: err.error_code });
    }
    res.json({ public_token: result.public_token });
  });
});

// Our own bank picker searches institutions with the public key.
app.post('/api/institutions', async (req, res) => {
  const response = await fetch(`${PLAID_HOST}/institutions/search`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      public_key: PLAID_PUBLIC_KEY,
      query: req.body.query,
      products: ['transactions'],
    }),
  });
  res.json(await response.json());
});

app.listen(8000, () => console.log('listening on http://localhost:8000'));
