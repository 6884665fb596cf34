package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The free-text filter. An entry's words are the runs of letters and digits
// in its searchable fields, lower-cased: "/item/public_token/exchange"
// gives item, public, token and exchange. log_entries.words holds them as
// " w1 w2 … ", and log_words lists each (word, entry) pair, ordered by word
// then entry id.
//
// A page of a text search is read one of two ways. When a condition of the
// text stands for at most maxExpansion indexed words, those words drive
// the query: for each, log_words yields its entries newest first, from the
// cursor on, until the page is full, so the page costs the same whatever
// the size of the log. Otherwise (a prefix such as "r" stands for
// thousands of words) the log is read newest first and each entry's words
// column checked: such a prefix matches many entries, so a page fills
// quickly. The other conditions are always checked against the words
// column.

// maxExpansion is how many indexed words one condition may stand for and
// still drive a page.
const maxExpansion = 16

// driverCap bounds the count of entries that choosing a driver reads.
const driverCap = 1000

// textCond is one condition of a free-text filter: the entry holds word
// (exact), or a word that starts with it (prefix).
type textCond struct {
	word   string
	prefix bool
}

// pattern finds the condition in a words column.
func (c textCond) pattern() string {
	if c.prefix {
		return " " + c.word
	}
	return " " + c.word + " "
}

// wordsOf returns the distinct words of texts, in order.
func wordsOf(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, w := range splitWords(t) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// wordsColumn is the words column of an entry with these words.
func wordsColumn(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return " " + strings.Join(words, " ") + " "
}

// maxBodyWords bounds the words of an entry's bodies that the text filter
// finds: enough for every key and value of a Plaid request or error, an
// Item, accounts and a page of transactions, while a huge response costs
// a bounded index.
const maxBodyWords = 400

// bodyWords is the text of an entry's (masked) bodies that the text filter
// searches: their first maxBodyWords distinct words, keys and values
// alike, so that "ins_109508", "checking" or "client_user_id" find the
// calls that sent or received them.
func bodyWords(bodies ...[]byte) string {
	var out []string
	seen := map[string]bool{}
	for _, b := range bodies {
		for _, w := range splitWords(string(b)) {
			if len(out) == maxBodyWords {
				return strings.Join(out, " ")
			}
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return strings.Join(out, " ")
}

func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// parseText turns free text into conditions: every word of every
// whitespace-separated term is required, the last word of a term as a
// prefix (the one being typed).
func parseText(text string) []textCond {
	var conds []textCond
	seen := map[textCond]bool{}
	for _, term := range strings.Fields(text) {
		ws := splitWords(term)
		for i, w := range ws {
			c := textCond{word: w, prefix: i == len(ws)-1}
			if !seen[c] {
				seen[c] = true
				conds = append(conds, c)
			}
		}
	}
	return conds
}

// driver picks the words whose log_words entries drive a text search:
// those of the condition with the fewest entries among the conditions that
// stand for at most maxExpansion words. It returns nil when no condition
// qualifies, or when the best is common (driverCap entries or more) and an
// indexed filter can drive instead.
func (s *Store) driver(ctx context.Context, conds []textCond, indexed bool) ([]string, error) {
	var best []string
	bestN := driverCap + 1
	for _, c := range conds {
		words := []string{c.word}
		if c.prefix {
			var err error
			if words, err = s.expand(ctx, c.word); err != nil {
				return nil, err
			}
			if len(words) == 0 {
				// A prefix of no indexed word: nothing matches, and a
				// driver that yields nothing says so at once.
				return []string{""}, nil
			}
			if len(words) > maxExpansion {
				continue
			}
		}
		n, err := s.countWords(ctx, words)
		if err != nil {
			return nil, err
		}
		if n < bestN {
			best, bestN = words, n
		}
	}
	if best == nil || (bestN >= driverCap && indexed) {
		return nil, nil
	}
	return best, nil
}

// expand returns the indexed words that start with prefix, stopping after
// maxExpansion+1. Each is one seek in log_words, skipping the entries of
// the word before.
func (s *Store) expand(ctx context.Context, prefix string) ([]string, error) {
	var words []string
	from, to := prefix, prefix+string(utf8.MaxRune)
	for len(words) <= maxExpansion {
		var w string
		err := s.db.QueryRowContext(ctx, `SELECT word FROM log_words WHERE word >= ? AND word < ? ORDER BY word LIMIT 1`,
			from, to).Scan(&w)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, err
		}
		words, from = append(words, w), w+"\x00"
	}
	return words, nil
}

// countWords counts the entries holding any of words, up to driverCap.
func (s *Store) countWords(ctx context.Context, words []string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM log_words WHERE word IN (`+
		placeholders(len(words))+`) LIMIT ?)`, append(anys(words), driverCap)...).Scan(&n)
	return n, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
