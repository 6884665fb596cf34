package sandbox

import "sort"

// canned is one recurring transaction of the default data set. It repeats
// every cyclePeriod days, first dayInCycle days before the Item's creation,
// as Plaid's Sandbox does for user_good (reference §3.4): the same sixteen
// transactions come back each month.
type canned struct {
	dayInCycle int
	name       string
	merchant   string // "" is null
	amount     float64
	category   []string
	categoryID string
	channel    string
	pfc        pfc
}

// pfc is a personal_finance_category (primary and detailed).
type pfc struct{ primary, detailed string }

// cyclePeriod is the length of one repetition of the canned set.
const cyclePeriod = CyclePeriod

// CyclePeriod is how many days pass between two occurrences of a canned
// transaction.
const CyclePeriod = 30

// cannedSets are the canned sets by the name AccountTemplate.Canned gives.
var cannedSets = map[string][]canned{
	"checking": checkingTxns, "saving": savingTxns, "cd": cdTxns, "credit card": creditCardTxns,
}

// CannedSet returns one cycle of a canned set, in a fixed order, with
// DaysAgo between 0 and CyclePeriod-1: the transaction also happens
// DaysAgo + k*CyclePeriod days before the Item's creation for every integer
// k (negative k: after it). An unknown name gives nil.
func CannedSet(name string) []TransactionTemplate {
	set := cannedSets[name]
	if set == nil {
		return nil
	}
	out := make([]TransactionTemplate, len(set))
	for i, c := range set {
		out[i] = c.template(c.dayInCycle)
	}
	return out
}

// Personal finance categories used by the canned set.
var (
	pfcRideShare   = pfc{"TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES"}
	pfcFlights     = pfc{"TRAVEL", "TRAVEL_FLIGHTS"}
	pfcFastFood    = pfc{"FOOD_AND_DRINK", "FOOD_AND_DRINK_FAST_FOOD"}
	pfcCoffee      = pfc{"FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE"}
	pfcCardPayment = pfc{"LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"}
)

// The canned set, split by the account it lands on.
var (
	checkingTxns = []canned{
		{1, "CREDIT CARD 3333 PAYMENT *//", "", 25, []string{"Payment", "Credit Card"}, "16001000", "other", pfcCardPayment},
		{1, "Uber 063015 SF**POOL**", "Uber", 5.40, []string{"Travel", "Car Service", "Ride Share"}, "22006001", "online", pfcRideShare},
		{3, "United Airlines", "United Airlines", -500, []string{"Travel", "Airlines and Aviation Services"}, "22001000", "other", pfcFlights},
		{4, "McDonald's", "McDonald's", 12, []string{"Food and Drink", "Restaurants", "Fast Food"}, "13005032", "in store", pfcFastFood},
		{4, "Starbucks", "Starbucks", 4.33, []string{"Food and Drink", "Restaurants", "Coffee Shop"}, "13005043", "in store", pfcCoffee},
		{5, "SparkFun", "SparkFun", 89.40, []string{"Shops", "Computers and Electronics"}, "19013000", "online", pfc{"GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_ELECTRONICS"}},
		{18, "Uber 072515 SF**POOL**", "Uber", 6.33, []string{"Travel", "Car Service", "Ride Share"}, "22006001", "online", pfcRideShare},
	}
	savingTxns = []canned{
		{2, "ACH Electronic CreditGUSTO PAY 123456", "", 5850, []string{"Transfer", "Debit"}, "21006000", "online", pfc{"GENERAL_SERVICES", "GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING"}},
		{6, "INTRST PYMNT", "", -4.22, []string{"Transfer", "Credit"}, "21005000", "other", pfc{"INCOME", "INCOME_INTEREST_EARNED"}},
	}
	cdTxns = []canned{
		{2, "CD DEPOSIT .INITIAL.", "", 1000, []string{"Transfer", "Deposit"}, "21007000", "other", pfc{"TRANSFER_IN", "TRANSFER_IN_DEPOSIT"}},
	}
	creditCardTxns = []canned{
		{3, "Touchstone Climbing", "Touchstone", 78.50, []string{"Recreation", "Gyms and Fitness Centers"}, "17018000", "in store", pfc{"PERSONAL_CARE", "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS"}},
		{16, "United Airlines", "United Airlines", 500, []string{"Travel", "Airlines and Aviation Services"}, "22001000", "other", pfcFlights},
		{21, "Tectra Inc", "", 500, []string{"Food and Drink", "Restaurants"}, "13005000", "in store", pfc{"ENTERTAINMENT", "ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS"}},
		{22, "AUTOMATIC PAYMENT - THANK", "", 2078.50, []string{"Payment"}, "16000000", "other", pfcCardPayment},
		{22, "KFC", "KFC", 500, []string{"Food and Drink", "Restaurants", "Fast Food"}, "13005032", "in store", pfcFastFood},
		{22, "Madison Bicycle Shop", "Madison Bicycle Shop", 500, []string{"Shops", "Sporting Goods"}, "19046000", "in store", pfc{"GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SPORTING_GOODS"}},
	}
)

// expand repeats the canned transactions every cyclePeriod days over
// TransactionHistoryDays, oldest first (ties keep the canned order).
func expand(set []canned) []TransactionTemplate {
	if len(set) == 0 {
		return nil
	}
	var out []TransactionTemplate
	for start := 0; start < TransactionHistoryDays; start += cyclePeriod {
		for _, c := range set {
			if d := start + c.dayInCycle; d < TransactionHistoryDays {
				out = append(out, c.template(d))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DaysAgo > out[j].DaysAgo })
	return out
}

func (c canned) template(daysAgo int) TransactionTemplate {
	t := TransactionTemplate{
		DaysAgo:        daysAgo,
		Name:           c.name,
		Amount:         c.amount,
		Currency:       "USD",
		Category:       append([]string(nil), c.category...),
		CategoryID:     c.categoryID,
		PaymentChannel: c.channel,
		PFCPrimary:     c.pfc.primary,
		PFCDetailed:    c.pfc.detailed,
	}
	if c.merchant != "" {
		t.MerchantName = strPtr(c.merchant)
	}
	return t
}
