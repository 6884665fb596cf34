package emulator

import (
	"slices"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

type accountsRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	Options     *struct {
		AccountIDs []string `json:"account_ids"`
	} `json:"options"`
}

// accountIDs is the options.account_ids filter, or nil for every account.
func (r *accountsRequest) accountIDs() []string {
	if r.Options == nil {
		return nil
	}
	return r.Options.AccountIDs
}

type accountJSON struct {
	AccountID    string       `json:"account_id"`
	Balances     balancesJSON `json:"balances"`
	Mask         *string      `json:"mask"`
	Name         string       `json:"name"`
	OfficialName *string      `json:"official_name"`
	Type         string       `json:"type"`
	Subtype      *string      `json:"subtype"`
	// VerificationStatus is omitted unless set.
	VerificationStatus *string     `json:"verification_status,omitempty"`
	Owners             []ownerJSON `json:"owners,omitempty"`
}

type balancesJSON struct {
	Available              *float64 `json:"available"`
	Current                *float64 `json:"current"`
	Limit                  *float64 `json:"limit"`
	ISOCurrencyCode        *string  `json:"iso_currency_code"`
	UnofficialCurrencyCode *string  `json:"unofficial_currency_code"`
}

func (a *account) render() accountJSON {
	return accountJSON{
		AccountID: a.ID,
		Balances: balancesJSON{
			Available: a.Available, Current: a.Current, Limit: a.Limit,
			ISOCurrencyCode: nonEmpty(currency(a.Currency)),
		},
		Mask:               a.Mask,
		Name:               a.Name,
		OfficialName:       a.OfficialName,
		Type:               a.Type,
		Subtype:            a.Subtype,
		VerificationStatus: nonEmpty(a.VerificationStatus),
	}
}

// currency is an ISO currency code, USD when unset.
func currency(c string) string {
	if c == "" {
		return "USD"
	}
	return c
}

// selectAccounts applies an account_ids filter: every account when ids is
// empty, INVALID_ACCOUNT_ID when one is not the Item's.
func (it *item) selectAccounts(ids []string) ([]*account, *sandbox.Error) {
	var out []*account
	for _, id := range ids {
		i := slices.IndexFunc(it.Accounts, func(a account) bool { return a.ID == id })
		if i < 0 {
			return nil, apiError("INVALID_ACCOUNT_ID", "failed to find requested account ID for requested item: %q (list the Item's accounts with /accounts/get)", id)
		}
		out = append(out, &it.Accounts[i])
	}
	if len(ids) == 0 {
		for i := range it.Accounts {
			out = append(out, &it.Accounts[i])
		}
	}
	return out, nil
}

type accountsResponse struct {
	Accounts  []accountJSON `json:"accounts"`
	Item      itemJSON      `json:"item"`
	RequestID string        `json:"request_id"`
}

// accountsGet serves /accounts/get.
func accountsGet(e *Emulator, c *call, req *accountsRequest) (any, *sandbox.Error) {
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		return accountsResponseFor(it, req.accountIDs(), c.requestID)
	})
}

func accountsResponseFor(it *item, ids []string, requestID string) (any, *sandbox.Error) {
	accounts, err := it.selectAccounts(ids)
	if err != nil {
		return nil, err
	}
	out := make([]accountJSON, len(accounts))
	for i, a := range accounts {
		out[i] = a.render()
	}
	return accountsResponse{Accounts: out, Item: it.render(), RequestID: requestID}, nil
}

type balanceRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	Options     *struct {
		AccountIDs             []string `json:"account_ids"`
		MinLastUpdatedDatetime *string  `json:"min_last_updated_datetime"`
	} `json:"options"`
}

// accountsBalanceGet serves /accounts/balance/get. Sandbox balances are
// always current.
func accountsBalanceGet(e *Emulator, c *call, req *balanceRequest) (any, *sandbox.Error) {
	var ids []string
	if req.Options != nil {
		ids = req.Options.AccountIDs
	}
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		return accountsResponseFor(it, ids, c.requestID)
	})
}

type authResponse struct {
	Accounts  []accountJSON `json:"accounts"`
	Numbers   authNumbers   `json:"numbers"`
	Item      itemJSON      `json:"item"`
	RequestID string        `json:"request_id"`
}

type authNumbers struct {
	ACH           []achJSON  `json:"ach"`
	EFT           []eftJSON  `json:"eft"`
	International []ibanJSON `json:"international"`
	BACS          []bacsJSON `json:"bacs"`
}

type achJSON struct {
	AccountID   string  `json:"account_id"`
	Account     string  `json:"account"`
	Routing     string  `json:"routing"`
	WireRouting *string `json:"wire_routing"`
}

type eftJSON struct {
	AccountID   string `json:"account_id"`
	Account     string `json:"account"`
	Institution string `json:"institution"`
	Branch      string `json:"branch"`
}

type ibanJSON struct {
	AccountID string `json:"account_id"`
	IBAN      string `json:"iban"`
	BIC       string `json:"bic"`
}

type bacsJSON struct {
	AccountID string `json:"account_id"`
	Account   string `json:"account"`
	SortCode  string `json:"sort_code"`
}

// pendingVerification reports whether the account waits for its
// micro-deposit verification.
func (a *account) pendingVerification() bool {
	return a.VerificationStatus == pendingAutomaticVerification || a.VerificationStatus == pendingManualVerification
}

// verificationExpired reports whether one of the Item's accounts ended its
// micro-deposit verification expired.
func (it *item) verificationExpired() bool {
	return slices.ContainsFunc(it.Accounts, func(a account) bool { return a.VerificationStatus == "verification_expired" })
}

// hasNumbers reports whether the account is Auth-eligible.
func (a *account) hasNumbers() bool {
	return a.ACH != nil || a.EFT != nil || a.IBAN != nil || a.BACS != nil
}

// authGet serves /auth/get: the Auth-eligible accounts and their numbers.
// Auth is added to an Item that was created without it.
func authGet(e *Emulator, c *call, req *accountsRequest) (any, *sandbox.Error) {
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts(req.accountIDs())
		if err != nil {
			return nil, err
		}
		accounts = slices.DeleteFunc(accounts, func(a *account) bool {
			return !a.hasNumbers() || a.VerificationStatus == "verification_expired"
		})
		if len(accounts) == 0 {
			if it.verificationExpired() {
				return nil, apiError("NO_AUTH_ACCOUNTS", "no valid checking or savings accounts were found that support auth: the micro-deposit verification of this Item's account expired (verification_expired); the user must link the account again through Link")
			}
			return nil, apiError("NO_AUTH_ACCOUNTS", "")
		}
		// A micro-deposit account has no numbers to give until it is
		// verified (reference §2.5).
		if i := slices.IndexFunc(accounts, func(a *account) bool { return a.pendingVerification() }); i >= 0 {
			return nil, apiError("PRODUCT_NOT_READY", "the requested product is not yet ready. please provide a webhook or try the request again later: account %s is %s; its numbers are returned once it is verified (the AUTH webhook AUTOMATICALLY_VERIFIED says when; in the Sandbox, call /sandbox/item/set_verification_status)", accounts[i].ID, accounts[i].VerificationStatus)
		}
		added, err := it.ensureProduct("auth")
		if err != nil {
			return nil, err
		}
		if added {
			e.changedItem(it)
		}
		resp := authResponse{Item: it.render(), RequestID: c.requestID, Numbers: authNumbers{
			ACH: []achJSON{}, EFT: []eftJSON{}, International: []ibanJSON{}, BACS: []bacsJSON{},
		}}
		for _, a := range accounts {
			resp.Accounts = append(resp.Accounts, a.render())
			resp.Numbers.add(a)
		}
		return resp, nil
	})
}

func (n *authNumbers) add(a *account) {
	if a.ACH != nil {
		n.ACH = append(n.ACH, achJSON{AccountID: a.ID, Account: a.ACH.Account, Routing: a.ACH.Routing, WireRouting: nonEmpty(a.ACH.WireRouting)})
	}
	if a.EFT != nil {
		n.EFT = append(n.EFT, eftJSON{AccountID: a.ID, Account: a.EFT.Account, Institution: a.EFT.Institution, Branch: a.EFT.Branch})
	}
	if a.IBAN != nil {
		n.International = append(n.International, ibanJSON{AccountID: a.ID, IBAN: a.IBAN.IBAN, BIC: a.IBAN.BIC})
	}
	if a.BACS != nil {
		n.BACS = append(n.BACS, bacsJSON{AccountID: a.ID, Account: a.BACS.Account, SortCode: a.BACS.SortCode})
	}
}

type ownerJSON struct {
	Names        []string      `json:"names"`
	PhoneNumbers []contactJSON `json:"phone_numbers"`
	Emails       []contactJSON `json:"emails"`
	Addresses    []addressJSON `json:"addresses"`
}

type contactJSON struct {
	Data    string `json:"data"`
	Primary bool   `json:"primary"`
	Type    string `json:"type"`
}

type addressJSON struct {
	Data    addressData `json:"data"`
	Primary bool        `json:"primary"`
}

type addressData struct {
	Street     string  `json:"street"`
	City       *string `json:"city"`
	Region     *string `json:"region"`
	PostalCode *string `json:"postal_code"`
	Country    *string `json:"country"`
}

// renderOwner renders the Sandbox identity.
func renderOwner(o sandbox.Owner) ownerJSON {
	j := ownerJSON{
		Names:        append([]string{}, o.Names...),
		PhoneNumbers: []contactJSON{}, Emails: []contactJSON{}, Addresses: []addressJSON{},
	}
	for _, p := range o.Phones {
		j.PhoneNumbers = append(j.PhoneNumbers, contactJSON{Data: p.Data, Primary: p.Primary, Type: p.Type})
	}
	for _, m := range o.Emails {
		j.Emails = append(j.Emails, contactJSON{Data: m.Data, Primary: m.Primary, Type: m.Type})
	}
	for _, a := range o.Addresses {
		j.Addresses = append(j.Addresses, addressJSON{Primary: a.Primary, Data: addressData{
			Street: a.Street, City: nonEmpty(a.City), Region: nonEmpty(a.Region),
			PostalCode: nonEmpty(a.PostalCode), Country: nonEmpty(a.Country),
		}})
	}
	return j
}

// identityGet serves /identity/get: every account with its owners.
// Identity is added to an Item that was created without it.
func identityGet(e *Emulator, c *call, req *accountsRequest) (any, *sandbox.Error) {
	owner := renderOwner(sandbox.DefaultOwner())
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts(req.accountIDs())
		if err != nil {
			return nil, err
		}
		added, err := it.ensureProduct("identity")
		if err != nil {
			return nil, err
		}
		if added {
			e.changedItem(it)
		}
		out := make([]accountJSON, len(accounts))
		for i, a := range accounts {
			out[i] = a.render()
			out[i].Owners = []ownerJSON{owner}
		}
		return accountsResponse{Accounts: out, Item: it.render(), RequestID: c.requestID}, nil
	})
}
