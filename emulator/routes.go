package emulator

// apiRoutes are the Plaid API endpoints the emulator serves, by path.
var apiRoutes = map[string]handlerFunc{
	"/link/token/create":            bind(linkTokenCreate, linkTokenCreateAccepted...),
	"/link/token/get":               bind(linkTokenGet),
	"/sandbox/public_token/create":  bind(sandboxPublicTokenCreate, "user_token"),
	"/item/public_token/exchange":   bind(itemPublicTokenExchange),
	"/item/public_token/create":     bind(itemPublicTokenCreate),
	"/item/get":                     bind(itemGet),
	"/item/remove":                  bind(itemRemove),
	"/item/webhook/update":          bind(itemWebhookUpdate),
	"/item/access_token/invalidate": bind(itemAccessTokenInvalidate),
	"/sandbox/item/reset_login":     bind(sandboxItemResetLogin),
	"/sandbox/item/fire_webhook":    bind(sandboxItemFireWebhook),
	"/accounts/get":                 bind(accountsGet),
	"/accounts/balance/get":         bind(accountsBalanceGet, "payment_details"),
	"/auth/get":                     bind(authGet),
	"/identity/get":                 bind(identityGet),
	"/transactions/sync":            bind(transactionsSync),
	"/transactions/get":             bind(transactionsGet),
	"/transactions/refresh":         bind(transactionsRefresh),
	"/transactions/recurring/get":   bind(transactionsRecurringGet),
	"/categories/get":               bind(categoriesGet),
	"/institutions/get":             bind(institutionsGet),
	"/institutions/search":          bind(institutionsSearch),
	"/institutions/get_by_id":       bind(institutionsGetByID),
	"/webhook_verification_key/get": bind(webhookVerificationKeyGet),
}
