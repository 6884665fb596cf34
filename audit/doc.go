// Package audit verifies a public_key → link_token migration against the
// checklist of Plaid's migration guide (reference §5.1-5.2), with evidence:
//
//   - ScanSource, the static audit: legacy Plaid.create / usePlaidLink /
//     <PlaidLink> options, update mode through /item/public_token/create,
//     public_key sent to the server-only endpoints, onExit's handling of
//     INVALID_LINK_TOKEN; every finding at a file and line.
//   - AuditEndpoint, the live audit: it calls the app's token endpoint as
//     its client would and, when the app's backend talks to the emulator,
//     inspects the /link/token/create request the backend made.
//   - Observer: the evidence of the checks a person does in the app
//     (INVALID_LINK_TOKEN recovery, update mode after reset_login), read
//     from the emulator's request log and Link sessions.
//   - BuildReport: the checklist, each check pass, fail or manual (a
//     ticked manual check passes), rendered as Markdown or JSON.
//
// Results are data (Report, Step, Check, Finding), so the CLI and the
// terminal app render them their own way. The package has no UI imports.
package audit
