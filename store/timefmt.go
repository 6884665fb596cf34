package store

import (
	"fmt"
	"time"
)

// timeLayout stores times as fixed-width UTC text, so that they sort as
// strings and read well in the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// The range of times an entry id (int64 nanoseconds) can hold.
var (
	minTime = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// now is the current time in UTC, without the monotonic reading.
func now() time.Time { return time.Now().UTC().Round(0) }

// recordTime returns t in UTC, or now when t is zero, and rejects times an
// entry id cannot hold.
func recordTime(t time.Time) (time.Time, error) {
	if t.IsZero() {
		return now(), nil
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return time.Time{}, fmt.Errorf("time %s is out of range; give the time the record happened, or zero for now", t.Format(time.RFC3339))
	}
	return t.UTC().Round(0), nil
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// formatOptionalTime stores the zero time as NULL.
func formatOptionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// parseTime reads a stored time; NULL, empty or unreadable text is zero.
func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
