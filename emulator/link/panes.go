package link

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
	"github.com/linkexplorer/linkexplorer/internal/redact"
)

// Input limits of the Link UI's forms.
const (
	maxQuery        = 100
	maxSearchResult = 10
	maxUsername     = 256
	maxAnswers      = 50
	maxAnswer       = 1024
)

// institutionUI is an institution as the Link UI shows it.
func institutionUI(inst *sandbox.Institution) obj {
	if inst == nil {
		return nil
	}
	o := obj{
		"institution_id": inst.ID,
		"name":           inst.Name,
		"oauth":          inst.OAuth,
		"health":         inst.Health,
		"url":            nil,
		"primary_color":  nil,
		"logo":           nil,
		"not_supported":  inst.NotSupported,
	}
	if inst.URL != "" {
		o["url"] = inst.URL
	}
	if inst.PrimaryColor != "" {
		o["primary_color"] = inst.PrimaryColor
	}
	if inst.Logo != "" {
		o["logo"] = "data:image/png;base64," + inst.Logo
	}
	return o
}

// eligible reports whether Link offers inst for a token with these country
// codes and products: a shared country, and every requested product.
func eligible(inst sandbox.Institution, countries, products []string) bool {
	shared := len(countries) == 0 || slices.ContainsFunc(inst.CountryCodes, func(c string) bool {
		return slices.Contains(countries, c)
	})
	return shared && !slices.ContainsFunc(products, func(p string) bool {
		return !slices.Contains(inst.Products, p)
	})
}

type searchRequest struct {
	withSession
	Query string `json:"query"`
}

// search lists the institutions matching the query (all eligible ones, for
// the empty query), at most maxSearchResult.
func (h *Handler) search(s *session, info TokenInfo, req *searchRequest) (obj, *failure) {
	q := strings.ToLower(strings.TrimSpace(req.Query))
	if len([]rune(q)) > maxQuery {
		return nil, requestError(http.StatusBadRequest, "INVALID_FIELD", "query must be at most %d characters", maxQuery)
	}
	if s.updateMode {
		return nil, requestError(http.StatusConflict, "INVALID_REQUEST", "an update-mode session goes straight to its Item's institution")
	}
	found := []obj{}
	for _, inst := range sandbox.Institutions() {
		if len(found) == maxSearchResult {
			break
		}
		if eligible(inst, info.CountryCodes, info.Products) &&
			(strings.Contains(strings.ToLower(inst.Name), q) || strings.ToLower(inst.ID) == q) {
			found = append(found, institutionUI(&inst))
		}
	}
	return obj{"institutions": found, "query": req.Query}, nil
}

type selectRequest struct {
	withSession
	InstitutionID string `json:"institution_id"`
}

// selectInstitution picks the institution to log in to.
func (h *Handler) selectInstitution(s *session, info TokenInfo, req *selectRequest) (obj, *failure) {
	if s.updateMode {
		return nil, requestError(http.StatusConflict, "INVALID_REQUEST", "an update-mode session goes straight to its Item's institution")
	}
	inst, ok := sandbox.InstitutionByID(req.InstitutionID)
	if !ok || !eligible(inst, info.CountryCodes, info.Products) {
		return nil, requestError(http.StatusBadRequest, "INVALID_INSTITUTION",
			"invalid institution_id provided: %q is not offered for this link_token's country codes and products", req.InstitutionID)
	}
	s.inst, s.state = &inst, stateInstitution
	next := stateCredentials
	switch {
	case inst.NotSupported:
		next = "not_supported"
	case inst.Health == "DOWN":
		return nil, plaidFailure(sandbox.NewError("INSTITUTION_DOWN", ""), "institution")
	case inst.OAuth:
		next = stateOAuth
	}
	if next != "not_supported" {
		s.state = next
	}
	return obj{"institution": institutionUI(&inst), "next": next}, nil
}

type credentialsRequest struct {
	withSession
	Username string `json:"username"`
	Password string `json:"password"`
}

// credentials logs in with the Sandbox test credentials (sandbox.Evaluate,
// as /sandbox/public_token/create does).
func (h *Handler) credentials(s *session, info TokenInfo, req *credentialsRequest) (obj, *failure) {
	if req.Username == "" || len(req.Username) > maxUsername {
		return nil, requestError(http.StatusBadRequest, "INVALID_FIELD", "username must be 1 to %d characters", maxUsername)
	}
	s.outcome, s.mfaRound = sandbox.Evaluate(req.Username, req.Password), 0
	if s.outcome.Err != nil && !s.outcome.ErrAfterMFA {
		return nil, h.loginFailed(s, s.outcome.Err)
	}
	if s.outcome.MFA != nil && len(s.outcome.MFA.Rounds) > 0 {
		s.state = stateMFA
		return obj{"next": stateMFA, "mfa": mfaUI(s.outcome.MFA, 0)}, nil
	}
	return h.toAccounts(s, info)
}

// failedLoginLimit is how many INVALID_CREDENTIALS in one session
// invalidate the link_token.
const failedLoginLimit = 3

// loginFailed handles an error met at login or MFA. INVALID_LINK_TOKEN
// (user_custom force_error) and the third wrong password invalidate the
// token, as real Link does, and end the session.
func (h *Handler) loginFailed(s *session, e *sandbox.Error) *failure {
	s.state = s.loginStep()
	if e.Code == "INVALID_CREDENTIALS" {
		s.failedLogins++
	}
	if e.Code == "INVALID_LINK_TOKEN" || s.failedLogins >= failedLoginLimit {
		h.b.InvalidateLinkToken(s.token)
		h.opts.Logger.Info("emulated Link: link_token invalidated", "link_session_id", s.id,
			"link_token", redact.Value(s.token), "cause", e.Code, "failed_logins", s.failedLogins)
		return &failure{status: http.StatusBadRequest, err: invalidLinkToken(), exit: true}
	}
	return plaidFailure(e, s.retryStep(e))
}

// retryStep is where Link's "Try again" leads after a login error: the
// institution list for an institution error (the bank is down: pick
// another, or try later), else the login again.
func (s *session) retryStep(e *sandbox.Error) string {
	if e.Type == sandbox.TypeInstitution && !s.updateMode {
		return "institution"
	}
	return "credentials"
}

// loginStep is where the user logs in again after an error: the bank's
// OAuth page, or the credentials pane.
func (s *session) loginStep() string {
	if s.inst != nil && s.inst.OAuth {
		return stateOAuth
	}
	return stateCredentials
}

// mfaUI is round i of m as the Link UI shows it.
func mfaUI(m *sandbox.MFA, i int) obj {
	r := m.Rounds[i]
	return obj{
		"type":      r.Kind,
		"round":     i,
		"prompt":    r.Prompt,
		"hint":      r.Hint,
		"devices":   nonNil(r.Devices),
		"questions": nonNil(r.Questions),
		"options":   nonNil(r.Options),
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type mfaRequest struct {
	withSession
	Answers []string `json:"answers"`
}

// mfa answers the current MFA round.
func (h *Handler) mfa(s *session, info TokenInfo, req *mfaRequest) (obj, *failure) {
	if len(req.Answers) == 0 || len(req.Answers) > maxAnswers ||
		slices.ContainsFunc(req.Answers, func(a string) bool { return len(a) > maxAnswer }) {
		return nil, requestError(http.StatusBadRequest, "INVALID_FIELD", "answers must hold 1 to %d answers of at most %d bytes", maxAnswers, maxAnswer)
	}
	m := s.outcome.MFA
	if !m.CheckMFA(s.mfaRound, req.Answers) {
		s.state = s.loginStep()
		return nil, plaidFailure(sandbox.NewError("INVALID_MFA", ""), "credentials")
	}
	s.mfaRound++
	if s.mfaRound < len(m.Rounds) {
		return obj{"next": stateMFA, "mfa": mfaUI(m, s.mfaRound)}, nil
	}
	if s.outcome.Err != nil {
		return nil, h.loginFailed(s, s.outcome.Err)
	}
	return h.toAccounts(s, info)
}

// authSubtypes are the account subtypes Link offers when auth is requested.
var authSubtypes = []string{"checking", "savings", "cash management"}

// offerable reports whether Link shows account a, given the token's
// products and account_filters.
func offerable(a sandbox.AccountTemplate, products []string, filters map[string][]string) bool {
	sub := ""
	if a.Subtype != nil {
		sub = *a.Subtype
	}
	if slices.Contains(products, "auth") && (a.Type != "depository" || !slices.Contains(authSubtypes, sub)) {
		return false
	}
	if len(filters) == 0 {
		return true
	}
	subs, ok := filters[a.Type]
	return ok && (slices.Contains(subs, "all") || slices.Contains(subs, sub))
}

// toAccounts moves to the account-select pane: the Item's accounts in update
// mode, else the login's accounts Link may offer.
func (h *Handler) toAccounts(s *session, info TokenInfo) (obj, *failure) {
	s.offered = nil
	if s.updateMode {
		accts, err := h.b.ItemAccounts(s.itemID)
		if err != nil {
			return nil, internalFailure(err)
		}
		for _, a := range accts {
			s.offered = append(s.offered, offered{id: a.ID, existing: a})
		}
		if s.accountSelection {
			fresh, err := h.b.NewAccounts(s.itemID)
			if err != nil {
				return nil, internalFailure(err)
			}
			for _, a := range fresh {
				s.offered = append(s.offered, offered{id: a.ID, existing: a, isNew: true})
			}
		}
	} else {
		for _, a := range s.outcome.Accounts {
			if offerable(a, info.Products, info.AccountFilters) {
				s.offered = append(s.offered, offered{id: strconv.Itoa(len(s.offered)), template: a})
			}
		}
	}
	if len(s.offered) == 0 {
		s.state = s.loginStep()
		code := "NO_ACCOUNTS"
		if slices.Contains(info.Products, "auth") {
			code = "NO_AUTH_ACCOUNTS"
		}
		return nil, plaidFailure(sandbox.NewError(code, ""), "credentials")
	}
	s.state = stateAccounts
	list := make([]obj, len(s.offered))
	for i, o := range s.offered {
		list[i] = o.ui()
	}
	return obj{"next": stateAccounts, "accounts": list, "selectable": !s.updateMode || s.accountSelection,
		"account_selection": s.accountSelection}, nil
}

// metadata is the account as onSuccess metadata.accounts holds it.
func (o offered) metadata(id string) obj {
	m := obj{"id": id, "verification_status": nil, "class_type": nil}
	if o.existing.ID != "" {
		m["name"], m["type"] = o.existing.Name, o.existing.Type
		m["mask"], m["subtype"] = nullable(o.existing.Mask), nullable(o.existing.Subtype)
		m["verification_status"] = nullable(o.existing.VerificationStatus)
		return m
	}
	t := o.template
	m["name"], m["mask"], m["type"], m["subtype"] = t.Name, t.Mask, t.Type, t.Subtype
	return m
}

// ui is the account as the account-select pane shows it.
func (o offered) ui() obj {
	m := o.metadata(o.id)
	delete(m, "verification_status")
	delete(m, "class_type")
	m["balance"], m["currency"] = nil, nil
	if o.existing.ID != "" {
		if o.isNew {
			m["new"] = true
		}
		return m
	}
	m["currency"], m["balance"] = o.template.Currency, o.template.Available
	if o.template.Available == nil {
		m["balance"] = o.template.Current
	}
	return m
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type accountsRequest struct {
	withSession
	AccountIDs []string `json:"account_ids"`
}

// selectAccounts finishes linking: a new Item, or the update-mode repair.
func (h *Handler) selectAccounts(s *session, info TokenInfo, req *accountsRequest) (obj, *failure) {
	chosen, f := s.chosen(req.AccountIDs)
	if f != nil {
		return nil, f
	}
	var (
		pt, itemID, verification string
		ids                      = make([]string, len(chosen))
	)
	if s.updateMode {
		var err error
		itemID = s.itemID
		shared := map[string]string{}
		if s.accountSelection {
			// The selection becomes the Item's shared set before the repair
			// (which renews consent and clears a login error).
			if shared, err = h.b.ShareAccounts(s.itemID, req.AccountIDs); err != nil {
				return nil, internalFailure(err)
			}
		}
		for i, o := range chosen {
			ids[i] = cmp.Or(shared[o.id], o.id)
		}
		if pt, err = h.b.RepairItem(s.itemID); err != nil {
			return nil, internalFailure(err)
		}
	} else {
		item := NewItem{LinkToken: s.token, InstitutionID: s.inst.ID, Products: info.Products, Webhook: info.Webhook,
			AutomatedMicroDeposits: s.outcome.AutomatedMicroDeposits}
		for _, o := range chosen {
			item.Accounts = append(item.Accounts, o.template)
		}
		created, err := h.b.CreateItem(item)
		if err != nil {
			return nil, internalFailure(err)
		}
		if len(created.AccountIDs) != len(chosen) {
			return nil, internalFailure(fmt.Errorf("CreateItem returned %d account ids for %d accounts", len(created.AccountIDs), len(chosen)))
		}
		pt, itemID, ids, verification = created.PublicToken, created.ItemID, created.AccountIDs, created.VerificationStatus
	}
	accounts := make([]obj, len(chosen))
	for i, o := range chosen {
		accounts[i] = o.metadata(ids[i])
		if verification != "" {
			accounts[i]["verification_status"] = verification
		}
	}
	s.state, s.result, s.finished = stateConnected, "success", h.b.Now()
	s.newItemID, s.publicToken = itemID, redact.Value(pt)
	h.opts.Logger.Info("emulated Link: session linked", "link_session_id", s.id, "item_id", itemID,
		"update_mode", s.updateMode, "accounts", len(accounts), "public_token", s.publicToken)
	return obj{"public_token": pt, "metadata": obj{
		"institution":     institutionJSON(s.inst),
		"accounts":        accounts,
		"link_session_id": s.id,
		"transfer_status": nil,
	}}, nil
}

// chosen resolves the selected account ids against the offered accounts.
func (s *session) chosen(ids []string) ([]offered, *failure) {
	if len(ids) == 0 || len(ids) > len(s.offered) {
		return nil, requestError(http.StatusBadRequest, "INVALID_FIELD", "account_ids must select 1 to %d of the offered accounts", len(s.offered))
	}
	var out []offered
	for _, id := range ids {
		i := slices.IndexFunc(s.offered, func(o offered) bool { return o.id == id })
		if i < 0 || slices.ContainsFunc(out, func(o offered) bool { return o.id == id }) {
			return nil, requestError(http.StatusBadRequest, "INVALID_ACCOUNT_ID", "account id %q was not offered, or is selected twice", id)
		}
		out = append(out, s.offered[i])
	}
	return out, nil
}
