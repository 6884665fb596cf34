package store

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// referenceEntryJSON is an entry as the JSON export wrote it with
// encoding/json: bodies that are JSON embedded as json.RawMessage, others
// as strings.
func referenceEntryJSON(t *testing.T, e Entry) string {
	t.Helper()
	j := entryFields(e)
	j.RequestBody, j.ResponseBody, j.Metadata, j.Body = rawJSON(j.RequestBody), rawJSON(j.ResponseBody), rawJSON(j.Metadata), rawJSON(j.Body)
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatalf("encoding/json on entry %d: %v", e.ID, err)
	}
	return string(b)
}

// rawJSON embeds a body as JSON when it is JSON, else as a JSON string.
func rawJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// referenceExport is what the JSON export's entries were before entries
// masked on the way in were left alone and entryEncoder replaced
// encoding/json: every entry masked again, then marshalled.
func referenceExport(t *testing.T, s *Store, f Filter) []string {
	t.Helper()
	var out []string
	q := Query{Filter: f, Limit: 7, Bodies: true} // small pages, to cross page ends
	for {
		page, err := s.Entries(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			out = append(out, referenceEntryJSON(t, remask(e)))
		}
		if !page.More {
			return out
		}
		q.Before = page.Next
	}
}

// exportedEntries splits a JSON export into its entries, one a line.
func exportedEntries(t *testing.T, out string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(out, `"entries":[`)
	if !ok || !strings.HasSuffix(rest, "\n]}\n") {
		t.Fatalf("not a JSON export:\n%s", out)
	}
	var entries []string
	for _, line := range strings.Split(strings.TrimSuffix(rest, "\n]}\n"), "\n")[1:] {
		entries = append(entries, strings.TrimSuffix(line, ","))
	}
	return entries
}

// oddRecords are entries whose text and bodies exercise JSON encoding:
// bodies with whitespace, HTML characters, U+2028, invalid UTF-8, bodies
// that are not JSON, and durations of every size.
func oddRecords(session string) []Record {
	at := t0.Add(time.Hour)
	return []Record{
		APICall{SessionID: session, Time: at, Endpoint: "/link/token/create", HTTPStatus: 200, Duration: time.Nanosecond,
			RequestBody:  []byte("{\n  \"client_name\": \"<b>Tom & Jerry's</b>\",\n  \"secret\": \"" + fullSecret + "\"\n}\n"),
			ResponseBody: []byte(`{"link_token":"link-sandbox-1","note":"line` + "\u2028" + `sep\u003c","expiration":"2025-03-14T19:09:26Z"}`)},
		APICall{SessionID: session, Time: at.Add(1), Endpoint: "/accounts/get", HTTPStatus: 500, Duration: 3*time.Hour + 7,
			ErrorMessage: "bad\tbyte \xff and \"quotes\" \\ \x01 \u2029 <script>",
			RequestBody:  []byte("not json: access_token=" + fullAccess), ResponseBody: []byte("\xfe\xff<html>&nbsp;</html>")},
		APICall{SessionID: session, Time: at.Add(2), Endpoint: "/item/get", Duration: 1500 * time.Microsecond,
			ResponseBody: []byte(` [1, 2.50, -0, 1e400, "\ud83d\ude00", {"a" : null}] `)},
		LinkEvent{SessionID: session, Time: at.Add(3), EventName: "ERROR", InstitutionName: "Crédit <Agricole> & Cie",
			Metadata: []byte("{\"error_message\":\"x\\ny\",\"institution\":{\"name\":\"\xe2\x80\xa8\"}}")},
		Webhook{SessionID: session, Time: at.Add(4), Signature: "invalid: \"kid\" <unknown>", Body: []byte(`{"webhook_type":"ITEM","webhook_code":"ERROR","error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED"}}`)},
		Webhook{SessionID: session, Time: at.Add(5), WebhookType: "TRANSACTIONS", Body: []byte(`{"truncated":`)},
	}
}

// TestExportJSONSameForMaskedAndLegacyRows: on a real SQLite file, the JSON
// export's entries are byte for byte what the export wrote before (every
// entry masked again, encoding/json) for entries masked on the way in,
// for the same entries as a store of an earlier version holds them
// (masked = 0, so masked again on the way out), and for entries written
// unmasked by something else, which come out masked.
func TestExportJSONSameForMaskedAndLegacyRows(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	fixture(t, s)
	sess := leakyFixture(t, s)
	if _, err := s.Add(ctx, oddRecords(sess.ID)...); err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		for _, f := range []Filter{{}, {SessionID: sess.ID}, {Kind: KindCall}} {
			got := exportedEntries(t, export(t, s, FormatJSON, f))
			want := referenceExport(t, s, f)
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("%s, filter %+v: %d entries exported, want %d", what, f, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("%s, filter %+v, entry %d:\n got %s\nwant %s", what, f, i, got[i], want[i])
				}
			}
		}
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM log_entries WHERE masked = ?`, maskRules).Scan(&n); err != nil || n != 22 {
		t.Fatalf("%d entries record the current masking rules (%v), want all 22", n, err)
	}
	check("masked on the way in")

	// As a store of an earlier version holds them, and an entry another
	// program wrote unmasked into it.
	for _, q := range []string{
		`UPDATE log_entries SET masked = 0`,
		`UPDATE api_calls SET request_body = '{"secret":"` + fullSecret + `","access_token":"` + fullAccess + `"}',
			error_message = 'token ` + fullPublic + `' WHERE entry_id = (SELECT max(entry_id) FROM api_calls)`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	check("legacy entries") // export fails the test if a secret is in it
}

// TestEntryEncoderMatchesEncodingJSON compares entryEncoder with
// encoding/json on entries of random text and bodies.
func TestEntryEncoderMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", " ", "\"", "\\", "/", "<", ">", "&", "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f",
		"é", "…", "•", "\u2028", "\u2029", "😀", "\xff", "\xe2\x80", "\xed\xa0\x80", "{", "}", "[", "]", ":", ",", "1", "-",
		"e", ".", "null", "true", `"k"`, `\u00e9`, `\ud800`}
	text := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	body := func() []byte {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			v := map[string]any{text(): text(), "n": rng.Float64(), "list": []any{text(), rng.IntN(100), nil, true}}
			b, _ := json.MarshalIndent(v, "", "  ")
			return b
		case 2:
			return []byte(` {"s" : ` + string(must(json.Marshal(text()))) + ` , "a":[ 1 ,2 ] } `)
		}
		return []byte(text())
	}
	var enc entryEncoder
	for i := range 5000 {
		status := rng.IntN(600)
		ms := []float64{0, 1e-7, 1e-6, 0.5, 123.456, 1e20, 1e21, 3e25}[rng.IntN(8)]
		j := entryJSON{ID: rng.Int64(), Time: text(), Kind: EntryKind(text()), SessionID: text(), Source: text(),
			Method: text(), Endpoint: text(), EventKind: text(), EventName: text(), WebhookType: text(),
			WebhookCode: text(), Signature: text(), RequestID: text(), LinkSessionID: text(), ItemID: text(),
			ViewName: text(), ExitStatus: text(), InstitutionID: text(), InstitutionName: text(), ErrorType: text(),
			ErrorCode: text(), ErrorMessage: text(), RequestBody: body(), ResponseBody: body(), Metadata: body(), Body: body()}
		if i%2 == 0 {
			j.HTTPStatus, j.DurationMS = &status, &ms
		}
		got := string(bytes.TrimPrefix(enc.entry(&j), []byte("\n")))
		ref := j
		ref.RequestBody, ref.ResponseBody, ref.Metadata, ref.Body = rawJSON(j.RequestBody), rawJSON(j.ResponseBody), rawJSON(j.Metadata), rawJSON(j.Body)
		want, err := json.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("entry %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
