'use strict';

// Acme Budget: the server side of the Plaid integration (plaid-node 21).
const express = require('express');
const session = require('express-session');
const { Configuration, PlaidApi, PlaidEnvironments, Products, CountryCode } = require('plaid');
const db = require('./db');

const client = new PlaidApi(
  new Configuration({
    basePath: process.env.PLAID_API_URL || PlaidEnvironments[process.env.PLAID_ENV || 'sandbox'],
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
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));

function requireUser(req, res, next) {
  if (!req.session.userId) {
    return res.status(401).json({ error: 'log in first' });
  }
  next();
}

// A fresh link_token for every Link session, created early.
app.post('/api/create_link_token', requireUser, async (req, res, next) => {
  try {
    const response = await client.linkTokenCreate({
      user: { client_user_id: String(req.session.userId) },
      client_name: 'Acme Budget',
      products: [Products.Transactions],
      language: 'en',
      country_codes: [CountryCode.Us],
      webhook: 'https://acme.example.com/api/plaid/webhook',
    });
    res.json({ link_token: response.data.link_token });
  } catch (err) {
    next(err);
  }
});

// Update mode: a link_token for an Item that needs the user again.
app.post('/api/create_link_token_for_update', requireUser, async (req, res, next) => {
  try {
    const item = await db.item(req.session.userId, req.body.item_id);
    const response = await client.linkTokenCreate({
      user: { client_user_id: String(req.session.userId) },
      client_name: 'Acme Budget',
      language: 'en',
      country_codes: [CountryCode.Us],
      access_token: item.accessToken,
    });
    res.json({ link_token: response.data.link_token });
  } catch (err) {
    next(err);
  }
});

app.post('/api/set_access_token', requireUser, async (req, res, next) => {
  try {
    const response = await client.itemPublicTokenExchange({ public_token: req.body.public_token });
    await db.saveItem(req.session.userId, response.data.item_id, response.data.access_token);
    res.json({ item_id: response.data.item_id });
  } catch (err) {
    next(err);
  }
});

app.use((err, req, res, next) => {
  const plaidError = err.response && err.response.data;
  res.status(500).json({ error: plaidError || { error_message: err.message } });
});

app.listen(8000, () => console.log('listening on http://localhost:8000'));
