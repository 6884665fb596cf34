'use strict';
const express = require('express');
const plaid = require('plaid');

const PLAID_PRODUCTS = (process.env.PLAID_PRODUCTS || 'transactions').split(',');
const PLAID_COUNTRY_CODES = (process.env.PLAID_COUNTRY_CODES || 'US').split(',');

const client = new plaid.Client({
  clientID: process.env.PLAID_CLIENT_ID,
  secret: process.env.PLAID_SECRET,
  env: plaid.environments[process.env.PLAID_ENV || 'sandbox'],
  options: { version: '2019-05-29' },
});

const app = express();
app.use(express.json());

// Creates a link_token for the page (one per session).
app.post('/api/create_link_token', function (request, response) {
  const configs = {
    user: {
      // A unique, stable id of the user in your app.
      client_user_id: 'user-id',
    },
    client_name: 'Plaid Quickstart',
    products: PLAID_PRODUCTS,
    country_codes: PLAID_COUNTRY_CODES,
    language: 'en',
  };
  if (process.env.PLAID_REDIRECT_URI) {
    configs.redirect_uri = process.env.PLAID_REDIRECT_URI;
  }
  client.createLinkToken(configs, function (error, createTokenResponse) {
    if (error != null) {
      return response.json({ error: error });
    }
    response.json(createTokenResponse);
  });
});

app.post('/api/set_access_token', function (request, response) {
  client.exchangePublicToken(request.body.public_token, function (error, tokenResponse) {
    if (error != null) {
      return response.json({ error });
    }
    response.json({ item_id: tokenResponse.item_id });
  });
});

app.listen(8000);
