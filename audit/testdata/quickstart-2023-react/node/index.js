'use strict';
const express = require('express');
const { Configuration, PlaidApi, Products, PlaidEnvironments } = require('plaid');

const PLAID_ENV = process.env.PLAID_ENV || 'sandbox';
const PLAID_PRODUCTS = (process.env.PLAID_PRODUCTS || Products.Transactions).split(',');
const PLAID_COUNTRY_CODES = (process.env.PLAID_COUNTRY_CODES || 'US').split(',');

const configuration = new Configuration({
  basePath: PlaidEnvironments[PLAID_ENV],
  baseOptions: {
    headers: {
      'PLAID-CLIENT-ID': process.env.PLAID_CLIENT_ID,
      'PLAID-SECRET': process.env.PLAID_SECRET,
      'Plaid-Version': '2020-09-14',
    },
  },
});
const client = new PlaidApi(configuration);

// Which responses the console prints, by client method.
const printed = {
  linkTokenCreate: true,
  itemPublicTokenExchange: true,
  transactionsSync: false,
};

const app = express();
app.use(express.json());

app.post('/api/create_link_token', function (request, response, next) {
  Promise.resolve()
    .then(async function () {
      const configs = {
        user: {
          client_user_id: 'user-id',
        },
        client_name: 'Plaid Quickstart',
        products: PLAID_PRODUCTS,
        country_codes: PLAID_COUNTRY_CODES,
        language: 'en',
      };
      if (process.env.PLAID_REDIRECT_URI !== '') {
        configs.redirect_uri = process.env.PLAID_REDIRECT_URI;
      }
      const createTokenResponse = await client.linkTokenCreate(configs);
      if (printed.linkTokenCreate) {
        console.log(createTokenResponse.data);
      }
      response.json(createTokenResponse.data);
    })
    .catch(next);
});

app.post('/api/set_access_token', async function (request, response, next) {
  try {
    const tokenResponse = await client.itemPublicTokenExchange({ public_token: request.body.public_token });
    response.json({ item_id: tokenResponse.data.item_id });
  } catch (error) {
    next(error);
  }
});

app.listen(8000);
