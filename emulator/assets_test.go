package emulator

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"
)

// pdfOf reads a PDF plaid-go saved to a temporary file and checks it.
func pdfOf(t *testing.T, path string, f interface {
	io.Reader
	Name() string
}) string {
	t.Helper()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	text := checkPDF(t, path, data)
	if _, err := exec.LookPath("pdftotext"); err == nil && strings.TrimSpace(text) == "" {
		t.Errorf("%s: pdftotext found no text in the PDF", path)
	}
	return text
}

// TestAssetReportLifecycle: create (PRODUCT_NOT_READY until generated),
// PRODUCT_READY to the report's webhook, get, the PDF, refresh (a new
// report), remove; the report survives a restart; Items without Assets
// get PRODUCT_NOT_ENABLED.
func TestAssetReportLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{StateFile: path})
	h.emu.assetDelay = time.Hour // ready when the virtual clock says so
	access, itemID := h.newItem("", plaid.PRODUCTS_ASSETS, plaid.PRODUCTS_TRANSACTIONS)
	create := plaid.NewAssetReportCreateRequest(60)
	create.SetAccessTokens([]string{access})
	opts := plaid.NewAssetReportCreateRequestOptions()
	opts.SetWebhook(recv.url("/assets"))
	opts.SetClientReportId("loan-42")
	user := plaid.NewAssetReportUser()
	user.SetFirstName("Alberta")
	user.SetLastName("Charleson")
	opts.SetUser(*user)
	create.SetOptions(*opts)
	made := res(h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*create).Execute()).must(t)
	if !strings.HasPrefix(made.AssetReportToken, "assets-sandbox-") || made.AssetReportId == "" {
		t.Fatalf("create: %+v", made)
	}
	get := func(token string) (plaid.AssetReportGetResponse, error) {
		req := plaid.NewAssetReportGetRequest()
		req.SetAssetReportToken(token)
		v, _, err := h.client.AssetReportGet(h.ctx).AssetReportGetRequest(*req).Execute()
		return v, err
	}
	_, err := get(made.AssetReportToken)
	if pe := wantPlaidError(t, err, "PRODUCT_NOT_READY"); pe.ErrorType != "ASSET_REPORT_ERROR" {
		t.Errorf("not ready: %s", pe.ErrorType)
	}
	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "1h1m"})
	b := recv.nextCode(t, "ASSETS", "PRODUCT_READY")
	checkWebhookSchema(t, "AssetsProductReadyWebhook", b)
	if b["asset_report_id"] != made.AssetReportId {
		t.Errorf("PRODUCT_READY for %v", b["asset_report_id"])
	}
	rep, err := get(made.AssetReportToken)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Report
	if r.AssetReportId != made.AssetReportId || r.GetClientReportId() != "loan-42" || r.DaysRequested != 60 || len(r.Items) != 1 ||
		r.Items[0].ItemId != itemID || r.Items[0].InstitutionName != "First Platypus Bank" || r.User.GetFirstName() != "Alberta" {
		t.Fatalf("report %+v", r)
	}
	checking := r.Items[0].Accounts[0]
	if len(checking.Transactions) == 0 || len(checking.GetHistoricalBalances()) == 0 || checking.GetDaysAvailable() == 0 || len(checking.GetOwners()) == 0 {
		t.Errorf("checking in the report: %d transactions, %d balances", len(checking.Transactions), len(checking.GetHistoricalBalances()))
	}
	for _, tx := range checking.Transactions {
		if tx.Date < h.emu.Now().AddDate(0, 0, -61).Format(time.DateOnly) {
			t.Errorf("transaction of %s is older than days_requested", tx.Date)
		}
	}
	if hb := checking.GetHistoricalBalances(); hb[0].Current != checking.Balances.GetCurrent() {
		t.Errorf("the latest historical balance %v is not the current %v", hb[0].Current, checking.Balances.GetCurrent())
	}

	pdf := res(h.client.AssetReportPdfGet(h.ctx).AssetReportPDFGetRequest(*plaid.NewAssetReportPDFGetRequest(made.AssetReportToken)).Execute()).must(t)
	text := pdfOf(t, "/asset_report/pdf/get", pdf)
	if text != "" && (!strings.Contains(text, made.AssetReportId) || !strings.Contains(text, "Plaid Checking")) {
		t.Errorf("the PDF's text lacks the report id or accounts:\n%s", text)
	}

	// Restart: the report and its token are kept.
	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, Options{StateFile: path})
	if again, err := get(made.AssetReportToken); err != nil || again.Report.AssetReportId != made.AssetReportId {
		t.Fatalf("after restart: %v", err)
	}
	refreshed := res(h.client.AssetReportRefresh(h.ctx).AssetReportRefreshRequest(*plaid.NewAssetReportRefreshRequest(made.AssetReportToken)).Execute()).must(t)
	if refreshed.AssetReportToken == made.AssetReportToken || refreshed.AssetReportId == made.AssetReportId {
		t.Errorf("refresh reused the report: %+v", refreshed)
	}
	b = recv.nextCode(t, "ASSETS", "PRODUCT_READY") // the default delay
	if b["asset_report_id"] != refreshed.AssetReportId {
		t.Errorf("PRODUCT_READY for %v, want the refreshed report", b["asset_report_id"])
	}
	if fresh, err := get(refreshed.AssetReportToken); err != nil || fresh.Report.GetClientReportId() != "loan-42" {
		t.Errorf("refreshed report: %v", err)
	}
	removed := res(h.client.AssetReportRemove(h.ctx).AssetReportRemoveRequest(*plaid.NewAssetReportRemoveRequest(made.AssetReportToken)).Execute()).must(t)
	if !removed.Removed {
		t.Error("removed: false")
	}
	_, err = get(made.AssetReportToken)
	wantPlaidError(t, err, "INVALID_FIELD")

	noAssets, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	bad := plaid.NewAssetReportCreateRequest(30)
	bad.SetAccessTokens([]string{access, noAssets})
	_, _, err = h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*bad).Execute()
	// As the schema's AssetsErrorWebhook example: an ASSET_REPORT_ERROR
	// naming the tokens without Assets (masked), and only those.
	if pe := wantPlaidError(t, err, "PRODUCT_NOT_ENABLED"); pe.ErrorType != "ASSET_REPORT_ERROR" ||
		!strings.Contains(pe.ErrorMessage, "the 'assets' product is not enabled for the following access tokens: access-sandbox-") ||
		strings.Contains(pe.ErrorMessage, noAssets) || strings.Count(pe.ErrorMessage, "access-sandbox-") != 1 {
		t.Errorf("no assets: %s %q", pe.ErrorType, pe.ErrorMessage)
	}
	bad.SetAccessTokens([]string{"access-sandbox-nope-x"})
	_, _, err = h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*bad).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
	bad.SetAccessTokens([]string{access})
	bad.SetDaysRequested(800)
	_, _, err = h.client.AssetReportCreate(h.ctx).AssetReportCreateRequest(*bad).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")
}

// TestStatements: monthly statements of the depository and credit
// accounts, each a real PDF with the month's transactions; refresh goes
// further back and sends STATEMENTS_REFRESH_COMPLETE; new months appear
// as the virtual clock moves.
func TestStatements(t *testing.T) {
	recv := newWebhookReceiver(t, http.StatusOK)
	h := newHarness(t, Options{})
	access, _ := h.newItem(recv.url("/hook"), plaid.PRODUCTS_STATEMENTS)
	list := res(h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(access)).Execute()).must(t)
	if len(list.Accounts) != 8 || list.InstitutionName != "First Platypus Bank" {
		t.Fatalf("%d accounts with statements at %s", len(list.Accounts), list.InstitutionName)
	}
	checking := list.Accounts[0]
	if len(checking.Statements) != statementMonths {
		t.Fatalf("checking has %d statements", len(checking.Statements))
	}
	last := checking.Statements[len(checking.Statements)-1]
	f := res(h.client.StatementsDownload(h.ctx).StatementsDownloadRequest(*plaid.NewStatementsDownloadRequest(access, last.StatementId)).Execute()).must(t)
	text := pdfOf(t, "/statements/download", f)
	if text != "" && (!strings.Contains(text, "Plaid Checking") || !strings.Contains(text, "Closing balance")) {
		t.Errorf("statement text:\n%s", text)
	}
	_, _, err := h.client.StatementsDownload(h.ctx).StatementsDownloadRequest(*plaid.NewStatementsDownloadRequest(access, "nope")).Execute()
	wantPlaidError(t, err, "INVALID_FIELD")

	now := h.emu.Now()
	refresh := plaid.NewStatementsRefreshRequest(access, now.AddDate(0, -8, 0).Format(time.DateOnly), now.Format(time.DateOnly))
	res(h.client.StatementsRefresh(h.ctx).StatementsRefreshRequest(*refresh).Execute()).must(t)
	b := recv.nextCode(t, "STATEMENTS", "STATEMENTS_REFRESH_COMPLETE")
	checkWebhookSchema(t, "StatementsRefreshCompleteWebhook", b)
	more := res(h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(access)).Execute()).must(t)
	if n := len(more.Accounts[0].Statements); n != 8 {
		t.Errorf("after refreshing 8 months back: %d statements", n)
	}
	h.control("POST", "/__emulator/clock/advance", map[string]any{"duration": "1000h"})
	later := res(h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(access)).Execute()).must(t)
	if n := len(later.Accounts[0].Statements); n <= 8 {
		t.Errorf("no new monthly statement after 41 days: %d", n)
	}

	noStatements, _ := h.newItem("", plaid.PRODUCTS_TRANSACTIONS)
	_, _, err = h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest(noStatements)).Execute()
	wantPlaidError(t, err, "PRODUCT_NOT_ENABLED")
	_, _, err = h.client.StatementsList(h.ctx).StatementsListRequest(*plaid.NewStatementsListRequest("access-sandbox-nope-x")).Execute()
	wantPlaidError(t, err, "INVALID_ACCESS_TOKEN")
}
