package emulator

import (
	"strings"
	"sync"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// categoryRows is the (legacy) Plaid category taxonomy /categories/get
// serves: every category the Sandbox's transactions use, their parents,
// and the common ones around them. "special" groups are not places.
var categoryRows = []struct{ id, group, path string }{
	{"10000000", "special", "Bank Fees"},
	{"10001000", "special", "Bank Fees|Overdraft"},
	{"10002000", "special", "Bank Fees|ATM"},
	{"10003000", "special", "Bank Fees|Late Payment"},
	{"10004000", "special", "Bank Fees|Fraud Dispute"},
	{"10005000", "special", "Bank Fees|Foreign Transaction"},
	{"10006000", "special", "Bank Fees|Wire Transfer"},
	{"10007000", "special", "Bank Fees|Insufficient Funds"},
	{"10008000", "special", "Bank Fees|Cash Advance"},
	{"10009000", "special", "Bank Fees|Excess Activity"},
	{"11000000", "special", "Cash Advance"},
	{"12000000", "place", "Community"},
	{"12008000", "place", "Community|Education"},
	{"13000000", "place", "Food and Drink"},
	{"13001000", "place", "Food and Drink|Bar"},
	{"13005000", "place", "Food and Drink|Restaurants"},
	{"13005032", "place", "Food and Drink|Restaurants|Fast Food"},
	{"13005043", "place", "Food and Drink|Restaurants|Coffee Shop"},
	{"14000000", "place", "Healthcare"},
	{"14001000", "place", "Healthcare|Healthcare Services"},
	{"15000000", "special", "Interest"},
	{"15001000", "special", "Interest|Interest Earned"},
	{"15002000", "special", "Interest|Interest Charged"},
	{"16000000", "special", "Payment"},
	{"16001000", "special", "Payment|Credit Card"},
	{"16002000", "special", "Payment|Rent"},
	{"16003000", "special", "Payment|Loan"},
	{"17000000", "place", "Recreation"},
	{"17018000", "place", "Recreation|Gyms and Fitness Centers"},
	{"18000000", "place", "Service"},
	{"18020000", "place", "Service|Financial"},
	{"18068000", "place", "Service|Utilities"},
	{"19000000", "place", "Shops"},
	{"19013000", "place", "Shops|Computers and Electronics"},
	{"19046000", "place", "Shops|Sporting Goods"},
	{"19047000", "place", "Shops|Supermarkets and Groceries"},
	{"20000000", "special", "Tax"},
	{"20001000", "special", "Tax|Refund"},
	{"20002000", "special", "Tax|Payment"},
	{"21000000", "special", "Transfer"},
	{"21001000", "special", "Transfer|Internal Account Transfer"},
	{"21005000", "special", "Transfer|Credit"},
	{"21006000", "special", "Transfer|Debit"},
	{"21007000", "special", "Transfer|Deposit"},
	{"21009000", "special", "Transfer|Payroll"},
	{"22000000", "place", "Travel"},
	{"22001000", "place", "Travel|Airlines and Aviation Services"},
	{"22006000", "place", "Travel|Car Service"},
	{"22006001", "place", "Travel|Car Service|Ride Share"},
	{"22012000", "place", "Travel|Lodging"},
	{"22016000", "place", "Travel|Taxi"},
}

type categoryJSON struct {
	CategoryID string   `json:"category_id"`
	Group      string   `json:"group"`
	Hierarchy  []string `json:"hierarchy"`
}

var categoryList = sync.OnceValue(func() []categoryJSON {
	out := make([]categoryJSON, len(categoryRows))
	for i, r := range categoryRows {
		out[i] = categoryJSON{CategoryID: r.id, Group: r.group, Hierarchy: strings.Split(r.path, "|")}
	}
	return out
})

// categoryByID finds a category by its id.
func categoryByID(id string) (categoryJSON, bool) {
	for _, c := range categoryList() {
		if c.CategoryID == id {
			return c, true
		}
	}
	return categoryJSON{}, false
}

type categoriesResponse struct {
	Categories []categoryJSON `json:"categories"`
	RequestID  string         `json:"request_id"`
}

type emptyRequest struct{}

// categoriesGet serves /categories/get. It takes no access_token.
func categoriesGet(_ *Emulator, c *call, _ *emptyRequest) (any, *sandbox.Error) {
	return categoriesResponse{Categories: categoryList(), RequestID: c.requestID}, nil
}
