import os

from flask import Flask, jsonify, render_template, request
from plaid import Client

app = Flask(__name__)

client = Client(
    client_id=os.environ["PLAID_CLIENT_ID"],
    secret=os.environ["PLAID_SECRET"],
    public_key=os.environ["PLAID_PUBLIC_KEY"],
    environment=os.getenv("PLAID_ENV", "sandbox"),
)

tokens = {}


@app.route("/")
def index():
    return render_template("index.html", public_key=os.environ["PLAID_PUBLIC_KEY"])


@app.route("/exchange", methods=["POST"])
def exchange():
    result = client.Item.public_token.exchange(request.form["public_token"])
    tokens["item"] = result["access_token"]
    return jsonify({"ok": True})


@app.route("/repair", methods=["POST"])
def repair():
    # Update mode the old way: a public_token for the existing Item.
    result = client.Item.public_token.create(tokens["item"])
    return jsonify({"public_token": result["public_token"]})
