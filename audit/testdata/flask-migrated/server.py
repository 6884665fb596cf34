import os

import plaid
from flask import Flask, jsonify, render_template
from flask_login import current_user, login_required
from plaid.api import plaid_api
from plaid.model.country_code import CountryCode
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products

configuration = plaid.Configuration(
    host=plaid.Environment.Sandbox,
    api_key={"clientId": os.environ["PLAID_CLIENT_ID"], "secret": os.environ["PLAID_SECRET"]},
)
client = plaid_api.PlaidApi(plaid.ApiClient(configuration))

app = Flask(__name__)


@app.route("/link")
@login_required
def link_page():
    owner = LinkTokenCreateRequestUser(client_user_id=str(current_user.id))
    token_request = LinkTokenCreateRequest(
        products=[Products("transactions")],
        client_name="Pocket Ledger",
        country_codes=[CountryCode("US")],
        language="en",
        user=owner,
    )
    try:
        response = client.link_token_create(token_request)
    except plaid.ApiException as e:
        return jsonify({"error": e.body}), 500
    return render_template("link.html", link_token=response["link_token"])
