// Package sandbox holds the rules and canned data of Plaid's Sandbox, as the
// emulator serves them: the institutions, the test credentials (one place for
// /sandbox/public_token/create and the emulated Link UI), the default
// user_good accounts, identity and transactions, the error catalogue and the
// enumerations requests are validated against.
//
// It is pure: no I/O, no clock, no randomness beyond what callers pass in.
// Everything here follows ../shared/plaid-reference.md.
package sandbox

// Error is a Plaid error without its request_id: the emulator core adds the
// request_id, documentation_url and HTTP status when it writes one.
type Error struct {
	Type           string  // error_type, e.g. INVALID_INPUT
	Code           string  // error_code, e.g. INVALID_LINK_TOKEN
	Message        string  // error_message
	DisplayMessage *string // display_message; nil is JSON null
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status Plaid answers with for this error (reference §1.4).
func (e *Error) HTTPStatus() int { return statusFor(e.Type, e.Code) }

// DocumentationURL is Plaid's documentation link for the error's type.
func (e *Error) DocumentationURL() string { return docURLFor(e.Type) }

// NewError returns the catalogue error for code (type, default message and
// display message from reference §1.3-1.4 and §3.3). An unknown code is an
// API_ERROR/INTERNAL_SERVER_ERROR carrying the code in its message.
// A non-empty message replaces the catalogue's error_message.
func NewError(code string, message string) *Error { return newError(code, message) }

// KnownErrorCode reports whether code is in the catalogue.
func KnownErrorCode(code string) bool { return knownErrorCode(code) }

// Products is the v20 product enumeration (reference §2.1).
func Products() []string { return products() }

// CountryCodes are the country codes /link/token/create accepts.
func CountryCodes() []string { return countryCodes() }

// Languages are the languages /link/token/create accepts.
func Languages() []string { return languages() }

// Institution is one Sandbox institution (reference §3.1 and §2.6).
type Institution struct {
	ID             string
	Name           string
	Products       []string
	CountryCodes   []string
	RoutingNumbers []string
	OAuth          bool
	URL            string // optional metadata
	PrimaryColor   string // optional metadata, "#rrggbb"
	Logo           string // optional metadata, base64 PNG or ""
	// PaymentInitiation is non-nil for institutions supporting payment
	// initiation (Royal Bank of Plaid, GB).
	PaymentInitiation *PaymentInitiationMetadata
	// AuthMethods is the auth_metadata.supported_methods, when known.
	AuthMethods *AuthMethods
	// Health is HEALTHY, DEGRADED or DOWN (the Unhealthy Platypus banks).
	Health string
	// NotSupported marks institutions Link refuses (institution_not_supported).
	NotSupported bool
}

// PaymentInitiationMetadata mirrors Plaid's payment_initiation_metadata.
type PaymentInitiationMetadata struct {
	SupportsInternationalPayments bool
	SupportsSepaInstant           bool
	MaximumPaymentAmount          map[string]string // e.g. {"GBP": "10000"}
	SupportsRefundDetails         bool
	StandingOrders                *StandingOrderMetadata
}

// StandingOrderMetadata mirrors Plaid's standing_order_metadata.
type StandingOrderMetadata struct {
	SupportsEndDate               bool
	SupportsNegativeExecutionDays bool
	ValidIntervals                []string // WEEKLY, MONTHLY
}

// AuthMethods mirrors auth_metadata.supported_methods.
type AuthMethods struct {
	InstantAuth, InstantMatch, AutomatedMicroDeposits, InstantMicroDeposits bool
}

// Institutions returns every Sandbox institution, in a stable order
// (the sandbox-only ones of §3.1 first, then the production mirrors such as
// ins_1 Bank of America, ins_3 Chase, ins_4 Wells Fargo, ins_12 Fidelity).
func Institutions() []Institution { return institutions() }

// InstitutionByID finds one institution.
func InstitutionByID(id string) (Institution, bool) { return institutionByID(id) }

// AccountTemplate is an account an Item gets, before the emulator assigns
// it an account_id.
type AccountTemplate struct {
	Name         string
	OfficialName *string
	Mask         *string
	Type         string // depository, credit, loan, investment, other
	Subtype      *string
	Available    *float64
	Current      *float64
	Limit        *float64
	Currency     string // iso_currency_code, "USD" by default
	// Numbers are the account's payment numbers; nil when it has none.
	ACH  *ACHNumbers
	EFT  *EFTNumbers
	IBAN *InternationalNumbers
	BACS *BACSNumbers
	// Transactions for this account, dated relative to the Item's creation.
	Transactions []TransactionTemplate
	// Canned names the repeating canned set the account's Transactions come
	// from (see CannedSet); "" when they are explicit (user_custom).
	Canned string
}

// ACHNumbers are US account and routing numbers.
type ACHNumbers struct{ Account, Routing, WireRouting string }

// EFTNumbers are Canadian numbers.
type EFTNumbers struct{ Account, Institution, Branch string }

// InternationalNumbers are IBAN/BIC.
type InternationalNumbers struct{ IBAN, BIC string }

// BACSNumbers are UK numbers.
type BACSNumbers struct{ Account, SortCode string }

// TransactionTemplate is a canned transaction; DaysAgo is relative to the
// Item's creation. Amount is positive for money out.
type TransactionTemplate struct {
	DaysAgo        int
	Name           string
	MerchantName   *string
	Amount         float64
	Currency       string
	Category       []string
	CategoryID     string
	PaymentChannel string // online, in store, other
	Pending        bool
	PFCPrimary     string // personal_finance_category.primary
	PFCDetailed    string
	// Date and AuthorizedDate are absolute YYYY-MM-DD dates (date_posted and
	// date_transacted), set only for user_custom override_accounts
	// transactions. When Date is set, DaysAgo is unused, and the transaction
	// is pending while Date is after the emulator's today.
	Date, AuthorizedDate string
}

// DefaultAccounts returns the user_good accounts of reference §3.4, with
// their balances, ACH numbers and canned transactions.
func DefaultAccounts() []AccountTemplate { return defaultAccounts() }

// Owner is the identity attached to every account (reference §3.4).
type Owner struct {
	Names     []string
	Emails    []Email
	Phones    []Phone
	Addresses []Address
}

// Email is an owner's email.
type Email struct {
	Data    string
	Primary bool
	Type    string // primary, secondary, other
}

// Phone is an owner's phone number.
type Phone struct {
	Data    string
	Primary bool
	Type    string // home, work, mobile...
}

// Address is an owner's postal address.
type Address struct {
	Street, City, Region, PostalCode, Country string
	Primary                                   bool
}

// DefaultOwner is "Alberta Bobbeth Charleson".
func DefaultOwner() Owner { return defaultOwner() }

// MFA is the challenge a login must pass before it succeeds.
type MFA struct {
	Type   string     // device, questions or selections (the user's MFA kind)
	Rounds []MFARound // in order; all must be answered
}

// MFARound is one screen of MFA.
type MFARound struct {
	// Kind is device (choose where to send a code), code (enter it),
	// questions or selections. It is also Link's mfa_type for the round.
	Kind string
	// Prompt is the round's heading, e.g. "Enter the code we sent you".
	Prompt string
	// Hint tells a Sandbox user what passes, e.g. "Sandbox: the code is
	// 1234", as Plaid's Sandbox Link does.
	Hint      string
	Devices   []string   // Kind device: e.g. "SMS to (***) ***-3333"
	Questions []string   // Kind questions or selections
	Options   [][]string // Kind selections: the choices per question
}

// CheckMFA reports whether answers (one per question; for device the chosen
// device, for code the code) pass round i of m. Wrong answers fail
// with INVALID_MFA, which the caller surfaces.
func (m MFA) CheckMFA(round int, answers []string) bool { return checkMFA(m, round, answers) }

// Outcome is what a login with a username and password leads to.
type Outcome struct {
	// Err is the error the login ends in (INVALID_CREDENTIALS, a forced
	// error_<CODE> or user_custom force_error, INVALID_LINK_TOKEN...), or nil.
	Err *Error
	// ErrAfterMFA is true when Err is only raised after the MFA rounds
	// (e.g. force_error INVALID_MFA); false raises it at credentials.
	ErrAfterMFA bool
	// MFA is non-nil when the login needs MFA (mfa_device, mfa_questions_n_m,
	// mfa_selections, user_custom mfa).
	MFA *MFA
	// Accounts the Item gets: DefaultAccounts, or user_custom
	// override_accounts.
	Accounts []AccountTemplate
	// AutomatedMicroDeposits is true for the Automated Micro-deposits login
	// (user_good / microdeposits_good, reference §3.4): at an institution
	// that supports the flow (Houndstooth Bank), with auth or transfer
	// requested and the flow enabled, the accounts the user links are
	// pending_automatic_verification until
	// /sandbox/item/set_verification_status ends the verification.
	// Elsewhere the login is an ordinary user_good one.
	AutomatedMicroDeposits bool
}

// Evaluate applies the Sandbox test credentials of reference §3.2-3.3 to
// username and password. It is the one place both /sandbox/public_token/create
// (which skips MFA) and the emulated Link UI use.
// A user_custom password that is not valid JSON, or breaks the documented
// limits, yields an INVALID_CREDENTIALS-style error whose message says why.
func Evaluate(username, password string) Outcome { return evaluate(username, password) }
