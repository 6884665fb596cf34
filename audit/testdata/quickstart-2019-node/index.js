'use strict';
// Sample server, public_key era: the page receives the public key from the server.
var express = require('express');
var bodyParser = require('body-parser');
var plaid = require('plaid');

var APP_PORT = process.env.APP_PORT || 8000;
var PLAID_CLIENT_ID = process.env.PLAID_CLIENT_ID;
var PLAID_SECRET = process.env.PLAID_SECRET;
var PLAID_PUBLIC_KEY = process.env.PLAID_PUBLIC_KEY;
var PLAID_ENV = process.env.PLAID_ENV || 'sandbox';

var ACCESS_TOKEN = null;
var ITEM_ID = null;

var client = new plaid.Client(
  PLAID_CLIENT_ID,
  PLAID_SECRET,
  PLAID_PUBLIC_KEY,
  plaid.environments[PLAID_ENV]
);

var app = express();
app.set('view engine', 'ejs');
app.use(bodyParser.urlencoded({ extended: false }));

app.get('/', function (request, response) {
  response.render('index.ejs', { PLAID_PUBLIC_KEY: PLAID_PUBLIC_KEY, PLAID_ENV: PLAID_ENV });
});

app.post('/get_access_token', function (request, response) {
  client.exchangePublicToken(request.body.public_token, function (error, tokenResponse) {
    if (error != null) {
      return response.json({ error: error });
    }
    ACCESS_TOKEN = tokenResponse.access_token;
    ITEM_ID = tokenResponse.item_id;
    response.json({ error: null });
  });
});

app.listen(APP_PORT);
