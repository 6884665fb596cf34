package emulator

import "github.com/linkexplorer/linkexplorer/emulator/sandbox"

type sandboxOAuthSelectAccountsRequest struct {
	OAuthStateID string   `json:"oauth_state_id" plaid:"required"`
	Accounts     []string `json:"accounts" plaid:"required"`
}

type sandboxOAuthSelectAccountsResponse struct {
	RequestID string `json:"request_id"`
}

// sandboxOAuthSelectAccounts is /sandbox/oauth/select_accounts: it chooses
// which of the emulated OAuth bank's accounts (by name or mask) a Link
// handoff, named by its oauth_state_id, shares. Link then offers only
// those on its account-select pane. The handoff must still be open.
func sandboxOAuthSelectAccounts(e *Emulator, c *call, req *sandboxOAuthSelectAccountsRequest) (any, *sandbox.Error) {
	if err := e.link.SelectOAuthAccounts(req.OAuthStateID, req.Accounts); err != nil {
		return nil, err
	}
	return sandboxOAuthSelectAccountsResponse{RequestID: c.requestID}, nil
}
