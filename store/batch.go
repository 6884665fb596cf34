package store

import (
	"context"
	"database/sql"
	"strings"
)

// Batched inserts: a batch of entries is written with a few multi-row
// statements (one query for the batch's free ids, then chunks of rows per
// table) instead of a dozen statements per entry, so ingesting a burst
// costs the database's own work, not a call into it per row and word.

const (
	// batchMin is the smallest batch written with multi-row statements.
	batchMin = 8
	// batchRows is how many rows one multi-row INSERT writes; SQLite binds
	// at most 32,766 parameters a statement.
	batchRows = 200
	// batchTakenMax bounds the existing ids read to place a batch; past
	// it (a batch spanning a busy stretch of the log) ids are found one by
	// one.
	batchTakenMax = 4096
)

// insertBatch records rows in tx and returns their ids, or ok false when
// the batch is better written row by row (ins.insert).
func (ins *inserts) insertBatch(ctx context.Context, tx *sql.Tx, rows []entryRow) (ids []int64, ok bool, err error) {
	ids, ok, err = batchIDs(ctx, tx, rows)
	if err != nil || !ok {
		return nil, ok, err
	}
	words := make([][]string, len(rows))
	for i, r := range rows {
		words[i] = wordsOf(r.search...)
	}
	const entryCols = `(id, kind, time, session_id, request_id, link_session_id, item_id, error_type, error_code, words, masked)`
	err = insertChunks(ctx, tx, "INSERT INTO log_entries "+entryCols+" VALUES ", 11, len(rows), func(i int, args []any) []any {
		r := rows[i]
		return append(args, ids[i], string(r.kind), formatTime(r.time), null(r.sessionID), null(r.requestID),
			null(r.linkSessionID), null(r.itemID), null(r.errorType), null(r.errorCode), wordsColumn(words[i]), maskRules)
	})
	if err != nil {
		if isForeignKey(err) {
			return nil, true, errMissingSession(rows)
		}
		return nil, true, err
	}
	// Each kind's own rows, in runs of the same statement.
	byDetail := map[string][]int{}
	var order []string
	for i, r := range rows {
		if _, seen := byDetail[r.detailSQL]; !seen {
			order = append(order, r.detailSQL)
		}
		byDetail[r.detailSQL] = append(byDetail[r.detailSQL], i)
	}
	for _, q := range order {
		idx := byDetail[q]
		head, _, _ := strings.Cut(q, "VALUES")
		cols := 1 + len(rows[idx[0]].detailArgs)
		err := insertChunks(ctx, tx, head+"VALUES ", cols, len(idx), func(j int, args []any) []any {
			i := idx[j]
			return append(append(args, ids[i]), rows[i].detailArgs...)
		})
		if err != nil {
			return nil, true, err
		}
	}
	type pair struct {
		word string
		id   int64
	}
	var pairs []pair
	for i, ws := range words {
		for _, w := range ws {
			pairs = append(pairs, pair{w, ids[i]})
		}
	}
	err = insertChunks(ctx, tx, "INSERT INTO log_words (word, entry_id) VALUES ", 2, len(pairs), func(i int, args []any) []any {
		return append(args, pairs[i].word, pairs[i].id)
	})
	return ids, true, err
}

// errMissingSession names the sessions of rows, one of which does not
// exist.
func errMissingSession(rows []entryRow) error {
	var ids []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.sessionID] {
			seen[r.sessionID] = true
			ids = append(ids, r.sessionID)
		}
	}
	return missingSessionError(strings.Join(ids, `", "`))
}

// insertChunks writes n rows of cols values each with INSERT statements
// of up to batchRows rows: prefix is the statement up to VALUES, and
// add appends row i's values to args.
func insertChunks(ctx context.Context, tx *sql.Tx, prefix string, cols, n int, add func(i int, args []any) []any) error {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	var sb strings.Builder
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		sb.Reset()
		sb.WriteString(prefix)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			args = add(i, args)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// batchIDs finds the ids of a batch as freeID would one by one: each row
// gets the first id at or after its time that neither the log nor an
// earlier row of the batch holds. It reads the log's ids in the batch's
// span once; ok is false when that span is too busy to read at once.
func batchIDs(ctx context.Context, tx *sql.Tx, rows []entryRow) ([]int64, bool, error) {
	lo, hi := rows[0].time.UnixNano(), rows[0].time.UnixNano()
	for _, r := range rows[1:] {
		lo, hi = min(lo, r.time.UnixNano()), max(hi, r.time.UnixNano())
	}
	// Ids past hi+len(rows) are never needed unless the log holds ids in
	// the span; each one held pushes the top by one, so the span read is
	// extended to its end (a batch id past it falls back).
	top := hi + int64(len(rows)) + batchTakenMax
	q, err := tx.QueryContext(ctx, `SELECT id FROM log_entries WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?`, lo, top, batchTakenMax+1)
	if err != nil {
		return nil, false, err
	}
	taken := map[int64]bool{}
	for q.Next() {
		var id int64
		if err := q.Scan(&id); err != nil {
			q.Close()
			return nil, false, err
		}
		taken[id] = true
	}
	if err := q.Err(); err != nil {
		q.Close()
		return nil, false, err
	}
	q.Close()
	if len(taken) > batchTakenMax {
		return nil, false, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		id := r.time.UnixNano()
		for taken[id] {
			id++
		}
		if id > top {
			return nil, false, nil
		}
		taken[id] = true
		ids[i] = id
	}
	return ids, true, nil
}
