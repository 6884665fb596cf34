package emulator

import (
	"strings"
	"unicode"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

type identityMatchRequest struct {
	AccessToken string `json:"access_token" plaid:"required"`
	User        *struct {
		LegalName    *string `json:"legal_name"`
		PhoneNumber  *string `json:"phone_number"`
		EmailAddress *string `json:"email_address"`
		Address      *struct {
			City       *string `json:"city"`
			Region     *string `json:"region"`
			Street     *string `json:"street"`
			PostalCode *string `json:"postal_code"`
			Country    *string `json:"country"`
		} `json:"address"`
	} `json:"user"`
	Options *struct {
		AccountIDs []string `json:"account_ids"`
	} `json:"options"`
}

type nameScore struct {
	Score                      *int  `json:"score"`
	IsFirstNameOrLastNameMatch *bool `json:"is_first_name_or_last_name_match"`
	IsNicknameMatch            *bool `json:"is_nickname_match"`
	IsBusinessNameDetected     *bool `json:"is_business_name_detected"`
}

type plainScore struct {
	Score *int `json:"score"`
}

type addressScore struct {
	Score             *int  `json:"score"`
	IsPostalCodeMatch *bool `json:"is_postal_code_match"`
}

type identityMatchAccount struct {
	accountJSON
	LegalName    *nameScore    `json:"legal_name,omitempty"`
	PhoneNumber  *plainScore   `json:"phone_number,omitempty"`
	EmailAddress *plainScore   `json:"email_address,omitempty"`
	Address      *addressScore `json:"address,omitempty"`
}

type identityMatchResponse struct {
	Accounts  []identityMatchAccount `json:"accounts"`
	Item      itemJSON               `json:"item"`
	RequestID string                 `json:"request_id"`
}

// identityMatch serves /identity/match: how well the user's details match
// the account owner's (the Sandbox's "Alberta Bobbeth Charleson"), each a
// 0-100 score; details the request leaves out are not scored.
func identityMatch(e *Emulator, c *call, req *identityMatchRequest) (any, *sandbox.Error) {
	var ids []string
	if req.Options != nil {
		ids = req.Options.AccountIDs
	}
	owner := sandbox.DefaultOwner()
	return e.withHealthyItem(req.AccessToken, func(it *item) (any, *sandbox.Error) {
		accounts, err := it.selectAccounts(ids)
		if err != nil {
			return nil, err
		}
		if err := e.useProduct(it, "identity_match"); err != nil {
			return nil, err
		}
		resp := identityMatchResponse{Accounts: make([]identityMatchAccount, len(accounts)), Item: it.render(), RequestID: c.requestID}
		for i, a := range accounts {
			m := identityMatchAccount{accountJSON: a.render()}
			if u := req.User; u != nil {
				if u.LegalName != nil {
					m.LegalName = matchName(*u.LegalName, owner.Names)
				}
				if u.PhoneNumber != nil {
					best := 0
					for _, p := range owner.Phones {
						best = max(best, matchPhone(*u.PhoneNumber, p.Data))
					}
					m.PhoneNumber = &plainScore{Score: &best}
				}
				if u.EmailAddress != nil {
					best := 0
					for _, em := range owner.Emails {
						best = max(best, matchEmail(*u.EmailAddress, em.Data))
					}
					m.EmailAddress = &plainScore{Score: &best}
				}
				if u.Address != nil {
					best, postal := 0, false
					for _, ad := range owner.Addresses {
						s := similarity(val(u.Address.Street), ad.Street)
						if strings.EqualFold(val(u.Address.City), ad.City) {
							s = (s*4 + 100) / 5
						}
						best = max(best, s)
						postal = postal || (len(val(u.Address.PostalCode)) >= 5 && len(ad.PostalCode) >= 5 && val(u.Address.PostalCode)[:5] == ad.PostalCode[:5])
					}
					m.Address = &addressScore{Score: &best, IsPostalCodeMatch: &postal}
				}
			}
			resp.Accounts[i] = m
		}
		return resp, nil
	})
}

// words splits s into lowercase words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// similarity is the share (0-100) of a's and b's words they have in common.
func similarity(a, b string) int {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	common := 0
	for _, w := range wa {
		for _, v := range wb {
			if w == v {
				common++
				break
			}
		}
	}
	return 200 * common / (len(wa) + len(wb))
}

func matchName(name string, owners []string) *nameScore {
	best, firstOrLast := 0, false
	w := words(name)
	for _, o := range owners {
		best = max(best, similarity(name, o))
		ow := words(o)
		if len(w) > 0 && len(ow) > 0 && (w[0] == ow[0] || w[len(w)-1] == ow[len(ow)-1]) {
			firstOrLast = true
		}
	}
	business := false
	for _, x := range w {
		switch x {
		case "inc", "llc", "ltd", "corp", "co", "company", "corporation":
			business = true
		}
	}
	nick := false
	return &nameScore{Score: &best, IsFirstNameOrLastNameMatch: &firstOrLast, IsNicknameMatch: &nick, IsBusinessNameDetected: &business}
}

// matchPhone compares the last ten digits: 100 when they are equal, else
// 10 points per matching digit from the end.
func matchPhone(a, b string) int {
	da, db := digitsOf(a), digitsOf(b)
	n := 0
	for i := 1; i <= min(len(da), len(db), 10); i++ {
		if da[len(da)-i] != db[len(db)-i] {
			break
		}
		n++
	}
	return n * 10
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchEmail is 100 for the same address, 70 for the same mailbox at
// another domain, 20 for another mailbox at the same domain.
func matchEmail(a, b string) int {
	a, b = strings.ToLower(strings.TrimSpace(a)), strings.ToLower(b)
	if a == b {
		return 100
	}
	la, da, _ := strings.Cut(a, "@")
	lb, db, _ := strings.Cut(b, "@")
	switch {
	case la == lb:
		return 70
	case da == db:
		return 20
	}
	return 0
}
