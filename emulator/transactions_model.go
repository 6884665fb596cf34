package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sync"
	"time"

	"github.com/linkexplorer/linkexplorer/emulator/sandbox"
)

// An Item's transactions are not stored one by one. The canned ones are a
// pure function of the Item (its item_id, creation date and accounts) and
// of the dates up to which Plaid has "pulled" them from the bank, so the
// state keeps only those pulls and the changes made through the control
// API: a few dozen bytes for an idle Item instead of hundreds of
// transactions.
//
// Every transaction has a place in one sequence (seq), the order in which
// /transactions/sync reports it: the initial pull's transactions oldest
// first, then each later pull's, then each change. A sync cursor is a seq.

// txnLog is an Item's transaction history.
type txnLog struct {
	Pulls []txnPull `json:"pulls"`
	// Seq is the last seq handed out.
	Seq int64 `json:"seq"`
	// Updated is when the data last changed (a pull or a change).
	Updated time.Time `json:"updated"`
	// Changes are the control API's additions, modifications and
	// removals, by transaction_id.
	Changes map[string]*txnChange `json:"changes,omitempty"`
}

// txnPull is one pull of canned data: the transactions dated after the
// previous pull's Through and up to this one's.
type txnPull struct {
	Through string    `json:"through"` // YYYY-MM-DD
	First   int64     `json:"first"`   // seq of its first transaction
	Count   int       `json:"count"`
	At      time.Time `json:"at"`
}

// txnChange is a transaction's state after the control API changed it.
type txnChange struct {
	Seq int64 `json:"seq"`
	// Created is the seq at which a transaction added through the control
	// API appeared; 0 for a generated one.
	Created int64        `json:"created,omitempty"`
	Removed bool         `json:"removed,omitempty"`
	Txn     *transaction `json:"txn,omitempty"` // nil once removed
}

// txnEntry is a transaction with its place in the sync sequence.
type txnEntry struct {
	seq, created int64
	removed      bool
	t            *transaction
}

// cannedSets caches sandbox.CannedSet by name: the sets are pure data.
var cannedSets = sync.OnceValue(func() map[string][]sandbox.TransactionTemplate {
	m := map[string][]sandbox.TransactionTemplate{}
	for _, a := range sandbox.DefaultAccounts() {
		if a.Canned != "" {
			m[a.Canned] = sandbox.CannedSet(a.Canned)
		}
	}
	return m
})

// historyDays is how far before the Item's creation canned data goes.
const historyDays = sandbox.TransactionHistoryDays

// createdDay is the Item's creation date at midnight UTC.
func (it *item) createdDay() time.Time {
	return it.CreatedAt.UTC().Truncate(24 * time.Hour)
}

// daysAfterCreation is the number of whole days from the Item's creation
// date to date (YYYY-MM-DD).
func (it *item) daysAfterCreation(date string) int {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0
	}
	return int(d.Sub(it.createdDay()).Hours() / 24)
}

// canned returns the canned transactions dated between dMin and dMax days
// before the Item's creation (negative: after it), oldest first; ties keep
// the account order, then the canned order.
func (it *item) canned(dMin, dMax int) []transaction {
	if dMin > dMax {
		return nil
	}
	sets := cannedSets()
	day := it.createdDay()
	var out []transaction
	for ai := range it.Accounts {
		a := &it.Accounts[ai]
		set := sets[a.Canned]
		for i := range set {
			c := set[i].DaysAgo
			kMin := ceilDiv(dMin-c, sandbox.CyclePeriod)
			for k := kMin; c+k*sandbox.CyclePeriod <= dMax; k++ {
				d := c + k*sandbox.CyclePeriod
				t := transaction{ID: cannedID(it.ID, a.ID, i, d), AccountID: a.ID, TransactionTemplate: set[i]}
				t.DaysAgo = d
				t.Date = day.AddDate(0, 0, -d).Format(time.DateOnly)
				out = append(out, t)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b transaction) int { return cmp.Compare(b.DaysAgo, a.DaysAgo) })
	return out
}

func ceilDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a > 0) == (b > 0) {
		q++
	}
	return q
}

// cannedID is the transaction_id of one occurrence of a canned
// transaction: 37 alphanumerics derived from the Item, so it is the same
// each time it is generated, across restarts.
func cannedID(itemID, accountID string, index, daysAgo int) string {
	h := sha256.New()
	h.Write([]byte(itemID))
	h.Write([]byte{0})
	h.Write([]byte(accountID))
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(index))
	binary.BigEndian.PutUint64(buf[8:], uint64(int64(daysAgo)))
	h.Write(buf[:])
	sum := h.Sum(nil)
	sum2 := sha256.Sum256(sum)
	all := append(sum, sum2[:]...)
	out := make([]byte, 37)
	for i := range out {
		out[i] = alphanumerics[int(all[i])%len(alphanumerics)]
	}
	return string(out)
}

// initialPull is the data of the first pull: the canned history and the
// Item's explicit transactions (user_custom's, or an older state file's),
// oldest first.
func (it *item) initialPull() []transaction {
	out := it.canned(0, historyDays-1)
	out = append(out, it.Transactions...)
	slices.SortStableFunc(out, func(a, b transaction) int { return cmp.Compare(a.Date, b.Date) })
	return out
}

// txns returns the Item's transaction log, making the initial pull the
// first time (e.mu held).
func (it *item) txns() *txnLog {
	if it.Txn == nil {
		n := len(it.initialPull())
		it.Txn = &txnLog{
			Pulls:   []txnPull{{Through: it.createdDay().Format(time.DateOnly), First: 1, Count: n, At: it.CreatedAt}},
			Seq:     int64(n),
			Updated: it.CreatedAt,
		}
	}
	return it.Txn
}

// pull brings in the canned transactions dated up to now's date that are
// not in yet, and returns how many there were (e.mu held).
func (it *item) pull(now time.Time) int {
	log := it.txns()
	today := now.UTC().Format(time.DateOnly)
	last := log.Pulls[len(log.Pulls)-1].Through
	if today <= last {
		return 0
	}
	news := it.canned(-it.daysAfterCreation(today), -it.daysAfterCreation(last)-1)
	if len(news) == 0 {
		return 0
	}
	log.Pulls = append(log.Pulls, txnPull{Through: today, First: log.Seq + 1, Count: len(news), At: now})
	log.Seq += int64(len(news))
	log.Updated = now
	return len(news)
}

// generated returns every pulled transaction with its seq, in seq order.
func (it *item) generated() []txnEntry {
	log := it.txns()
	var out []txnEntry
	for i, p := range log.Pulls {
		var ts []transaction
		if i == 0 {
			ts = it.initialPull()
		} else {
			prev := log.Pulls[i-1].Through
			ts = it.canned(-it.daysAfterCreation(p.Through), -it.daysAfterCreation(prev)-1)
		}
		for j := range ts {
			seq := p.First + int64(j)
			out = append(out, txnEntry{seq: seq, created: seq, t: &ts[j]})
		}
	}
	return out
}

// entries returns every transaction, removed ones included, with the
// control API's changes applied, in seq order.
func (it *item) entries() []txnEntry {
	log := it.txns()
	out := it.generated()
	for i := range out {
		if c := log.Changes[out[i].t.ID]; c != nil {
			out[i].seq, out[i].removed = c.Seq, c.Removed
			if c.Txn != nil {
				out[i].t = c.Txn
			}
		}
	}
	for _, c := range log.Changes {
		if c.Created > 0 {
			e := txnEntry{seq: c.Seq, created: c.Created, removed: c.Removed, t: c.Txn}
			if e.t == nil {
				e.t = &transaction{}
			}
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b txnEntry) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// current returns the Item's transactions as they stand, removed ones left
// out, in seq order.
func (it *item) current() []*transaction {
	var out []*transaction
	for _, e := range it.entries() {
		if !e.removed {
			out = append(out, e.t)
		}
	}
	return out
}

// syncPage is what /transactions/sync returns after the cursor seq.
type syncPage struct {
	added, modified []*transaction
	removed         []string
	next            int64
	hasMore         bool
}

// since returns the changes after seq, at most count of them. A
// transaction created after seq is reported as added, at the place it was
// created, with its current content (or not at all when it is removed
// already); one created before is reported as modified or removed at the
// place of its last change. So a pass from any cursor sees every
// transaction once as it stands, even when changes come during the pass
// (a transaction may then also come as modified later, which clients
// handle).
func (it *item) since(seq int64, count int) syncPage {
	type pending struct {
		pos int64
		e   txnEntry
	}
	var todo []pending
	for _, e := range it.entries() {
		switch {
		case e.created > seq && !e.removed:
			todo = append(todo, pending{e.created, e})
		case e.created <= seq && e.seq > seq:
			todo = append(todo, pending{e.seq, e})
		}
	}
	slices.SortFunc(todo, func(a, b pending) int { return cmp.Compare(a.pos, b.pos) })
	page := syncPage{next: it.txns().Seq}
	if len(todo) > count {
		todo, page.hasMore = todo[:count], true
		page.next = todo[count-1].pos
	}
	for _, p := range todo {
		switch {
		case p.e.created > seq:
			page.added = append(page.added, p.e.t)
		case p.e.removed:
			page.removed = append(page.removed, p.e.t.ID)
		default:
			page.modified = append(page.modified, p.e.t)
		}
	}
	return page
}
