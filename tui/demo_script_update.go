package tui

// The demo's lines for the update-mode variants (flows/update_variants.go).

var updateNewAccountsScript = flowScript{
	intro: "Update mode with account selection: the user opened a new account at their bank, and shares it without linking again.",
	steps: map[string]stepScript{
		"pick-item": {
			"First an Item, made without Link, whose webhook points at linkexplorer.",
			"A healthy Item, with its own access_token.",
		},
		"accounts-before": {
			"These are the accounts the Item shares today: POST /accounts/get.",
			"Note them: the new account is not among them.",
		},
		"fire-new-accounts": {
			"The bank has a new account. Sandbox plays it with /sandbox/item/fire_webhook, NEW_ACCOUNTS_AVAILABLE.",
			"The webhook arrived, its signature verified: time to ask the user to share the account.",
		},
		"create-update-token": {
			"Your server creates an update-mode link_token with update.account_selection_enabled set to true.",
			"An update-mode link_token that opens the account-select pane.",
		},
		"open-link-update": {
			"Link opens in update mode and shows the account-select pane, the new account marked New.",
			"onSuccess: metadata.accounts is the new shared set, and there is nothing to exchange.",
		},
		"verify-accounts": {
			"Check: /accounts/get with the access_token we had all along.",
			"The new account is shared now, with its own account_id.",
		},
	},
	events: map[string]string{
		"OPEN":    "Link opens in update mode (is_update_mode): a login, then the account-select pane.",
		"success": "onSuccess: the selected accounts come back in metadata.accounts. Nothing to exchange.",
	},
	outro: "New accounts done: NEW_ACCOUNTS_AVAILABLE, update mode with account selection, and the same Item with one more account.",
}

var updateExpiringScript = flowScript{
	intro: "Update mode for expiring consent: a bank's consent runs out, and the user renews it before it does.",
	steps: map[string]stepScript{
		"pick-item": {
			"First an Item, made without Link, whose webhook points at linkexplorer.",
			"A healthy Item whose consent does not expire yet.",
		},
		"fire-pending-expiration": {
			"The bank's consent will end: /sandbox/item/fire_webhook with PENDING_EXPIRATION.",
			"The webhook says when: consent_expiration_time, seven days from now.",
		},
		"fire-pending-disconnect": {
			"Later API versions say it as PENDING_DISCONNECT for US and Canadian Items.",
			"PENDING_DISCONNECT, with its reason. Handle both codes the same way.",
		},
		"item-get-expiring": {
			"/item/get shows the same date in consent_expiration_time.",
			"The Item still works, until that date.",
		},
		"create-update-token": {
			"Your server creates an update-mode link_token: the Item's access_token and no products.",
			"An update-mode link_token, good for 30 minutes.",
		},
		"open-link-update": {
			"Link opens in update mode: the user logs in and consents again.",
			"The consent is renewed in place. Nothing to exchange.",
		},
		"verify-renewed": {
			"Check: /item/get once more.",
			"consent_expiration_time has moved a year ahead, on the same Item.",
		},
	},
	events: map[string]string{
		"OPEN":    "Link opens in update mode (is_update_mode): straight to the bank's login.",
		"success": "onSuccess: consent renewed, and there is nothing to exchange.",
	},
	outro: "Consent renewed: PENDING_EXPIRATION, /item/get's consent_expiration_time, update mode, and a later expiration.",
}
