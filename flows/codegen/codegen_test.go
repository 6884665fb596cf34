package codegen

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/linkexplorer/linkexplorer/internal/plaidspec"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestOperationIDsMatchSchema reads every operationId from Plaid's schema
// and checks OperationID derives it from the path.
func TestOperationIDsMatchSchema(t *testing.T) {
	y, err := os.ReadFile(filepath.Join("..", "..", "internal", "plaidspec", "plaid-2020-09-14.yml"))
	if err != nil {
		t.Fatal(err)
	}
	path := regexp.MustCompile(`^  (/[^:\s]+):\s*$`)
	opID := regexp.MustCompile(`^\s+operationId:\s*(\S+)\s*$`)
	cur, n := "", 0
	for _, line := range strings.Split(string(y), "\n") {
		if m := path.FindStringSubmatch(line); m != nil {
			cur = m[1]
			continue
		}
		if m := opID.FindStringSubmatch(line); m != nil && cur != "" {
			n++
			if got := OperationID(cur); got != m[1] {
				t.Errorf("OperationID(%s) = %s, the schema says %s", cur, got, m[1])
			}
			cur = ""
		}
	}
	spec, err := plaidspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n != len(spec.Paths()) || n < 200 {
		t.Fatalf("read %d operationIds from the schema, the compiled spec has %d operations", n, len(spec.Paths()))
	}
}

// TestEveryOperationResolves checks each of the schema's operations has its
// method in plaid-go, taking the model named as the schema names the
// request, and that every language writes it.
func TestEveryOperationResolves(t *testing.T) {
	spec, err := plaidspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range spec.Paths() {
		op, err := lookup(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		// plaid-go takes a free-form map where the schema's request model
		// has only additional properties; the others must agree.
		if name := op.Schema.Name; name != "" && op.model() != "" && name != op.model() {
			t.Errorf("%s: the schema's request model is %s, plaid-go's %s", p, name, op.Request.Name())
		}
		body, _ := json.Marshal(synthesize(op.Schema, 0))
		for _, l := range Langs {
			if _, err := Generate(Request{Path: p, Body: body}, l); err != nil {
				t.Errorf("%s in %s: %v", p, l, err)
			}
		}
	}
}

// synthesize builds a request for s with every property filled (to a
// depth), so that the writers meet nested models, enums, dates, maps and
// arrays of models.
func synthesize(s *plaidspec.Schema, depth int) any {
	if len(s.Alts) > 0 {
		s = s.Alts[0]
	}
	switch s.Kind {
	case plaidspec.Object:
		m := map[string]any{}
		if depth > 3 {
			return m
		}
		for k, p := range s.Props {
			if k == "client_id" || k == "secret" {
				continue
			}
			m[k] = synthesize(p, depth+1)
		}
		return m
	case plaidspec.Array:
		if s.Items == nil || depth > 3 {
			return []any{}
		}
		return []any{synthesize(s.Items, depth+1)}
	case plaidspec.Integer:
		return 2
	case plaidspec.Number:
		return 2.5
	case plaidspec.Boolean:
		return true
	case plaidspec.String:
		switch {
		case len(s.EnumList) > 0:
			return s.EnumList[0]
		case s.Format == "date":
			return "2024-01-02"
		case s.Format == "date-time":
			return "2024-01-02T03:04:05Z"
		}
		return "text"
	}
	return "any"
}

// names is what each library calls an operation and its models, from the
// libraries' documentation: the table the generated code is checked
// against.
var names = []struct {
	path                             string
	body                             string
	node, python, ruby, java, goName string
	models                           []string // the request's model classes, outermost first
	response                         string
}{
	{"/link/token/create", `{"client_name":"App","language":"en","country_codes":["US"],"user":{"client_user_id":"u1"},"products":["auth"]}`,
		"linkTokenCreate", "link_token_create", "link_token_create", "linkTokenCreate", "LinkTokenCreate",
		[]string{"LinkTokenCreateRequest", "LinkTokenCreateRequestUser"}, "LinkTokenCreateResponse"},
	{"/item/public_token/exchange", `{"public_token":"public-sandbox-…abcd"}`,
		"itemPublicTokenExchange", "item_public_token_exchange", "item_public_token_exchange", "itemPublicTokenExchange", "ItemPublicTokenExchange",
		[]string{"ItemPublicTokenExchangeRequest"}, "ItemPublicTokenExchangeResponse"},
	{"/sandbox/public_token/create", `{"institution_id":"ins_109508","initial_products":["auth"],"options":{"webhook":"https://example.com/hook"}}`,
		"sandboxPublicTokenCreate", "sandbox_public_token_create", "sandbox_public_token_create", "sandboxPublicTokenCreate", "SandboxPublicTokenCreate",
		[]string{"SandboxPublicTokenCreateRequest", "SandboxPublicTokenCreateRequestOptions"}, "SandboxPublicTokenCreateResponse"},
	{"/item/get", `{"access_token":"access-sandbox-…abcd"}`,
		"itemGet", "item_get", "item_get", "itemGet", "ItemGet", []string{"ItemGetRequest"}, "ItemGetResponse"},
	{"/accounts/get", `{"access_token":"access-sandbox-…abcd","options":{"account_ids":["a1"]}}`,
		"accountsGet", "accounts_get", "accounts_get", "accountsGet", "AccountsGet",
		[]string{"AccountsGetRequest", "AccountsGetRequestOptions"}, "AccountsGetResponse"},
	{"/sandbox/item/reset_login", `{"access_token":"access-sandbox-…abcd"}`,
		"sandboxItemResetLogin", "sandbox_item_reset_login", "sandbox_item_reset_login", "sandboxItemResetLogin", "SandboxItemResetLogin",
		[]string{"SandboxItemResetLoginRequest"}, "SandboxItemResetLoginResponse"},
	{"/sandbox/item/fire_webhook", `{"access_token":"access-sandbox-…abcd","webhook_code":"DEFAULT_UPDATE"}`,
		"sandboxItemFireWebhook", "sandbox_item_fire_webhook", "sandbox_item_fire_webhook", "sandboxItemFireWebhook", "SandboxItemFireWebhook",
		[]string{"SandboxItemFireWebhookRequest"}, "SandboxItemFireWebhookResponse"},
	{"/transactions/sync", `{"access_token":"access-sandbox-…abcd","cursor":"","count":100,"options":{"include_personal_finance_category":true}}`,
		"transactionsSync", "transactions_sync", "transactions_sync", "transactionsSync", "TransactionsSync",
		[]string{"TransactionsSyncRequest", "TransactionsSyncRequestOptions"}, "TransactionsSyncResponse"},
	{"/item/public_token/create", `{"access_token":"access-sandbox-…abcd"}`,
		"itemCreatePublicToken", "item_create_public_token", "item_create_public_token", "itemCreatePublicToken", "ItemCreatePublicToken",
		[]string{"ItemPublicTokenCreateRequest"}, "ItemPublicTokenCreateResponse"},
	{"/payment_initiation/payment/token/create", `{"payment_id":"payment-id-sandbox-1"}`,
		"createPaymentToken", "create_payment_token", "create_payment_token", "createPaymentToken", "CreatePaymentToken",
		[]string{"PaymentInitiationPaymentTokenCreateRequest"}, "PaymentInitiationPaymentTokenCreateResponse"},
}

// TestMethodAndModelNames checks each language's code calls the method
// and builds the models the libraries define.
func TestMethodAndModelNames(t *testing.T) {
	for _, n := range names {
		code := map[Lang]string{}
		for _, l := range Langs {
			s, err := Generate(Request{Path: n.path, Body: []byte(n.body)}, l)
			if err != nil {
				t.Fatalf("%s in %s: %v", n.path, l, err)
			}
			code[l] = s.Code
		}
		want := map[Lang][]string{
			Node:   {"client." + n.node + "(request)", "import('plaid')." + n.models[0] + "}", "require('plaid')", "new PlaidApi(configuration)"},
			Python: {"client." + n.python + "(request)", "plaid_api.PlaidApi(api_client)"},
			Ruby:   {"client." + n.ruby + "(request)", "Plaid::PlaidApi.new(api_client)"},
			Java:   {"plaidClient." + n.java + "(request).execute()", "Response<" + n.response + ">", "import com.plaid.client.model." + n.response + ";", "apiClient.createService(PlaidApi.class)"},
			Go:     {"client.PlaidApi." + n.goName + "(ctx)." + n.models[0] + "(*request).Execute()", "request := plaid.New" + n.models[0] + "("},
			Curl:   {"POST https://sandbox.plaid.com" + n.path + " "},
		}
		for i, m := range n.models {
			want[Python] = append(want[Python], "from plaid.model."+snake(m)+" import "+m+"\n", m+"(")
			want[Ruby] = append(want[Ruby], "Plaid::"+m+".new(")
			want[Java] = append(want[Java], "import com.plaid.client.model."+m+";", "new "+m+"()")
			if i > 0 {
				want[Go] = append(want[Go], "plaid.New"+m+"(")
			}
		}
		for l, subs := range want {
			for _, s := range subs {
				if !strings.Contains(code[l], s) {
					t.Errorf("%s in %s: no %q in\n%s", n.path, l, s, code[l])
				}
			}
		}
		m := MethodNames(n.path)
		if m != (Methods{Node: n.node, Python: n.python, Ruby: n.ruby, Java: n.java, Go: n.goName}) {
			t.Errorf("MethodNames(%s) = %+v", n.path, m)
		}
	}
}

// TestSecretsNeverAppear gives every writer a body holding real tokens
// and credentials: none appears, each is read from the environment.
func TestSecretsNeverAppear(t *testing.T) {
	secrets := []string{
		"access-sandbox-5cd6e1b1-1b5b-459d-9284-366e2da89755",
		"public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d",
		"0123456789abcdef0123456789abcd",
		"my-client-id-000111",
	}
	body := `{"access_token":"` + secrets[0] + `","client_id":"` + secrets[3] + `","secret":"` + secrets[2] + `","webhook":"https://example.com/?t=` + secrets[1] + `"}`
	for _, l := range Langs {
		s, err := Generate(Request{Path: "/item/webhook/update", Body: []byte(body)}, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			if strings.Contains(s.Code, sec) || strings.Contains(s.Code, sec[len(sec)-8:]) {
				t.Errorf("%s: the code shows %s:\n%s", l, sec, s.Code)
			}
		}
		if !strings.Contains(s.Code, "ACCESS_TOKEN") || !strings.Contains(s.Code, "PLAID_SECRET") || !strings.Contains(s.Code, "WEBHOOK") {
			t.Errorf("%s: the code does not read ACCESS_TOKEN, WEBHOOK and PLAID_SECRET from the environment:\n%s", l, s.Code)
		}
		if strings.Join(s.Env, ",") != "PLAID_CLIENT_ID,PLAID_SECRET,ACCESS_TOKEN,WEBHOOK" {
			t.Errorf("%s: Env = %v", l, s.Env)
		}
	}
}

// TestGoldens keeps each language's code for one request, offline and
// against the Sandbox, and the Link step's code: go test -update rewrites
// them.
func TestGoldens(t *testing.T) {
	body := []byte(`{"client_name":"linkexplorer","country_codes":["US"],"language":"en","products":["auth","transactions"],"user":{"client_user_id":"user-1"},"webhook":"http://127.0.0.1:8765/webhook","redirect_uri":"https://app.example.com/oauth","access_token":"access-sandbox-…9755"}`)
	got := map[string]string{}
	for _, l := range Langs {
		s, err := Generate(Request{Path: "/link/token/create", Body: body, BaseURL: "http://127.0.0.1:4010", Emulated: true}, l)
		if err != nil {
			t.Fatal(err)
		}
		got["link_token_create."+string(l)+".golden"] = s.Code + "\n---\n" + strings.Join(s.Notes, "\n") + "\n"
		s, err = Generate(Request{Path: "/item/public_token/exchange", Body: []byte(`{"public_token":"public-sandbox-…993d"}`)}, l)
		if err != nil {
			t.Fatal(err)
		}
		got["exchange_sandbox."+string(l)+".golden"] = s.Code
	}
	for _, l := range LinkLangs {
		s, err := GenerateLink(LinkOptions{}, l)
		if err != nil {
			t.Fatal(err)
		}
		got["link."+string(l)+".golden"] = s.Code
		s, err = GenerateLink(LinkOptions{Update: true, RedirectURI: "https://app.example.com/oauth"}, l)
		if err != nil {
			t.Fatal(err)
		}
		got["link_update_oauth."+string(l)+".golden"] = s.Code
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := filepath.Join("testdata", k)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(got[k]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if string(want) != got[k] {
			t.Errorf("%s differs (go test -update rewrites it):\n%s", k, got[k])
		}
	}
}

// TestLinkCode checks the Link step's code has what Plaid's guide asks for.
func TestLinkCode(t *testing.T) {
	js, err := GenerateLink(LinkOptions{}, LinkJS)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Plaid.create(", "token,", "onSuccess:", "onExit:", "onEvent:", "error.error_code === 'INVALID_LINK_TOKEN'",
		"handler.destroy();", "handler = Plaid.create(linkConfig(await createLinkToken()))", "link-initialize.js", "/api/exchange_public_token"} {
		if !strings.Contains(js.Code, s) {
			t.Errorf("the JS code lacks %q", s)
		}
	}
	// destroy() comes before the new Plaid.create in the recovery.
	if i, j := strings.Index(js.Code, "handler.destroy()"), strings.LastIndex(js.Code, "handler = Plaid.create("); i < 0 || j < i {
		t.Errorf("destroy() does not precede the new Plaid.create")
	}
	react, err := GenerateLink(LinkOptions{}, LinkReact)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"import { usePlaidLink } from 'react-plaid-link'", "usePlaidLink({ token, onSuccess, onExit, onEvent })", "'INVALID_LINK_TOKEN'", "createLinkToken();", "disabled={!ready}"} {
		if !strings.Contains(react.Code, s) {
			t.Errorf("the React code lacks %q", s)
		}
	}
	up, _ := GenerateLink(LinkOptions{Update: true}, LinkJS)
	if strings.Contains(up.Code, "exchange_public_token") {
		t.Errorf("update mode's code exchanges the public_token")
	}
	if _, err := GenerateLink(LinkOptions{}, Go); err == nil {
		t.Errorf("GenerateLink accepted Go")
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"curl": Curl, "Node": Node, "js": Node, "py": Python, "ruby": Ruby, "java": Java, "golang": Go, " go ": Go} {
		if got, err := ParseLang(in); err != nil || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseLang("cobol"); err == nil || !strings.Contains(err.Error(), "curl, node, python, ruby, java or go") {
		t.Errorf("ParseLang(cobol): %v", err)
	}
	if _, err := Generate(Request{Path: "/no/such/op"}, Go); err == nil || !strings.Contains(err.Error(), "no such endpoint") {
		t.Errorf("unknown operation: %v", err)
	}
	if _, err := Generate(Request{Path: "/item/get", Body: []byte("{bad")}, Go); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("bad body: %v", err)
	}
}
