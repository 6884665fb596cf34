'use strict';

// Acme Budget: half way through the link_token migration.
const express = require('express');
const { Configuration, PlaidApi, PlaidEnvironments } = require('plaid');

const client = new PlaidApi(
  new Configuration({
    basePath: PlaidEnvironments.sandbox,
    baseOptions: {
      headers: {
        'PLAID-CLIENT-ID': process.env.PLAID_CLIENT_ID,
        'PLAID-SECRET': process.env.PLAID_SECRET,
      },
    },
  })
);

const app = express();
app.use(express.static('public'));
app.use(express.json());

let accessToken = null;

app.post('/api/create_link_token', async (req, res) => {
  try {
    const tokenResponse = await client.linkTokenCreate({
      user: { client_user_id: req.get('X-User-ID') },
      client_name: 'Acme Budget',
      products: ['transactions'],
      language: 'en',
      country_codes: ['US'],
    });
    res.json(tokenResponse.data);
  } catch (err) {
    res.status(500).json({ error: err.response ? err.response.data : err.message });
  }
});

app.post('/api/exchange_public_token', async (req, res) => {
  const exchange = await client.itemPublicTokenExchange({ public_token: req.body.public_token });
  accessToken = exchange.data.access_token;
  res.json({ ok: true });
});

// TODO(migration): update mode still hands Link a public_token.
app.post('/api/update_public_token', async (req, res) => {
  const response = await client.itemPublicTokenCreate({ access_token: accessToken });
  res.json({ public_token: response.data.public_token });
});

app.listen(8000);
