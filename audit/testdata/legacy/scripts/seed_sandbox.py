"""Seed the Sandbox with a test Item for local development (plaid-python 2.x era)."""
import os

import requests

PLAID_URL = "https://sandbox.plaid.com"
PUBLIC_KEY = os.environ["PLAID_PUBLIC_KEY"]


def institution_name(institution_id):
    # /institutions/get_by_id took the public key, from anywhere.
    resp = requests.post(
        PLAID_URL + "/institutions/get_by_id",
        json={"institution_id": institution_id, "public_key": PUBLIC_KEY},
    )
    resp.raise_for_status()
    return resp.json()["institution"]["name"]


def sandbox_public_token(institution_id="ins_109508"):
    body = {
        "institution_id": institution_id,
        "initial_products": ["transactions"],
        "public_key": PUBLIC_KEY,
    }
    resp = requests.post(PLAID_URL + "/sandbox/public_token/create", json=body)
    resp.raise_for_status()
    return resp.json()["public_token"]


if __name__ == "__main__":
    print("Seeding an Item at", institution_name("ins_109508"))
    print("public_token:", sandbox_public_token()[:20] + "...")
