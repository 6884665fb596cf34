// Package flows is linkexplorer's flow engine, and what it needs to talk to
// Plaid and to the browser. A flow (quickstart, update-mode, invalid-token)
// is a named sequence of steps; a Run executes one step at a time against
// the configured API (Plaid's Sandbox, or the emulator over HTTP), records
// every call, Link event and webhook in the session log (package store),
// and publishes what happens as Events for any UI to render. The package
// imports no UI: the terminal app (tui) and the subcommands (cli) drive it.
//
// Map of the files:
//
// The engine
//   - flow.go: Flow, Step, the step kinds and browser modes.
//   - run.go: Env and Run: starting a run, stepping it (Next, Retry, Skip,
//     Back), RunAll, closing it.
//   - state.go: what a run remembers between steps (tokens, Item, page),
//     LinkExitError, and the run's actions (open the browser, expire the
//     link_token).
//   - steps.go: the API work the flows share (create a link_token, arm
//     the autopilot, exchange, get the Item and accounts, Item status).
//   - quickstart.go, updatemode.go, invalidtoken.go: the three flows.
//   - credentials.go, credentials_flow.go: the sandbox-credentials lesson,
//     one table of Sandbox test logins (MFA, error_<CODE>) and its flow.
//   - link.go: the "open Link" step: a callback-page session, the browser
//     (system, none, or headless Chromium), waiting for Link's answer.
//   - events.go: Event and the queue that delivers a run's events in order
//     without blocking the runner.
//   - report.go: Report, the run as a whole (steps, timeline, outcome).
//   - explain.go: Plaid error codes explained in plain English.
//
// Talking to Plaid
//   - config.go: Config from the environment and .env, and the modes
//     (emulated, plaid; Production refused).
//   - env.go: NewEnv wires the recorded client, the callback server, the
//     webhook receiver and, offline, the emulator's control client.
//   - client.go: the plaid-go client whose every call is recorded (masked),
//     and APIError, Plaid's error with its request_id.
//   - console.go: the API console's engine: every operation of Plaid's
//     schema, bodies pre-filled from it (the access_token a placeholder),
//     sent as raw JSON through the recorded client.
//   - control.go: the client of the emulator's control API (/__emulator/).
//   - logwriter.go: writes the records into the store in the background.
//   - mask.go: masking of secrets and tokens for display and records.
//   - doctor.go, doctor_checks.go: the doctor's checks of a setup.
//
// The callback page: the page "your app" serves to open Link, on loopback
//   - callback_server.go: CallbackOptions, starting and stopping the
//     server, loopback-only listening, the page's CSP, sessions by id.
//   - callback_routes.go: routing and request hygiene (Host, Origin,
//     methods, content type, size), the page and its assets, reports.
//   - callback_token.go: POST /create_link_token, the page's token endpoint.
//   - callback_session.go: LinkSession: one Link session's page and the
//     ordered stream of its reports (Events, Wait).
//   - callback_report.go: PageEvent and the validation of the page's
//     reports (state token, known kinds and fields, types and lengths).
//   - webhook.go, webhookverify.go: the webhook receiver on the callback
//     server, and the Plaid-Verification (ES256 JWT) check.
//   - page/: the embedded callback page (HTML, JavaScript, CSS).
//
// Opening the user's browser is internal/browser; starting headless
// Chromium is internal/headless.
package flows
