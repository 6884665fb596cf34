package codegen

import (
	"regexp"
	"strings"
	"unicode"
)

// operationIDExceptions are the operations whose operationId in Plaid's
// schema is not the camelCase of their path. TestOperationIDsMatchSchema
// reads every operationId from the schema and fails if this table or the
// rule in OperationID disagrees with it.
var operationIDExceptions = map[string]string{
	"/cra/base_report/get":                     "baseReportGet",
	"/payment_initiation/payment/token/create": "createPaymentToken",
	"/item/public_token/create":                "itemCreatePublicToken",
	"/credit/audit_copy_token/remove":          "creditReportAuditCopyRemove",
	"/beta/credit/v1/bank_employment/get":      "creditBankEmploymentGet",
	"/beta/transactions/v1/enhance":            "transactionsEnhance",
	"/beta/transactions/rules/v1/create":       "transactionsRulesCreate",
	"/beta/transactions/rules/v1/list":         "transactionsRulesList",
	"/beta/transactions/rules/v1/remove":       "transactionsRulesRemove",
	"/beta/transactions/user_insights/v1/get":  "transactionsUserInsightsGet",
}

// OperationID is the schema's operationId of the operation at path: the
// camelCase of its path segments (/link/token/create is linkTokenCreate),
// save for the few the schema names otherwise. Every official library
// names its method after it, each in its own case.
func OperationID(path string) string {
	if id, ok := operationIDExceptions[path]; ok {
		return id
	}
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '_' || r == '-' })
	var b strings.Builder
	for i, p := range parts {
		if i == 0 {
			b.WriteString(strings.ToLower(p[:1]) + p[1:])
			continue
		}
		b.WriteString(upperFirst(p))
	}
	return b.String()
}

// Methods are one operation's method names in each official library.
type Methods struct {
	Node, Python, Ruby, Java, Go string
}

// MethodNames returns the method each library calls the operation at path
// by: plaid-node and plaid-java keep the operationId (linkTokenCreate),
// plaid-python and plaid-ruby snake_case it (link_token_create), plaid-go
// exports it (LinkTokenCreate).
func MethodNames(path string) Methods {
	id := OperationID(path)
	return Methods{Node: id, Python: snake(id), Ruby: snake(id), Java: id, Go: upperFirst(id)}
}

// PythonModule is the module of plaid-python that defines a model class:
// plaid.model.<snake_case of the class>.
func PythonModule(model string) string { return "plaid.model." + snake(model) }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

var (
	snakeAcronym = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	snakeLower   = regexp.MustCompile(`([a-z\d])([A-Z])`)
)

// snake is the generators' underscore rule: LinkTokenCreateRequestUser is
// link_token_create_request_user, ACHClass is ach_class.
func snake(s string) string {
	s = snakeAcronym.ReplaceAllString(s, "${1}_${2}")
	s = snakeLower.ReplaceAllString(s, "${1}_${2}")
	return strings.ToLower(strings.ReplaceAll(s, "-", "_"))
}

// camel is a JSON property name in Java's accessor case: client_user_id
// is clientUserId.
func camel(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' })
	for i := 1; i < len(parts); i++ {
		parts[i] = upperFirst(parts[i])
	}
	if len(parts) == 0 {
		return s
	}
	return strings.Join(parts, "")
}

// enumConst is an enum value as a constant name (plaid-go's PRODUCTS_AUTH
// after the type, plaid-java's AUTH): upper case, every other character an
// underscore. ok is false when the value has no such name.
func enumConst(v string) (string, bool) {
	if v == "" {
		return "", false
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(unicode.ToUpper(r))
		default:
			return "", false
		}
	}
	out := b.String()
	if out[0] >= '0' && out[0] <= '9' {
		return "", false
	}
	return out, true
}
