package tui

import (
	"sort"
	"strings"
	"unicode"

	"github.com/linkexplorer/linkexplorer/flows"
)

// The console's operation search is a small fuzzy matcher, hand-written
// (251 short targets need no library): every word of the query must
// appear, in order, as a subsequence of the operation's path, summary or
// description; a word scores more where it matches whole, at the start of
// a path segment or word, and in contiguous runs, and the path counts
// most. Operations are then ranked by score, then the shorter path first.

// opMatch is an operation with its score for the query.
type opMatch struct {
	op    flows.ConsoleOp
	score int
}

// searchOps ranks ops for query; an empty query lists them all by path.
func searchOps(ops []flows.ConsoleOp, query string) []opMatch {
	words := strings.Fields(strings.ToLower(query))
	out := make([]opMatch, 0, len(ops))
	for _, op := range ops {
		total, ok := 0, true
		path, summary, desc := strings.ToLower(op.Path), strings.ToLower(op.Summary), strings.ToLower(op.Description)
		for _, w := range words {
			best := max(fuzzyScore(path, w)*3, fuzzyScore(summary, w)*2, fuzzyScore(desc, w))
			if best <= 0 {
				ok = false
				break
			}
			total += best
		}
		if ok {
			out = append(out, opMatch{op: op, score: total})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		if len(out[i].op.Path) != len(out[j].op.Path) {
			return len(out[i].op.Path) < len(out[j].op.Path) // the general one before the specific
		}
		return out[i].op.Path < out[j].op.Path
	})
	return out
}

// fuzzyScore scores word as a subsequence of s: 0 when it is not one. A
// substring beats a scattered match; a match at a boundary (after / _ -
// space or punctuation) beats one inside a word.
func fuzzyScore(s, word string) int {
	if word == "" {
		return 1
	}
	if i := strings.Index(s, word); i >= 0 {
		score := 100 + len(word)*10
		if i == 0 || boundary(rune(s[i-1])) {
			score += 50
		}
		if i+len(word) == len(s) || boundary(rune(s[i+len(word)])) {
			score += 20 // the whole segment or word
		}
		return score
	}
	score, run, wi := 0, 0, 0
	wr := []rune(word)
	prev := ' '
	for _, r := range s {
		if wi < len(wr) && r == wr[wi] {
			wi++
			run++
			score += run * 2
			if boundary(prev) {
				score += 8
			}
		} else {
			run = 0
		}
		prev = r
	}
	if wi < len(wr) {
		return 0
	}
	return score
}

func boundary(r rune) bool {
	return r == '/' || r == '_' || r == '-' || unicode.IsSpace(r) || unicode.IsPunct(r)
}
